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

// ---- Types (the contract in shared/spec/api.md) ----
export type Cloud = 'worldwide' | 'germany' | 'china';
export type Locale = 'en-US' | 'zh-TW' | 'de-DE' | 'zh-CN';
export type BillingCycle = 'monthly' | 'annual';

export interface Money {
  amount: number;
  currency: string;
}

export interface Config {
  cloud: Cloud;
  defaultLocale: string;
  locales: string[];
  signupEnabled: boolean;
  testClock?: boolean;
  deploymentDomain: string;
  markets: { country: string; currency: string }[];
}

export interface SessionUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  preferredLanguage?: string | null;
  roles: string[];
}

export interface SessionOrganization {
  id: string;
  displayName: string;
  countryLetterCode: string;
  currency: string;
  invoiceEligible: boolean;
}

export interface Session {
  csrfToken: string;
  user: SessionUser;
  organization: SessionOrganization;
}

export interface ServicePlan {
  servicePlanId?: string;
  servicePlanName?: string;
  name?: string;
  provisioningStatus?: string;
  appliesTo?: string;
}

export interface Offer {
  skuId: string;
  skuPartNumber: string;
  name: string;
  localizedNames?: Record<string, string>;
  description?: string;
  localizedDescriptions?: Record<string, string>;
  servicePlans?: ServicePlan[];
  minQuantity: number;
  maxQuantity: number;
  isAddOn?: boolean;
  prerequisiteSkuIds?: string[];
  prices: { billingCycle: BillingCycle; unitPrice: Money }[];
  purchased: boolean;
}

export interface CartLine {
  id?: string;
  skuId: string;
  name?: string;
  quantity: number;
  billingCycle: BillingCycle;
  autoAssign?: boolean;
  unitPrice?: Money;
  amount?: Money;
}

export interface Cart {
  id: string;
  status: 'active' | 'ordered';
  lineItems: CartLine[];
  subtotal?: Money;
  tax?: Money;
  total?: Money;
  createdAt?: string;
  expiresAt?: string;
}

export interface OrderLine {
  skuId: string;
  name?: string;
  quantity: number;
  billingCycle: BillingCycle;
  amount?: Money;
  autoAssign?: boolean;
  subscriptionId?: string | null;
  licensesAutoAssigned?: number;
}

export interface Order {
  id: string;
  cartId?: string;
  status: 'completed' | 'failed';
  lineItems: OrderLine[];
  subtotal?: Money;
  tax?: Money;
  total?: Money;
  payment?: { status: string; paymentMethodId?: string; brand?: string; last4?: string };
  createdAt?: string;
}

export interface PaymentMethod {
  id: string;
  type: 'card' | 'invoice';
  brand?: string;
  last4?: string;
  expMonth?: number;
  expYear?: number;
}

export interface Subscription {
  id: string;
  skuId: string;
  name?: string;
  quantity: number;
  assignedLicenses?: number;
  billingCycle: BillingCycle;
  status: 'active' | 'expired' | 'disabled' | 'deleted';
  startDate?: string;
  currentPeriodEnd?: string;
  autoRenew: boolean;
  orderId?: string;
}

export interface SubscribedSku {
  id: string;
  skuId: string;
  skuPartNumber: string;
  appliesTo?: string;
  capabilityStatus?: string;
  consumedUnits: number;
  prepaidUnits: { enabled: number; suspended: number; warning: number; lockedOut?: number };
  servicePlans?: ServicePlan[];
  subscriptionIds?: string[];
}

export interface GraphUser {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail?: string | null;
  accountEnabled?: boolean;
  usageLocation?: string | null;
  preferredLanguage?: string | null;
  assignedLicenses?: { skuId: string; disabledPlans?: string[] }[];
}

export interface Invoice {
  id: string;
  number?: string;
  invoiceNumber?: string;
  orderId?: string;
  kind?: string;
  type?: string;
  status?: string;
  total?: Money;
  amount?: Money;
  issuedAt?: string;
  createdAt?: string;
  date?: string;
  dueDate?: string;
}

export interface Organization {
  id: string;
  displayName: string;
  countryLetterCode?: string;
  verifiedDomains?: { name: string; isDefault?: boolean; isInitial?: boolean }[];
}

export interface ListResponse<T> {
  value: T[];
  '@odata.nextLink'?: string;
  '@odata.count'?: number;
}
