// Germany cloud in de-DE (the seed's second section): Abrechnung → Abonnements →
// Abonnements hinzufügen → hover an offer → Jetzt kaufen → licenses and cycle →
// In den Warenkorb → Zur Kasse → Preise prüfen → Weiter → Bestellung aufgeben →
// Bestellbestätigung → Zur Administrator-Startseite. The browser speaks French
// (unsupported), so the page falls back to the cloud's default locale.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sovereignPurchase } from './flows.mjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertNoConsoleErrors, labels, REPO_DIR, withBrowser, screenshot, signIn, startServer } from './helpers.mjs';

const DE = labels('de-DE');
const CATALOG = JSON.parse(readFileSync(join(REPO_DIR, 'catalog', 'catalog.json'), 'utf8'));

describe('germany (de-DE)', () => {
  let server;
  before(async () => {
    server = await startServer({ cloud: 'germany' });
  });
  after(async () => {
    await server?.stop();
  });

  test('add subscriptions → cart → checkout → Zur Administrator-Startseite', async () => {
    await withBrowser('germany-flow', { locale: 'fr-FR' }, async (b) => {
      const { page } = b;
      await page.goto(`${server.url}/signin`);
      await page.getByRole('heading', { level: 1, name: DE.signInTitle }).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'de-DE');
      await signIn(page, server.url, DE);

      // The offers' descriptions are German (the catalog's localizedDescriptions).
      const nav = page.getByRole('navigation', { name: DE.adminCenter });
      await nav.getByRole('button', { name: DE.billing, exact: true }).click();
      await nav.getByRole('link', { name: DE.subscriptions, exact: true }).click();
      await page.getByRole('button', { name: DE.addSubscriptions, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: DE.addSubscriptions }).waitFor();
      const premium = CATALOG.products.find((p) => p.skuPartNumber === 'BUSINESS_PREMIUM');
      const card = page.getByRole('region', { name: premium.localizedNames['de-DE'], exact: true });
      await card.getByText(premium.localizedDescriptions['de-DE'], { exact: true }).waitFor();
      assert.equal(await card.getByText(premium.description).count(), 0, 'no English description');
      const billing = nav.getByRole('button', { name: DE.billing, exact: true });
      if ((await billing.getAttribute('aria-expanded')) === 'true') await billing.click();

      await sovereignPurchase(page, DE, { offer: 'Business Premium', priceRe: /\d+,\d\d\s€/, annualText: /Jährlich/, zeroTax: '0,00 €' });
      await screenshot(page, 'germany-de-DE-confirmation');
      await page.getByRole('button', { name: DE.goToAdminHome, exact: true }).click();
      await page.getByRole('heading', { level: 2, name: DE.subscriptionsAtGlance }).waitFor();
      assert.equal(new URL(page.url()).pathname, '/');
      await screenshot(page, 'germany-de-DE-home');
      assertNoConsoleErrors(b.errors);
    });
  });
});
