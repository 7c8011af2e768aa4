// Billing → Bills & payments: orders, invoices (PDF), payment methods.
import { Button, Link, Tab, TabList } from '@fluentui/react-components';
import { AddRegular, DeleteRegular, DocumentPdfRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Invoice, type Order, type PaymentMethod } from '../api';
import { ErrorBar, InfoBar, Loading, PageHeader, StatusBadge, useCommonStyles } from '../components/common';
import { useFormat } from '../format';
import { getAll, useLoad } from '../hooks';
import { useSignedIn } from '../session';
import { CardForm, cardBody, emptyCard, methodLabel } from '../components/CardForm';
import { DataTable } from '../components/DataTable';
import { FormDialog } from '../components/FormDialog';
import { useSkuName } from '../names';
import { useSubmit } from '../submit';

type TabKey = 'orders' | 'invoices' | 'methods';

function Orders() {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const f = useFormat();
  const name = useSkuName();
  const orders = useLoad((signal) => getAll<Order>('/api/v1/orders', signal), []);
  if (orders.loading && !orders.data) return <Loading />;
  if (orders.error) return <ErrorBar message={orders.error} onRetry={orders.reload} />;
  if (!orders.data?.length) return <p className={c.p}>{t('noOrders')}</p>;
  const sorted = [...orders.data].sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
  return (
    <DataTable
      label={t('orders')}
      minWidth={640}
      rows={sorted}
      rowKey={(o) => o.id}
      columns={[
        { key: 'id', header: t('orderNumber'), wrapAnywhere: true, cell: (o) => o.id },
        { key: 'date', header: t('date'), cell: (o) => f.date(o.createdAt) },
        {
          key: 'items',
          header: t('items'),
          cell: (o) => o.lineItems.map((l) => `${name(l.skuId, l.name)} × ${f.num(l.quantity)}`).join(', '),
        },
        { key: 'total', header: t('total'), numeric: true, cell: (o) => f.money(o.total) },
        { key: 'status', header: t('status'), cell: (o) => <StatusBadge status={o.status} /> },
        { key: 'payment', header: t('payment'), cell: (o) => (o.payment?.status ? <StatusBadge status={o.payment.status} /> : '—') },
      ]}
    />
  );
}

function Invoices() {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const f = useFormat();
  const invoices = useLoad((signal) => getAll<Invoice>('/api/v1/invoices', signal), []);
  if (invoices.loading && !invoices.data) return <Loading />;
  if (invoices.error) return <ErrorBar message={invoices.error} onRetry={invoices.reload} />;
  if (!invoices.data?.length) return <p className={c.p}>{t('noInvoices')}</p>;
  const numberOf = (inv: Invoice) => inv.number ?? inv.id;
  return (
    <DataTable
      label={t('invoices')}
      minWidth={640}
      rows={invoices.data}
      rowKey={(inv) => inv.id}
      columns={[
        { key: 'number', header: t('invoiceNumber'), cell: numberOf },
        { key: 'date', header: t('date'), cell: (inv) => f.date(inv.issuedAt) },
        { key: 'amount', header: t('amount'), numeric: true, cell: (inv) => f.money(inv.total) },
        { key: 'status', header: t('status'), cell: (inv) => (inv.status ? <StatusBadge status={inv.status} /> : '—') },
        { key: 'due', header: t('dueDate'), cell: (inv) => f.date(inv.dueDate) },
        {
          key: 'pdf',
          header: 'PDF',
          cell: (inv) => (
            <Link href={`/api/v1/invoices/${encodeURIComponent(inv.id)}/pdf`} target="_blank" rel="noopener" aria-label={t('downloadPdf', { number: numberOf(inv) })}>
              <DocumentPdfRegular aria-hidden style={{ verticalAlign: 'middle' }} /> PDF
            </Link>
          ),
        },
      ]}
    />
  );
}

function AddCardDialog({ onClose, onAdded }: { onClose: () => void; onAdded: (pm: PaymentMethod) => void }) {
  const { t } = useTranslation();
  const { session } = useSignedIn();
  const [card, setCard] = useState(() => emptyCard(session.user.displayName));
  const submit = useSubmit();
  return (
    <FormDialog
      title={t('addPaymentMethod')}
      submitLabel={t('save')}
      busy={submit.busy}
      error={submit.message}
      onClose={onClose}
      onSubmit={() => submit.run(async () => onAdded(await api.post<PaymentMethod>('/api/v1/paymentMethods', cardBody(card))))}
    >
      <CardForm card={card} onChange={setCard} />
    </FormDialog>
  );
}

