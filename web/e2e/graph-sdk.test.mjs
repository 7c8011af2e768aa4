// Drives the Graph subset (/v1.0) with the official @microsoft/microsoft-graph-client
// over real TLS: a throwaway self-signed certificate for 127.0.0.1 (openssl CLI),
// trusted by the SDK's child process through NODE_EXTRA_CA_CERTS. Verification stays on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startLicensedesk, ADMIN, WEB_DIR } from './spawn-server.mjs';

const CHILD = fileURLToPath(new URL('./graph-sdk-child.mjs', import.meta.url));

let server;
let token;
// Set-up calls from this process trust the throwaway cert explicitly (node:https with `ca`);
// NODE_EXTRA_CA_CERTS is only read at process start, hence the SDK's child process.

function request(method, path, body, headers = {}) {
  const u = new URL(path, server.url);
  return new Promise((resolve, reject) => {
    const req = https.request(
      u,
      {
        method,
        ca: readFileSync(server.certFile),
        headers: {
          'Content-Type': 'application/json',
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode, json: text ? JSON.parse(text) : null }));
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(JSON.stringify(body));
    req.end();
  });
}

before(async () => {
  server = await startLicensedesk({ tls: true });
  assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const r = await request('POST', '/api/v1/auth/token', { userPrincipalName: ADMIN.upn, password: ADMIN.password });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  token = r.json.accessToken;
});

after(async () => {
  await server?.stop();
});

function runChild(env) {
  return runChildOf(CHILD, env);
}

