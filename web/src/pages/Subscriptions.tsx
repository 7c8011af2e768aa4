// Billing → Subscriptions: each subscription with status, next billing date,
// licenses used/available for its product, quantity changes (PATCH with an
// Idempotency-Key), recurring billing on/off, cancel and reactivate.
import { Button, Field, Input, Switch } from '@fluentui/react-components';
import { AddRegular } from '@fluentui/react-icons';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { api, uuid, type Subscription } from '../api';
import { ErrorBar, InfoBar, Loading, PageHeader, StatusBadge, useCommonStyles } from '../components/common';
import { FormDialog } from '../components/FormDialog';
import { useFormat } from '../format';
import { available, loadProducts, totalUnits, useLoad, type Products } from '../hooks';
import { useSignedIn } from '../session';
import { useSubmit } from '../submit';

function QuantityDialog({ sub, name, onClose, onSaved }: { sub: Subscription; name: string; onClose: () => void; onSaved: (s: Subscription) => void }) {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const [text, setText] = useState(String(sub.quantity));
  const submit = useSubmit();
  const [key] = useState(uuid);
  const valid = /^\d+$/.test(text.trim()) && Number(text) >= 1;
  return (
    <FormDialog
      title={t('changeQuantity')}
      submitLabel={t('save')}
      busy={submit.busy}
      canSubmit={valid}
      error={submit.message}
      onClose={onClose}
      onSubmit={() =>
        submit.run(async () => {
          const quantity = Number(text.trim());
          // The key is per dialog and quantity, so a retried click cannot charge twice.
          const updated = await api.patch<Subscription>(
            `/api/v1/subscriptions/${encodeURIComponent(sub.id)}`,
            { quantity },
            { idempotencyKey: `${key}-${quantity}` },
          );
          onSaved(updated);
        })
      }
    >
      <p className={c.p}>{name}</p>
      <Field label={t('licenseCount')} required validationState={valid ? 'none' : 'error'}>
        <Input type="number" min={1} step={1} inputMode="numeric" value={text} onChange={(_, d) => setText(d.value)} />
      </Field>
    </FormDialog>
  );
}

function CancelDialog({ sub, name, onClose, onDone }: { sub: Subscription; name: string; onClose: () => void; onDone: (s: Subscription) => void }) {
  const { t } = useTranslation();
  const [key] = useState(uuid);
  const submit = useSubmit();
  return (
    <FormDialog
      alert
      title={t('cancelSubscription')}
      submitLabel={t('cancelSubscription')}
      cancelLabel={t('keepSubscription')}
      busy={submit.busy}
      error={submit.message}
      onClose={onClose}
      onSubmit={() =>
        submit.run(async () => {
          const s = await api.post<Subscription>(`/api/v1/subscriptions/${encodeURIComponent(sub.id)}/cancel`, {}, { idempotencyKey: key });
          onDone(s ?? { ...sub, status: 'disabled' });
        })
      }
    >
      <span>{t('cancelConfirm', { name })}</span>
    </FormDialog>
  );
}

