// Billing → Subscriptions and Your products: buy or remove licenses (PATCH
// quantity with an Idempotency-Key; below the licenses in use is refused with
// the translation of the server's error code), recurring billing off and on, cancel and reactivate.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoConsoleErrors, labels, withBrowser, screenshot, signIn, startServer } from './helpers.mjs';

const L = labels('en-US');

describe('subscriptions (en-US)', () => {
  let server;
  before(async () => {
    server = await startServer({ cloud: 'worldwide' });
  });
  after(async () => {
    await server?.stop();
  });

  test('change quantity, recurring billing, cancel and reactivate', async () => {
    await withBrowser('subscriptions', { locale: 'en-US' }, async (b) => {
      const { page } = b;
      await signIn(page, server.url, L);
      const nav = page.getByRole('navigation', { name: L.adminCenter });
      await nav.getByRole('button', { name: L.billing, exact: true }).click();

      // Your products: licenses used and available per product.
      await nav.getByRole('link', { name: L.yourProducts, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: L.yourProducts }).waitFor();
      const product = page.getByRole('row').nth(1);
      await product.waitFor();
      const [name] = (await product.getByRole('cell').first().textContent()).split(/[A-Z_]{6,}/);

      await nav.getByRole('link', { name: L.subscriptions, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: L.subscriptions }).waitFor();
      const card = page.getByTestId('subscription').first();
      await card.waitFor();
      assert.ok((await card.textContent()).includes(name.trim()), 'the subscription of the product');
      await card.getByText(L.nextBilling).waitFor();
      const before = Number((await card.getByTestId('subscription-quantity').textContent()).replace(/\D/g, ''));

      // Buy more licenses.
      await card.getByRole('button', { name: L.changeQuantity, exact: true }).click();
      let dialog = page.getByRole('dialog', { name: L.changeQuantity });
      await dialog.getByRole('spinbutton', { name: L.licenseCount }).fill(String(before + 2));
      const patched = page.waitForRequest((r) => r.method() === 'PATCH' && r.url().includes('/api/v1/subscriptions/'));
      await dialog.getByRole('button', { name: L.save, exact: true }).click();
      const req = await patched;
      assert.ok(req.headers()['idempotency-key'], 'PATCH quantity carries an Idempotency-Key');
      await dialog.waitFor({ state: 'hidden' });
      await page.waitForFunction(
        (n) => document.querySelector('[data-testid="subscription-quantity"]')?.textContent.replace(/\D/g, '') === String(n),
        before + 2,
      );

      // Below the licenses in use: refused, the server's code (LicensesInUse) told in the admin's language.
      await card.getByRole('button', { name: L.changeQuantity, exact: true }).click();
      dialog = page.getByRole('dialog', { name: L.changeQuantity });
      await dialog.getByRole('spinbutton', { name: L.licenseCount }).fill('1');
      await dialog.getByRole('button', { name: L.save, exact: true }).click();
      await dialog.getByRole('alert').waitFor();
      assert.equal((await dialog.getByRole('alert').textContent()).trim(), L.LicensesInUse);
      await dialog.getByRole('button', { name: L.cancel, exact: true }).click();

      // Recurring billing off, and on again.
      const recurring = card.getByRole('switch', { name: L.recurringBilling });
      assert.equal(await recurring.isChecked(), true);
      await recurring.click();
      await page.waitForFunction(() => document.querySelector('[data-testid="subscription"] [role="switch"]')?.checked === false);
      await page.reload();
      await page.getByTestId('subscription').first().waitFor();
      assert.equal(await page.getByTestId('subscription').first().getByRole('switch', { name: L.recurringBilling }).isChecked(), false);
      await page.getByTestId('subscription').first().getByRole('switch', { name: L.recurringBilling }).click();
      await page.waitForFunction(() => document.querySelector('[data-testid="subscription"] [role="switch"]')?.checked === true);

      // Cancel (within 7 days of purchase), then reactivate.
      const sub = page.getByTestId('subscription').first();
      await sub.getByRole('button', { name: L.cancelSubscription, exact: true }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: L.cancelSubscription, exact: true }).click();
      await sub.getByRole('button', { name: L.reactivate, exact: true }).waitFor();
      await screenshot(page, 'subscriptions-cancelled');
      await sub.getByRole('button', { name: L.reactivate, exact: true }).click();
      await sub.getByText(L.statusActive, { exact: true }).waitFor();
      await screenshot(page, 'subscriptions-reactivated');
      assertNoConsoleErrors(b.errors, [400, 409, 422]);
    });
  });
});
