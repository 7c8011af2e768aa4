#include "app/sso.h"

#include <cjose/cjose.h>
#include <curl/curl.h>

#include <sodium.h>

#include <cstring>
#include <memory>
#include <mutex>

#include "domain/oidc.h"

namespace ld::app {

namespace {

using nlohmann::json;

Error SsoFailed(std::string why) {
  return {ErrorKind::kUnauthorized, "SsoFailed", "Single sign-on failed: " + why, {}, nullptr};
}
Error Discovery(std::string why) {
  return Error::Invalid("SsoDiscoveryFailed", "The identity provider could not be read: " + why,
                        "issuer");
}

// ---- outbound HTTP (libcurl) ----

struct HttpAnswer {
  long status = 0;
  std::string body;
};

size_t Collect(char* data, size_t size, size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  if (out->size() + size * n > kOidcMaxResponseBytes) return 0;  // size cap: abort
  out->append(data, size * n);
  return size * n;
}

void CurlInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// One GET or form POST. TLS verification stays on (libcurl's default, set
// explicitly); no redirects are followed (a provider's endpoints are named by
// its discovery document); http:// only when the deployment allows it.
Result<HttpAnswer> Fetch(const Context& ctx, const std::string& url,
                         const std::string* form = nullptr,
                         const std::string* authorization = nullptr) {
  CurlInitOnce();
  std::unique_ptr<CURL, void (*)(CURL*)> h(curl_easy_init(), curl_easy_cleanup);
  if (!h) return Error::Unavailable("libcurl could not start.");
  HttpAnswer a;
  CURL* c = h.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, ctx.config.ssoAllowHttp ? "http,https" : "https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, kOidcConnectTimeoutMs);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, kOidcTotalTimeoutMs);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(kOidcMaxResponseBytes));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &a.body);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "licensedesk");
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(nullptr, curl_slist_free_all);
  curl_slist* list = curl_slist_append(nullptr, "Accept: application/json");
  if (authorization) list = curl_slist_append(list, ("Authorization: " + *authorization).c_str());
  headers.reset(list);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  if (form) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, form->c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(form->size()));
  }
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK)
    return Error::Unavailable(std::string(curl_easy_strerror(rc)) + " (" + url + ")");
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a.status);
  return a;
}

// RFC 3986 percent-encoding of everything but the unreserved characters,
// by libcurl (a NULL handle is allowed since 7.82).
std::string Escape(const std::string& s) {
  std::unique_ptr<char, decltype(&curl_free)> e(
      curl_easy_escape(nullptr, s.data(), static_cast<int>(s.size())), curl_free);
  return e ? std::string(e.get()) : std::string();
}

