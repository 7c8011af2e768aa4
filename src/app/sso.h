// Single sign-on by OpenID Connect (issue 17, identity.md, R21): an
// organization's configuration, the start of a sign-in (authorization code
// flow with PKCE S256, state and nonce kept server-side, single use) and its
// end (the code exchanged at the token endpoint, the ID token verified, the
// usual session issued). The rules an ID token must meet are domain/oidc.h;
// this file does the I/O: libcurl for discovery, JWKS and the token call,
// cjose for the signature. Thread-safety: every function may be called from
// any thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/auth.h"
#include "app/context.h"

namespace ld::app {

// How long a started sign-in may take to come back (real time).
constexpr int64_t kOidcRequestLifetimeMs = 10 * 60 * 1000;
// A JWKS is refetched for an unknown kid at most this often per organization.
constexpr int64_t kJwksRefetchIntervalMs = 60 * 1000;
// Outbound calls: connect and total timeouts, and the largest answer read.
constexpr long kOidcConnectTimeoutMs = 5000;
constexpr long kOidcTotalTimeoutMs = 10000;
constexpr size_t kOidcMaxResponseBytes = 1 << 20;

struct SsoSettings {
  std::string issuer, clientId, clientSecret;
  bool enforced = false;
  std::optional<Guid> breakGlassUserId;  // required when enforced
};

// What GET shows (never the secret).
struct SsoView {
  std::string issuer, clientId;
  bool enforced = false;
  std::optional<Guid> breakGlassUserId;
  std::string redirectUri;
  Instant updatedAt = 0;
};

// Global Administrator only (403 otherwise). Reads the issuer's discovery
// document and JWKS and refuses (400 "SsoDiscoveryFailed", naming what
// failed) a configuration it cannot read; 400 "InvalidIssuer" for a non-https
// issuer unless Config::ssoAllowHttp; 400 "InvalidBreakGlassUser" when
// `enforced` names no enabled Global Administrator of the organization.
Result<SsoView> PutSso(Context& ctx, const Actor& actor, const SsoSettings& s,
                       const std::string& redirect_uri);
// 404 SsoNotConfigured when the organization has none.
Result<SsoView> GetSso(Context& ctx, const Actor& actor, const std::string& redirect_uri);
Status DeleteSso(Context& ctx, const Actor& actor);

// The start of a sign-in for a user principal name: the provider's
// authorization URL to send the browser to, or nullopt when the name's
// domain has no single sign-on (the page then asks for the password). Says
// nothing about whether the user exists.
Result<std::optional<std::string>> StartSso(Context& ctx, const std::string& upn,
                                            const std::string& redirect_uri);

// The callback: takes the state (single use, unexpired), exchanges the code,
// verifies the ID token (R21) and issues a session for the user it names,
// who must exist in that organization and be enabled. Every failure is a
// 401 "SsoFailed" whose message names the cause; none yields a session.
Result<IssuedToken> FinishSso(Context& ctx, const std::string& code, const std::string& state,
                              const std::string& redirect_uri);

// signInActivity of these users, keyed by user; users who never signed in
// are absent, and without kReadDirectory only the actor's own is given.
Result<std::map<Guid, SignInActivity>> SignInActivityOf(Context& ctx, const Actor& actor,
                                                        const std::vector<Guid>& users);

// Verifies a compact JWS against a JWK set (JSON text) with cjose: the alg
// must be allowed (domain/oidc.h) and match the key's type; returns the
// payload's JSON text. Used by FinishSso; public for the tests.
Result<std::string> VerifyJws(const std::string& compact, const std::string& jwks_json,
                              bool* unknown_kid = nullptr);

}  // namespace ld::app
