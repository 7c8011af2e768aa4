// Runs in a child `node` started with NODE_EXTRA_CA_CERTS=<the server's cert>
// (TLS verification stays on). Drives group-based licensing with the official
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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const out = {};
try {
  // 1. A security group, as the SDK's samples create one.
  const group = await client.api('/groups').post({
    displayName: `SDK group ${Date.now()}`,
    mailEnabled: false,
    mailNickname: 'sdkgroup',
    securityEnabled: true,
  });
  out.group = group;

  // 2. Two members without the license, by members/$ref.
  const users = (await client.api('/users').top(999).get()).value;
  const members = users.filter((u) => (u.assignedLicenses ?? []).length === 0 && u.usageLocation).slice(0, 2);
  if (members.length < 2) throw new Error('need two users without a license');
  for (const m of members) {
    await client.api(`/groups/${group.id}/members/$ref`).post({ '@odata.id': `${LD_URL}/v1.0/directoryObjects/${m.id}` });
  }
  out.members = (await client.api(`/groups/${group.id}/members`).get()).value.map((u) => u.id);
  out.memberIds = members.map((m) => m.id);

  // 3. The group's license, then its processing state until complete.
  const queued = await client.api(`/groups/${group.id}/assignLicense`).post({
    addLicenses: [{ skuId: LD_SKU_ID, disabledPlans: [] }],
    removeLicenses: [],
  });
  out.queuedState = queued.licenseProcessingState?.state;
  let state = '';
  for (let i = 0; i < 400 && state !== 'ProcessingComplete'; i++) {
    const g = await client.api(`/groups/${group.id}`).select('licenseProcessingState,assignedLicenses').get();
    state = g.licenseProcessingState.state;
    out.groupLicenses = g.assignedLicenses;
    if (state !== 'ProcessingComplete') await sleep(50);
  }
  out.finalState = state;

  // 4. The member's licenseAssignmentStates name the group.
  const u = await client.api(`/users/${members[0].id}`).select('id,assignedLicenses,licenseAssignmentStates').get();
  out.member = u;

  // 5. Removing the inherited license directly is refused.
  try {
    await client.api(`/users/${members[0].id}/assignLicense`).post({ addLicenses: [], removeLicenses: [LD_SKU_ID] });
    out.inheritedRemoval = { threw: false };
  } catch (e) {
    out.inheritedRemoval = { threw: true, isGraphError: e instanceof GraphError, statusCode: e.statusCode, message: e.message };
  }
  // 6. memberOf.
  out.memberOf = (await client.api(`/users/${members[0].id}/memberOf`).get()).value.map((g) => g.id);
} catch (e) {
  out.error = { name: e?.name, statusCode: e?.statusCode, code: e?.code, message: e?.message, stack: e?.stack };
}
process.stdout.write(JSON.stringify(out));
