// The new-card fields (number, expiry, security code, name on card) used by
// checkout and by Bills & payments, the request body they make, and how a
// saved payment method is named.
import { Field, Input, makeStyles } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import type { PaymentMethod } from '../api';

const useStyles = makeStyles({
  cardGrid: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(min(100%, 160px), 1fr))',
    gap: '12px',
  },
});

const BRANDS: Record<string, string> = {
  visa: 'Visa',
  mastercard: 'Mastercard',
  amex: 'American Express',
  'american express': 'American Express',
  discover: 'Discover',
  jcb: 'JCB',
  unionpay: 'UnionPay',
  diners: 'Diners Club',
};

/** A card brand as people write it, whatever case the server sent. */
export function brandName(brand: string | null | undefined): string {
  if (!brand) return 'Card';
  return BRANDS[brand.toLowerCase()] ?? brand;
}

export function methodLabel(t: (k: string, o?: Record<string, unknown>) => string, m: PaymentMethod): string {
  if (m.type === 'invoice') return t('payByInvoice');
  return t('cardEnding', { brand: brandName(m.brand), last4: m.last4 ?? '????' });
}

export interface NewCard {
  number: string;
  expMonth: string;
  expYear: string;
  cvc: string;
  holderName: string;
}

export function CardForm({ card, onChange }: { card: NewCard; onChange: (c: NewCard) => void }) {
  const s = useStyles();
  const { t } = useTranslation();
  return (
    <>
      <Field label={t('cardNumber')} required>
        <Input
          inputMode="numeric"
          autoComplete="cc-number"
          value={card.number}
          onChange={(_, d) => onChange({ ...card, number: d.value })}
        />
      </Field>
      <div className={s.cardGrid}>
        <Field label={t('expMonth')} required>
          <Input inputMode="numeric" autoComplete="cc-exp-month" placeholder="MM" value={card.expMonth} onChange={(_, d) => onChange({ ...card, expMonth: d.value })} />
        </Field>
        <Field label={t('expYear')} required>
          <Input inputMode="numeric" autoComplete="cc-exp-year" placeholder="YYYY" value={card.expYear} onChange={(_, d) => onChange({ ...card, expYear: d.value })} />
        </Field>
        <Field label={t('cvc')} required>
          <Input inputMode="numeric" autoComplete="cc-csc" value={card.cvc} onChange={(_, d) => onChange({ ...card, cvc: d.value })} />
        </Field>
      </div>
      <Field label={t('holderName')} required>
        <Input autoComplete="cc-name" value={card.holderName} onChange={(_, d) => onChange({ ...card, holderName: d.value })} />
      </Field>
    </>
  );
}

export function cardBody(card: NewCard) {
  let year = Number(card.expYear.trim());
  if (year > 0 && year < 100) year += 2000;
  return {
    type: 'card',
    card: {
      number: card.number.replace(/[\s-]/g, ''),
      expMonth: Number(card.expMonth.trim()),
      expYear: year,
      cvc: card.cvc.trim(),
      holderName: card.holderName.trim(),
    },
  };
}

export function emptyCard(holderName: string): NewCard {
  return { number: '', expMonth: '', expYear: '', cvc: '', holderName };
}
