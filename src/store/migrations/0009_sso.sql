-- Single sign-on by OpenID Connect (issue 17, identity.md) and signInActivity.

-- One configuration per organization. The client secret is kept as given
-- (the repository has no secret-encryption facility yet; docs/decisions.md)
-- and never returned by the API. The discovered endpoints and the JWKS are
-- cached with it; the JWKS is refetched when a token names an unknown kid.
CREATE TABLE sso_configs (
  tenant_id BYTEA PRIMARY KEY,
  issuer TEXT NOT NULL,
  client_id TEXT NOT NULL,
  client_secret TEXT NOT NULL,
  enforced INTEGER NOT NULL,
  break_glass_user_id BYTEA,
  authorization_endpoint TEXT NOT NULL,
  token_endpoint TEXT NOT NULL,
  jwks_uri TEXT NOT NULL,
  jwks TEXT NOT NULL,
  jwks_fetched_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- Sign-ins under way: the state (stored as its SHA-256), the nonce and the
-- PKCE verifier of one authorization request. Single use (deleted when the
-- callback takes it) and short-lived (expires_at, real time).
CREATE TABLE oidc_requests (
  state_hash TEXT PRIMARY KEY,
  tenant_id BYTEA NOT NULL,
  nonce TEXT NOT NULL,
  code_verifier TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX oidc_requests_expiry ON oidc_requests(expires_at);

-- Graph's signInActivity (real time, never the billing test clock). A row
-- per user who ever signed in.
CREATE TABLE sign_in_activity (
  tenant_id BYTEA NOT NULL,
  user_id BYTEA NOT NULL,
  last_sign_in_at BIGINT,
  last_non_interactive_at BIGINT,
  PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX sign_in_activity_last ON sign_in_activity(tenant_id, last_sign_in_at);
