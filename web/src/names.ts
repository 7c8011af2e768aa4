// Product names and descriptions: the catalog's localizedNames and
// localizedDescriptions (from GET /api/v1/offers) in the active locale, else
// the English text the server sent. Offers are remembered here whenever any
// page loads them, so the cart and orders can show their names too.
import { useTranslation } from 'react-i18next';
import type { Offer } from './api';

const localized = new Map<string, Record<string, string>>();
const english = new Map<string, string>();

export function rememberOffers(offers: Offer[]): void {
  for (const o of offers) {
    const key = o.skuId.toLowerCase();
    english.set(key, o.name);
    if (o.localizedNames) localized.set(key, o.localizedNames);
  }
}

export function skuName(skuId: string, fallback: string | undefined, locale: string): string {
  const key = skuId.toLowerCase();
  return localized.get(key)?.[locale] || fallback || english.get(key) || skuId;
}

/** An offer's description in the locale, else its English description. */
export function offerDescription(offer: Offer, locale: string): string | undefined {
  return offer.localizedDescriptions?.[locale] || offer.description;
}

/** (skuId, fallback name) → the name in the active locale. */
export function useSkuName() {
  const { i18n } = useTranslation();
  return (skuId: string, fallback?: string) => skuName(skuId, fallback, i18n.language);
}
