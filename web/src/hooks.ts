import { useCallback, useEffect, useRef, useState } from 'react';
import { api, relativeLink, type ListResponse, type Offer, type SubscribedSku, type Subscription } from './api';
import { useErrorText } from './errors';
import { rememberOffers, skuName } from './names';
import i18n from './i18n';

export interface Loaded<T> {
  data: T | undefined;
  /** The failure in the active locale (errorText), null when none. */
  error: string | null;
  loading: boolean;
  reload: () => void;
  setData: (d: T) => void;
}

/** Runs an async loader on mount and whenever deps change; the last call wins. */
export function useLoad<T>(loader: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const errorText = useErrorText();
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loaderRef = useRef(loader);
  loaderRef.current = loader;

  useEffect(() => {
    const ctrl = new AbortController();
    setLoading(true);
    setError(null);
    loaderRef
      .current(ctrl.signal)
      .then((d) => {
        if (!ctrl.signal.aborted) {
          setData(d);
          setLoading(false);
        }
      })
      .catch((e: unknown) => {
        if (ctrl.signal.aborted) return;
        setError(e ?? new Error('failed'));
        setLoading(false);
      });
    return () => ctrl.abort();
    // deps are the caller's: the loader itself is read from a ref.
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error: error ? errorText(error) : null, loading, reload, setData };
}

/** Reads every page of a list that pages by @odata.nextLink (bounded). */
export async function getAll<T>(path: string, signal?: AbortSignal, maxPages = 20): Promise<T[]> {
  const out: T[] = [];
  let next: string | undefined = path;
  for (let i = 0; next && i < maxPages; i++) {
    const page: ListResponse<T> = await api.get<ListResponse<T>>(next, { signal });
    out.push(...(page.value ?? []));
    next = page['@odata.nextLink'] ? relativeLink(page['@odata.nextLink']) : undefined;
  }
  return out;
}

export interface Products {
  offers: Offer[];
  skus: SubscribedSku[];
  subscriptions: Subscription[];
  /** Display name of a SKU: the offer's name, else a subscription's, else its part number. */
  nameOf: (skuId: string) => string;
}

export function makeNameOf(offers: Offer[], subscriptions: Subscription[], skus: SubscribedSku[]) {
  const names = new Map<string, string>();
  for (const s of skus) names.set(s.skuId.toLowerCase(), s.skuPartNumber);
  for (const s of subscriptions) if (s.name) names.set(s.skuId.toLowerCase(), s.name);
  for (const o of offers) names.set(o.skuId.toLowerCase(), o.name);
  rememberOffers(offers);
  return (skuId: string) => skuName(skuId, names.get(skuId.toLowerCase()), i18n.language);
}

/** Offers, license pools and subscriptions, tolerating a role that may not read some of them. */
export async function loadProducts(signal: AbortSignal, opts: { offers?: boolean; subscriptions?: boolean } = {}) {
  const [offers, skus, subscriptions] = await Promise.all([
    opts.offers === false
      ? Promise.resolve([] as Offer[])
      : getAll<Offer>('/api/v1/offers', signal).catch(() => [] as Offer[]),
    getAll<SubscribedSku>('/v1.0/subscribedSkus', signal),
    opts.subscriptions === false
      ? Promise.resolve([] as Subscription[])
      : getAll<Subscription>('/api/v1/subscriptions', signal).catch(() => [] as Subscription[]),
  ]);
  const p: Products = { offers, skus, subscriptions, nameOf: makeNameOf(offers, subscriptions, skus) };
  return p;
}

export function available(sku: SubscribedSku): number {
  return Math.max(0, sku.prepaidUnits.enabled + sku.prepaidUnits.warning - sku.consumedUnits);
}

export function totalUnits(sku: SubscribedSku): number {
  return sku.prepaidUnits.enabled + sku.prepaidUnits.warning;
}
