// Worldwide cloud, en-US: the seed's first section from sign-in to Go to Admin
// Home; the cart reopened from the header; a declined card keeps the cart; the
// purchase page at 390 px.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAllControlsNamed, assertNoConsoleErrors, labels, withBrowser, screenshot, signIn, startServer } from './helpers.mjs';
import { buyOnPurchaseServices, checkOutToPayment } from './flows.mjs';

const L = labels('en-US');

describe('worldwide (en-US)', () => {
  let server;
  before(async () => {
    server = await startServer({ cloud: 'worldwide' });
  });
  after(async () => {
    await server?.stop();
  });

  test('purchase services → cart → checkout → Go to Admin Home', async () => {
    await withBrowser('worldwide-flow', { locale: 'en-US' }, async (b) => {
      const { page } = b;
      await signIn(page, server.url, L);
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en-US');

      // The demo organization already owns the Business Standard-like plan: marked as purchased.
      const nav = page.getByRole('navigation', { name: L.adminCenter });
      await nav.getByRole('button', { name: L.billing, exact: true }).click();
      await nav.getByRole('link', { name: L.purchaseServices, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: L.purchaseServices }).waitFor();
      const purchased = page.getByRole('region').filter({ hasText: L.alreadyPurchased });
      await purchased.first().waitFor();
      assert.ok((await purchased.count()) >= 1, 'an offer carries the alreadyPurchased marker');
      // Prices in the market currency (USD in the demo organization).
      await page.getByRole('region', { name: 'Business Basic', exact: true }).getByText(/\$\d+\.\d\d user\/month/).waitFor();
      assert.ok((await assertAllControlsNamed(page, 'Purchase services')) > 10);

      const cart = await buyOnPurchaseServices(page, L, { offer: 'Business Basic', quantity: 3, autoAssign: true });
      await cart.getByText('Business Basic').first().waitFor();
      await checkOutToPayment(page, L, cart);
      await assertAllControlsNamed(page, 'Payment information');
      await page.getByRole('radio', { name: /ending in 4242/ }).check();
      await page.getByRole('button', { name: L.placeOrder, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: L.orderConfirmation }).waitFor();
      const orderNumber = (await page.getByTestId('order-number').textContent())?.trim();
      assert.ok(orderNumber, 'order number shown');
      await page.getByText(/Licenses assigned automatically: \d+/).first().waitFor();
      await screenshot(page, 'worldwide-en-US-confirmation');

      await page.getByRole('button', { name: L.goToAdminHome, exact: true }).click();
      await page.getByRole('heading', { level: 2, name: L.subscriptionsAtGlance }).waitFor();
      assert.equal(new URL(page.url()).pathname, '/');
      await page.getByRole('cell', { name: 'Business Basic', exact: true }).waitFor();
      await assertAllControlsNamed(page, 'Home');
      await screenshot(page, 'worldwide-en-US-home');
      // The cart was ordered: the header shows no item count.
      assert.equal(await page.getByTestId('cart-count').count(), 0);
      assertNoConsoleErrors(b.errors);
    });
  });

  test('cart reopens from the header with the same lines', async () => {
    await withBrowser('worldwide-cart-reopen', { locale: 'en-US' }, async (b) => {
      const { page } = b;
      await signIn(page, server.url, L);
      const cart = await buyOnPurchaseServices(page, L, { offer: 'Enterprise E3', quantity: 7, yearly: true });
      const lines = async (dialog) =>
        dialog.getByTestId('cart-line').evaluateAll((els) => els.map((e) => e.textContent.replace(/\s+/g, ' ').trim()));
      const before = await lines(cart);
      assert.equal(before.length, 1);
      assert.match(before[0], /Enterprise E3/);
      assert.match(before[0], /7/);

      await cart.getByRole('button', { name: L.close, exact: true }).click();
      await cart.waitFor({ state: 'hidden' });
      // The cart lives on the server: a reload (or another device) finds it again.
      await page.reload();
      await page.getByRole('banner').waitFor();
      await page.getByTestId('cart-count').waitFor();
      await page.getByRole('button', { name: L.cart, exact: true }).click();
      const reopened = page.getByRole('dialog', { name: L.cart, exact: true });
      await reopened.getByTestId('cart-line').first().waitFor();
      assert.deepEqual(await lines(reopened), before);
      await screenshot(page, 'worldwide-cart-reopened');
      assertNoConsoleErrors(b.errors);
    });
  });

  test('a declined card says so and keeps the cart', async () => {
    await withBrowser('worldwide-declined', { locale: 'en-US' }, async (b) => {
      const { page } = b;
      await signIn(page, server.url, L);
      // Reopen the newest active cart (left by the previous test, or a new one).
      const cart = await buyOnPurchaseServices(page, L, { offer: 'Business Premium', quantity: 2 });
      const linesBefore = await cart.getByTestId('cart-line').count();
      await checkOutToPayment(page, L, cart);
      await page.getByRole('radio', { name: L.newCard, exact: true }).check();
      await page.getByRole('textbox', { name: L.cardNumber }).fill('4000 0000 0000 0002');
      await page.getByRole('textbox', { name: L.expMonth }).fill('12');
      await page.getByRole('textbox', { name: L.expYear }).fill(String(new Date().getFullYear() + 3));
      await page.getByRole('textbox', { name: L.cvc }).fill('123');
      await page.getByRole('button', { name: L.placeOrder, exact: true }).click();
      const alert = page.getByRole('alert').filter({ hasText: L.paymentDeclined });
      await alert.waitFor();
      assert.match(await alert.textContent(), /declined/i);
      assert.match(await alert.textContent(), /cart is kept/i);
      await page.getByRole('heading', { level: 1, name: L.paymentInformation }).waitFor();
      await screenshot(page, 'worldwide-declined-card');

      // The cart is still active on the server with the same lines.
      await page.getByRole('button', { name: L.cart, exact: true }).click();
      const reopened = page.getByRole('dialog', { name: L.cart, exact: true });
      await reopened.getByTestId('cart-line').first().waitFor();
      assert.equal(await reopened.getByTestId('cart-line').count(), linesBefore);
      await reopened.getByText('Business Premium').first().waitFor();
      assertNoConsoleErrors(b.errors, [402]);
    });
  });

  test('the purchase page holds at 390 px', async () => {
    await withBrowser('worldwide-390px', { locale: 'en-US', width: 390, height: 844 }, async (b) => {
      const { page } = b;
      await signIn(page, server.url, L);
      // Narrow layout: the navigation sits behind the menu button.
      await page.getByRole('button', { name: L.openNavigation }).click();
      const drawerNav = page.getByRole('dialog').getByRole('navigation', { name: L.adminCenter });
      const billing = drawerNav.getByRole('button', { name: L.billing, exact: true });
      if ((await billing.getAttribute('aria-expanded')) !== 'true') await billing.click();
      await drawerNav.getByRole('link', { name: L.purchaseServices, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: L.purchaseServices }).waitFor();
      await page.getByRole('region', { name: 'Business Basic', exact: true }).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px`);
      const box = await page.getByRole('region', { name: 'Business Basic', exact: true }).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 390, 'offer card fits the viewport');
      await screenshot(page, 'worldwide-390px-purchase');
      assertNoConsoleErrors(b.errors);
    });
  });

  test('Bills & payments: orders, invoice PDF, add and delete a card', async () => {
    await withBrowser('worldwide-bills', { locale: 'en-US' }, async (b) => {
      const { page } = b;
      await signIn(page, server.url, L);
      const nav = page.getByRole('navigation', { name: L.adminCenter });
      await nav.getByRole('button', { name: L.billing, exact: true }).click();
      await nav.getByRole('link', { name: L.billsAndPayments, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: L.billsAndPayments }).waitFor();
      // Orders: the demo's own purchase at least.
      await page.getByRole('table', { name: L.orders }).getByRole('row').nth(1).waitFor();
      // Invoices, each with its PDF.
      await page.getByRole('tab', { name: L.invoices, exact: true }).click();
      const pdf = page.getByRole('link', { name: /\(PDF\)$/ }).first();
      await pdf.waitFor();
      const href = await pdf.getAttribute('href');
      assert.match(href, /^\/api\/v1\/invoices\/[^/]+\/pdf$/);
      const res = await page.request.get(`${server.url}${href}`);
      assert.equal(res.status(), 200);
      assert.match(res.headers()['content-type'], /application\/pdf/);
      assert.equal((await res.body()).subarray(0, 5).toString(), '%PDF-');
      // Payment methods: add a Mastercard, then delete it.
      await page.getByRole('tab', { name: L.paymentMethods, exact: true }).click();
      await page.getByRole('button', { name: L.addPaymentMethod, exact: true }).click();
      const dialog = page.getByRole('dialog', { name: L.addPaymentMethod });
      await dialog.getByRole('textbox', { name: L.cardNumber }).fill('5555 5555 5555 4444');
      await dialog.getByRole('textbox', { name: L.expMonth }).fill('11');
      await dialog.getByRole('textbox', { name: L.expYear }).fill(String(new Date().getFullYear() + 2));
      await dialog.getByRole('textbox', { name: L.cvc }).fill('321');
      await dialog.getByRole('button', { name: L.save, exact: true }).click();
      await dialog.waitFor({ state: 'hidden' });
      const card = page.getByTestId('payment-method').filter({ hasText: '4444' });
      await card.waitFor();
      await screenshot(page, 'worldwide-payment-methods');
      await card.getByRole('button', { name: /^Delete .*4444$/ }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: L.delete, exact: true }).click();
      await card.waitFor({ state: 'detached' });
      assertNoConsoleErrors(b.errors);
    });
  });

  test('sign up: create the organization, choose a plan, first purchase with a new card', async (t) => {
    const cfg = await (await fetch(`${server.url}/api/v1/config`)).json();
    if (!cfg.signupEnabled) return t.skip('signup is turned off on this deployment');
    await withBrowser('worldwide-signup', { locale: 'en-US' }, async (b) => {
      const { page } = b;
      await page.goto(`${server.url}/signin`);
      await page.getByRole('link', { name: L.signupLink, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: L.signUpTitle }).waitFor();
      await page.getByRole('textbox', { name: L.organizationName }).fill('Fabrikam Trading');
      await page.getByRole('textbox', { name: L.domainPrefix }).fill('fabrikam');
      await page.getByRole('combobox', { name: L.country }).selectOption('US');
      await page.getByRole('textbox', { name: L.adminName }).fill('Fabrikam Admin');
      await page.getByRole('textbox', { name: L.password, exact: true }).fill('Fabrikam-Pass-1');
      await page.getByRole('textbox', { name: L.confirmPassword }).fill('Fabrikam-Pass-1');
      await page.getByRole('button', { name: L.createOrganization, exact: true }).click();
      // Signed in as the new admin, on the plan choice.
      await page.getByRole('heading', { level: 1, name: L.purchaseServices }).waitFor();
      await page.getByText(L.choosePlan, { exact: true }).waitFor();
      await page.getByText('admin@fabrikam.licensedesk.test').first().waitFor();
      assert.equal(await page.getByRole('region').filter({ hasText: L.alreadyPurchased }).count(), 0);
      const cart = await buyOnPurchaseServices(page, L, { offer: 'Business Standard', quantity: 1, autoAssign: true });
      await checkOutToPayment(page, L, cart);
      await page.getByRole('radio', { name: L.newCard, exact: true }).check();
      await page.getByRole('textbox', { name: L.cardNumber }).fill('4242 4242 4242 4242');
      await page.getByRole('textbox', { name: L.expMonth }).fill('10');
      await page.getByRole('textbox', { name: L.expYear }).fill(String(new Date().getFullYear() + 4));
      await page.getByRole('textbox', { name: L.cvc }).fill('314');
      await page.getByRole('button', { name: L.placeOrder, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: L.orderConfirmation }).waitFor();
      // The new admin holds no license yet: auto-assign gives the one license to them.
      await page.getByText(/Licenses assigned automatically: 1/).first().waitFor();
      await page.getByRole('button', { name: L.goToAdminHome, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Fabrikam Trading' }).waitFor();
      await screenshot(page, 'worldwide-signup-home');
      assertNoConsoleErrors(b.errors);
    });
  });
});

describe('worldwide keyboard only', () => {
  let server;
  before(async () => {
    server = await startServer({ cloud: 'worldwide' });
  });
  after(async () => {
    await server?.stop();
  });

  test('sign in, buy and pay by invoice with the keyboard alone', async () => {
    await withBrowser('worldwide-keyboard', { locale: 'en-US' }, async (b) => {
      const { page } = b;
      const tabTo = async (locator, max = 80) => {
        const target = await locator.elementHandle();
        for (let i = 0; i < max; i++) {
          if (await page.evaluate((t) => document.activeElement === t, target)) return;
          await page.keyboard.press('Tab');
        }
        throw new Error(`could not reach ${locator} with Tab`);
      };
      await page.goto(`${server.url}/signin`);
      await tabTo(page.getByRole('textbox', { name: L.userPrincipalName }));
      await page.keyboard.type('admin@contoso.licensedesk.test');
      // Enter on the user principal name brings the password field, focused.
      await page.keyboard.press('Enter');
      await page.getByRole('textbox', { name: L.password, exact: true }).waitFor();
      await page.waitForFunction(() => document.activeElement?.getAttribute('type') === 'password');
      await page.keyboard.type('Demo-Password-1');
      await page.keyboard.press('Enter');
      await page.getByRole('banner').waitFor();

      const nav = page.getByRole('navigation', { name: L.adminCenter });
      await tabTo(nav.getByRole('button', { name: L.billing, exact: true }));
      await page.keyboard.press('Enter');
      await tabTo(nav.getByRole('link', { name: L.purchaseServices, exact: true }));
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: L.purchaseServices }).waitFor();
      const offer = page.getByRole('region', { name: 'Enterprise E5', exact: true });
      await tabTo(offer.getByRole('button', { name: L.buy, exact: true }));
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Enterprise E5' }).waitFor();
      await tabTo(page.getByRole('spinbutton', { name: L.licenseCount }));
      await page.keyboard.press('Control+A');
      await page.keyboard.type('5');
      await tabTo(page.getByRole('radio', { name: L.payMonthly, exact: true }));
      await page.keyboard.press('ArrowDown');
      assert.equal(await page.getByRole('radio', { name: L.payYearly, exact: true }).isChecked(), true);
      await tabTo(page.getByRole('checkbox', { name: L.autoAssign, exact: true }));
      await page.keyboard.press('Space');
      assert.equal(await page.getByRole('checkbox', { name: L.autoAssign, exact: true }).isChecked(), true);
      await tabTo(page.getByRole('button', { name: L.checkOutNow, exact: true }));
      await page.keyboard.press('Enter');
      const cart = page.getByRole('dialog', { name: L.cart, exact: true });
      await cart.waitFor();
      await tabTo(cart.getByRole('button', { name: L.checkOut, exact: true }));
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: L.reviewPricing }).waitFor();
      await tabTo(page.getByRole('button', { name: L.next, exact: true }));
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: L.paymentInformation }).waitFor();
      // Pay by invoice (the demo organization may): arrow keys within the radio group.
      const invoice = page.getByRole('radio', { name: L.payByInvoice, exact: true });
      await tabTo(page.getByRole('radio', { checked: true }));
      for (let i = 0; i < 6 && !(await invoice.isChecked()); i++) await page.keyboard.press('ArrowDown');
      assert.equal(await invoice.isChecked(), true);
      await screenshot(page, 'worldwide-keyboard-payment');
      await tabTo(page.getByRole('button', { name: L.placeOrder, exact: true }));
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: L.orderConfirmation }).waitFor();
      await page.getByText(L.invoiceDue, { exact: true }).waitFor();
      await tabTo(page.getByRole('button', { name: L.goToAdminHome, exact: true }));
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 2, name: L.subscriptionsAtGlance }).waitFor();
      assertNoConsoleErrors(b.errors);
    });
  });
});
