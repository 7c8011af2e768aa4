// The committed src/api-types.ts is what openapi-typescript generates from the
// server's current GET /openapi.json: a change to the API that was not
// regenerated (npm run gen:api) fails here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { generate, TYPES_FILE } from '../scripts/gen-api.mjs';
import { startLicensedesk } from './spawn-server.mjs';

let server;

before(async () => {
  server = await startLicensedesk();
});

after(async () => {
  await server?.stop();
});

function firstDifference(a, b) {
  const al = a.split('\n');
  const bl = b.split('\n');
  for (let i = 0; i < Math.max(al.length, bl.length); i++) {
    if (al[i] !== bl[i]) return `line ${i + 1}:\n  committed: ${al[i] ?? '(end)'}\n  generated: ${bl[i] ?? '(end)'}`;
  }
  return 'none';
}

test('src/api-types.ts matches the types generated from GET /openapi.json', async () => {
  const r = await fetch(`${server.url}/openapi.json`);
  assert.equal(r.status, 200);
  const generated = await generate(await r.json());
  const committed = readFileSync(TYPES_FILE, 'utf8');
  assert.ok(
    committed === generated,
    `src/api-types.ts is stale: save GET /openapi.json and run npm run gen:api -- <file>. First difference at ${firstDifference(committed, generated)}`,
  );
});

test('the generated types carry what the admin center reads', () => {
  const committed = readFileSync(TYPES_FILE, 'utf8');
  // The offers' localized texts and the error envelope's code.
  assert.match(committed, /localizedNames\?:/);
  assert.match(committed, /localizedDescriptions\?:/);
  assert.match(committed, /Offer: \{/);
});
