// OpenID Connect rules for single sign-on (identity.md, R21), pure: which
// signing algorithms an ID token may use, which claims it must carry and how
// they compare to what the sign-in expected, the issuer URL rule, and the
// PKCE S256 challenge. The signature itself is checked in app/sso.cpp (cjose);
// nothing here does I/O. Thread-safety: every function is pure and reentrant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "domain/result.h"
#include "domain/time.h"

namespace ld::oidc {

// R21: RS256 and ES256 only. "none", every HMAC (HS*) and anything else are
// refused, so neither an unsigned token nor one signed with the client secret
// (a key the client itself knows) is ever accepted.
bool AllowedAlg(std::string_view alg);

// The clock skew allowed on exp and iat.
constexpr int64_t kSkewMs = 2 * 60 * 1000;

// What the relying party expects of one ID token.
struct Expected {
  std::string issuer;    // the configured issuer, exactly
  std::string clientId;  // must be in `aud`; `azp`, when present, must equal it
  std::string nonce;     // the one sent with this sign-in's authorization request
  Instant now = 0;       // real time (never the billing test clock)
};

// The claims the sign-in uses, once checked.
struct Identity {
  std::string subject;   // sub
  std::string username;  // preferred_username, else email (lower-case)
};

// Checks the claims of a signature-verified ID token: iss equals, aud holds
// clientId (a string or an array), azp (if any) equals clientId, exp is in the
// future and iat not in the future (each with kSkewMs), nonce equals, sub is a
// non-empty string, and preferred_username or email names the user. Fails
// with kUnauthorized and a code naming the first check that failed
// ("WrongIssuer", "WrongAudience", "Expired", "IssuedInFuture", "WrongNonce",
// "MissingClaim").
Result<Identity> CheckClaims(const nlohmann::json& claims, const Expected& expected);

// The issuer as a configuration takes it: an absolute http(s) URL without
// query or fragment; http only when `allow_http` (serve --sso-allow-http).
// Returns it without a trailing slash; fails with kInvalid "InvalidIssuer".
Result<std::string> NormalizeIssuer(std::string_view issuer, bool allow_http);

// PKCE (RFC 7636) S256: BASE64URL(SHA-256(verifier)) without padding.
std::string PkceChallenge(std::string_view verifier);

// The domain of a user principal name (lower-case), or nullopt without '@'.
std::optional<std::string> UpnDomain(std::string_view upn);

}  // namespace ld::oidc
