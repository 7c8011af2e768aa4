// Billing → Bills & payments: orders, invoices (PDF), payment methods.
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Link,
  Tab,
  TabList,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
} from '@fluentui/react-components';
import { AddRegular, DeleteRegular, DocumentPdfRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Invoice, type Order, type PaymentMethod } from '../api';
import { ErrorBar, InfoBar, Loading, PageHeader, StatusBadge, useCommonStyles } from '../components/common';
import { useFormat } from '../format';
import { getAll, useLoad } from '../hooks';
import { useSignedIn } from '../session';
import { CardFields, cardBody, emptyCard, methodLabel } from './Checkout';
import { useSkuName } from '../names';

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
    <div className={c.tableWrap}>
      <Table aria-label={t('orders')} style={{ minWidth: 640 }}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>{t('orderNumber')}</TableHeaderCell>
            <TableHeaderCell>{t('date')}</TableHeaderCell>
            <TableHeaderCell>{t('items')}</TableHeaderCell>
            <TableHeaderCell>{t('total')}</TableHeaderCell>
            <TableHeaderCell>{t('status')}</TableHeaderCell>
            <TableHeaderCell>{t('payment')}</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {sorted.map((o) => (
            <TableRow key={o.id}>
              <TableCell style={{ overflowWrap: 'anywhere' }}>{o.id}</TableCell>
              <TableCell>{f.date(o.createdAt)}</TableCell>
              <TableCell>
                {o.lineItems.map((l) => `${name(l.skuId, l.name)} × ${f.num(l.quantity)}`).join(', ')}
              </TableCell>
              <TableCell className={c.num}>{f.money(o.total)}</TableCell>
              <TableCell>
                <StatusBadge status={o.status} />
              </TableCell>
              <TableCell>{o.payment ? <StatusBadge status={o.payment.status} /> : '—'}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
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
  return (
    <div className={c.tableWrap}>
      <Table aria-label={t('invoices')} style={{ minWidth: 640 }}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>{t('invoiceNumber')}</TableHeaderCell>
            <TableHeaderCell>{t('date')}</TableHeaderCell>
            <TableHeaderCell>{t('amount')}</TableHeaderCell>
            <TableHeaderCell>{t('status')}</TableHeaderCell>
            <TableHeaderCell>{t('dueDate')}</TableHeaderCell>
            <TableHeaderCell>PDF</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {invoices.data.map((inv) => {
            const number = inv.number ?? inv.invoiceNumber ?? inv.id;
            return (
              <TableRow key={inv.id}>
                <TableCell>{number}</TableCell>
                <TableCell>{f.date(inv.issuedAt ?? inv.createdAt ?? inv.date)}</TableCell>
                <TableCell className={c.num}>{f.money(inv.total ?? inv.amount)}</TableCell>
                <TableCell>{inv.status ? <StatusBadge status={inv.status} /> : '—'}</TableCell>
                <TableCell>{f.date(inv.dueDate)}</TableCell>
                <TableCell>
                  <Link href={`/api/v1/invoices/${encodeURIComponent(inv.id)}/pdf`} target="_blank" rel="noopener" aria-label={t('downloadPdf', { number })}>
                    <DocumentPdfRegular aria-hidden style={{ verticalAlign: 'middle' }} /> PDF
                  </Link>
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </div>
  );
}

function AddCardDialog({ onClose, onAdded }: { onClose: () => void; onAdded: (pm: PaymentMethod) => void }) {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const { session } = useSignedIn();
  const [card, setCard] = useState(() => emptyCard(session.user.displayName));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog open onOpenChange={(_, d) => !d.open && !busy && onClose()}>
      <DialogSurface>
        <form
          noValidate
          onSubmit={async (e) => {
            e.preventDefault();
            if (busy) return;
            setBusy(true);
            setError(null);
            try {
              onAdded(await api.post<PaymentMethod>('/api/v1/paymentMethods', cardBody(card)));
            } catch (err) {
              setError(err instanceof Error ? err.message : String(err));
            } finally {
              setBusy(false);
            }
          }}
        >
          <DialogBody>
            <DialogTitle>{t('addPaymentMethod')}</DialogTitle>
            <DialogContent className={c.form}>
              <CardFields card={card} onChange={setCard} />
              <ErrorBar message={error} />
            </DialogContent>
            <DialogActions>
              <Button type="button" onClick={onClose} disabled={busy}>
                {t('cancel')}
              </Button>
              <Button type="submit" appearance="primary" disabled={busy}>
                {t('save')}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

function Methods() {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const { perms, session } = useSignedIn();
  const methods = useLoad((signal) => getAll<PaymentMethod>('/api/v1/paymentMethods', signal), []);
  const [adding, setAdding] = useState(false);
  const [deleting, setDeleting] = useState<PaymentMethod | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
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
              disabled={busy}
              onClick={async () => {
                setBusy(true);
                setError(null);
                try {
                  await api.post('/api/v1/paymentMethods', { type: 'invoice' });
                  methods.reload();
                } catch (e) {
                  setError(e instanceof Error ? e.message : String(e));
                } finally {
                  setBusy(false);
                }
              }}
            >
              {t('enableInvoice')}
            </Button>
          ) : null}
        </div>
      ) : null}
      {notice ? <InfoBar intent="success">{notice}</InfoBar> : null}
      <ErrorBar message={error} />
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
        <Dialog open modalType="alert" onOpenChange={(_, d) => !d.open && !busy && setDeleting(null)}>
          <DialogSurface>
            <DialogBody>
              <DialogTitle>{t('deleteConfirm', { method: methodLabel(t, deleting) })}</DialogTitle>
              <DialogContent>
                <ErrorBar message={error} />
              </DialogContent>
              <DialogActions>
                <Button onClick={() => setDeleting(null)} disabled={busy}>
                  {t('cancel')}
                </Button>
                <Button
                  appearance="primary"
                  disabled={busy}
                  onClick={async () => {
                    setBusy(true);
                    setError(null);
                    try {
                      await api.del(`/api/v1/paymentMethods/${encodeURIComponent(deleting.id)}`);
                      setDeleting(null);
                      methods.reload();
                    } catch (e) {
                      setError(e instanceof Error ? e.message : String(e));
                    } finally {
                      setBusy(false);
                    }
                  }}
                >
                  {t('delete')}
                </Button>
              </DialogActions>
            </DialogBody>
          </DialogSurface>
        </Dialog>
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
