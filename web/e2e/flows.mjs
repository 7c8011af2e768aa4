// Steps shared by the tests, written with the labels of the active locale.
import assert from 'node:assert/strict';

/** Billing → Purchase services → <offer> → Buy → licenses, cycle, auto-assign → Check out now. */
export async function buyOnPurchaseServices(page, L, { offer, quantity, yearly = false, autoAssign = false }) {
  const nav = page.getByRole('navigation', { name: L.adminCenter });
  const billing = nav.getByRole('button', { name: L.billing, exact: true });
  if ((await billing.getAttribute('aria-expanded')) !== 'true') await billing.click();
  await nav.getByRole('link', { name: L.purchaseServices, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: L.purchaseServices }).waitFor();
  const card = page.getByRole('region', { name: offer, exact: true });
  await card.getByRole('button', { name: L.buy, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: offer }).waitFor();
  await page.getByRole('spinbutton', { name: L.licenseCount }).fill(String(quantity));
  await page.getByRole('radio', { name: yearly ? L.payYearly : L.payMonthly, exact: true }).check();
  const auto = page.getByRole('checkbox', { name: L.autoAssign, exact: true });
  if (autoAssign) await auto.check();
  else assert.equal(await auto.isChecked(), false);
  await page.getByRole('button', { name: L.checkOutNow, exact: true }).click();
  const cart = page.getByRole('dialog', { name: L.cart, exact: true });
  await cart.waitFor();
  return cart;
}

/** In the open cart: Check out → Review pricing → Next → Payment information. */
export async function checkOutToPayment(page, L, cart) {
  await cart.getByRole('button', { name: L.checkOut, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: L.reviewPricing }).waitFor();
  for (const k of ['subtotal', 'tax', 'total']) await page.getByText(L[k], { exact: true }).first().waitFor();
  await page.getByRole('button', { name: L.next, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: L.paymentInformation }).waitFor();
}

/**
 * Sovereign clouds (the seed's Germany and 21Vianet sections): Billing →
 * Subscriptions → Add subscriptions → hover → Buy now → licenses, cycle → Add
 * to cart → Check out → Review pricing → Next → Place order → Order confirmation.
 */
export async function sovereignPurchase(page, L, { offer, priceRe, annualText, zeroTax }) {
  const nav = page.getByRole('navigation', { name: L.adminCenter });
  // The sovereign flow has no "Purchase services" entry.
  await nav.getByRole('button', { name: L.billing, exact: true }).click();
  assert.equal(await nav.getByRole('link', { name: L.purchaseServices, exact: true }).count(), 0);
  await nav.getByRole('link', { name: L.subscriptions, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: L.subscriptions }).waitFor();
  await page.getByRole('button', { name: L.addSubscriptions, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: L.addSubscriptions }).waitFor();

  // Purchased offers are marked; prices in the market currency, formatted for the locale.
  await page.getByRole('region').filter({ hasText: L.alreadyPurchased }).first().waitFor();
  const card = page.getByRole('region', { name: offer, exact: true });
  await card.getByText(priceRe).first().waitFor();

  await card.hover();
  await card.getByRole('button', { name: L.buyNow, exact: true }).click();
  const dialog = page.getByRole('dialog', { name: offer });
  await dialog.getByRole('spinbutton', { name: L.licenseCount }).fill('4');
  await dialog.getByRole('radio', { name: L.payYearly, exact: true }).check();
  assert.equal(await dialog.getByRole('checkbox', { name: L.autoAssign }).count(), 0, 'no auto-assign in this flow');
  await dialog.getByRole('button', { name: L.addToCart, exact: true }).click();

  const cart = page.getByRole('dialog', { name: L.cart, exact: true });
  await cart.getByTestId('cart-line').filter({ hasText: offer }).waitFor();
  await cart.getByRole('button', { name: L.checkOut, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: L.reviewPricing }).waitFor();
  const row = page.getByRole('row').filter({ hasText: offer });
  assert.match(await row.textContent(), annualText);
  assert.match(await row.textContent(), /4/);
  for (const k of ['subtotal', 'tax', 'total']) await page.getByText(L[k], { exact: true }).first().waitFor();
  // VAT (19 % in Germany, 6 % in China): tax is not zero.
  assert.notEqual((await page.getByTestId('tax').textContent()).trim(), zeroTax);
  await page.getByRole('button', { name: L.next, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: L.paymentInformation }).waitFor();
  await page.getByRole('radio', { name: /4242/ }).check();
  await page.getByRole('button', { name: L.placeOrder, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: L.orderConfirmation }).waitFor();
}
