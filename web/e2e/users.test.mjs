// Users → Active users: search, paging, and license assign, move and remove for
// several selected users; a product with too few licenses gives a clear message.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAllControlsNamed, apiCall, apiToken, assertNoConsoleErrors, buyViaApi, labels, withBrowser, screenshot, signIn, startServer } from './helpers.mjs';

const L = labels('en-US');

describe('active users (en-US)', () => {
  let server;
  let premium;
  let basic;
  let e3;
  before(async () => {
    server = await startServer({ cloud: 'worldwide' });
    const token = await apiToken(server.url);
    premium = await buyViaApi(server.url, token, 'BUSINESS_PREMIUM', 3);
    basic = await buyViaApi(server.url, token, 'BUSINESS_BASIC', 3);
    e3 = await buyViaApi(server.url, token, 'ENTERPRISE_E3', 1);
  });
  after(async () => {
    await server?.stop();
  });

  test('search, paging, assign, move and remove licenses', async () => {
    await withBrowser('users-licenses', { locale: 'en-US' }, async (b) => {
      const { page } = b;
      await signIn(page, server.url, L);
      const nav = page.getByRole('navigation', { name: L.adminCenter });
      await nav.getByRole('button', { name: L.users, exact: true }).click();
      await nav.getByRole('link', { name: L.activeUsers, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: L.activeUsers }).waitFor();
      const rows = page.getByTestId('user-row');
      await rows.first().waitFor();

      // Paging: the demo has more users than one page (@odata.nextLink → Load more).
      const firstPage = await rows.count();
      const loadMore = page.getByRole('button', { name: L.loadMore, exact: true });
      await loadMore.waitFor();
      await loadMore.click();
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="user-row"]').length > n, firstPage);
      while (await loadMore.isVisible()) {
        const n = await rows.count();
        await loadMore.click();
        await page.waitForFunction((k) => document.querySelectorAll('[data-testid="user-row"]').length > k, n);
      }

      // Everyone without a license, by display name.
      const all = await rows.evaluateAll((els) =>
        els.map((r) => ({ name: r.children[1].firstChild.textContent.trim(), licenses: r.querySelector('[data-testid="user-licenses"]').textContent.trim() })),
      );
      const unlicensed = all.filter((u) => u.licenses === L.unlicensed).map((u) => u.name);
      assert.ok(unlicensed.length >= 3, `need three unlicensed demo users, found ${unlicensed.length}`);
      const [u1, u2, u3] = unlicensed;
      await assertAllControlsNamed(page, 'Active users');

      // Search: startswith(displayName,'…').
      const prefix = u1.slice(0, 3);
      await page.getByRole('searchbox', { name: L.searchUsers }).fill(prefix);
      await page.waitForFunction(
        (p) => [...document.querySelectorAll('[data-testid="user-row"]')].every((r) => r.children[1].textContent.trim().toLowerCase().startsWith(p.toLowerCase())),
        prefix,
      );
      await page.getByRole('cell', { name: u1 }).first().waitFor();
      await page.getByRole('searchbox', { name: L.searchUsers }).fill('');
      await page.getByRole('button', { name: L.loadMore, exact: true }).waitFor();
      while (await loadMore.isVisible()) {
        const n = await rows.count();
        await loadMore.click();
        await page.waitForFunction((k) => document.querySelectorAll('[data-testid="user-row"]').length > k, n);
      }

      const licensesOf = (name) => page.getByTestId('user-row').filter({ has: page.getByRole('checkbox', { name: `Select ${name}`, exact: true }) }).getByTestId('user-licenses');
      const select = async (...names) => {
        for (const n of names) await page.getByRole('checkbox', { name: `Select ${n}`, exact: true }).check();
      };

      // Assign Business Premium to two users at once.
      await select(u1, u2);
      await page.getByRole('button', { name: L.assignLicenses, exact: true }).click();
      let dialog = page.getByRole('dialog', { name: L.assignLicenses });
      await dialog.getByRole('radio', { name: premium.name, exact: true }).check();
      await dialog.getByRole('button', { name: L.assign, exact: true }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.getByText(L.doneForUsers.replace('{{count}}', '2')).waitFor();
      for (const n of [u1, u2]) assert.equal((await licensesOf(n).textContent()).trim(), premium.name);

      // Move both from Business Premium to Business Basic (one assignLicense call per user).
      await page.getByRole('button', { name: L.moveUsers, exact: true }).click();
      dialog = page.getByRole('dialog', { name: L.moveUsers });
      await dialog.getByRole('combobox', { name: L.moveFrom }).selectOption(premium.skuId);
      await dialog.getByRole('combobox', { name: L.moveTo }).selectOption(basic.skuId);
      await dialog.getByRole('button', { name: L.move, exact: true }).click();
      await dialog.waitFor({ state: 'hidden' });
      for (const n of [u1, u2]) await page.waitForFunction(([el, want]) => el.textContent.trim() === want, [await licensesOf(n).elementHandle(), basic.name]);
      await screenshot(page, 'users-moved');

      // Remove the licenses again.
      await page.getByRole('button', { name: L.removeLicenses, exact: true }).click();
      dialog = page.getByRole('dialog', { name: L.removeLicenses });
      await dialog.getByRole('checkbox', { name: basic.name, exact: true }).check();
      await dialog.getByRole('button', { name: L.remove, exact: true }).click();
      await dialog.waitFor({ state: 'hidden' });
      for (const n of [u1, u2]) await page.waitForFunction(([el, want]) => el.textContent.trim() === want, [await licensesOf(n).elementHandle(), L.unlicensed]);

      // Enterprise E3 has one license: assigning it to three users says clearly that licenses are missing.
      await select(u3);
      await page.getByRole('button', { name: L.assignLicenses, exact: true }).click();
      dialog = page.getByRole('dialog', { name: L.assignLicenses });
      await dialog.getByRole('radio', { name: e3.name, exact: true }).check();
      await dialog.getByText(/has only 1 licenses available for 3 users/).waitFor();
      await dialog.getByRole('button', { name: L.assign, exact: true }).click();
      const alert = dialog.getByRole('alert');
      await alert.waitFor();
      const text = await alert.textContent();
      assert.match(text, /licen[cs]e/i, `the refusal names the cause: ${text}`);
      await screenshot(page, 'users-too-few-licenses');
      await dialog.getByRole('button', { name: L.close, exact: true }).click();
      const holders = await Promise.all([u1, u2, u3].map(async (n) => (await licensesOf(n).textContent()).trim()));
      assert.equal(holders.filter((h) => h === e3.name).length, 1, `exactly one user got the only license: ${holders}`);

      // Add a user (POST /v1.0/users) and find them with the search box.
      await page.getByRole('button', { name: L.addUser, exact: true }).click();
      const add = page.getByRole('dialog', { name: L.addUser });
      await add.getByRole('textbox', { name: L.displayName }).fill('Kim Abercrombie');
      assert.equal(await add.getByRole('textbox', { name: L.username }).inputValue(), 'kim.abercrombie');
      await add.getByRole('textbox', { name: L.password, exact: true }).fill('Kim-Abercrombie-1');
      await add.getByRole('button', { name: L.add, exact: true }).click();
      await add.waitFor({ state: 'hidden' });
      await page.getByText(L.userAdded.replace('{{name}}', 'Kim Abercrombie')).waitFor();
      await page.getByRole('searchbox', { name: L.searchUsers }).fill('Kim Ab');
      await page.getByRole('cell', { name: 'kim.abercrombie@contoso.licensedesk.test' }).waitFor();
      assertNoConsoleErrors(b.errors, [400, 409]);
    });
  });

  test('Licenses: who holds a product, assign and unassign from there', async () => {
    await withBrowser('licenses-page', { locale: 'en-US' }, async (b) => {
      const { page } = b;
      await signIn(page, server.url, L);
      const nav = page.getByRole('navigation', { name: L.adminCenter });
      await nav.getByRole('button', { name: L.billing, exact: true }).click();
      await nav.getByRole('link', { name: L.licenses, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: L.licenses }).waitFor();
      await page.getByRole('link', { name: premium.name, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: premium.name }).waitFor();
      await page.getByRole('button', { name: L.assignLicenses, exact: true }).click();
      const dialog = page.getByRole('dialog', { name: L.assignLicenses });
      // Pick someone without any license, found through the dialog's search.
      const group = dialog.getByRole('group', { name: L.usersToAssign });
      await group.getByRole('checkbox').first().waitFor();
      const candidates = await group.getByRole('checkbox', { disabled: false }).evaluateAll((els) =>
        els.map((e) => e.closest('span, div').textContent.trim()),
      );
      assert.ok(candidates.length > 0);
      const who = candidates[candidates.length - 1];
      await dialog.getByRole('searchbox', { name: L.searchUsersShort }).fill(who);
      await group.getByRole('checkbox', { name: who, exact: true }).check();
      await dialog.getByRole('button', { name: L.assign, exact: true }).click();
      await dialog.waitFor({ state: 'hidden' });
      const holder = page.getByTestId('holder-row').filter({ hasText: who });
      await holder.waitFor();
      await screenshot(page, 'licenses-holders');
      await holder.getByRole('checkbox', { name: `Select ${who}`, exact: true }).check();
      await page.getByRole('button', { name: L.removeLicenses, exact: true }).click();
      await holder.waitFor({ state: 'detached' });
      assertNoConsoleErrors(b.errors);
    });
  });

  test('a user without an admin role sees only My licenses', async () => {
    const token = await apiToken(server.url);
    const kim = { upn: 'kim.akers@contoso.licensedesk.test', password: 'Kim-Password-1' };
    const created = await apiCall(server.url, token, 'POST', '/v1.0/users', {
      accountEnabled: true,
      displayName: 'Kim Akers',
      mailNickname: 'kim.akers',
      userPrincipalName: kim.upn,
      passwordProfile: { password: kim.password },
      usageLocation: 'US',
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const assigned = await apiCall(server.url, token, 'POST', `/v1.0/users/${created.json.id}/assignLicense`, {
      addLicenses: [{ skuId: basic.skuId, disabledPlans: [] }],
      removeLicenses: [],
    });
    assert.equal(assigned.status, 200, JSON.stringify(assigned.json));
    await withBrowser('my-licenses', { locale: 'en-US' }, async (b) => {
      const { page } = b;
      await signIn(page, server.url, L, kim);
      await page.getByRole('heading', { level: 1, name: L.myLicenses }).waitFor();
      await page.getByRole('region', { name: basic.skuPartNumber }).waitFor();
      const nav = page.getByRole('navigation', { name: L.adminCenter });
      assert.equal(await nav.getByRole('button', { name: L.billing, exact: true }).count(), 0);
      assert.equal(await page.getByRole('button', { name: L.cart, exact: true }).count(), 0);
      await screenshot(page, 'my-licenses');
      assertNoConsoleErrors(b.errors);
    });
  });
});