function Methods() {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const { perms, session } = useSignedIn();
  const methods = useLoad((signal) => getAll<PaymentMethod>('/api/v1/paymentMethods', signal), []);
  const [adding, setAdding] = useState(false);
  const [deleting, setDeleting] = useState<PaymentMethod | null>(null);
  const enable = useSubmit();
  const remove = useSubmit();
  const [notice, setNotice] = useState<string | null>(null);
  const list = methods.data ?? [];
  const hasInvoice = list.some((m) => m.type === 'invoice');

  return (
    <div className={c.page}>
      {perms.canBuy ? (
        <div className={c.row}>
          <Button icon={<AddRegular />} onClick={() => setAdding(true)}>
            {t('addPaymentMethod')}
          </Button>
          {session.organization.invoiceEligible && !hasInvoice && methods.data ? (
            <Button
              disabled={enable.busy}
              onClick={() =>
                enable.run(async () => {
                  await api.post('/api/v1/paymentMethods', { type: 'invoice' });
                  methods.reload();
                })
              }
            >
              {t('enableInvoice')}
            </Button>
          ) : null}
        </div>
      ) : null}
      {notice ? <InfoBar intent="success">{notice}</InfoBar> : null}
      <ErrorBar message={enable.message} />
      {methods.loading && !methods.data ? <Loading /> : null}
      <ErrorBar message={methods.error} onRetry={methods.reload} />
      {methods.data && list.length === 0 ? <p className={c.p}>{t('noPaymentMethods')}</p> : null}
      <div className={c.grid}>
        {list.map((m) => {
          const label = methodLabel(t, m);
          return (
            <div key={m.id} className={c.card} data-testid="payment-method">
              <strong>{label}</strong>
              {m.type === 'card' && m.expMonth ? (
                <span className={c.muted}>{t('cardExpires', { month: String(m.expMonth).padStart(2, '0'), year: m.expYear })}</span>
              ) : (
                <span className={c.muted}>{t('invoiceTerms')}</span>
              )}
              {perms.canBuy ? (
                <div>
                  <Button icon={<DeleteRegular />} aria-label={t('deleteMethod', { method: label })} onClick={() => setDeleting(m)}>
                    {t('delete')}
                  </Button>
                </div>
              ) : null}
            </div>
          );
        })}
      </div>
      {adding ? (
        <AddCardDialog
          onClose={() => setAdding(false)}
          onAdded={() => {
            setAdding(false);
            setNotice(t('cardSaved'));
            methods.reload();
          }}
        />
      ) : null}
      {deleting ? (
        <FormDialog
          alert
          title={t('deleteConfirm', { method: methodLabel(t, deleting) })}
          submitLabel={t('delete')}
          busy={remove.busy}
          error={remove.message}
          onClose={() => {
            remove.clear();
            setDeleting(null);
          }}
          onSubmit={() =>
            remove.run(async () => {
              await api.del(`/api/v1/paymentMethods/${encodeURIComponent(deleting.id)}`);
              setDeleting(null);
              methods.reload();
            })
          }
        />
      ) : null}
    </div>
  );
}

export function BillsPayments() {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const [tab, setTab] = useState<TabKey>('orders');
  return (
    <div className={c.page}>
      <PageHeader title={t('billsAndPayments')} />
      <TabList selectedValue={tab} onTabSelect={(_, d) => setTab(d.value as TabKey)} aria-label={t('billsAndPayments')}>
        <Tab value="orders" id="tab-orders" aria-controls="panel-bills">
          {t('orders')}
        </Tab>
        <Tab value="invoices" id="tab-invoices" aria-controls="panel-bills">
          {t('invoices')}
        </Tab>
        <Tab value="methods" id="tab-methods" aria-controls="panel-bills">
          {t('paymentMethods')}
        </Tab>
      </TabList>
      <div role="tabpanel" id="panel-bills" aria-labelledby={`tab-${tab}`}>
        {tab === 'orders' ? <Orders /> : tab === 'invoices' ? <Invoices /> : <Methods />}
      </div>
    </div>
  );
}
