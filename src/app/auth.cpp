#include "app/auth.h"

#include <sodium.h>

#include "app/directory.h"
#include "app/signup.h"

namespace ld::app {

std::string Sha256Hex(const std::string& data) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  return hex;
}

std::string RandomToken() {
  unsigned char b[32];
  randombytes_buf(b, sizeof b);
  char out[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof out, b, sizeof b, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

namespace {
Error TooMany(int64_t wait_ms) {
  return Error::TooMany("TooManyAttempts", "Too many failed sign-ins. Try again later.", wait_ms);
}
Error BadCredentials() {
  return {ErrorKind::kUnauthorized,
          "InvalidCredentials",
          "The user name or password is incorrect.",
          {},
          nullptr};
}
std::string Lower(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}
}  // namespace

Result<IssuedToken> SignIn(Context& ctx, const std::string& upn_in, const std::string& password,
                           const std::string& remote_address, const std::string& kind) {
  std::string upn = Lower(upn_in);
  Instant now = ctx.SecurityNow();
  // Throttled per (account, address), per account and per address
  // (app/throttle.h); the right password waits like a wrong one.
  if (int64_t wait = ctx.throttle->WaitMs(upn, remote_address, now); wait > 0) return TooMany(wait);
  if (upn.empty() || upn.size() > 256 || password.size() > 256) return BadCredentials();

  std::optional<User> user;
  RoleSet roles;
  bool sso_enforced = false;
  auto at = upn.find('@');
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    if (at == std::string::npos) return Ok();
    auto tenant = tx.FindDomainOwner(upn.substr(at + 1));
    if (!tenant) return Ok();
    user = tx.FindUserByUpn(*tenant, upn);
    if (user) roles = tx.ListRoles(*tenant, user->id);
    // Single sign-on enforced: passwords stop working for everyone but the
    // break-glass Global Administrator (docs/decisions.md).
    if (user) {
      auto sso = tx.FindSsoConfig(*tenant);
      sso_enforced = sso && sso->enforced &&
                     !(sso->breakGlassUserId == user->id && Has(roles, Role::kGlobalAdmin));
    }
    return Ok();
  }));
  // Exactly one argon2id verification on every path (unknown, disabled and
  // password-less accounts verify a dummy), so the time of the answer does
  // not tell which accounts exist. No waiting for a hash slot.
  auto slot = HashSlot::TryAcquire();
  if (!slot) return ServerBusy();
  bool has_hash = user && !user->passwordHash.empty();
  bool right = has_hash ? VerifyPassword(*slot, user->passwordHash, password)
                        : VerifyDummyPassword(*slot, password);
  slot.reset();
  if (!right || !user->accountEnabled) {
    ctx.throttle->Failure(upn, remote_address, now);
    return BadCredentials();
  }
  ctx.throttle->Success(upn, remote_address, now);
  // Said only after the right password, so it tells nothing to a guesser.
  if (sso_enforced)
    return Error{ErrorKind::kForbidden,
                 "SingleSignOnRequired",
                 "This organization signs in with single sign-on; passwords are turned off.",
                 {},
                 nullptr};
  return IssueSignIn(ctx, *user, roles, kind);
}

Result<IssuedToken> IssueSignIn(Context& ctx, const User& u, const RoleSet& roles,
                                const std::string& kind) {
  const Instant now = ctx.SecurityNow();
  const User* user = &u;
  IssuedToken out;
  out.secret = RandomToken();
  TokenRecord rec;
  rec.tokenHash = Sha256Hex(out.secret);
  rec.tenantId = user->tenantId;
  rec.userId = user->id;
  rec.kind = kind == "session" ? "session" : "bearer";
  if (rec.kind == "session") {
    out.csrfToken = CsrfTokenFor(out.secret);
    rec.csrfHash = Sha256Hex(out.csrfToken);
  }
  int64_t life = rec.kind == "session" ? kSessionLifetimeMs : kTokenLifetimeMs;
  rec.createdAt = now;
  rec.expiresAt = now + life;
  out.expiresInSeconds = life / 1000;
  out.actor = Actor{user->tenantId, user->id, roles};
  // signInActivity in the same transaction as the token: no extra commit.
  // Every sign-in is lastSignIn; a bearer token (scripts) is also
  // lastNonInteractiveSignIn.
  LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
    tx.InsertToken(rec);
    tx.RecordSignIn(user->tenantId, user->id, now, true, kSignInActivityIntervalMs);
    if (rec.kind == "bearer")
      tx.RecordSignIn(user->tenantId, user->id, now, false, kSignInActivityIntervalMs);
    return Ok();
  }));
  return out;
}

Result<Authenticated> Authenticate(Context& ctx, const std::string& secret) {
  Error unauth{ErrorKind::kUnauthorized,
               "InvalidAuthenticationToken",
               "The access token is missing, invalid or expired.",
               {},
               nullptr};
  if (secret.empty() || secret.size() > 512) return unauth;
  std::string hash = Sha256Hex(secret);
  Authenticated out;
  bool found = false;
  Instant now = ctx.SecurityNow();
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    auto s = tx.FindSignedIn(hash);
    if (!s || s->token.expiresAt <= now || !s->accountEnabled) return Ok();
    const TokenRecord& t = s->token;
    out.actor = Actor{t.tenantId, t.userId, std::move(s->roles)};
    out.kind = t.kind;
    out.csrfHash = t.csrfHash;
    found = true;
    return Ok();
  }));
  if (!found) return unauth;
  return out;
}

bool CsrfMatches(const Authenticated& a, const std::string& csrf_token) {
  if (a.kind != "session") return true;
  if (csrf_token.empty() || a.csrfHash.empty()) return false;
  std::string h = Sha256Hex(csrf_token);
  return h.size() == a.csrfHash.size() && sodium_memcmp(h.data(), a.csrfHash.data(), h.size()) == 0;
}

std::string CsrfTokenFor(const std::string& session_secret) {
  // Derived from the session secret (which only the HttpOnly cookie holds), so
  // every tab of one session shares one CSRF token and nothing more is stored.
  unsigned char h[crypto_hash_sha256_BYTES];
  std::string in = "licensedesk-csrf:" + session_secret;
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(in.data()), in.size());
  char out[sodium_base64_ENCODED_LEN(sizeof h, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof out, h, sizeof h, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

Result<std::string> RotateCsrf(Context& ctx, const std::string& session_secret) {
  LD_ASSIGN_OR_RETURN(Authenticated a, Authenticate(ctx, session_secret));
  if (a.kind != "session") {
    return Error{ErrorKind::kUnauthorized,
                 "InvalidAuthenticationToken",
                 "The session is missing or expired.",
                 {},
                 nullptr};
  }
  return CsrfTokenFor(session_secret);
}

Status SignOut(Context& ctx, const std::string& secret) {
  std::string hash = Sha256Hex(secret);
  return ctx.store.Write([&](Tx& tx) -> Status {
    tx.DeleteToken(hash);
    return Ok();
  });
}

}  // namespace ld::app
