// Runs in a child `node` started with NODE_EXTRA_CA_CERTS=<the server's cert>
// (TLS verification stays on). Drives licensedesk's Graph subset with the official
// @microsoft/microsoft-graph-client and prints one JSON object on stdout.
// Env: LD_URL (https://127.0.0.1:PORT), LD_TOKEN, LD_SKU_ID.
import { Client, GraphError } from '@microsoft/microsoft-graph-client';

const { LD_URL, LD_TOKEN, LD_SKU_ID } = process.env;
const client = Client.init({
  baseUrl: LD_URL,
  defaultVersion: 'v1.0',
  customHosts: new Set([new URL(LD_URL).hostname]),
  authProvider: (done) => done(null, LD_TOKEN),
});

const out = {};
try {
  // 1. Paging with $top and @odata.nextLink.
  const ids = [];
  const pageSizes = [];
  const nextLinks = [];
  let page = await client.api('/users').top(5).get();
  for (let guard = 0; guard < 100; guard++) {
    pageSizes.push(page.value.length);
    ids.push(...page.value.map((u) => u.id));
    const next = page['@odata.nextLink'];
    if (!next) break;
    nextLinks.push(next);
    page = await client.api(next).get();
  }
  out.paging = { ids, pageSizes, nextLinks };

  // 2. $count=true with ConsistencyLevel: eventual.
  const counted = await client.api('/users').header('ConsistencyLevel', 'eventual').count(true).top(1).get();
  out.count = counted['@odata.count'];

  // 3. subscribedSkus.
  const skus = (await client.api('/subscribedSkus').get()).value;
  out.subscribedSkus = skus;
  const sku = skus.find((s) => s.skuId === LD_SKU_ID);
  if (!sku) throw new Error(`subscribedSkus has no ${LD_SKU_ID}`);

  // 4. assignLicense to a user without a license, then licenseDetails.
  const users = (await client.api('/users').top(999).get()).value;
  // Graph refuses a license for a user without usageLocation: pick users that have one.
  const unlicensed = users.filter((u) => (u.assignedLicenses ?? []).length === 0 && u.usageLocation);
  if (unlicensed.length < 2) throw new Error('need at least two users without a license');
  const first = unlicensed.shift();
  const assigned = await client.api(`/users/${first.id}/assignLicense`).post({
    addLicenses: [{ skuId: LD_SKU_ID, disabledPlans: [] }],
    removeLicenses: [],
  });
  out.assigned = { userId: first.id, response: assigned };
  out.licenseDetails = (await client.api(`/users/${first.id}/licenseDetails`).get()).value;

  // 5. Fill the pool, then one more must fail with 400.
  const after = await client.api(`/subscribedSkus/${sku.id}`).get();
  const free = after.prepaidUnits.enabled - after.consumedUnits;
  out.freeBeforeFill = free;
  if (unlicensed.length < free + 1) throw new Error(`not enough unlicensed users to fill ${free} licenses`);
  for (let i = 0; i < free; i++) {
    await client.api(`/users/${unlicensed.shift().id}/assignLicense`).post({
      addLicenses: [{ skuId: LD_SKU_ID, disabledPlans: [] }],
      removeLicenses: [],
    });
  }
  const full = await client.api(`/subscribedSkus/${sku.id}`).get();
  out.afterFill = { enabled: full.prepaidUnits.enabled, consumedUnits: full.consumedUnits };
  const victim = unlicensed.shift();
  try {
    await client.api(`/users/${victim.id}/assignLicense`).post({
      addLicenses: [{ skuId: LD_SKU_ID, disabledPlans: [] }],
      removeLicenses: [],
    });
    out.overflow = { threw: false };
  } catch (e) {
    out.overflow = {
      threw: true,
      isGraphError: e instanceof GraphError,
      statusCode: e.statusCode,
      code: e.code,
      message: e.message,
      body: typeof e.body === 'string' ? e.body : JSON.stringify(e.body ?? null),
    };
  }
  const victimAfter = await client.api(`/users/${victim.id}`).get();
  out.overflowUserId = victim.id;
  out.overflowUserLicenses = victimAfter.assignedLicenses;
} catch (e) {
  out.error = { name: e?.name, statusCode: e?.statusCode, code: e?.code, message: e?.message, stack: e?.stack };
}
process.stdout.write(JSON.stringify(out));
