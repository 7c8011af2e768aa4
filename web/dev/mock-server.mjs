#!/usr/bin/env node
// A small in-memory stand-in for `licensedesk serve --demo`, written from the
// contract (shared/spec/api.md plus the decisions in web/README.md), for UI
// work while the C++ server is not at hand. The e2e tests never use it: they
// run the real binary. Usage:
//   node dev/mock-server.mjs [--listen 127.0.0.1:8080] [--cloud worldwide|germany|china] [--web-root dist]
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { join, extname, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const [host, port] = (args.listen ?? '127.0.0.1:8080').split(':');
const cloud = args.cloud ?? 'worldwide';
const here = dirname(fileURLToPath(import.meta.url));
const webRoot = resolve(args['web-root'] ?? join(here, '..', 'dist'));
const catalog = JSON.parse(readFileSync(join(here, '..', '..', 'catalog', 'catalog.json'), 'utf8'));

const clouds = {
  worldwide: { country: 'US', locale: 'en-US' },
  germany: { country: 'DE', locale: 'de-DE' },
  china: { country: 'CN', locale: 'zh-CN' },
};
const markets = catalog.markets.filter((m) => m.clouds.includes(cloud));
const market = markets.find((m) => m.country === clouds[cloud].country) ?? markets[0];
const products = catalog.products.filter((p) => p.clouds.includes(cloud));
const now = () => new Date().toISOString();
const addDays = (d, n) => new Date(new Date(d).getTime() + n * 86400000).toISOString();

const tenant = { id: randomUUID(), displayName: 'Contoso', country: market.country, currency: market.currency, invoiceEligible: true };
const domain = 'contoso.licensedesk.test';
const std = products.find((p) => p.skuPartNumber === 'BUSINESS_STANDARD') ?? products[0];
const users = [];
const names = ['Adele Vance', 'Alex Wilber', 'Allan Deyoung', 'Christie Cline', 'Debra Berger', 'Diego Siciliani', 'Emily Braun', 'Enrico Cattaneo', 'Grady Archie', 'Henrietta Mueller', 'Irvin Sayers', 'Isaiah Langer', 'Johanna Lorenz', 'Joni Sherman', 'Lee Gu', 'Lidia Holloway', 'Lynne Robbins', 'Megan Bowen', 'Miriam Graham', 'Nestor Wilke', 'Patti Fernandez', 'Pradeep Gupta', 'Raul Razo', 'Vasil Michev'];
users.push({ id: randomUUID(), displayName: 'MOD Administrator', userPrincipalName: `admin@${domain}`, password: 'Demo-Password-1', roles: ['Global Administrator'], accountEnabled: true, usageLocation: market.country, preferredLanguage: null, assignedLicenses: [] });
names.forEach((n, i) =>
  users.push({ id: randomUUID(), displayName: n, userPrincipalName: `${n.split(' ')[0].toLowerCase()}@${domain}`, password: 'Demo-Password-1', roles: [], accountEnabled: true, usageLocation: i % 5 === 4 ? null : market.country, preferredLanguage: null, assignedLicenses: [] }),
);
const subscriptions = [];
const orders = [];
const invoices = [];
const carts = [];
const methods = [{ id: randomUUID(), type: 'card', brand: 'Visa', last4: '4242', expMonth: 12, expYear: 2030 }];
const sessions = new Map();

function priceOf(p, cycle) {
  const pr = p.prices[market.currency];
  return pr ? pr[cycle] : 0;
}
function money(amount) {
  return { amount, currency: market.currency };
}
function addSub(p, quantity, cycle, orderId) {
  const s = { id: randomUUID(), skuId: p.skuId, name: p.name, quantity, billingCycle: cycle, status: 'active', startDate: now(), currentPeriodEnd: addDays(now(), cycle === 'annual' ? 365 : 30), autoRenew: true, orderId };
  subscriptions.push(s);
  return s;
}
{
  const orderId = randomUUID();
  const s0 = addSub(std, 20, 'monthly', orderId);
  const amount = money(priceOf(std, 'monthly') * 20);
  orders.push({ id: orderId, cartId: randomUUID(), status: 'completed', subtotal: amount, tax: money(0), total: amount, createdAt: now(), payment: { status: 'captured', paymentMethodId: methods[0].id, brand: 'Visa', last4: '4242' }, lineItems: [{ skuId: std.skuId, name: std.name, quantity: 20, billingCycle: 'monthly', amount, subscriptionId: s0.id, licensesAutoAssigned: 0 }] });
  invoices.push({ id: randomUUID(), number: 'INV-000001', kind: 'purchase', orderId, total: amount, status: 'captured', issuedAt: now(), dueDate: now() });
}
users.slice(0, 16).forEach((u) => u.assignedLicenses.push({ skuId: std.skuId, disabledPlans: [] }));

function pool(skuId) {
  const subs = subscriptions.filter((s) => s.skuId === skuId);
  const sum = (st) => subs.filter((s) => s.status === st).reduce((n, s) => n + s.quantity, 0);
  return { enabled: sum('active'), warning: sum('expired'), suspended: sum('disabled'), consumed: users.filter((u) => u.assignedLicenses.some((l) => l.skuId === skuId)).length };
}
function priceCart(c) {
  const rate = market.taxRateBp;
  let subtotal = 0;
  let tax = 0;
  const lineItems = c.lines.map((l) => {
    const p = products.find((x) => x.skuId === l.skuId);
    const unit = priceOf(p, l.billingCycle);
    const amount = unit * l.quantity;
    const lt = Math.floor((amount * rate + 5000) / 10000);
    subtotal += amount;
    tax += lt;
    return { ...l, name: p.name, unitPrice: money(unit), amount: money(amount), tax: money(lt) };
  });
  return { id: c.id, status: c.status, lineItems, subtotal: money(subtotal), tax: money(tax), total: money(subtotal + tax), createdAt: c.createdAt, expiresAt: addDays(c.createdAt, 7) };
}
const graphError = (status, code, message) => ({ status, body: { error: { code, message, innerError: { date: now(), 'request-id': randomUUID() } } } });
const commerceError = (status, code, message, details) => ({ status, body: { error: { code, message, target: null, details: details ?? [] } } });
const userJson = ({ password: _p, roles: _r, ...u }) => u;

function offers() {
  return products.map((p) => ({
    skuId: p.skuId, skuPartNumber: p.skuPartNumber, name: p.name, localizedNames: p.localizedNames ?? {}, description: p.description,
    servicePlans: p.servicePlans, minQuantity: p.minQuantity, maxQuantity: p.maxQuantity, isAddOn: p.isAddOn, prerequisiteSkuIds: p.prerequisiteSkuIds,
    prices: [{ billingCycle: 'monthly', unitPrice: money(priceOf(p, 'monthly')) }, { billingCycle: 'annual', unitPrice: money(priceOf(p, 'annual')) }],
    purchased: subscriptions.some((s) => s.skuId === p.skuId && s.status !== 'deleted'),
  }));
}

function sessionBody(s) {
  const u = users.find((x) => x.id === s.userId);
  return { csrfToken: s.csrf, user: { id: u.id, userPrincipalName: u.userPrincipalName, displayName: u.displayName, preferredLanguage: u.preferredLanguage, roles: u.roles }, organization: { id: tenant.id, displayName: tenant.displayName, countryLetterCode: tenant.country, currency: tenant.currency, invoiceEligible: tenant.invoiceEligible } };
}

function assign(u, add, remove) {
  for (const a of add) {
    if (!products.some((p) => p.skuId === a.skuId)) return graphError(400, 'Request_BadRequest', `License ${a.skuId} does not correspond to a valid company License.`);
    if (!u.usageLocation) return graphError(400, 'Request_BadRequest', 'License assignment cannot be done for user with invalid usage location.');
    if (u.assignedLicenses.some((l) => l.skuId === a.skuId) && !remove.includes(a.skuId)) continue;
    const p = pool(a.skuId);
    const freed = remove.length ? 0 : 0;
    if (p.consumed + 1 - freed > p.enabled + p.warning) return graphError(400, 'Request_BadRequest', `Subscription ${products.find((x) => x.skuId === a.skuId).name} has no available licenses: ${p.consumed} of ${p.enabled + p.warning} are assigned.`);
  }
  u.assignedLicenses = u.assignedLicenses.filter((l) => !remove.includes(l.skuId));
  for (const a of add) if (!u.assignedLicenses.some((l) => l.skuId === a.skuId)) u.assignedLicenses.push({ skuId: a.skuId, disabledPlans: a.disabledPlans ?? [] });
  return { status: 200, body: userJson(u) };
}

function route(req, url, body, sess) {
  const p = url.pathname;
  const m = req.method;
  const user = sess && users.find((u) => u.id === sess.userId);
  if (p === '/healthz') return { status: 200, body: { status: 'ok' } };
  if (p === '/api/v1/config') return { status: 200, body: { cloud, defaultLocale: clouds[cloud].locale, locales: ['en-US', 'zh-TW', 'de-DE', 'zh-CN'], signupEnabled: false, testClock: false, deploymentDomain: 'licensedesk.test', markets: markets.map((x) => ({ country: x.country, currency: x.currency })) } };
  if (p === '/api/v1/auth/session' && m === 'POST') {
    const u = users.find((x) => x.userPrincipalName.toLowerCase() === String(body?.userPrincipalName).toLowerCase() && x.password === body?.password);
    if (!u) return commerceError(401, 'InvalidCredentials', 'The user name or password is incorrect.');
    const s = { id: randomUUID(), csrf: randomUUID(), userId: u.id };
    sessions.set(s.id, s);
    return { status: 200, body: sessionBody(s), headers: { 'Set-Cookie': `ld_session=${s.id}; Path=/; HttpOnly; SameSite=Strict` } };
  }
  if (p === '/api/v1/auth/token' && m === 'POST') {
    const u = users.find((x) => x.userPrincipalName.toLowerCase() === String(body?.userPrincipalName).toLowerCase() && x.password === body?.password);
    if (!u) return commerceError(401, 'InvalidCredentials', 'The user name or password is incorrect.');
    const s = { id: randomUUID(), csrf: null, userId: u.id, bearer: true };
    sessions.set(s.id, s);
    return { status: 200, body: { accessToken: s.id, tokenType: 'Bearer', expiresIn: 3600 } };
  }
  if (p === '/api/v1/signup' && m === 'POST') return commerceError(403, 'SignupDisabled', 'The mock server does not create organizations.');
  if (!sess) return p.startsWith('/v1.0') ? graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.') : commerceError(401, 'Unauthorized', 'Sign in first.');
  if (m !== 'GET' && !sess.bearer && req.headers['x-csrf-token'] !== sess.csrf) return commerceError(403, 'CsrfTokenInvalid', 'The CSRF token is missing or wrong.');
  if (p === '/api/v1/auth/session' && m === 'GET') return { status: 200, body: sessionBody(sess) };
  if (p === '/api/v1/auth/logout') {
    sessions.delete(sess.id);
    return { status: 204 };
  }
  if (p === '/v1.0/me' && m === 'GET') return { status: 200, body: userJson(user) };
  if (p === '/v1.0/me' && m === 'PATCH') {
    if ('preferredLanguage' in body) user.preferredLanguage = body.preferredLanguage;
    return { status: 204 };
  }
  if (p === '/v1.0/organization') return { status: 200, body: { value: [{ id: tenant.id, displayName: tenant.displayName, countryLetterCode: tenant.country, verifiedDomains: [{ name: domain, isDefault: true, isInitial: true }] }] } };
  if (p === '/v1.0/subscribedSkus') {
    const skus = [...new Set(subscriptions.map((s) => s.skuId))].map((skuId) => {
      const pr = products.find((x) => x.skuId === skuId);
      const pl = pool(skuId);
      return { id: `${tenant.id}_${skuId}`, skuId, skuPartNumber: pr.skuPartNumber, appliesTo: 'User', capabilityStatus: 'Enabled', consumedUnits: pl.consumed, prepaidUnits: { enabled: pl.enabled, warning: pl.warning, suspended: pl.suspended, lockedOut: 0 }, servicePlans: pr.servicePlans, subscriptionIds: subscriptions.filter((s) => s.skuId === skuId).map((s) => s.id) };
    });
    return { status: 200, body: { value: skus } };
  }
  if (p === '/v1.0/users' && m === 'GET') {
    let list = users;
    const f = url.searchParams.get('$filter');
    if (f) {
      const sw = /startswith\(displayName,'((?:[^']|'')*)'\)/.exec(f);
      const any = /assignedLicenses\/any\(x:x\/skuId eq ([0-9a-f-]+)\)/i.exec(f);
      if (sw) list = list.filter((u) => u.displayName.toLowerCase().startsWith(sw[1].replace(/''/g, "'").toLowerCase()));
      if (any) list = list.filter((u) => u.assignedLicenses.some((l) => l.skuId === any[1].toLowerCase()));
    }
    const top = Number(url.searchParams.get('$top') ?? 100);
    const skip = Number(url.searchParams.get('$skiptoken') ?? 0);
    const out = { value: list.slice(skip, skip + top).map(userJson) };
    if (url.searchParams.get('$count') === 'true') out['@odata.count'] = list.length;
    if (skip + top < list.length) {
      const n = new URL(url);
      n.searchParams.set('$skiptoken', String(skip + top));
      out['@odata.nextLink'] = n.toString();
    }
    return { status: 200, body: out };
  }
  if (p === '/v1.0/users' && m === 'POST') {
    if (users.some((u) => u.userPrincipalName === body.userPrincipalName)) return graphError(400, 'Request_BadRequest', 'Another object with the same value for property userPrincipalName already exists.');
    const u = { id: randomUUID(), displayName: body.displayName, userPrincipalName: body.userPrincipalName, password: body.passwordProfile?.password, roles: [], accountEnabled: body.accountEnabled ?? true, usageLocation: body.usageLocation ?? null, preferredLanguage: null, assignedLicenses: [] };
    users.push(u);
    return { status: 201, body: userJson(u) };
  }
  let mm;
  if ((mm = /^\/v1\.0\/users\/([^/]+)(\/assignLicense|\/licenseDetails)?$/.exec(p))) {
    const u = users.find((x) => x.id === mm[1] || x.userPrincipalName === decodeURIComponent(mm[1]));
    if (!u) return graphError(404, 'Request_ResourceNotFound', `Resource '${mm[1]}' does not exist.`);
    if (mm[2] === '/assignLicense') return assign(u, body.addLicenses ?? [], body.removeLicenses ?? []);
    if (mm[2] === '/licenseDetails') return { status: 200, body: { value: u.assignedLicenses.map((l) => ({ id: `${u.id}_${l.skuId}`, skuId: l.skuId, skuPartNumber: products.find((x) => x.skuId === l.skuId)?.skuPartNumber, servicePlans: [] })) } };
    if (m === 'PATCH') {
      Object.assign(u, body);
      return { status: 204 };
    }
    return { status: 200, body: userJson(u) };
  }
  if (p === '/api/v1/offers') return { status: 200, body: { value: offers() } };
  if (p === '/api/v1/carts' && m === 'GET') return { status: 200, body: { value: carts.filter((c) => c.status === 'active' && c.owner === user.id).reverse().map(priceCart) } };
  const validLines = (b) => {
    for (const l of b.lineItems ?? []) {
      const pr = products.find((x) => x.skuId === l.skuId);
      if (!pr) return commerceError(400, 'UnknownSku', `Unknown skuId ${l.skuId}.`);
      if (!Number.isInteger(l.quantity) || l.quantity < pr.minQuantity || l.quantity > pr.maxQuantity) return commerceError(400, 'QuantityOutOfRange', `quantity must be between ${pr.minQuantity} and ${pr.maxQuantity}.`);
    }
    return null;
  };
  if (p === '/api/v1/carts' && m === 'POST') {
    const bad = validLines(body);
    if (bad) return bad;
    const c = { id: randomUUID(), owner: user.id, status: 'active', createdAt: now(), lines: body.lineItems.map((l) => ({ id: randomUUID(), ...l })) };
    carts.push(c);
    return { status: 201, body: priceCart(c) };
  }
  if ((mm = /^\/api\/v1\/carts\/([^/]+)(\/checkout)?$/.exec(p))) {
    const c = carts.find((x) => x.id === mm[1] && x.owner === user.id);
    if (!c) return commerceError(404, 'NotFound', 'Cart not found.');
    if (!mm[2] && m === 'GET') return { status: 200, body: priceCart(c) };
    if (!mm[2] && m === 'PUT') {
      const bad = validLines(body);
      if (bad) return bad;
      c.lines = body.lineItems.map((l) => ({ id: randomUUID(), ...l }));
      return { status: 200, body: priceCart(c) };
    }
    if (mm[2] && m === 'POST') {
      if (c.status !== 'active') return commerceError(409, 'CartAlreadyOrdered', 'This cart was already checked out.');
      const pm = methods.find((x) => x.id === body.paymentMethodId);
      if (!pm) return commerceError(400, 'UnknownPaymentMethod', 'Unknown payment method.');
      const priced = priceCart(c);
      const order = { id: randomUUID(), cartId: c.id, status: 'completed', subtotal: priced.subtotal, tax: priced.tax, total: priced.total, createdAt: now(), payment: { status: pm.type === 'invoice' ? 'due' : 'captured', paymentMethodId: pm.id, brand: pm.brand ?? null, last4: pm.last4 ?? null }, lineItems: [] };
      if (pm.declines) {
        order.status = 'failed';
        order.payment.status = 'declined';
        orders.push(order);
        return commerceError(402, 'PaymentDeclined', 'The card was declined.', { order });
      }
      for (const l of priced.lineItems) {
        const pr = products.find((x) => x.skuId === l.skuId);
        const s = addSub(pr, l.quantity, l.billingCycle, order.id);
        let assigned = 0;
        if (l.autoAssign) {
          for (const u of users) {
            if (assigned >= l.quantity) break;
            if (u.assignedLicenses.length === 0) {
              if (!u.usageLocation) u.usageLocation = tenant.country;
              u.assignedLicenses.push({ skuId: l.skuId, disabledPlans: [] });
              assigned++;
            }
          }
        }
        order.lineItems.push({ skuId: l.skuId, name: pr.name, quantity: l.quantity, billingCycle: l.billingCycle, amount: l.amount, subscriptionId: s.id, licensesAutoAssigned: assigned });
      }
      c.status = 'ordered';
      orders.push(order);
      invoices.push({ id: randomUUID(), number: `INV-${String(invoices.length + 1).padStart(6, '0')}`, kind: 'purchase', orderId: order.id, total: order.total, status: order.payment.status, issuedAt: now(), dueDate: addDays(now(), 30) });
      return { status: 201, body: order };
    }
  }
  if (p === '/api/v1/paymentMethods' && m === 'GET') return { status: 200, body: { value: methods.map(({ declines: _d, ...x }) => x) } };
  if (p === '/api/v1/paymentMethods' && m === 'POST') {
    if (body.type === 'invoice') {
      const pm = { id: randomUUID(), type: 'invoice' };
      methods.push(pm);
      return { status: 201, body: pm };
    }
    const n = String(body.card?.number ?? '');
    if (!/^\d{13,19}$/.test(n)) return commerceError(400, 'InvalidCard', 'card.number is not a valid card number.');
    const pm = { id: randomUUID(), type: 'card', brand: n.startsWith('5') ? 'Mastercard' : 'Visa', last4: n.slice(-4), expMonth: body.card.expMonth, expYear: body.card.expYear, declines: n === '4000000000000002' };
    methods.push(pm);
    const { declines: _d, ...out } = pm;
    return { status: 201, body: out };
  }
  if ((mm = /^\/api\/v1\/paymentMethods\/([^/]+)$/.exec(p)) && m === 'DELETE') {
    const i = methods.findIndex((x) => x.id === mm[1]);
    if (i < 0) return commerceError(404, 'NotFound', 'Payment method not found.');
    methods.splice(i, 1);
    return { status: 204 };
  }
  if (p === '/api/v1/subscriptions') return { status: 200, body: { value: subscriptions.map((s) => ({ ...s, assignedLicenses: pool(s.skuId).consumed })) } };
  if ((mm = /^\/api\/v1\/subscriptions\/([^/]+)(\/cancel|\/reactivate)?$/.exec(p))) {
    const s = subscriptions.find((x) => x.id === mm[1]);
    if (!s) return commerceError(404, 'NotFound', 'Subscription not found.');
    if (mm[2] === '/cancel') {
      s.status = 'disabled';
      s.autoRenew = false;
    } else if (mm[2] === '/reactivate') s.status = 'active';
    else if (m === 'PATCH') {
      if ('quantity' in body) {
        const pl = pool(s.skuId);
        const others = pl.enabled - s.quantity;
        if (body.quantity + others < pl.consumed) return commerceError(409, 'InsufficientLicenses', `Unassign ${pl.consumed - others - body.quantity} licenses first.`);
        s.quantity = body.quantity;
      }
      if ('autoRenew' in body) s.autoRenew = body.autoRenew;
    }
    return { status: 200, body: s };
  }
  if (p === '/api/v1/orders') return { status: 200, body: { value: orders } };
  if (p === '/api/v1/invoices') return { status: 200, body: { value: invoices } };
  if ((mm = /^\/api\/v1\/invoices\/([^/]+)\/pdf$/.exec(p))) return { status: 200, raw: '%PDF-1.4\n%mock\n', type: 'application/pdf' };
  return commerceError(404, 'NotFound', `No route ${m} ${p}.`);
}

