// A real OpenID provider for the single sign-on tests: npm `oidc-provider`
// (a certified implementation) on a free loopback port, with one confidential
// test client and its development login and consent pages. Any login name is
// an account whose preferred_username and email are that name, so a test
// signs in as a licensedesk user by typing its user principal name.
import Provider from 'oidc-provider';
import { freePort } from './helpers.mjs';

/**
 * Starts the provider. `redirectUri`: licensedesk's callback. Returns
 * { issuer, clientId, clientSecret, stop }.
 */
export async function startProvider({ redirectUri }) {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = 'licensedesk-e2e';
  const clientSecret = 'e2e-client-secret-0123456789abcdef';
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'RS256',
      },
    ],
    // PKCE is required by default for every client; licensedesk sends S256.
    features: { devInteractions: { enabled: true } },
    claims: { openid: ['sub'], profile: ['preferred_username', 'name'], email: ['email'] },
    // The profile claims go into the ID token itself (licensedesk reads no userinfo).
    conformIdTokenClaims: false,
    async findAccount(_ctx, id) {
      return {
        accountId: id,
        async claims() {
          return { sub: id, preferred_username: id, email: id, name: id };
        },
      };
    },
  });
  provider.proxy = false;
  const server = provider.listen(port, '127.0.0.1');
  await new Promise((res) => server.once('listening', res));
  return {
    issuer,
    clientId,
    clientSecret,
    stop: () => new Promise((res) => server.close(() => res())),
  };
}
