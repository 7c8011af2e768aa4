// Single sign-on end to end (issue 17): a real OpenID provider (npm
// oidc-provider, e2e/oidc-provider.mjs) on a free loopback port, licensedesk
// started with --sso-allow-http and configured through the API, then the
// whole sign-in in Chromium: the user principal name first, the provider's
// login page, its consent page, and back in the admin center signed in, in
// two locales. A name the provider vouches for but licensedesk does not know
// ends back on the sign-in page with no session. The forged-token cases
// (tampered signature, alg none, HMAC, wrong aud or iss, expired, reused
// state, wrong nonce, disabled user) are src/http/sso_test.cpp.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, apiCall, apiToken, assertNoConsoleErrors, labels, withBrowser, screenshot, startServer } from './helpers.mjs';
import { startProvider } from './oidc-provider.mjs';

async function providerSignIn(page, login) {
  // The provider's development pages: a login form, then consent.
  await page.locator('input[name="login"]').waitFor();
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any-password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  const consent = page.getByRole('button', { name: 'Continue' });
  await consent.waitFor({ timeout: 10_000 }).then(
    () => consent.click(),
    () => {},
  );
}

describe('single sign-on with a real OpenID provider', () => {
  let server;
  let idp;
  before(async () => {
    server = await startServer({ cloud: 'worldwide', extraArgs: ['--sso-allow-http'] });
    idp = await startProvider({ redirectUri: `${server.url}/api/v1/auth/oidc/callback` });
    const token = await apiToken(server.url);
    const put = await apiCall(server.url, token, 'PUT', '/api/v1/organization/sso', {
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      enforced: false,
    });
    assert.equal(put.status, 200, JSON.stringify(put.json ?? put));
    assert.equal(put.json.redirectUri, `${server.url}/api/v1/auth/oidc/callback`);
  });
  after(async () => {
    await idp?.stop();
    await server?.stop();
  });

  for (const locale of ['en-US', 'de-DE']) {
    test(`UPN first, the provider's pages, back signed in (${locale})`, async () => {
      const L = labels(locale);
      await withBrowser(`sso-${locale}`, { locale }, async (b) => {
        const { page } = b;
        // The provider's pages import a web font; nothing leaves the machine.
        await page.route(/fonts\.googleapis\.com/, (r) => r.abort());
        await page.goto(`${server.url}/signin`);
        await page.getByRole('textbox', { name: L.userPrincipalName }).fill(ADMIN.upn);
        await page.getByRole('button', { name: L.next, exact: true }).click();
        await page.waitForURL((u) => u.origin === idp.issuer);
        assert.equal(await page.getByRole('textbox', { name: L.password, exact: true }).count(), 0);
        await providerSignIn(page, ADMIN.upn);
        await page.waitForURL((u) => u.origin === server.url && !u.pathname.startsWith('/api/'));
        await page.getByRole('banner').waitFor();
        assert.equal(await page.evaluate(() => document.documentElement.lang), locale);
        await screenshot(page, `sso-signed-in-${locale}`);
        // The session is the usual one: the API answers with the cookie.
        const me = await page.evaluate(async () => (await fetch('/api/v1/auth/session')).status);
        assert.equal(me, 200);
        assertNoConsoleErrors(b.errors.filter((e) => !/fonts\.googleapis|ERR_FAILED/.test(e)));
      });
    });
  }

  test('a user licensedesk does not know gets no session', async () => {
    const L = labels('en-US');
    await withBrowser('sso-unknown', { locale: 'en-US' }, async (b) => {
      const { page } = b;
      await page.route(/fonts\.googleapis\.com/, (r) => r.abort());
      await page.goto(`${server.url}/signin`);
      await page.getByRole('textbox', { name: L.userPrincipalName }).fill('nobody@contoso.licensedesk.test');
      await page.getByRole('button', { name: L.next, exact: true }).click();
      await page.waitForURL((u) => u.origin === idp.issuer);
      await providerSignIn(page, 'nobody@contoso.licensedesk.test');
      await page.waitForURL((u) => u.origin === server.url && u.pathname === '/signin');
      await page.getByText(L.ssoSignInFailed).waitFor();
      const me = await page.evaluate(async () => (await fetch('/api/v1/auth/session')).status);
      assert.equal(me, 401);
    });
  });

  test('a domain without single sign-on asks for the password', async () => {
    const L = labels('en-US');
    const token = await apiToken(server.url);
    const off = await apiCall(server.url, token, 'DELETE', '/api/v1/organization/sso');
    assert.equal(off.status, 204);
    await withBrowser('sso-off', { locale: 'en-US' }, async (b) => {
      const { page } = b;
      await page.goto(`${server.url}/signin`);
      await page.getByRole('textbox', { name: L.userPrincipalName }).fill(ADMIN.upn);
      await page.getByRole('button', { name: L.next, exact: true }).click();
      await page.getByRole('textbox', { name: L.password, exact: true }).fill(ADMIN.password);
      await page.getByRole('button', { name: L.signIn, exact: true }).click();
      await page.getByRole('banner').waitFor();
    });
  });
});
