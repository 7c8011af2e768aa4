// Sign-in, bearer tokens and browser sessions. Secrets are random 256-bit
// values returned once; only their SHA-256 is stored.
#pragma once

#include <string>

#include "app/context.h"

namespace ld::app {

constexpr int64_t kTokenLifetimeMs = 3600 * 1000;        // bearer: 1 hour
constexpr int64_t kSessionLifetimeMs = 8 * 3600 * 1000;  // browser session: 8 hours

struct IssuedToken {
  std::string secret;     // the bearer token or session id (shown once)
  std::string csrfToken;  // sessions only
  int64_t expiresInSeconds = 0;
  Actor actor;
};

// 401 InvalidCredentials on a wrong pair or a disabled account, after one
// argon2id verification on every path (timing does not tell whether the
// account exists); 429 TooManyAttempts (details.retryAfterSeconds) while the
// throttle holds the (account, address) pair back (app/throttle.h); 429
// ServerBusy when every hash slot is taken (never waits for one). `kind` is
// "bearer" or "session".
Result<IssuedToken> SignIn(Context& ctx, const std::string& upn, const std::string& password,
                           const std::string& remote_address, const std::string& kind);

// signInActivity is rewritten at most once a minute per user and kind: a
// script signing in every second costs no extra write (docs/decisions.md).
constexpr int64_t kSignInActivityIntervalMs = 60 * 1000;

// Issues a token or session (`kind` as for SignIn) for a user already
// authenticated by other means (single sign-on, app/sso.h) and records the
// sign-in in signInActivity, in one write transaction. Precondition: the
// user exists and is enabled.
Result<IssuedToken> IssueSignIn(Context& ctx, const User& user, const RoleSet& roles,
                                const std::string& kind);

struct Authenticated {
  Actor actor;
  std::string kind;      // "bearer" | "session"
  std::string csrfHash;  // sessions: SHA-256 of the CSRF token
};
// 401 when the secret is unknown or expired, or the user is gone or disabled.
Result<Authenticated> Authenticate(Context& ctx, const std::string& secret);
bool CsrfMatches(const Authenticated& a, const std::string& csrf_token);
// The CSRF token of an existing session (401 when the session is gone). One
// token per session, derived from its secret: every tab shares it.
Result<std::string> RotateCsrf(Context& ctx, const std::string& session_secret);
std::string CsrfTokenFor(const std::string& session_secret);
Status SignOut(Context& ctx, const std::string& secret);

std::string Sha256Hex(const std::string& data);
std::string RandomToken();  // 256 bits, URL-safe base64

}  // namespace ld::app
