// Worldwide cloud in zh-TW (the corrected labels 立即結帳 and 結帳): the language
// switch stores preferredLanguage on the user (PATCH /v1.0/me), a fresh
// browser with another language comes back in zh-TW, then the whole purchase
// from sign-in to 移至系統管理首頁.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN, apiCall, apiToken, assertNoConsoleErrors, labels, REPO_DIR, withBrowser, screenshot, signIn, startServer } from './helpers.mjs';
import { buyOnPurchaseServices, checkOutToPayment } from './flows.mjs';

const EN = labels('en-US');
const TW = labels('zh-TW');
const CATALOG = JSON.parse(readFileSync(join(REPO_DIR, 'catalog', 'catalog.json'), 'utf8'));
const product = (part) => CATALOG.products.find((p) => p.skuPartNumber === part);

describe('worldwide (zh-TW)', () => {
  let server;
  before(async () => {
    server = await startServer({ cloud: 'worldwide' });
  });
  after(async () => {
    await server?.stop();
  });

  test('language switch is remembered per user', async () => {
    await withBrowser('zh-TW-language', { locale: 'en-US' }, async (b) => {
      const { page } = b;
      await signIn(page, server.url, EN);
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en-US');
      const patched = page.waitForResponse((r) => r.url().endsWith('/v1.0/me') && r.request().method() === 'PATCH');
      await page.getByRole('button', { name: EN.language, exact: true }).click();
      await page.getByRole('menuitemradio', { name: '中文 (台灣)' }).click();
      const res = await patched;
      assert.ok(res.ok(), `PATCH /v1.0/me answered ${res.status()}`);
      assert.deepEqual(JSON.parse(res.request().postData()), { preferredLanguage: 'zh-TW' });
      await page.getByRole('navigation', { name: TW.adminCenter }).getByRole('link', { name: TW.home, exact: true }).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-Hant-TW');
      assertNoConsoleErrors(b.errors);
    });
    const token = await apiToken(server.url);
    const me = await apiCall(server.url, token, 'GET', '/v1.0/me');
    assert.equal(me.json.preferredLanguage, 'zh-TW');
  });

  test('purchase flow in zh-TW from sign-in to 移至系統管理首頁', async () => {
    // A browser that prefers English: the user's stored preferredLanguage wins.
    await withBrowser('zh-TW-flow', { locale: 'en-US' }, async (b) => {
      const { page } = b;
      await signIn(page, server.url, EN);
      await page.getByRole('navigation', { name: TW.adminCenter }).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-Hant-TW');

      const cart = await buyOnPurchaseServices(page, TW, { offer: '商務進階版', quantity: 2, yearly: true, autoAssign: true });
      await cart.getByText('商務進階版').first().waitFor();
      await checkOutToPayment(page, TW, cart);
      // Amounts formatted with Intl in zh-TW (US$ for the USD market).
      const total = (await page.getByText(/US\$[\d,]+\.\d\d/).first().textContent())?.trim();
      assert.ok(total, 'a total in zh-TW formatting');
      await page.getByRole('button', { name: TW.placeOrder, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: TW.orderConfirmation }).waitFor();
      await page.getByTestId('order-number').waitFor();
      await screenshot(page, 'worldwide-zh-TW-confirmation');
      await page.getByRole('button', { name: TW.goToAdminHome, exact: true }).click();
      await page.getByRole('heading', { level: 2, name: TW.subscriptionsAtGlance }).waitFor();
      assert.equal(new URL(page.url()).pathname, '/');
      await screenshot(page, 'worldwide-zh-TW-home');
      assertNoConsoleErrors(b.errors);
    });
  });

  test('offer descriptions and server errors are in zh-TW', async () => {
    await withBrowser('zh-TW-texts', { locale: 'zh-TW' }, async (b) => {
      const { page } = b;
      // A refused sign-in: the server's code (InvalidCredentials) in zh-TW, not its English message.
      await page.goto(`${server.url}/signin`);
      await page.getByRole('textbox', { name: TW.userPrincipalName }).fill(ADMIN.upn);
      await page.getByRole('button', { name: TW.next, exact: true }).click();
      await page.getByRole('textbox', { name: TW.password, exact: true }).fill('not-the-password');
      await page.getByRole('button', { name: TW.signIn, exact: true }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      assert.equal((await alert.textContent()).trim(), TW.InvalidCredentials);

      await signIn(page, server.url, TW);
      const nav = page.getByRole('navigation', { name: TW.adminCenter });
      await nav.getByRole('button', { name: TW.billing, exact: true }).click();
      await nav.getByRole('link', { name: TW.purchaseServices, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: TW.purchaseServices }).waitFor();
      for (const part of ['BUSINESS_BASIC', 'ENTERPRISE_E3', 'PHONE_SYSTEM']) {
        const p = product(part);
        const card = page.getByRole('region', { name: p.localizedNames['zh-TW'], exact: true });
        await card.getByText(p.localizedDescriptions['zh-TW'], { exact: true }).waitFor();
        assert.equal(await card.getByText(p.description).count(), 0, `${part}: no English description`);
      }
      assertNoConsoleErrors(b.errors, [401]);
    });
  });
});