const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json' };

createServer((req, res) => {
  const url = new URL(req.url, `http://${req.headers.host}`);
  const isApi = url.pathname.startsWith('/api/') || url.pathname.startsWith('/v1.0') || url.pathname === '/healthz';
  if (!isApi) {
    let file = join(webRoot, decodeURIComponent(url.pathname));
    if (!file.startsWith(webRoot) || !existsSync(file) || statSync(file).isDirectory()) file = join(webRoot, 'index.html');
    res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
    return;
  }
  let data = '';
  req.on('data', (c) => (data += c));
  req.on('end', () => {
    let body;
    try {
      body = data ? JSON.parse(data) : undefined;
    } catch {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'InvalidJson', message: 'The body is not valid JSON.' } }));
      return;
    }
    const sid = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? /(?:^|;\s*)ld_session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    const out = route(req, url, body, sid ? sessions.get(sid) : undefined);
    const headers = { ...(out.headers ?? {}) };
    if (out.raw !== undefined) {
      res.writeHead(out.status, { ...headers, 'Content-Type': out.type });
      res.end(out.raw);
    } else if (out.status === 204) {
      res.writeHead(204, headers);
      res.end();
    } else {
      res.writeHead(out.status, { ...headers, 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(out.body));
    }
  });
}).listen(Number(port), host, () => console.log(`licensedesk listening on http://${host}:${port}`));
