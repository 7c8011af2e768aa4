// Cart → Check out → Review pricing → Next → Payment information → Place order
// → Order confirmation → Go to Admin Home. A declined card (402 PaymentDeclined)
// leaves the cart active; the page says so and stays on the payment step.
import { Button, Field, Radio, RadioGroup, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { CheckmarkCircleFilled } from '@fluentui/react-icons';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import { api, ApiError, uuid, type Cart, type ListResponse, type Order, type PaymentMethod } from '../api';
import { useCart } from '../cart';
import { CardForm, brandName, cardBody, emptyCard, methodLabel, type NewCard } from '../components/CardForm';
import { CheckedForm, ErrorBar, InfoBar, Loading, PageHeader, useCommonStyles } from '../components/common';
import { DataTable } from '../components/DataTable';
import { useErrorText } from '../errors';
import { useSubmit } from '../submit';
import { useFormat } from '../format';
import { useLoad } from '../hooks';
import { useSignedIn } from '../session';
import { useSkuName } from '../names';

type Step = 'review' | 'payment' | 'done';

const useStyles = makeStyles({
  steps: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: '4px 24px',
    listStyleType: 'none',
    margin: 0,
    padding: 0,
    color: tokens.colorNeutralForeground3,
  },
  stepCurrent: { color: tokens.colorBrandForeground1, fontWeight: tokens.fontWeightSemibold },
  stepNum: {
    display: 'inline-flex',
    justifyContent: 'center',
    alignItems: 'center',
    width: '22px',
    height: '22px',
    borderRadius: '50%',
    border: '1px solid currentColor',
    marginRight: '6px',
    fontSize: tokens.fontSizeBase200,
  },
  methodRow: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', columnGap: '8px' },
  done: { display: 'flex', alignItems: 'center', gap: '8px', color: tokens.colorPaletteGreenForeground1 },
});

function Steps({ step }: { step: Step }) {
  const s = useStyles();
  const { t } = useTranslation();
  const all: [Step, string][] = [
    ['review', t('reviewPricing')],
    ['payment', t('paymentInformation')],
    ['done', t('orderConfirmation')],
  ];
  return (
    <ol className={s.steps} aria-label={t('checkoutSteps')}>
      {all.map(([k, label], i) => (
        <li key={k} className={mergeClasses(k === step && s.stepCurrent)} aria-current={k === step ? 'step' : undefined}>
          <span className={s.stepNum} aria-hidden>
            {i + 1}
          </span>
          {label}
        </li>
      ))}
    </ol>
  );
}

function cycleLabel(t: (k: string) => string, cycle: string) {
  return cycle === 'annual' ? t('cycleAnnual') : t('cycleMonthly');
}

function PricingTable({ cart }: { cart: Cart }) {
  const c = useCommonStyles();
  const name = useSkuName();
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <>
      <DataTable
        label={t('reviewPricing')}
        rows={cart.lineItems}
        rowKey={(l) => l.id ?? `${l.skuId}-${l.billingCycle}`}
        columns={[
          { key: 'product', header: t('product'), cell: (l) => name(l.skuId, l.name) },
          { key: 'unitPrice', header: t('unitPrice'), numeric: true, cell: (l) => f.money(l.unitPrice) },
          { key: 'quantity', header: t('quantity'), numeric: true, cell: (l) => f.num(l.quantity) },
          { key: 'cycle', header: t('billingFrequency'), cell: (l) => cycleLabel(t, l.billingCycle) },
          { key: 'amount', header: t('amount'), numeric: true, cell: (l) => f.money(l.amount) },
        ]}
      />
      <dl className={c.totals} aria-label={t('total')}>
        <dt>{t('subtotal')}</dt>
        <dd data-testid="subtotal">{f.money(cart.subtotal)}</dd>
        <dt>{t('tax')}</dt>
        <dd data-testid="tax">{f.money(cart.tax)}</dd>
        <dt className={c.totalRow}>{t('total')}</dt>
        <dd className={c.totalRow} data-testid="total">
          {f.money(cart.total)}
        </dd>
      </dl>
    </>
  );
}

