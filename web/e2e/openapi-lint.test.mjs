// Lints the server's own /openapi.json with @redocly/cli (recommended ruleset).
// Only purely stylistic rules are relaxed; structural problems (struct, unresolved
// $refs, duplicate operationIds, path parameters...) stay errors and fail the test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLicensedesk, WEB_DIR } from './spawn-server.mjs';

const REDOCLY = join(WEB_DIR, 'node_modules', '.bin', 'redocly');

// Only purely stylistic rules are relaxed; structure, references and URL-safe,
// unique operationIds are errors.
const REDOCLY_YAML = `extends:
  - recommended
rules:
  operation-4xx-response: off
  info-license: off
  no-server-example.com: off
  operation-operationId-url-safe: error
  struct: error
  no-unresolved-refs: error
  operation-operationId-unique: error
  path-parameters-defined: error
`;

let server;
let dir;

before(async () => {
  server = await startLicensedesk();
  dir = mkdtempSync(join(tmpdir(), 'ld-openapi-lint-'));
  writeFileSync(join(dir, 'redocly.yaml'), REDOCLY_YAML);
});

after(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function lint(file) {
  return new Promise((resolve) => {
    execFile(
      REDOCLY,
      ['lint', file, '--config', join(dir, 'redocly.yaml'), '--format', 'json'],
      {
        cwd: dir,
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
        timeout: 120_000,
        maxBuffer: 32 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        let report = null;
        try {
          report = JSON.parse(stdout);
        } catch {
          /* not JSON: reported below */
        }
        resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr, report });
      },
    );
  });
}

function describe(problems) {
  return problems
    .map((p) => `${p.severity} ${p.ruleId} ${p.location?.[0]?.pointer ?? ''}: ${p.message}`)
    .join('\n');
}

test('GET /openapi.json is OpenAPI 3.1 and passes redocly lint (no errors)', async () => {
  const r = await fetch(`${server.url}/openapi.json`);
  assert.equal(r.status, 200);
  const text = await r.text();
  const doc = JSON.parse(text);
  assert.match(doc.openapi, /^3\.1\./);
  for (const p of ['/v1.0/users', '/v1.0/subscribedSkus', '/v1.0/users/{id}/assignLicense', '/api/v1/carts']) {
    assert.ok(doc.paths?.[p], `openapi.json documents ${p}`);
  }
  const file = join(dir, 'openapi.json');
  writeFileSync(file, text);

  const res = await lint(file);
  assert.ok(res.report, `redocly printed no JSON report (exit ${res.code}):\n${res.stdout}\n${res.stderr}`);
  const errors = res.report.problems.filter((p) => p.severity === 'error');
  const warnings = res.report.problems.filter((p) => p.severity === 'warn');
  if (warnings.length) {
    const byRule = {};
    for (const w of warnings) byRule[w.ruleId] = (byRule[w.ruleId] ?? 0) + 1;
    console.log(`redocly warnings: ${JSON.stringify(byRule)}, e.g. ${describe(warnings.slice(0, 1))}`);
  }
  assert.deepEqual(describe(errors), '', `redocly lint errors:\n${describe(errors)}`);
  assert.equal(res.code, 0, `redocly exit ${res.code}\n${res.stderr}`);
});

test('the lint set-up still fails on a structurally broken document (control)', async () => {
  const broken = {
    openapi: '3.1.0',
    info: { title: 'broken', version: '1' },
    paths: {
      '/x/{id}': {
        get: {
          operationId: 'getX',
          responses: { 200: { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Missing' } } } } },
        },
      },
    },
  };
  const file = join(dir, 'broken.json');
  writeFileSync(file, JSON.stringify(broken));
  const res = await lint(file);
  assert.notEqual(res.code, 0, 'redocly must fail on a broken document');
  const rules = new Set((res.report?.problems ?? []).filter((p) => p.severity === 'error').map((p) => p.ruleId));
  assert.ok(rules.has('no-unresolved-refs'), `expected no-unresolved-refs: ${[...rules]}`);
  assert.ok(rules.has('path-parameters-defined'), `expected path-parameters-defined: ${[...rules]}`);
});
