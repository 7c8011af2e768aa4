// Amounts are integer minor units plus an ISO 4217 currency (R1). The number of
// minor digits comes from Intl (JPY 0, USD 2, ...), so no floating point is
// stored or sent; division happens only for display.
import { useTranslation } from 'react-i18next';
import type { Money } from './api';

const digitsCache = new Map<string, number>();

export function currencyDigits(currency: string): number {
  let d = digitsCache.get(currency);
  if (d === undefined) {
    try {
      d = new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      d = 2;
    }
    digitsCache.set(currency, d);
  }
  return d;
}

export function formatMoney(m: Money | undefined | null, locale: string): string {
  if (!m || typeof m.amount !== 'number' || !m.currency) return '—';
  const digits = currencyDigits(m.currency);
  const value = m.amount / 10 ** digits;
  try {
    return new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: m.currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(value);
  } catch {
    return `${value.toFixed(digits)} ${m.currency}`;
  }
}

export function multiply(m: Money | undefined, n: number): Money | undefined {
  return m ? { amount: m.amount * n, currency: m.currency } : undefined;
}

export function formatDate(iso: string | undefined | null, locale: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(d);
}

export function formatNumber(n: number, locale: string): string {
  return new Intl.NumberFormat(locale).format(n);
}

export function countryName(code: string, locale: string): string {
  try {
    return new Intl.DisplayNames([locale], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** Formatting bound to the active locale. */
export function useFormat() {
  const { i18n } = useTranslation();
  const locale = i18n.language;
  return {
    locale,
    money: (m: Money | undefined | null) => formatMoney(m, locale),
    date: (iso: string | undefined | null) => formatDate(iso, locale),
    num: (n: number) => formatNumber(n, locale),
    country: (code: string) => countryName(code, locale),
  };
}