std::string Base64(const std::string& s) {
  std::string out(sodium_base64_ENCODED_LEN(s.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(s.data()),
                    s.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

Result<json> FetchJson(const Context& ctx, const std::string& url, const char* what) {
  auto a = Fetch(ctx, url);
  if (!a.ok()) return Discovery(std::string(what) + ": " + a.error().message);
  if (a->status != 200)
    return Discovery(std::string(what) + " answered HTTP " + std::to_string(a->status) + " (" +
                     url + ")");
  json j = json::parse(a->body, nullptr, false);
  if (!j.is_object()) return Discovery(std::string(what) + " is not a JSON object (" + url + ")");
  return j;
}

std::string Str(const json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool IsHttpUrl(const std::string& u, bool allow_http) {
  return u.rfind("https://", 0) == 0 || (allow_http && u.rfind("http://", 0) == 0);
}

// Discovery and JWKS of an issuer into `c` (endpoints, jwks).
Status Discover(const Context& ctx, const std::string& issuer, SsoConfig& c) {
  LD_ASSIGN_OR_RETURN(json d, FetchJson(ctx, issuer + "/.well-known/openid-configuration",
                                        "the discovery document"));
  std::string named = Str(d, "issuer");
  // OpenID Connect Discovery 1.0 §4.3: the document's issuer is the one
  // configured; the ID tokens' iss is then compared to it exactly.
  if (named != issuer && named != issuer + "/")
    return Discovery("its discovery document names the issuer '" + named + "'");
  c.issuer = named;
  c.authorizationEndpoint = Str(d, "authorization_endpoint");
  c.tokenEndpoint = Str(d, "token_endpoint");
  c.jwksUri = Str(d, "jwks_uri");
  bool allow_http = ctx.config.ssoAllowHttp;
  if (!IsHttpUrl(c.authorizationEndpoint, allow_http) || !IsHttpUrl(c.tokenEndpoint, allow_http) ||
      !IsHttpUrl(c.jwksUri, allow_http))
    return Discovery("its discovery document lacks usable endpoints");
  LD_ASSIGN_OR_RETURN(json keys, FetchJson(ctx, c.jwksUri, "the JWKS"));
  if (!keys.contains("keys") || !keys["keys"].is_array() || keys["keys"].empty())
    return Discovery("its JWKS holds no keys");
  c.jwks = keys.dump();
  c.jwksFetchedAt = ctx.SecurityNow();
  return Ok();
}

Status RequireGlobalAdmin(const Actor& a) {
  if (!Has(a.roles, Role::kGlobalAdmin))
    return Error::Forbidden("Only a Global Administrator may configure single sign-on.");
  return Ok();
}

SsoView View(const SsoConfig& c, const std::string& redirect_uri) {
  return {.issuer = c.issuer,
          .clientId = c.clientId,
          .enforced = c.enforced,
          .breakGlassUserId = c.breakGlassUserId,
          .redirectUri = redirect_uri,
          .updatedAt = c.updatedAt};
}

struct JwkDeleter {
  void operator()(cjose_jwk_t* k) const { cjose_jwk_release(k); }
};
struct JwsDeleter {
  void operator()(cjose_jws_t* j) const { cjose_jws_release(j); }
};

}  // namespace

Result<std::string> VerifyJws(const std::string& compact, const std::string& jwks_json,
                              bool* unknown_kid) {
  if (unknown_kid) *unknown_kid = false;
  cjose_err err;
  if (compact.size() > 64 * 1024) return SsoFailed("the ID token is too large.");
  std::unique_ptr<cjose_jws_t, JwsDeleter> jws(
      cjose_jws_import(compact.data(), compact.size(), &err));
  if (!jws) return SsoFailed("the ID token is not a signed JWT.");
  cjose_header_t* hdr = cjose_jws_get_protected(jws.get());
  const char* alg_c = hdr ? cjose_header_get(hdr, CJOSE_HDR_ALG, &err) : nullptr;
  std::string alg = alg_c ? alg_c : "";
  // R21: RS256 and ES256 only; "none" and HMAC (the client secret) never.
  if (!oidc::AllowedAlg(alg))
    return SsoFailed("the ID token's algorithm '" + alg + "' is refused.");
  const char* kid_c = hdr ? cjose_header_get(hdr, CJOSE_HDR_KID, &err) : nullptr;
  std::string kid = kid_c ? kid_c : "";
  json set = json::parse(jwks_json, nullptr, false);
  if (!set.is_object() || !set.contains("keys") || !set["keys"].is_array())
    return SsoFailed("the provider's keys are unreadable.");
  bool kid_seen = false;
  for (const auto& k : set["keys"]) {
    if (!k.is_object()) continue;
    if (!kid.empty() && Str(k, "kid") != kid) continue;
    kid_seen = true;
    std::string use = Str(k, "use"), kalg = Str(k, "alg"), kty = Str(k, "kty");
    if (!use.empty() && use != "sig") continue;
    if (!kalg.empty() && kalg != alg) continue;
    // The key's type must fit the algorithm: an RSA key for RS256, a P-256
    // key for ES256, never a symmetric one.
    if ((alg == "RS256" && kty != "RSA") || (alg == "ES256" && kty != "EC")) continue;
    std::string text = k.dump();
    std::unique_ptr<cjose_jwk_t, JwkDeleter> jwk(cjose_jwk_import(text.data(), text.size(), &err));
    if (!jwk) continue;
    cjose_jwk_kty_t t = cjose_jwk_get_kty(jwk.get(), &err);
    if (alg == "RS256" && t != CJOSE_JWK_KTY_RSA) continue;
    if (alg == "ES256" &&
        (t != CJOSE_JWK_KTY_EC || cjose_jwk_EC_get_curve(jwk.get(), &err) != CJOSE_JWK_EC_P_256))
      continue;
    if (!cjose_jws_verify(jws.get(), jwk.get(), &err)) continue;
    uint8_t* plain = nullptr;
    size_t plain_len = 0;
    if (!cjose_jws_get_plaintext(jws.get(), &plain, &plain_len, &err))
      return SsoFailed("the ID token has no payload.");
    return std::string(reinterpret_cast<const char*>(plain), plain_len);
  }
  if (!kid_seen && unknown_kid) *unknown_kid = true;
  return SsoFailed("the ID token's signature does not verify.");
}

Result<std::map<Guid, SignInActivity>> SignInActivityOf(Context& ctx, const Actor& actor,
                                                        const std::vector<Guid>& users) {
  // Directory readers see everyone's; any user sees their own (/me).
  const bool all = Allows(actor.roles, Permission::kReadDirectory);
  std::map<Guid, SignInActivity> out;
  if (users.empty()) return out;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    for (auto& a : tx.ListSignInActivity(actor.tenantId, users))
      if (all || a.userId == actor.userId) out[a.userId] = a;
    return Ok();
  }));
  return out;
}

