// Single sign-on configurations, authorization requests under way, and
// signInActivity (issue 17; migration 0009_sso.sql).
#include <algorithm>

#include "store/sql_tx.h"

namespace ld::store {

using app::OidcRequest;
using app::SignInActivity;
using app::SsoConfig;

namespace {
constexpr const char* kSsoCols =
    "tenant_id, issuer, client_id, client_secret, enforced, break_glass_user_id, "
    "authorization_endpoint, token_endpoint, jwks_uri, jwks, jwks_fetched_at, updated_at";
}  // namespace

std::optional<SsoConfig> SqlTx::FindSsoConfig(const Guid& tenant) {
  auto r =
      Q(c_, std::string("SELECT ") + kSsoCols + " FROM sso_configs WHERE tenant_id = ?", tenant);
  if (!r->Next()) return std::nullopt;
  SsoConfig c;
  c.tenantId = r->Id(0);
  c.issuer = r->Text(1);
  c.clientId = r->Text(2);
  c.clientSecret = r->Text(3);
  c.enforced = r->Int(4) != 0;
  if (!r->IsNull(5)) c.breakGlassUserId = r->Id(5);
  c.authorizationEndpoint = r->Text(6);
  c.tokenEndpoint = r->Text(7);
  c.jwksUri = r->Text(8);
  c.jwks = r->Text(9);
  c.jwksFetchedAt = r->Int(10);
  c.updatedAt = r->Int(11);
  return c;
}

void SqlTx::PutSsoConfig(const SsoConfig& c) {
  X(c_, "DELETE FROM sso_configs WHERE tenant_id = ?", c.tenantId);
  X(c_,
    std::string("INSERT INTO sso_configs (") + kSsoCols +
        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    c.tenantId, c.issuer, c.clientId, c.clientSecret, c.enforced, c.breakGlassUserId,
    c.authorizationEndpoint, c.tokenEndpoint, c.jwksUri, c.jwks, c.jwksFetchedAt, c.updatedAt);
}

void SqlTx::DeleteSsoConfig(const Guid& tenant) {
  X(c_, "DELETE FROM sso_configs WHERE tenant_id = ?", tenant);
}

void SqlTx::UpdateSsoJwks(const Guid& tenant, const std::string& jwks, Instant fetched_at) {
  X(c_, "UPDATE sso_configs SET jwks = ?, jwks_fetched_at = ? WHERE tenant_id = ?", jwks,
    fetched_at, tenant);
}

void SqlTx::InsertOidcRequest(const OidcRequest& o) {
  X(c_,
    "INSERT INTO oidc_requests (state_hash, tenant_id, nonce, code_verifier, created_at, "
    "expires_at) VALUES (?, ?, ?, ?, ?, ?)",
    o.stateHash, o.tenantId, o.nonce, o.codeVerifier, o.createdAt, o.expiresAt);
}

std::optional<OidcRequest> SqlTx::TakeOidcRequest(const std::string& state_hash) {
  auto r = Q(c_,
             "SELECT state_hash, tenant_id, nonce, code_verifier, created_at, expires_at FROM "
             "oidc_requests WHERE state_hash = ?",
             state_hash);
  if (!r->Next()) return std::nullopt;
  OidcRequest o;
  o.stateHash = r->Text(0);
  o.tenantId = r->Id(1);
  o.nonce = r->Text(2);
  o.codeVerifier = r->Text(3);
  o.createdAt = r->Int(4);
  o.expiresAt = r->Int(5);
  r.reset();
  // R21: single use. On PostgreSQL two callbacks racing on one state both
  // read it, but only the one whose DELETE removed the row goes on.
  if (X(c_, "DELETE FROM oidc_requests WHERE state_hash = ?", state_hash) != 1) return std::nullopt;
  return o;
}

int64_t SqlTx::PurgeOidcRequests(Instant before) {
  return X(c_, "DELETE FROM oidc_requests WHERE expires_at < ?", before);
}

void SqlTx::RecordSignIn(const Guid& tenant, const Guid& user, Instant at, bool interactive,
                         int64_t min_interval_ms) {
  const char* col = interactive ? "last_sign_in_at" : "last_non_interactive_at";
  // Only when the stored time is older than the interval: a script signing
  // in every second rewrites nothing.
  int64_t n =
      X(c_,
        std::string("UPDATE sign_in_activity SET ") + col + " = ? WHERE tenant_id = ? AND " +
            "user_id = ? AND (" + col + " IS NULL OR " + col + " < ?)",
        at, tenant, user, at - min_interval_ms);
  if (n > 0) return;
  auto r =
      Q(c_, "SELECT 1 FROM sign_in_activity WHERE tenant_id = ? AND user_id = ?", tenant, user);
  if (r->Next()) return;
  r.reset();
  X(c_,
    std::string("INSERT INTO sign_in_activity (tenant_id, user_id, ") + col +
        ") VALUES (?, ?, ?) ON CONFLICT (tenant_id, user_id) DO NOTHING",
    tenant, user, at);
}

std::vector<SignInActivity> SqlTx::ListSignInActivity(const Guid& tenant,
                                                      const std::vector<Guid>& users) {
  std::vector<SignInActivity> out;
  if (users.empty()) return out;
  Guid lo = *std::min_element(users.begin(), users.end());
  Guid hi = *std::max_element(users.begin(), users.end());
  auto r = Q(c_,
             "SELECT user_id, last_sign_in_at, last_non_interactive_at FROM sign_in_activity "
             "WHERE tenant_id = ? AND user_id >= ? AND user_id <= ? ORDER BY user_id",
             tenant, lo, hi);
  std::vector<Guid> sorted = users;
  std::sort(sorted.begin(), sorted.end());
  while (r->Next()) {
    SignInActivity a;
    a.userId = r->Id(0);
    if (!std::binary_search(sorted.begin(), sorted.end(), a.userId)) continue;
    if (!r->IsNull(1)) a.lastSignIn = r->Int(1);
    if (!r->IsNull(2)) a.lastNonInteractiveSignIn = r->Int(2);
    out.push_back(a);
  }
  return out;
}

}  // namespace ld::store
