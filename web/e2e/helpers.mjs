// Shared e2e plumbing: start a real `licensedesk serve --demo` on a free
// loopback port with its own temporary database, drive Debian's Chromium with
// playwright-core (no browser download), collect console errors, screenshots.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, mkdirSync, createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { SPEC_LABELS } from './ui-labels.mjs';

export const WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_DIR = resolve(WEB_DIR, '..');
export const RESULTS_DIR = join(WEB_DIR, 'test-results');
export const BINARY = resolve(WEB_DIR, process.env.LD_BINARY ?? '../build/licensedesk');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ADMIN = { upn: 'admin@contoso.licensedesk.test', password: 'Demo-Password-1' };

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
];

const children = new Set();
function killAll() {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}

export async function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `licensedesk serve --demo` for one cloud (and `extraArgs`). Returns { url, stop, logFile }.
 * stop() is safe to call more than once and always removes the temp directory.
 */
export async function startServer({ cloud = 'worldwide', extraArgs = [] } = {}) {
  assert.ok(existsSync(BINARY), `licensedesk binary not found at ${BINARY} (set LD_BINARY)`);
  assert.ok(existsSync(join(WEB_DIR, 'dist', 'index.html')), 'web/dist is missing: run `npm run build` first');
  const dir = mkdtempSync(join(tmpdir(), 'ld-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(dir, 'server.log');
  const log = createWriteStream(logFile);
  const args = [
    'serve',
    '--listen',
    `127.0.0.1:${port}`,
    '--db',
    `sqlite://${join(dir, 'ld.db')}`,
    '--cloud',
    cloud,
    '--demo',
    '--web-root',
    join(WEB_DIR, 'dist'),
    ...extraArgs,
  ];
  const child = spawn(BINARY, args, { cwd: REPO_DIR, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } });
  children.add(child);
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
    children.delete(child);
  });
  let ready = false;
  const onData = (buf) => {
    log.write(buf);
    if (buf.toString().includes(`licensedesk listening on ${url}`)) ready = true;
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      child.kill('SIGTERM');
      for (let i = 0; i < 50 && !exited; i++) await sleep(100);
      if (!exited) child.kill('SIGKILL');
      for (let i = 0; i < 20 && !exited; i++) await sleep(100);
    }
    log.end();
    if (process.env.LD_KEEP_TMP) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited) break;
    if (ready) break;
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) {
        ready = true;
        break;
      }
    } catch {
      /* not listening yet */
    }
    await sleep(200);
  }
  if (!ready) {
    const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-4000) : '';
    await stop();
    throw new Error(`licensedesk did not start (${JSON.stringify(exited)}):\n${tail}`);
  }
  return { url, stop, logFile, cloud };
}

/**
 * A fresh headless Chromium profile (its own --user-data-dir) with one page.
 * Console errors and page errors are collected in `errors`.
 */
export async function openBrowser({ locale = 'en-US', width = 1280, height = 900 } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'ld-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    locale,
    viewport: { width, height },
    timezoneId: 'UTC',
  });
  context.setDefaultTimeout(Number(process.env.LD_E2E_TIMEOUT ?? 20_000));
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, page, errors, close };
}

/**
 * Asserts no console errors, except the browser's own "Failed to load resource"
 * line for an HTTP status the test provoked on purpose (e.g. 402 for a declined card).
 */
export function assertNoConsoleErrors(errors, allowedStatuses = []) {
  const unexpected = errors.filter((e) => {
    const m = /Failed to load resource: the server responded with a status of (\d+)/.exec(e);
    return !(m && allowedStatuses.includes(Number(m[1])));
  });
  assert.deepEqual(unexpected, [], `console errors:\n${unexpected.join('\n')}`);
}

export async function screenshot(page, name) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  return path;
}

