#include "domain/oidc.h"

#include <sodium.h>

namespace ld::oidc {

namespace {

Error Refused(std::string code, std::string message) {
  return {ErrorKind::kUnauthorized, std::move(code), std::move(message), {}, nullptr};
}

std::string Lower(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// A NumericDate (seconds, possibly fractional) in milliseconds; nullopt when
// the claim is missing or not a number.
std::optional<Instant> Seconds(const nlohmann::json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end() || !it->is_number()) return std::nullopt;
  double s = it->get<double>();
  if (!(s > -1e12 && s < 1e12)) return std::nullopt;
  return static_cast<Instant>(s * 1000.0);
}

std::optional<std::string> String(const nlohmann::json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

bool AllowedAlg(std::string_view alg) {
  return alg == "RS256" || alg == "ES256";
}

Result<Identity> CheckClaims(const nlohmann::json& claims, const Expected& e) {
  if (!claims.is_object()) return Refused("MissingClaim", "The ID token has no claims.");
  if (e.issuer.empty() || String(claims, "iss") != e.issuer)
    return Refused("WrongIssuer", "The ID token was issued by another issuer.");
  bool audience = false;
  if (auto aud = claims.find("aud"); aud != claims.end()) {
    if (aud->is_string()) audience = *aud == e.clientId;
    if (aud->is_array())
      for (const auto& a : *aud)
        if (a.is_string() && a == e.clientId) audience = true;
  }
  if (auto azp = claims.find("azp");
      azp != claims.end() && !(azp->is_string() && *azp == e.clientId))
    audience = false;
  if (e.clientId.empty() || !audience)
    return Refused("WrongAudience", "The ID token is meant for another client.");
  auto exp = Seconds(claims, "exp");
  if (!exp || *exp + kSkewMs <= e.now) return Refused("Expired", "The ID token has expired.");
  auto iat = Seconds(claims, "iat");
  if (!iat || *iat - kSkewMs > e.now)
    return Refused("IssuedInFuture", "The ID token's issue time is missing or in the future.");
  auto nonce = String(claims, "nonce");
  if (e.nonce.empty() || !nonce || nonce->size() != e.nonce.size() ||
      sodium_memcmp(nonce->data(), e.nonce.data(), nonce->size()) != 0)
    return Refused("WrongNonce", "The ID token does not belong to this sign-in.");
  Identity out;
  auto sub = String(claims, "sub");
  if (!sub || sub->empty()) return Refused("MissingClaim", "The ID token has no subject.");
  out.subject = *sub;
  auto name = String(claims, "preferred_username");
  if (!name || name->empty()) name = String(claims, "email");
  if (!name || name->empty() || name->size() > 256)
    return Refused("MissingClaim", "The ID token names no user (preferred_username or email).");
  out.username = Lower(*name);
  return out;
}

Result<std::string> NormalizeIssuer(std::string_view issuer, bool allow_http) {
  auto bad = [&](const std::string& why) {
    return Error::Invalid("InvalidIssuer", "issuer " + why, "issuer");
  };
  std::string s(issuer);
  if (s.size() > 2048) return bad("is too long.");
  bool https = s.rfind("https://", 0) == 0, http = s.rfind("http://", 0) == 0;
  if (!https && !http) return bad("must be an https URL.");
  if (http && !allow_http)
    return bad("must use https (the server was not started with --sso-allow-http).");
  for (char c : s)
    if (static_cast<unsigned char>(c) <= 0x20 || c == '?' || c == '#' || c == '\\' || c == 0x7f)
      return bad("must be a URL without spaces, query or fragment.");
  std::string rest = s.substr(https ? 8 : 7);
  std::string host = rest.substr(0, rest.find('/'));
  if (host.empty() || host.find('@') != std::string::npos)
    return bad("must name a host (and no user).");
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

std::string PkceChallenge(std::string_view verifier) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size());
  char out[sodium_base64_ENCODED_LEN(sizeof h, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof out, h, sizeof h, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

std::optional<std::string> UpnDomain(std::string_view upn) {
  auto at = upn.rfind('@');
  if (at == std::string_view::npos || at + 1 >= upn.size()) return std::nullopt;
  return Lower(std::string(upn.substr(at + 1)));
}

}  // namespace ld::oidc
