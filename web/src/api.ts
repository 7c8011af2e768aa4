// HTTP client for the licensedesk server (same origin).
// - The browser session is an HttpOnly cookie; every state-changing request
//   carries the session's CSRF token in X-CSRF-Token.
// - Both error envelopes ({"error":{code,message,...}}) become an ApiError with
//   the server's code (Graph's specific one is innerError.code) and message;
//   errorText (errors.ts) shows the code's translation, else the message.
import i18n from './i18n';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly target?: string;
  readonly details?: unknown;

  constructor(status: number, code: string, message: string, target?: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.target = target;
    this.details = details;
  }
}

let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when an authenticated call answers 401 (the session ended). */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

export interface RequestOptions {
  body?: unknown;
  idempotencyKey?: string;
  headers?: Record<string, string>;
  /** Do not treat a 401 as "the session ended" (sign-in, session probe). */
  allow401?: boolean;
  signal?: AbortSignal;
  /** Internal: this request was already retried with a fresh CSRF token. */
  csrfRetried?: boolean;
}

/** Turns an absolute @odata.nextLink into a same-origin path. */
/** Graph's advanced queries ($count, $search, startswith) need this header. */
export const EVENTUAL = { headers: { ConsistencyLevel: 'eventual' } };

export function relativeLink(link: string): string {
  try {
    const u = new URL(link, window.location.origin);
    return u.pathname + u.search;
  } catch {
    return link;
  }
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;

  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin', signal: opts.signal });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'NetworkError', i18n.t('errNetwork'));
  }

  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }

  if (!res.ok) {
    const err = (
      data as
        | { error?: { code?: string; message?: string; target?: string; details?: unknown; innerError?: { code?: string } } }
        | undefined
    )?.error;
    // The session's CSRF token rotates whenever a tab reloads the session; get
    // the current one and try once more.
    const code = err?.innerError?.code ?? err?.code ?? '';
    if (res.status === 403 && code.startsWith('CsrfToken') && !opts.csrfRetried) {
      try {
        const s = await fetch('/api/v1/auth/session', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
        if (s.ok) {
          const body = (await s.json()) as { csrfToken?: string };
          if (body.csrfToken) {
            csrfToken = body.csrfToken;
            return request<T>(method, path, { ...opts, csrfRetried: true });
          }
        }
      } catch {
        /* fall through to the original error */
      }
    }
    const message =
      err?.message ||
      (res.status === 429 ? i18n.t('errThrottled') : i18n.t('errHttp', { status: res.status }));
    const apiErr = new ApiError(res.status, code || `Http${res.status}`, message, err?.target, err?.details);
    if (res.status === 401 && !opts.allow401 && onUnauthorized) onUnauthorized();
    throw apiErr;
  }
  return data as T;
}

export const api = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, { ...opts, body }),
  put: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PUT', path, { ...opts, body }),
  patch: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PATCH', path, { ...opts, body }),
  del: <T>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, opts),
};

/** RFC 4122 v4 id; crypto.randomUUID needs a secure context, getRandomValues does not. */
export function uuid(): string {
  if (typeof crypto.randomUUID === 'function' && window.isSecureContext) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Quotes a string literal for an OData $filter. */
export function odataString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

// ---- Types: generated from GET /openapi.json (src/api-types.ts, npm run gen:api) ----
// The server's schema leaves most response fields optional; Sent marks the
// ones it always sends, so pages need not test them.
import type { components } from './api-types';

type Schemas = components['schemas'];
type Sent<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: Exclude<T[P], undefined> };
type Item<T> = NonNullable<T> extends (infer U)[] ? U : never;

export type Cloud = Schemas['Config']['cloud'];
export type Locale = NonNullable<Schemas['SignupRequest']['preferredLanguage']>;
export type BillingCycle = Schemas['CartRequest']['lineItems'][number]['billingCycle'];
export type Money = Schemas['Money'];

export type Config = Omit<Schemas['Config'], 'markets'> & { markets: Sent<Item<Schemas['Config']['markets']>, 'country' | 'currency'>[] };

export type SessionUser = Sent<Schemas['Session']['user'], 'id' | 'userPrincipalName' | 'displayName' | 'roles'>;
export type SessionOrganization = Sent<
  Schemas['Session']['organization'],
  'id' | 'displayName' | 'countryLetterCode' | 'currency' | 'invoiceEligible'
>;
export type Session = { csrfToken: string; user: SessionUser; organization: SessionOrganization };

export type ServicePlan = Schemas['ServicePlan'];

type OfferPrice = Sent<Item<Schemas['Offer']['prices']>, 'billingCycle' | 'unitPrice'>;
export type Offer = Omit<Sent<Schemas['Offer'], 'skuId' | 'skuPartNumber' | 'name' | 'minQuantity' | 'maxQuantity' | 'purchased'>, 'prices'> & {
  prices: OfferPrice[];
};

export type CartLine = Sent<Item<Schemas['Cart']['lineItems']>, 'skuId' | 'quantity' | 'billingCycle'>;
export type Cart = Omit<Sent<Schemas['Cart'], 'id' | 'status'>, 'lineItems'> & { lineItems: CartLine[] };

export type OrderLine = Sent<Item<Schemas['Order']['lineItems']>, 'skuId' | 'quantity' | 'billingCycle'>;
export type Order = Omit<Sent<Schemas['Order'], 'id' | 'status'>, 'lineItems'> & { lineItems: OrderLine[] };

export type PaymentMethod = Schemas['PaymentMethod'];

export type Subscription = Sent<Schemas['Subscription'], 'id' | 'skuId' | 'quantity' | 'billingCycle' | 'status' | 'autoRenew'>;

export type SubscribedSku = Omit<Sent<Schemas['SubscribedSku'], 'id' | 'skuId' | 'skuPartNumber' | 'consumedUnits'>, 'prepaidUnits'> & {
  prepaidUnits: Sent<NonNullable<Schemas['SubscribedSku']['prepaidUnits']>, 'enabled' | 'suspended' | 'warning'>;
};

export type GraphUser = Sent<Schemas['User'], 'id' | 'displayName' | 'userPrincipalName'>;

export type Invoice = Sent<Schemas['Invoice'], 'id'>;

export type Organization = Sent<Schemas['Organization'], 'id' | 'displayName'>;

export interface ListResponse<T> {
  value: T[];
  '@odata.nextLink'?: string;
  '@odata.count'?: number;
}