function SubscriptionCard({ sub, products, onChanged }: { sub: Subscription; products: Products; onChanged: () => void }) {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const f = useFormat();
  const { perms } = useSignedIn();
  const titleId = useId();
  const [dialog, setDialog] = useState<'quantity' | 'cancel' | null>(null);
  const action = useSubmit();
  const busy = action.busy;
  const [notice, setNotice] = useState<string | null>(null);
  const name = products.nameOf(sub.skuId);
  const sku = products.skus.find((k) => k.skuId.toLowerCase() === sub.skuId.toLowerCase());
  const canChange = perms.canBuy && sub.status !== 'deleted';

  function run(fn: () => Promise<unknown>) {
    setNotice(null);
    return action.run(async () => {
      await fn();
      onChanged();
    });
  }

  return (
    <section className={c.card} aria-labelledby={titleId} data-testid="subscription">
      <h2 id={titleId} className={c.h3}>
        {name}
      </h2>
      <div>
        <StatusBadge status={sub.status} />
      </div>
      <dl className={c.dl}>
        <dt>{t('licenseCount')}</dt>
        <dd data-testid="subscription-quantity">{f.num(sub.quantity)}</dd>
        {sku ? (
          <>
            <dt>{t('licenses')}</dt>
            <dd>
              {t('licensesSummary', {
                assigned: f.num(sku.consumedUnits),
                available: f.num(available(sku)),
                total: f.num(totalUnits(sku)),
              })}
            </dd>
          </>
        ) : null}
        <dt>{t('billingFrequency')}</dt>
        <dd>{sub.billingCycle === 'annual' ? t('payYearly') : t('payMonthly')}</dd>
        <dt>{t('startDate')}</dt>
        <dd>{f.date(sub.startDate)}</dd>
        <dt>{t('nextBilling')}</dt>
        <dd>{f.date(sub.currentPeriodEnd)}</dd>
      </dl>
      <Switch
        label={t('recurringBilling')}
        checked={sub.autoRenew}
        disabled={!canChange || busy}
        onChange={(_, d) =>
          run(() =>
            api.patch(`/api/v1/subscriptions/${encodeURIComponent(sub.id)}`, { autoRenew: d.checked }, { idempotencyKey: uuid() }),
          )
        }
      />
      <ErrorBar message={action.message} />
      {notice ? <InfoBar intent="success">{notice}</InfoBar> : null}
      {canChange ? (
        <div className={c.row}>
          {sub.status === 'active' ? (
            <>
              <Button onClick={() => setDialog('quantity')} disabled={busy}>
                {t('changeQuantity')}
              </Button>
              <Button onClick={() => setDialog('cancel')} disabled={busy}>
                {t('cancelSubscription')}
              </Button>
            </>
          ) : null}
          {sub.status === 'expired' || sub.status === 'disabled' ? (
            <Button
              appearance="primary"
              disabled={busy}
              onClick={() => run(() => api.post(`/api/v1/subscriptions/${encodeURIComponent(sub.id)}/reactivate`, {}, { idempotencyKey: uuid() }))}
            >
              {t('reactivate')}
            </Button>
          ) : null}
        </div>
      ) : null}
      {dialog === 'quantity' ? (
        <QuantityDialog
          sub={sub}
          name={name}
          onClose={() => setDialog(null)}
          onSaved={(s) => {
            setDialog(null);
            setNotice(t('quantitySaved', { count: s?.quantity ?? '' }));
            onChanged();
          }}
        />
      ) : null}
      {dialog === 'cancel' ? (
        <CancelDialog
          sub={sub}
          name={name}
          onClose={() => setDialog(null)}
          onDone={() => {
            setDialog(null);
            onChanged();
          }}
        />
      ) : null}
    </section>
  );
}

export function SubscriptionsPage() {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { perms, config } = useSignedIn();
  const products = useLoad((signal) => loadProducts(signal), []);
  const subs = products.data?.subscriptions ?? [];

  return (
    <div className={c.page}>
      <PageHeader title={t('subscriptions')}>
        {perms.canBuy ? (
          <Button
            appearance="primary"
            icon={<AddRegular />}
            onClick={() => navigate(config.cloud === 'worldwide' ? '/billing/purchase' : '/billing/subscriptions/add')}
          >
            {t('addSubscriptions')}
          </Button>
        ) : null}
      </PageHeader>
      {!perms.canBuy ? <InfoBar>{t('readOnlyNote')}</InfoBar> : null}
      <ErrorBar message={products.error} onRetry={products.reload} />
      {products.loading && !products.data ? <Loading /> : null}
      {products.data && subs.length === 0 ? <p className={c.p}>{t('noSubscriptions')}</p> : null}
      <div className={c.grid}>
        {products.data
          ? subs.map((s) => <SubscriptionCard key={s.id} sub={s} products={products.data!} onChanged={products.reload} />)
          : null}
      </div>
    </div>
  );
}
