// Users → Groups (issue 16): a group created in the page, members added with
// the user picker, a license assigned after its preview, processing to
// "Processing complete", members holding it "Inherited from <group>", a pool
// too small giving CountViolation in "Users with license errors", Reprocess
// after buying more; the list paged by @odata.nextLink, searched and created
// in de-DE and zh-TW.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiCall, apiToken, assertAllControlsNamed, assertNoConsoleErrors, buyViaApi, labels, screenshot, signIn, startServer, withBrowser } from './helpers.mjs';

const EN = labels('en-US');
const DE = labels('de-DE');
const TW = labels('zh-TW');
const fill = (s, vars) => s.replace(/\{\{(\w+)\}\}/g, (_, k) => String(vars[k]));

async function setLanguage(url, token, lang) {
  const r = await apiCall(url, token, 'PATCH', '/v1.0/me', { preferredLanguage: lang });
  assert.ok(r.status === 200 || r.status === 204, JSON.stringify(r.json));
}

async function openGroups(page, L) {
  const nav = page.getByRole('navigation', { name: L.adminCenter });
  const users = nav.getByRole('button', { name: L.users, exact: true });
  if ((await users.getAttribute('aria-expanded')) !== 'true') await users.click();
  await nav.getByRole('link', { name: L.groups, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: L.groups }).waitFor();
}