function runChildOf(script, env) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script],
      { cwd: WEB_DIR, env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`child failed: ${err.message}\n${stderr}`));
        try {
          resolve(JSON.parse(stdout));
        } catch {
          reject(new Error(`child printed no JSON:\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}

test('Graph SDK: paging, $count, subscribedSkus, assignLicense, licenseDetails, pool exhaustion', async () => {
  // Pick the SKU the demo already owns; buy 2 more licenses if its pool is full.
  const skus = (await request('GET', '/v1.0/subscribedSkus')).json.value;
  assert.ok(skus.length > 0, 'demo has a subscribed SKU');
  const sku = skus[0];
  if (sku.prepaidUnits.enabled - sku.consumedUnits < 1) {
    const methods = (await request('GET', '/api/v1/paymentMethods')).json.value;
    const card = methods.find((m) => m.type === 'card') ?? methods[0];
    assert.ok(card, 'demo has a saved card');
    const cart = await request('POST', '/api/v1/carts', {
      lineItems: [{ skuId: sku.skuId, quantity: 2, billingCycle: 'monthly', autoAssign: false }],
    });
    assert.equal(cart.status, 201, JSON.stringify(cart.json));
    const order = await request('POST', `/api/v1/carts/${cart.json.id}/checkout`, { paymentMethodId: card.id });
    assert.equal(order.status, 201, JSON.stringify(order.json));
  }

  const r = await runChild({ NODE_EXTRA_CA_CERTS: server.certFile, LD_URL: server.url, LD_TOKEN: token, LD_SKU_ID: sku.skuId });
  assert.equal(r.error, undefined, `SDK child error: ${JSON.stringify(r.error)}`);

  // Paging: several pages of at most 5, absolute https nextLinks with $skiptoken, no duplicates.
  const { ids, pageSizes, nextLinks } = r.paging;
  assert.ok(pageSizes.length >= 3, `several pages: ${pageSizes}`);
  assert.ok(pageSizes.every((n) => n <= 5), `pages of at most 5: ${pageSizes}`);
  for (const link of nextLinks) {
    assert.ok(link.startsWith(`${server.url}/v1.0/users?`), link);
    assert.match(link, /\$skiptoken=/);
  }
  assert.equal(new Set(ids).size, ids.length, 'no duplicate users across pages');
  assert.equal(r.count, ids.length, '@odata.count matches the paged total');
  assert.ok(r.count >= 20, `demo has ~26 users, got ${r.count}`);

  // subscribedSkus.
  const s = r.subscribedSkus.find((x) => x.skuId === sku.skuId);
  assert.ok(s, 'subscribedSkus lists the SKU');
  assert.ok(s.id.endsWith(`_${sku.skuId}`), s.id);
  assert.equal(typeof s.skuPartNumber, 'string');
  assert.ok(Array.isArray(s.servicePlans) && s.servicePlans.length > 0);
  for (const k of ['enabled', 'suspended', 'warning', 'lockedOut']) assert.equal(typeof s.prepaidUnits[k], 'number', k);

  // assignLicense + licenseDetails.
  assert.ok(
    r.assigned.response.assignedLicenses.some((l) => l.skuId === sku.skuId),
    `assignLicense returns the user with the license: ${JSON.stringify(r.assigned.response)}`,
  );
  assert.equal(r.assigned.response.id, r.assigned.userId);
  assert.equal(r.licenseDetails.length, 1);
  assert.equal(r.licenseDetails[0].skuId, sku.skuId);
  assert.equal(r.licenseDetails[0].skuPartNumber, s.skuPartNumber);
  assert.ok(Array.isArray(r.licenseDetails[0].servicePlans));

  // Pool full -> one more assignLicense is a GraphError 400 about no available licenses.
  assert.equal(r.afterFill.consumedUnits, r.afterFill.enabled, 'pool is full');
  assert.equal(r.overflow.threw, true, 'assignLicense on a full pool must throw');
  assert.equal(r.overflow.isGraphError, true, `GraphError expected: ${JSON.stringify(r.overflow)}`);
  assert.equal(r.overflow.statusCode, 400);
  assert.equal(r.overflow.code, 'Request_BadRequest');
  assert.match(r.overflow.message, /(does not have any|no) available licenses/i);
  // The SDK only builds code/message from a {"error":{...}} envelope; its body is the inner object.
  const inner = JSON.parse(r.overflow.body);
  assert.equal(inner.code, 'Request_BadRequest', r.overflow.body);
  assert.equal(typeof inner.innerError?.date, 'string', r.overflow.body);
  assert.equal(typeof inner.innerError?.['request-id'], 'string', r.overflow.body);
  assert.deepEqual(r.overflowUserLicenses, [], 'all or nothing: the user got no license');

  // The same refusal seen raw: Graph's envelope {"error":{"code","message","innerError"}}.
  const raw = await request('POST', `/v1.0/users/${r.overflowUserId}/assignLicense`, {
    addLicenses: [{ skuId: sku.skuId, disabledPlans: [] }],
    removeLicenses: [],
  });
  assert.equal(raw.status, 400);
  assert.equal(raw.json.error.code, 'Request_BadRequest');
  assert.match(raw.json.error.message, /available licenses/i);
  assert.equal(typeof raw.json.error.innerError, 'object');
});

const GROUPS_CHILD = fileURLToPath(new URL('./graph-sdk-groups-child.mjs', import.meta.url));

test('Graph SDK: a group, members by $ref, a group license processed, licenseAssignmentStates, the inherited-license refusal', async () => {
  // A SKU with at least two free licenses (buy two more when short).
  let skus = (await request('GET', '/v1.0/subscribedSkus')).json.value;
  let sku = skus.find((s) => s.prepaidUnits.enabled - s.consumedUnits >= 2) ?? skus[0];
  if (sku.prepaidUnits.enabled - sku.consumedUnits < 2) {
    const methods = (await request('GET', '/api/v1/paymentMethods')).json.value;
    const card = methods.find((m) => m.type === 'card') ?? methods[0];
    const cart = await request('POST', '/api/v1/carts', {
      lineItems: [{ skuId: sku.skuId, quantity: 2, billingCycle: 'monthly', autoAssign: false }],
    });
    assert.equal(cart.status, 201, JSON.stringify(cart.json));
    const order = await request('POST', `/api/v1/carts/${cart.json.id}/checkout`, { paymentMethodId: card.id });
    assert.equal(order.status, 201, JSON.stringify(order.json));
  }
  const r = await runChildOf(GROUPS_CHILD, { NODE_EXTRA_CA_CERTS: server.certFile, LD_URL: server.url, LD_TOKEN: token, LD_SKU_ID: sku.skuId });
  assert.equal(r.error, undefined, `SDK child error: ${JSON.stringify(r.error)}`);
  assert.match(r.group.id, /^[0-9a-f-]{36}$/);
  assert.equal(r.group.securityEnabled, true);
  assert.deepEqual([...r.members].sort(), [...r.memberIds].sort());
  assert.equal(r.queuedState, 'QueuedForProcessing');
  assert.equal(r.finalState, 'ProcessingComplete');
  assert.ok(r.groupLicenses.some((l) => l.skuId === sku.skuId));
  assert.ok(r.member.assignedLicenses.some((l) => l.skuId === sku.skuId), JSON.stringify(r.member));
  const st = r.member.licenseAssignmentStates.find((s) => s.skuId === sku.skuId);
  assert.ok(st, JSON.stringify(r.member));
  assert.equal(st.assignedByGroup, r.group.id);
  assert.equal(st.state, 'Active');
  assert.equal(st.error, 'None');
  assert.equal(r.inheritedRemoval.threw, true);
  assert.equal(r.inheritedRemoval.isGraphError, true);
  assert.equal(r.inheritedRemoval.statusCode, 400);
  assert.match(r.inheritedRemoval.message, /inherited from a group membership/);
  assert.ok(r.memberOf.includes(r.group.id), `memberOf lists the group: ${JSON.stringify(r.memberOf)}`);
});