/** Signs in through the page. Labels follow the active locale (`l`). */
export async function signIn(page, url, l, who = ADMIN) {
  await page.goto(`${url}/signin`);
  await page.getByRole('textbox', { name: l.userPrincipalName }).fill(who.upn);
  // The user principal name first; the password field follows when its domain has no single sign-on.
  await page.getByRole('button', { name: l.next, exact: true }).click();
  await page.getByRole('textbox', { name: l.password, exact: true }).fill(who.password);
  await page.getByRole('button', { name: l.signIn, exact: true }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
  await page.getByRole('banner').waitFor();
}

/** Bearer token for API set-up calls. */
export async function apiToken(url, who = ADMIN) {
  const r = await fetch(`${url}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ userPrincipalName: who.upn, password: who.password }),
  });
  const text = await r.text();
  assert.equal(r.status, 200, `token: ${text}`);
  return JSON.parse(text).accessToken;
}

export async function apiCall(url, token, method, path, body, headers = {}) {
  const r = await fetch(`${url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : null };
}

/** Buys `quantity` licenses of an offer (by skuPartNumber) with the demo's saved card, through the API. */
export async function buyViaApi(url, token, skuPartNumber, quantity) {
  const offers = (await apiCall(url, token, 'GET', '/api/v1/offers')).json.value;
  const offer = offers.find((o) => o.skuPartNumber === skuPartNumber);
  assert.ok(offer, `offer ${skuPartNumber}`);
  const methods = (await apiCall(url, token, 'GET', '/api/v1/paymentMethods')).json.value;
  const card = methods.find((m) => m.type === 'card' && m.last4 === '4242') ?? methods[0];
  const cart = await apiCall(url, token, 'POST', '/api/v1/carts', {
    lineItems: [{ skuId: offer.skuId, quantity, billingCycle: 'monthly', autoAssign: false }],
  });
  assert.equal(cart.status, 201, JSON.stringify(cart.json));
  const order = await apiCall(url, token, 'POST', `/api/v1/carts/${cart.json.id}/checkout`, { paymentMethodId: card.id }, {
    'Idempotency-Key': crypto.randomUUID(),
  });
  assert.equal(order.status, 201, JSON.stringify(order.json));
  return offer;
}

/**
 * Labels for one locale: the seed's labels from the spec (ui-labels.mjs) over
 * the app's own strings for everything else (field names on the sign-in page...).
 */
export function labels(locale) {
  return { ...appStrings(locale), ...SPEC_LABELS[locale] };
}

/** The app's strings for one locale, read from web/src/locales/<locale>.ts. */
export function appStrings(locale) {
  const src = readFileSync(join(WEB_DIR, 'src', 'locales', `${locale}.ts`), 'utf8');
  return parseLocale(src);
}

function parseLocale(src) {
  const out = {};
  const re = /^\s+([A-Za-z0-9_]+):\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*,?\s*$/gm;
  let m;
  while ((m = re.exec(src))) out[m[1]] = (m[2] ?? m[3]).replace(/\\(.)/g, '$1');
  return out;
}

/**
 * Runs `fn({ page, errors, context })` in a fresh browser; on failure saves
 * test-results/<name>-failure.png and the page's accessibility tree, then rethrows.
 */
export async function withBrowser(name, opts, fn) {
  const b = await openBrowser(opts);
  try {
    await fn(b);
  } catch (e) {
    try {
      await screenshot(b.page, `${name}-failure`);
      const tree = await b.page.locator('body').ariaSnapshot();
      mkdirSync(RESULTS_DIR, { recursive: true });
      createWriteStream(join(RESULTS_DIR, `${name}-failure.aria.txt`)).end(`${b.page.url()}\n${tree}\n\nconsole errors:\n${b.errors.join('\n')}\n`);
    } catch {
      /* the page may be gone */
    }
    throw e;
  } finally {
    await b.close();
  }
}

const INTERACTIVE = new Set([
  'button', 'link', 'textbox', 'searchbox', 'checkbox', 'radio', 'combobox', 'menuitem', 'menuitemradio',
  'menuitemcheckbox', 'tab', 'switch', 'spinbutton', 'slider', 'listbox', 'option', 'treeitem',
]);

/** Every interactive node in Chromium's accessibility tree has a non-empty name. */
export async function assertAllControlsNamed(page, where) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    const unnamed = nodes
      .filter((n) => !n.ignored && INTERACTIVE.has(n.role?.value) && !String(n.name?.value ?? '').trim())
      .map((n) => `${n.role.value} (backend node ${n.backendDOMNodeId})`);
    assert.deepEqual(unnamed, [], `controls without an accessible name on ${where}`);
    return nodes.filter((n) => !n.ignored && INTERACTIVE.has(n.role?.value)).length;
  } finally {
    await cdp.detach();
  }
}