async function createGroupInUi(page, L, name, description) {
  await page.getByRole('button', { name: L.addGroup, exact: true }).click();
  const dialog = page.getByRole('dialog', { name: L.addGroup });
  await dialog.getByRole('textbox', { name: L.groupName, exact: true }).fill(name);
  if (description) await dialog.getByRole('textbox', { name: L.groupDescription }).fill(description);
  assert.notEqual(await dialog.getByRole('textbox', { name: L.mailNickname }).inputValue(), '');
  await dialog.getByRole('button', { name: L.add, exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

async function addMembersInUi(page, L, names) {
  await page.getByRole('button', { name: L.addMembers, exact: true }).click();
  const dialog = page.getByRole('dialog', { name: L.addMembers });
  const picker = dialog.getByRole('group', { name: L.usersToAdd });
  for (const n of names) {
    // The picker searches users (startswith on the display name).
    await dialog.getByRole('searchbox', { name: L.searchUsersShort }).fill(n);
    await picker.getByRole('checkbox', { name: n, exact: true }).check();
  }
  await dialog.getByRole('button', { name: L.add, exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
  for (const n of names) await page.getByTestId('member-row').filter({ hasText: n }).waitFor();
}

describe('groups and group-based licensing', () => {
  let server;
  let token;
  let basic;
  let unlicensed;
  before(async () => {
    server = await startServer({ cloud: 'worldwide' });
    token = await apiToken(server.url);
    // Two Business Basic licenses for a group of three: one member is short.
    basic = await buyViaApi(server.url, token, 'BUSINESS_BASIC', 2);
    const users = (await apiCall(server.url, token, 'GET', '/v1.0/users?$top=100')).json.value;
    unlicensed = users.filter((u) => (u.assignedLicenses ?? []).length === 0).map((u) => u.displayName);
    assert.ok(unlicensed.length >= 6, `the demo has unlicensed users: ${unlicensed.length}`);
  });
  after(async () => {
    await server?.stop();
  });

  test('create, members, assign with preview, inherited licenses, CountViolation and Reprocess (en-US)', async () => {
    await setLanguage(server.url, token, 'en-US');
    const members = unlicensed.slice(0, 3);
    await withBrowser('groups-licensing', { locale: 'en-US' }, async (b) => {
      const { page } = b;
      await signIn(page, server.url, EN);
      await openGroups(page, EN);
      await createGroupInUi(page, EN, 'Field sales', 'The sales team');

      // Members tab: the picker adds three users.
      await addMembersInUi(page, EN, members);
      await page.getByText(fill(EN.membersAdded, { count: 3 })).waitFor();
      await assertAllControlsNamed(page, 'group members');

      // Licenses tab: choose Business Basic; the preview shows before confirming.
      await page.getByRole('tab', { name: EN.licenses, exact: true }).click();
      await page.getByText(EN.noGroupLicenses).waitFor();
      await page.getByRole('button', { name: EN.assignLicenses, exact: true }).click();
      const dialog = page.getByRole('dialog', { name: EN.assignLicenses });
      const confirm = dialog.getByRole('button', { name: EN.confirmAssign, exact: true });
      assert.equal(await confirm.isDisabled(), true, 'nothing to confirm before a product and its preview');
      await dialog.getByRole('radio', { name: basic.name, exact: true }).check();
      const preview = dialog.getByRole('region', { name: EN.previewTitle });
      await preview.waitFor();
      assert.equal((await preview.getByTestId('preview-members').textContent()).trim(), '3');
      assert.equal((await preview.getByTestId('preview-assign').textContent()).trim(), '2');
      assert.equal((await preview.getByTestId('preview-fail').textContent()).trim(), '1');
      await preview.getByText(EN.licenseErrorCountViolation).waitFor();
      await preview.getByText(`Licenses still needed so every member gets one: 1 of ${basic.name}`, { exact: false }).waitFor();
      await screenshot(page, 'groups-preview');
      await confirm.click();
      await dialog.waitFor({ state: 'hidden' });
      await page.getByTestId('group-license-row').filter({ hasText: basic.name }).waitFor();
      await page.getByTestId('processing-state').filter({ hasText: EN.processingProcessingComplete }).waitFor();

      // The list's filter finds the group: one member is in error.
      await page.getByRole('link', { name: EN.backToGroups }).click();
      await page.getByRole('heading', { level: 1, name: EN.groups }).waitFor();
      await page.getByRole('switch', { name: EN.onlyGroupsWithErrors }).check();
      await page.getByTestId('group-row').filter({ hasText: 'Field sales' }).waitFor();
      // The demo's "Conference organizers" is two seats short too; no other group is listed.
      await page.getByTestId('group-row').filter({ hasText: 'Conference organizers' }).waitFor();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="group-row"]').length === 2);
      await page.getByRole('link', { name: 'Field sales', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Field sales' }).waitFor();

      // Users with license errors: the member past the pool, CountViolation.
      await page.getByRole('tab', { name: EN.usersWithLicenseErrors, exact: true }).click();
      const errorRows = page.getByTestId('license-error-row');
      await errorRows.first().waitFor();
      assert.equal(await errorRows.count(), 1);
      const shortName = (await errorRows.first().getByRole('cell').first().textContent()).trim();
      assert.ok(members.includes(shortName), shortName);
      await errorRows.first().getByText(EN.licenseErrorCountViolation).waitFor();
      await screenshot(page, 'groups-license-errors');

      // Reprocess while the pool is still full: the error stays.
      const reprocess = page.getByRole('button', { name: fill(EN.reprocessNamed, { name: shortName }) });
      await reprocess.click();
      await page.getByText(fill(EN.reprocessed, { name: shortName })).waitFor();
      await errorRows.first().getByText(EN.licenseErrorCountViolation).waitFor();

      // Delete is refused while the group assigns licenses; the reason is shown.
      await page.getByRole('button', { name: EN.deleteGroup, exact: true }).click();
      const del = page.getByRole('alertdialog', { name: EN.deleteGroup });
      await del.getByRole('button', { name: EN.delete, exact: true }).click();
      await del.getByRole('alert').getByText(EN.GroupHasLicenses).waitFor();
      await del.getByRole('button', { name: EN.cancel, exact: true }).click();
      await del.waitFor({ state: 'hidden' });

      // Buy one more license through the API, then Reprocess: the error is gone.
      await buyViaApi(server.url, token, 'BUSINESS_BASIC', 1);
      await page.getByRole('button', { name: fill(EN.reprocessNamed, { name: shortName }) }).click();
      await page.getByText(EN.noLicenseErrors).waitFor();
      assert.equal(await errorRows.count(), 0);

      // Active users: a member's licenses say where they come from.
      const nav = page.getByRole('navigation', { name: EN.adminCenter });
      await nav.getByRole('link', { name: EN.activeUsers, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: EN.activeUsers }).waitFor();
      await page.getByRole('searchbox', { name: EN.searchUsers }).fill(shortName);
      await page.getByRole('button', { name: shortName, exact: true }).click();
      const drawer = page.getByRole('dialog', { name: shortName });
      const row = drawer.getByTestId('user-license-row').filter({ hasText: basic.name });
      await row.getByText(fill(EN.sourceInherited, { group: 'Field sales' })).waitFor();
      await row.getByText(EN.licenseStateActive, { exact: true }).waitFor();
      await drawer.getByRole('listitem').filter({ hasText: 'Field sales' }).waitFor();
      await screenshot(page, 'groups-inherited-license');
      await drawer.getByRole('button', { name: EN.close, exact: true }).click();

      // A user with a direct license reads "Direct".
      const users = (await apiCall(server.url, token, 'GET', '/v1.0/users?$top=100')).json.value;
      const direct = users.find((u) => (u.assignedLicenses ?? []).length > 0 && !members.includes(u.displayName));
      await page.getByRole('searchbox', { name: EN.searchUsers }).fill(direct.displayName);
      await page.getByRole('button', { name: direct.displayName, exact: true }).click();
      await page.getByRole('dialog', { name: direct.displayName }).getByTestId('user-license-row').first().getByText(EN.sourceDirect, { exact: true }).waitFor();
      await page.getByRole('dialog', { name: direct.displayName }).getByRole('button', { name: EN.close, exact: true }).click();

      // Remove the group's license, then a member; the group can then be deleted.
      await openGroups(page, EN);
      await page.getByRole('link', { name: 'Field sales', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Field sales' }).waitFor();
      await page.getByRole('button', { name: fill(EN.removeNamed, { name: members[2] }) }).click();
      await page.getByText(fill(EN.memberRemoved, { name: members[2] })).waitFor();
      assert.equal(await page.getByTestId('member-row').count(), 2);
      await page.getByRole('tab', { name: EN.licenses, exact: true }).click();
      await page.getByRole('button', { name: fill(EN.removeNamed, { name: basic.name }) }).click();
      const rm = page.getByRole('alertdialog', { name: EN.removeLicenses });
      await rm.getByRole('button', { name: EN.remove, exact: true }).click();
      await rm.waitFor({ state: 'hidden' });
      await page.getByText(EN.noGroupLicenses).waitFor();
      await page.getByTestId('processing-state').filter({ hasText: EN.processingProcessingComplete }).waitFor();
      await page.getByRole('button', { name: EN.deleteGroup, exact: true }).click();
      await page.getByRole('alertdialog', { name: EN.deleteGroup }).getByRole('button', { name: EN.delete, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: EN.groups }).waitFor();
      // Only the demo's three groups are left.
      await page.getByTestId('group-row').filter({ hasText: 'All staff' }).waitFor();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="group-row"]').length === 3);
      assert.equal(await page.getByTestId('group-row').filter({ hasText: 'Field sales' }).count(), 0);
      // The group's licenses went with it: the members hold none now.
      const after = (await apiCall(server.url, token, 'GET', '/v1.0/users?$top=100')).json.value;
      for (const n of members) assert.deepEqual(after.find((u) => u.displayName === n).assignedLicenses, [], n);
      assertNoConsoleErrors(b.errors, [400]);
    });
  });

  test('the list pages by @odata.nextLink, searches and creates (de-DE)', async () => {
    // The demo's groups and those the other tests made, plus 25 more.
    const before = await apiCall(server.url, token, 'GET', '/v1.0/groups?$count=true&$top=1');
    assert.equal(before.status, 200, JSON.stringify(before.json));
    const total = before.json['@odata.count'] + 25;
    assert.ok(total > 20 && total <= 40, `total ${total}: more than one page of 20, at most two`);
    for (let i = 1; i <= 25; i++) {
      const n = String(i).padStart(2, '0');
      const r = await apiCall(server.url, token, 'POST', '/v1.0/groups', {
        displayName: `Team ${n}`,
        mailNickname: `team${n}`,
        mailEnabled: false,
        securityEnabled: true,
      });
      assert.equal(r.status, 201, JSON.stringify(r.json));
    }
    await setLanguage(server.url, token, 'de-DE');
    await withBrowser('groups-de-DE', { locale: 'de-DE' }, async (b) => {
      const { page } = b;
      await signIn(page, server.url, DE);
      await openGroups(page, DE);
      const rows = page.getByTestId('group-row');
      await rows.first().waitFor();
      assert.equal(await rows.count(), 20, 'one page of 20');
      await page.getByText(fill(DE.showingOf, { shown: 20, total })).waitFor();
      const more = page.getByRole('button', { name: DE.loadMore, exact: true });
      await more.click();
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="group-row"]').length === n, total);
      await more.waitFor({ state: 'detached' });
      const names = await rows.evaluateAll((els) => els.map((r) => r.querySelector('a').textContent.trim()));
      assert.equal(new Set(names).size, total, 'no group twice across pages');
      await assertAllControlsNamed(page, 'Gruppen');

      await page.getByRole('searchbox', { name: DE.searchGroups }).fill('Team 1');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="group-row"]').length === 10);

      await page.getByRole('searchbox', { name: DE.searchGroups }).fill('');
      await createGroupInUi(page, DE, 'Vertrieb Deutschland', 'Vertriebsteam');
      await page.getByRole('tab', { name: DE.members, exact: true }).waitFor();
      await page.getByText(DE.noMembers).waitFor();
      await addMembersInUi(page, DE, [unlicensed[3]]);
      await page.getByRole('tab', { name: DE.licenses, exact: true }).click();
      await page.getByText(DE.noGroupLicenses).waitFor();
      await page.getByText(DE.processingProcessingComplete).waitFor();
      await screenshot(page, 'groups-de-DE');
      await page.getByRole('link', { name: DE.backToGroups }).click();
      await page.getByRole('searchbox', { name: DE.searchGroups }).fill('Vertrieb');
      await page.getByRole('link', { name: 'Vertrieb Deutschland', exact: true }).waitFor();
      assertNoConsoleErrors(b.errors);
    });
  });

  test('create a group and add a member (zh-TW)', async () => {
    await setLanguage(server.url, token, 'zh-TW');
    await withBrowser('groups-zh-TW', { locale: 'zh-TW' }, async (b) => {
      const { page } = b;
      await signIn(page, server.url, TW);
      await openGroups(page, TW);
      await page.getByRole('button', { name: TW.addGroup, exact: true }).waitFor();
      assert.equal(TW.groups, '群組');
      await createGroupInUi(page, TW, '行銷部', '行銷團隊');
      await addMembersInUi(page, TW, [unlicensed[4]]);
      await page.getByText(fill(TW.membersAdded, { count: 1 })).waitFor();
      // A duplicate name is refused in the admin's language.
      await page.getByRole('link', { name: TW.backToGroups }).click();
      await page.getByRole('button', { name: TW.addGroup, exact: true }).click();
      const dialog = page.getByRole('dialog', { name: TW.addGroup });
      await dialog.getByRole('textbox', { name: TW.groupName, exact: true }).fill('行銷部');
      await dialog.getByRole('textbox', { name: TW.mailNickname }).fill('marketing2');
      await dialog.getByRole('button', { name: TW.add, exact: true }).click();
      await dialog.getByRole('alert').getByText(TW.DisplayNameTaken).waitFor();
      await screenshot(page, 'groups-zh-TW');
      assertNoConsoleErrors(b.errors, [400]);
    });
    await setLanguage(server.url, token, 'en-US');
  });
});