export function Checkout() {
  const s = useStyles();
  const c = useCommonStyles();
  const { t } = useTranslation();
  const f = useFormat();
  const navigate = useNavigate();
  const { cartId = '' } = useParams();
  const { session } = useSignedIn();
  const cartCtx = useCart();
  const name = useSkuName();
  const [step, setStep] = useState<Step>('review');
  const cart = useLoad((signal) => api.get<Cart>(`/api/v1/carts/${encodeURIComponent(cartId)}`, { signal }), [cartId]);
  const [methods, setMethods] = useState<PaymentMethod[] | null>(null);
  const [methodsError, setMethodsError] = useState<unknown>(null);
  const [choice, setChoice] = useState<string>('');
  const [card, setCard] = useState<NewCard>(() => emptyCard(session.user.displayName));
  const submit = useSubmit();
  const errorText = useErrorText();
  const busy = submit.busy;
  const [order, setOrder] = useState<Order | null>(null);
  const checkoutKey = useRef(uuid());

  useEffect(() => {
    if (step !== 'payment' || methods) return;
    api
      .get<ListResponse<PaymentMethod>>('/api/v1/paymentMethods')
      .then((r) => {
        const list = r.value ?? [];
        setMethods(list);
        const firstCard = list.find((m) => m.type === 'card') ?? list[0];
        setChoice((cur) => cur || (firstCard ? firstCard.id : 'new-card'));
      })
      .catch((e: unknown) => setMethodsError(e));
  }, [step, methods]);

  const hasInvoice = methods?.some((m) => m.type === 'invoice') ?? false;

  async function placeOrder() {
    if (!cart.data) return;
    const cartId = cart.data.id;
    await submit.run(async () => {
      try {
        let paymentMethodId = choice;
        if (!choice) throw new Error(t('choosePaymentMethod'));
        if (choice === 'new-card') {
          const pm = await api.post<PaymentMethod>('/api/v1/paymentMethods', cardBody(card));
          setMethods((ms) => [...(ms ?? []), pm]);
          setChoice(pm.id);
          setCard(emptyCard(session.user.displayName));
          paymentMethodId = pm.id;
        } else if (choice === 'new-invoice') {
          const pm = await api.post<PaymentMethod>('/api/v1/paymentMethods', { type: 'invoice' });
          setMethods((ms) => [...(ms ?? []), pm]);
          setChoice(pm.id);
          paymentMethodId = pm.id;
        }
        const o = await api.post<Order>(
          `/api/v1/carts/${encodeURIComponent(cartId)}/checkout`,
          { paymentMethodId },
          { idempotencyKey: checkoutKey.current },
        );
        setOrder(o);
        setStep('done');
        cartCtx.clear();
        void cartCtx.refresh();
      } catch (e) {
        // A definitive answer ends this attempt; after a network failure the retry
        // reuses the key, so the server replays instead of charging twice (R5).
        if (!(e instanceof ApiError && e.status === 0)) checkoutKey.current = uuid();
        // A declined card or an ordered cart changes the cart: show its state.
        if (e instanceof ApiError && (e.status === 402 || e.code === 'CartAlreadyOrdered')) void cartCtx.refresh();
        throw e;
      }
    });
  }

  const declined = submit.error instanceof ApiError && (submit.error.status === 402 || submit.error.code === 'PaymentDeclined');

  const nameOf = (skuId: string) => cart.data?.lineItems.find((l) => l.skuId === skuId)?.name ?? skuId;

  if (cart.loading && !cart.data) return <Loading />;
  if (cart.error) {
    return (
      <div className={c.page}>
        <PageHeader title={t('reviewPricing')} />
        <ErrorBar message={cart.error} onRetry={cart.reload} />
      </div>
    );
  }
  const data = cart.data!;

  if (step === 'done' && order) {
    const assigned = order.lineItems.reduce((n, l) => n + (l.licensesAutoAssigned ?? 0), 0);
    return (
      <div className={c.page}>
        <Steps step="done" />
        <PageHeader title={t('orderConfirmation')} />
        <div className={s.done} role="status">
          <CheckmarkCircleFilled fontSize={24} aria-hidden />
          <span>{t('orderThanks')}</span>
        </div>
        <dl className={c.dl}>
          <dt>{t('orderNumber')}</dt>
          <dd data-testid="order-number">{order.id}</dd>
          <dt>{t('date')}</dt>
          <dd>{f.date(order.createdAt)}</dd>
          <dt>{t('total')}</dt>
          <dd>{f.money(order.total)}</dd>
          <dt>{t('payment')}</dt>
          <dd>
            {order.payment?.status === 'due'
              ? t('invoiceDue')
              : t('paidWith', {
                  method: order.payment?.last4 ? t('cardEnding', { brand: brandName(order.payment.brand), last4: order.payment.last4 }) : t('payByInvoice'),
                })}
          </dd>
        </dl>
        <DataTable
          label={t('subscriptions')}
          rows={order.lineItems}
          rowKey={(l, i) => l.subscriptionId ?? String(i)}
          columns={[
            { key: 'product', header: t('product'), cell: (l) => name(l.skuId, l.name ?? nameOf(l.skuId)) },
            { key: 'quantity', header: t('quantity'), numeric: true, cell: (l) => f.num(l.quantity) },
            { key: 'cycle', header: t('billingFrequency'), cell: (l) => cycleLabel(t, l.billingCycle) },
            { key: 'amount', header: t('amount'), numeric: true, cell: (l) => f.money(l.amount) },
            {
              key: 'subscription',
              header: t('subscriptions'),
              cell: (l) => (
                <>
                  {l.subscriptionId ? t('subscriptionCreated') : '—'}
                  {l.licensesAutoAssigned ? ` · ${t('licensesAutoAssigned', { count: l.licensesAutoAssigned })}` : ''}
                </>
              ),
            },
          ]}
        />
        {assigned > 0 || order.lineItems.some((l) => l.autoAssign) ? (
          <p className={c.p} data-testid="licenses-auto-assigned">
            {t('licensesAutoAssigned', { count: assigned })}
          </p>
        ) : null}
        <div className={c.row}>
          <Button appearance="primary" onClick={() => navigate('/')}>
            {t('goToAdminHome')}
          </Button>
        </div>
      </div>
    );
  }

  if (data.status !== 'active') {
    return (
      <div className={c.page}>
        <PageHeader title={t('reviewPricing')} />
        <InfoBar intent="warning">{t('cartNotActive')}</InfoBar>
      </div>
    );
  }

  if (step === 'review') {
    return (
      <div className={c.page}>
        <Steps step="review" />
        <PageHeader title={t('reviewPricing')} />
        {data.lineItems.length === 0 ? <p className={c.p}>{t('cartEmpty')}</p> : <PricingTable cart={data} />}
        <div className={c.row}>
          <Button appearance="primary" disabled={data.lineItems.length === 0} onClick={() => setStep('payment')}>
            {t('next')}
          </Button>
        </div>
      </div>
    );
  }

  return (
    <div className={c.page}>
      <Steps step="payment" />
      <PageHeader title={t('paymentInformation')} />
      <dl className={c.totals}>
        <dt className={c.totalRow}>{t('total')}</dt>
        <dd className={c.totalRow}>{f.money(data.total)}</dd>
      </dl>
      <ErrorBar message={methodsError ? errorText(methodsError) : null} />
      <ErrorBar title={declined ? t('paymentDeclined') : undefined} message={submit.message} />
      {!methods && !methodsError ? <Loading /> : null}
      {methods ? (
        <CheckedForm onSubmit={() => void placeOrder()}>
          <Field label={t('paymentMethod')}>
            <RadioGroup value={choice} onChange={(_, d) => setChoice(d.value)}>
              {methods.map((m) => (
                <div key={m.id} className={s.methodRow}>
                  <Radio value={m.id} label={methodLabel(t, m)} />
                  {m.type === 'card' && m.expMonth ? (
                    <span className={c.muted}>{t('cardExpires', { month: String(m.expMonth).padStart(2, '0'), year: m.expYear })}</span>
                  ) : null}
                </div>
              ))}
              {session.organization.invoiceEligible && !hasInvoice ? <Radio value="new-invoice" label={t('payByInvoice')} /> : null}
              <Radio value="new-card" label={t('newCard')} />
            </RadioGroup>
          </Field>
          {choice === 'new-invoice' || methods.find((m) => m.id === choice)?.type === 'invoice' ? (
            <p className={c.muted}>{t('invoiceTerms')}</p>
          ) : null}
          {choice === 'new-card' ? <CardForm card={card} onChange={setCard} /> : null}
          <div className={c.row}>
            <Button type="button" onClick={() => setStep('review')} disabled={busy}>
              {t('back')}
            </Button>
            <Button type="submit" appearance="primary" disabled={busy || !choice}>
              {busy ? t('placingOrder') : t('placeOrder')}
            </Button>
          </div>
        </CheckedForm>
      ) : null}
    </div>
  );
}
