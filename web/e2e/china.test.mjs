// China cloud (the seed's 21Vianet section) in zh-CN: the browser speaks
// Simplified Chinese, so the page does too; the same Add subscriptions flow as
// Germany, in CNY.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sovereignPurchase } from './flows.mjs';
import { assertNoConsoleErrors, labels, withBrowser, screenshot, signIn, startServer } from './helpers.mjs';

const CN = labels('zh-CN');

describe('china (zh-CN)', () => {
  let server;
  before(async () => {
    server = await startServer({ cloud: 'china' });
  });
  after(async () => {
    await server?.stop();
  });

  test('添加订阅 → 购物车 → 结账 → 转到管理主页', async () => {
    await withBrowser('china-flow', { locale: 'zh-CN' }, async (b) => {
      const { page } = b;
      await signIn(page, server.url, CN);
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-Hans-CN');
      await sovereignPurchase(page, CN, { offer: '商业高级版', priceRe: /¥[\d,]+\.\d\d/, annualText: /每年/, zeroTax: '¥0.00' });
      await screenshot(page, 'china-zh-CN-confirmation');
      await page.getByRole('button', { name: CN.goToAdminHome, exact: true }).click();
      await page.getByRole('heading', { level: 2, name: CN.subscriptionsAtGlance }).waitFor();
      assert.equal(new URL(page.url()).pathname, '/');
      assertNoConsoleErrors(b.errors);
    });
  });
});
