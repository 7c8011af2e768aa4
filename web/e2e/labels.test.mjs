// The app's locale files carry exactly the spec's labels (shared/spec/ui-labels.md),
// and every locale has every key of en-US. No server needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appStrings, REPO_DIR } from './helpers.mjs';
import { SPEC_LABELS } from './ui-labels.mjs';

const LOCALES = ['en-US', 'zh-TW', 'de-DE', 'zh-CN'];

test('locale files carry the spec labels exactly', () => {
  for (const l of LOCALES) {
    const app = appStrings(l);
    for (const [k, v] of Object.entries(SPEC_LABELS[l])) assert.equal(app[k], v, `${l}.${k}`);
  }
});

test('every locale has every en-US key', () => {
  const en = Object.keys(appStrings('en-US'));
  for (const l of LOCALES) {
    const keys = new Set(Object.keys(appStrings(l)));
    assert.deepEqual(en.filter((k) => !keys.has(k)), [], `${l} is missing keys`);
  }
});

test('zh-TW uses the corrected labels, not the seed mistranslations', () => {
  assert.equal(SPEC_LABELS['zh-TW'].checkOutNow, '立即結帳');
  assert.equal(SPEC_LABELS['zh-TW'].checkOut, '結帳');
});

const specFile = join(REPO_DIR, '..', 'shared', 'spec', 'ui-labels.md');
test('ui-labels.mjs matches shared/spec/ui-labels.md', { skip: !existsSync(specFile) && 'shared/spec not beside the repo' }, () => {
  const rows = readFileSync(specFile, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('|') && !line.startsWith('|---') && !line.startsWith('| key'));
  assert.ok(rows.length >= 30);
  for (const row of rows) {
    const [key, ...vals] = row.split('|').slice(1, -1).map((c) => c.trim());
    vals.forEach((v, i) => assert.equal(SPEC_LABELS[LOCALES[i]][key], v.replace(/\s*\*.*$/, '').trim(), `${LOCALES[i]}.${key}`));
  }
});

// The errors.<code> tables are keyed by codes the server really returns (a
// misspelt code would never match and the admin would read English).
function serverSources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return serverSources(p);
    return /\.(cpp|h)$/.test(e.name) && !/_test\.cpp$|_fuzz\.cpp$/.test(e.name) ? [readFileSync(p, 'utf8')] : [];
  });
}

test('every errors.<code> is a code the server returns, in all four locales', () => {
  const block = (l) => {
    const src = readFileSync(join(REPO_DIR, 'web', 'src', 'locales', `${l}.ts`), 'utf8');
    const m = /\n  errors: \{\n([\s\S]*?)\n  \},/.exec(src);
    assert.ok(m, `${l} has an errors block`);
    return [...m[1].matchAll(/^    ([A-Za-z]+):/gm)].map((x) => x[1]);
  };
  const codes = block('en-US');
  assert.ok(codes.length >= 40, `${codes.length} codes`);
  for (const l of LOCALES) assert.deepEqual(block(l), codes, `${l} translates the same codes in the same order`);
  const server = serverSources(join(REPO_DIR, 'src')).join('\n');
  const unknown = codes.filter((c) => !server.includes(`"${c}"`));
  assert.deepEqual(unknown, [], 'codes the server never returns');
  for (const c of ['PaymentDeclined', 'ConcurrentChange', 'LicensesInUse', 'CancellationWindowPassed', 'CartExpired', 'InsufficientLicenses', 'LastGlobalAdministrator', 'UseChangePassword', 'PasswordTooCommon', 'InvalidPassword', 'TooManyAttempts', 'ServerBusy', 'AutoAssignNotAllowed'])
    assert.ok(codes.includes(c), `errors.${c}`);
});