Result<SsoView> PutSso(Context& ctx, const Actor& actor, const SsoSettings& s,
                       const std::string& redirect_uri) {
  LD_TRY(RequireGlobalAdmin(actor));
  LD_ASSIGN_OR_RETURN(std::string issuer, oidc::NormalizeIssuer(s.issuer, ctx.config.ssoAllowHttp));
  if (s.clientId.empty() || s.clientId.size() > 512)
    return Error::Invalid("InvalidClientId", "clientId must be 1 to 512 characters.", "clientId");
  if (s.clientSecret.empty() || s.clientSecret.size() > 1024)
    return Error::Invalid("InvalidClientSecret", "clientSecret must be 1 to 1024 characters.",
                          "clientSecret");
  if (s.enforced && !s.breakGlassUserId)
    return Error::Invalid("InvalidBreakGlassUser",
                          "enforced single sign-on needs breakGlassUserId: the Global "
                          "Administrator who may still sign in with a password.",
                          "breakGlassUserId");
  if (s.breakGlassUserId) {
    bool ok = false;
    LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
      auto u = tx.FindUser(actor.tenantId, *s.breakGlassUserId);
      ok = u && u->accountEnabled && Has(tx.ListRoles(actor.tenantId, u->id), Role::kGlobalAdmin);
      return Ok();
    }));
    if (!ok)
      return Error::Invalid("InvalidBreakGlassUser",
                            "breakGlassUserId must be an enabled Global Administrator of this "
                            "organization.",
                            "breakGlassUserId");
  }
  SsoConfig c;
  c.tenantId = actor.tenantId;
  c.clientId = s.clientId;
  c.clientSecret = s.clientSecret;
  c.enforced = s.enforced;
  c.breakGlassUserId = s.breakGlassUserId;
  // Outside any transaction: the provider may take seconds.
  LD_TRY(Discover(ctx, issuer, c));
  c.updatedAt = ctx.SecurityNow();
  LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
    auto before = tx.FindSsoConfig(actor.tenantId);
    tx.PutSsoConfig(c);
    json after{{"issuer", c.issuer}, {"clientId", c.clientId}, {"enforced", c.enforced}};
    Audit(tx, ctx, actor.userId, actor.tenantId, before ? "sso.update" : "sso.create",
          "organization", actor.tenantId.str(),
          before ? json{{"issuer", before->issuer}}.dump() : "", after.dump());
    return Ok();
  }));
  return View(c, redirect_uri);
}

Result<SsoView> GetSso(Context& ctx, const Actor& actor, const std::string& redirect_uri) {
  LD_TRY(RequireGlobalAdmin(actor));
  std::optional<SsoConfig> c;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    c = tx.FindSsoConfig(actor.tenantId);
    return Ok();
  }));
  if (!c)
    return Error{ErrorKind::kNotFound,
                 "SsoNotConfigured",
                 "Single sign-on is not configured for this organization.",
                 {},
                 nullptr};
  return View(*c, redirect_uri);
}

Status DeleteSso(Context& ctx, const Actor& actor) {
  LD_TRY(RequireGlobalAdmin(actor));
  return ctx.store.Write([&](Tx& tx) -> Status {
    auto before = tx.FindSsoConfig(actor.tenantId);
    if (!before) return Ok();  // already off: DELETE is idempotent
    tx.DeleteSsoConfig(actor.tenantId);
    Audit(tx, ctx, actor.userId, actor.tenantId, "sso.delete", "organization", actor.tenantId.str(),
          json{{"issuer", before->issuer}}.dump(), "");
    return Ok();
  });
}

Result<std::optional<std::string>> StartSso(Context& ctx, const std::string& upn,
                                            const std::string& redirect_uri) {
  auto domain = oidc::UpnDomain(upn);
  if (!domain || upn.size() > 256) return std::optional<std::string>();
  std::optional<SsoConfig> c;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    auto tenant = tx.FindDomainOwner(*domain);
    if (tenant) c = tx.FindSsoConfig(*tenant);
    return Ok();
  }));
  if (!c) return std::optional<std::string>();
  const Instant now = ctx.SecurityNow();
  OidcRequest r;
  std::string state = RandomToken();
  r.stateHash = Sha256Hex(state);
  r.tenantId = c->tenantId;
  r.nonce = RandomToken();
  r.codeVerifier = RandomToken();  // 43 characters of [A-Za-z0-9_-] (RFC 7636)
  r.createdAt = now;
  r.expiresAt = now + kOidcRequestLifetimeMs;
  LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
    tx.PurgeOidcRequests(now);  // the expired ones go as new ones come
    tx.InsertOidcRequest(r);
    return Ok();
  }));
  std::string url = c->authorizationEndpoint;
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += "response_type=code&client_id=" + Escape(c->clientId) +
         "&redirect_uri=" + Escape(redirect_uri) + "&scope=" + Escape("openid profile email") +
         "&state=" + Escape(state) + "&nonce=" + Escape(r.nonce) +
         "&code_challenge=" + Escape(oidc::PkceChallenge(r.codeVerifier)) +
         "&code_challenge_method=S256&login_hint=" + Escape(upn);
  return std::optional<std::string>(url);
}

Result<IssuedToken> FinishSso(Context& ctx, const std::string& code, const std::string& state,
                              const std::string& redirect_uri) {
  if (state.empty() || state.size() > 512) return SsoFailed("the provider's answer lacks a state.");
  const Instant now = ctx.SecurityNow();
  std::optional<OidcRequest> req;
  std::optional<SsoConfig> c;
  // R21: the state is taken (deleted) before anything else, so a replay
  // finds nothing even if this sign-in fails later.
  LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
    req = tx.TakeOidcRequest(Sha256Hex(state));
    if (req) c = tx.FindSsoConfig(req->tenantId);
    return Ok();
  }));
  if (!req) return SsoFailed("this sign-in is unknown or was already used.");
  // Checked after the state is spent: a refusal by the provider (no code)
  // ends this sign-in too.
  if (code.empty() || code.size() > 4096) return SsoFailed("the provider sent no code.");
  if (req->expiresAt <= now) return SsoFailed("this sign-in took too long; start again.");
  if (!c) return SsoFailed("single sign-on was turned off meanwhile.");

  std::string form = "grant_type=authorization_code&code=" + Escape(code) +
                     "&redirect_uri=" + Escape(redirect_uri) +
                     "&code_verifier=" + Escape(req->codeVerifier) +
                     "&client_id=" + Escape(c->clientId);
  // client_secret_basic (RFC 6749 §2.3.1: each part form-encoded first).
  std::string basic = "Basic " + Base64(Escape(c->clientId) + ":" + Escape(c->clientSecret));
  auto answer = Fetch(ctx, c->tokenEndpoint, &form, &basic);
  if (!answer.ok()) return SsoFailed("the token endpoint is unreachable.");
  if (answer->status != 200)
    return SsoFailed("the token endpoint refused the code (HTTP " + std::to_string(answer->status) +
                     ").");
  json tok = json::parse(answer->body, nullptr, false);
  std::string id_token = tok.is_object() ? Str(tok, "id_token") : "";
  if (id_token.empty()) return SsoFailed("the token endpoint sent no ID token.");

  bool unknown_kid = false;
  auto payload = VerifyJws(id_token, c->jwks, &unknown_kid);
  // A key the cache does not know: the provider may have rotated. Refetch,
  // at most once a minute per organization.
  if (!payload.ok() && unknown_kid && now - c->jwksFetchedAt >= kJwksRefetchIntervalMs) {
    auto keys = FetchJson(ctx, c->jwksUri, "the JWKS");
    if (keys.ok() && keys->contains("keys")) {
      c->jwks = keys->dump();
      LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
        tx.UpdateSsoJwks(c->tenantId, c->jwks, now);
        return Ok();
      }));
      payload = VerifyJws(id_token, c->jwks, nullptr);
    }
  }
  if (!payload.ok()) return payload.error();
  json claims = json::parse(*payload, nullptr, false);
  auto id = oidc::CheckClaims(
      claims, {.issuer = c->issuer, .clientId = c->clientId, .nonce = req->nonce, .now = now});
  if (!id.ok()) return SsoFailed(id.error().message);

  std::optional<User> user;
  RoleSet roles;
  auto domain = oidc::UpnDomain(id->username);
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    if (!domain || tx.FindDomainOwner(*domain) != c->tenantId) return Ok();
    user = tx.FindUserByUpn(c->tenantId, id->username);
    if (user) roles = tx.ListRoles(c->tenantId, user->id);
    return Ok();
  }));
  // No creation at sign-in: only users that exist (SCIM or the admin made
  // them) and are enabled.
  if (!user || !user->accountEnabled)
    return SsoFailed("no enabled user of this organization is named '" + id->username + "'.");
  return IssueSignIn(ctx, *user, roles, "session");
}

}  // namespace ld::app
