// End-to-end single sign-on (issue 17, R21) against a small OpenID provider
// in the test (cpp-httplib: discovery, JWKS, token endpoint) whose ID tokens
// the test makes by hand with cjose: the good ones yield a session, and a
// tampered signature, alg none, HMAC with the client secret, a wrong aud or
// iss, an expired token, a reused state, a wrong nonce, an unknown or a
// disabled user yield none. Also the configuration API's rules, enforced
// sign-in with the break-glass administrator, and signInActivity.
#include <cjose/cjose.h>
#include <gtest/gtest.h>
#include <sodium.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <thread>

#include "support/server.h"

namespace {

namespace lt = ld::testing;
using lt::Json;

std::string B64Url(const std::string& s) {
  std::string out(sodium_base64_ENCODED_LEN(s.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(s.data()),
                    s.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

// A signing key and its public JWK.
struct Key {
  cjose_jwk_t* jwk = nullptr;
  std::string alg, kid;
  Key(std::string a, std::string k) : alg(std::move(a)), kid(std::move(k)) {
    cjose_err err;
    static const uint8_t e[] = {1, 0, 1};
    if (alg == "RS256") jwk = cjose_jwk_create_RSA_random(2048, e, sizeof e, &err);
    if (alg == "ES256") jwk = cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256, &err);
    cjose_jwk_set_kid(jwk, kid.data(), kid.size(), &err);
  }
  ~Key() { cjose_jwk_release(jwk); }
  Json Public() const {
    cjose_err err;
    char* text = cjose_jwk_to_json(jwk, false, &err);
    Json j = Json::parse(text);
    free(text);
    j["use"] = "sig";
    j["alg"] = alg;
    return j;
  }
};

std::string Sign(const cjose_jwk_t* jwk, const std::string& alg, const std::string& kid,
                 const Json& claims) {
  cjose_err err;
  cjose_header_t* h = cjose_header_new(&err);
  cjose_header_set(h, CJOSE_HDR_ALG, alg.c_str(), &err);
  if (!kid.empty()) cjose_header_set(h, CJOSE_HDR_KID, kid.c_str(), &err);
  std::string body = claims.dump();
  cjose_jws_t* jws =
      cjose_jws_sign(jwk, h, reinterpret_cast<const uint8_t*>(body.data()), body.size(), &err);
  cjose_header_release(h);
  if (!jws) throw std::runtime_error(std::string("cjose_jws_sign: ") + err.message);
  const char* compact = nullptr;
  cjose_jws_export(jws, &compact, &err);
  std::string out = compact;
  cjose_jws_release(jws);
  return out;
}

// The provider: discovery, JWKS and a token endpoint handing out whatever ID
// token the test set for the next code.
class Provider {
 public:
  Provider() : rsa("RS256", "rsa-1"), ec("ES256", "ec-1") {
    port = server.bind_to_any_port("127.0.0.1");
    issuer = "http://127.0.0.1:" + std::to_string(port);
    server.Get("/.well-known/openid-configuration", [this](const auto&, auto& res) {
      res.set_content(Json{{"issuer", issuer},
                           {"authorization_endpoint", issuer + "/auth"},
                           {"token_endpoint", issuer + "/token"},
                           {"jwks_uri", issuer + "/jwks"},
                           {"id_token_signing_alg_values_supported", {"RS256", "ES256"}}}
                          .dump(),
                      "application/json");
    });
    server.Get("/jwks", [this](const auto&, auto& res) {
      res.set_content(Json{{"keys", {rsa.Public(), ec.Public()}}}.dump(), "application/json");
    });
    server.Post("/token", [this](const httplib::Request& req, auto& res) {
      std::lock_guard<std::mutex> l(mu);
      lastForm = req.body;
      lastAuthorization = req.get_header_value("Authorization");
      lastVerifier = req.get_param_value("code_verifier");
      res.set_content(
          Json{{"access_token", "at"}, {"token_type", "Bearer"}, {"id_token", next}}.dump(),
          "application/json");
    });
    thread = std::thread([this] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~Provider() {
    server.stop();
    thread.join();
  }

  Json Claims(const std::string& nonce, const std::string& user) const {
    auto now = static_cast<int64_t>(std::time(nullptr));
    return {{"iss", issuer}, {"aud", clientId},  {"sub", "sub-" + user},      {"nonce", nonce},
            {"iat", now},    {"exp", now + 300}, {"preferred_username", user}};
  }

  httplib::Server server;
  std::thread thread;
  int port = 0;
  std::string issuer;
  std::string clientId = "licensedesk-test", clientSecret = "the-client-secret-0123456789";
  Key rsa, ec;
  std::mutex mu;
  std::string next, lastForm, lastAuthorization, lastVerifier;
};

std::string QueryParam(const std::string& url, const std::string& name) {
  auto at = url.find("&" + name + "=");
  if (at == std::string::npos) at = url.find("?" + name + "=");
  if (at == std::string::npos) return {};
  at += name.size() + 2;
  return httplib::detail::decode_url(url.substr(at, url.find('&', at) - at), true);
}

struct Started {
  std::string state, nonce, challenge, redirect;
};

Started Start(lt::Client& anon, const std::string& upn) {
  auto r = anon.Post("/api/v1/auth/oidc/start", {{"userPrincipalName", upn}});
  EXPECT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.json["sso"], true) << r;
  std::string url = r.json.value("redirect", "");
  return {QueryParam(url, "state"), QueryParam(url, "nonce"), QueryParam(url, "code_challenge"),
          url};
}

lt::Response Callback(lt::Client& anon, const std::string& state) {
  return anon.Get("/api/v1/auth/oidc/callback?code=the-code&state=" + state);
}

class Sso : public ::testing::Test {
 protected:
  void SetUp() override {
    srv = std::make_unique<lt::ServerProcess>(lt::ServerConfig{.extra = {"--sso-allow-http"}});
    org = srv->SignUp("ssoorg");
    admin = std::make_unique<lt::Client>(srv->NewClient(org.token));
    patId =
        lt::CreateUser(*admin, org.domain, "pat", std::string("US"), std::string("Pat-Password-1"));
    auto put = admin->Put("/api/v1/organization/sso", {{"issuer", idp.issuer},
                                                       {"clientId", idp.clientId},
                                                       {"clientSecret", idp.clientSecret},
                                                       {"enforced", false}});
    ASSERT_EQ(put.status, 200) << put;
  }
  std::string Pat() const { return "pat@" + org.domain; }

  Provider idp;
  std::unique_ptr<lt::ServerProcess> srv;
  lt::Org org;
  std::unique_ptr<lt::Client> admin;
  std::string patId;
};

TEST_F(Sso, ConfigurationIsShownWithoutItsSecret) {
  auto got = admin->Get("/api/v1/organization/sso");
  ASSERT_EQ(got.status, 200) << got;
  EXPECT_EQ(got.json["issuer"], idp.issuer);
  EXPECT_EQ(got.json["clientId"], idp.clientId);
  EXPECT_EQ(got.json["enforced"], false);
  EXPECT_EQ(got.json["redirectUri"],
            "http://127.0.0.1:" + std::to_string(srv->port()) + "/api/v1/auth/oidc/callback");
  EXPECT_EQ(got.body.find(idp.clientSecret), std::string::npos);
  EXPECT_FALSE(got.json.contains("clientSecret"));
  // Only a Global Administrator: a User Administrator gets 403.
  std::string uid =
      lt::CreateUser(*admin, org.domain, "ua", std::string("US"), std::string("Ua-Password-12"));
  ASSERT_EQ(
      admin->Put("/api/v1/users/" + uid + "/roles", {{"roles", {"User Administrator"}}}).status,
      200);
  auto ua = srv->NewClient(srv->Token("ua@" + org.domain, "Ua-Password-12"));
  EXPECT_EQ(ua.Get("/api/v1/organization/sso").status, 403);
  EXPECT_EQ(ua.Delete("/api/v1/organization/sso").status, 403);
  EXPECT_EQ(ua.Put("/api/v1/organization/sso",
                   {{"issuer", idp.issuer}, {"clientId", "x"}, {"clientSecret", "y"}})
                .status,
            403);
}

TEST_F(Sso, ConfigurationsItCannotReadAreRefused) {
  auto bad =
      admin->Put("/api/v1/organization/sso",
                 {{"issuer", "http://127.0.0.1:1"}, {"clientId", "x"}, {"clientSecret", "y"}});
  EXPECT_EQ(bad.status, 400) << bad;
  EXPECT_EQ(bad.Code(), "SsoDiscoveryFailed");
  auto ftp = admin->Put("/api/v1/organization/sso",
                        {{"issuer", "ftp://idp.test"}, {"clientId", "x"}, {"clientSecret", "y"}});
  EXPECT_EQ(ftp.status, 400) << ftp;
  EXPECT_EQ(ftp.Code(), "InvalidIssuer");
  auto enforced_alone = admin->Put("/api/v1/organization/sso", {{"issuer", idp.issuer},
                                                                {"clientId", idp.clientId},
                                                                {"clientSecret", "s"},
                                                                {"enforced", true}});
  EXPECT_EQ(enforced_alone.status, 400) << enforced_alone;
  EXPECT_EQ(enforced_alone.Code(), "InvalidBreakGlassUser");
  // Without --sso-allow-http, an http issuer is refused before any call.
  lt::ServerProcess strict;
  auto o = strict.SignUp("strict");
  auto r = strict.NewClient(o.token).Put(
      "/api/v1/organization/sso",
      {{"issuer", idp.issuer}, {"clientId", "x"}, {"clientSecret", "y"}});
  EXPECT_EQ(r.status, 400) << r;
  EXPECT_EQ(r.Code(), "InvalidIssuer");
}

TEST_F(Sso, AGoodSignInGivesTheUsualSessionAndRecordsSignInActivity) {
  auto anon = srv->NewClient();
  // Another domain, or no domain: the page asks for the password.
  auto other = anon.Post("/api/v1/auth/oidc/start", {{"userPrincipalName", "x@nowhere.test"}});
  EXPECT_EQ(other.status, 200);
  EXPECT_EQ(other.json["sso"], false);
  for (const Key* key : {&idp.rsa, &idp.ec}) {
    Started s = Start(anon, Pat());
    ASSERT_FALSE(s.state.empty());
    EXPECT_NE(s.redirect.find("code_challenge_method=S256"), std::string::npos);
    idp.next = Sign(key->jwk, key->alg, key->kid, idp.Claims(s.nonce, Pat()));
    auto cb = Callback(anon, s.state);
    ASSERT_EQ(cb.status, 200) << cb;
    // PKCE: the verifier sent to the token endpoint hashes to the challenge.
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(idp.lastVerifier.data()),
                       idp.lastVerifier.size());
    EXPECT_EQ(B64Url(std::string(reinterpret_cast<char*>(h), sizeof h)), s.challenge);
    EXPECT_EQ(idp.lastAuthorization.rfind("Basic ", 0), 0u);
    std::string cookie = cb.Header("Set-Cookie");
    ASSERT_EQ(cookie.rfind("ld_session=", 0), 0u) << cookie;
    EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
    auto me = anon.Get("/api/v1/auth/session", {{"Cookie", cookie.substr(0, cookie.find(';'))}});
    ASSERT_EQ(me.status, 200) << me;
    EXPECT_EQ(me.json["user"]["userPrincipalName"], Pat());
    // R21: the same state again is refused.
    auto again = Callback(anon, s.state);
    EXPECT_EQ(again.status, 401) << again;
    EXPECT_TRUE(again.Header("Set-Cookie").empty());
  }
  auto list = admin->Get("/v1.0/users?$select=userPrincipalName,signInActivity");
  ASSERT_EQ(list.status, 200) << list;
  bool seen = false;
  for (const auto& u : list.json["value"]) {
    if (u["userPrincipalName"] != Pat()) continue;
    seen = true;
    EXPECT_TRUE(u["signInActivity"]["lastSignInDateTime"].is_string()) << u;
  }
  EXPECT_TRUE(seen);
  // $filter on it: pat signed in just now; the admin's token came from a
  // password sign-in too; a user who never signed in matches no bound.
  std::string never = lt::CreateUser(*admin, org.domain, "never");
  auto before = admin->Get(
      "/v1.0/users?$select=userPrincipalName&$filter=signInActivity/lastSignInDateTime%20le%20"
      "2001-01-01T00:00:00Z");
  ASSERT_EQ(before.status, 200) << before;
  EXPECT_EQ(before.json["value"].size(), 0u) << before;
  auto since = admin->Get(
      "/v1.0/users?$select=id,userPrincipalName&$filter=signInActivity/lastSignInDateTime%20ge%20"
      "2001-01-01T00:00:00Z");
  ASSERT_EQ(since.status, 200) << since;
  bool has_pat = false, has_never = false;
  for (const auto& u : since.json["value"]) {
    if (u["userPrincipalName"] == Pat()) has_pat = true;
    if (u["id"] == never) has_never = true;
  }
  EXPECT_TRUE(has_pat) << since;
  EXPECT_FALSE(has_never) << since;
}

TEST_F(Sso, R21ForgedOrMisdirectedTokensNeverYieldASession) {
  auto anon = srv->NewClient();
  // A disabled user.
  std::string kimId = lt::CreateUser(*admin, org.domain, "kim");
  ASSERT_EQ(admin->Patch("/v1.0/users/" + kimId, {{"accountEnabled", false}}).status, 204);
  const std::string kim = "kim@" + org.domain;
  auto now = static_cast<int64_t>(std::time(nullptr));
  struct Case {
    const char* name;
    std::function<std::string(const std::string& nonce)> token;
  };
  Provider& p = idp;
  std::string pat = Pat();
  std::vector<Case> cases = {
      {"tampered signature",
       [&](const std::string& n) {
         std::string t = Sign(p.rsa.jwk, "RS256", p.rsa.kid, p.Claims(n, pat));
         Json other = p.Claims(n, "admin@" + org.domain);
         size_t a = t.find('.'), b = t.rfind('.');
         return t.substr(0, a + 1) + B64Url(other.dump()) + t.substr(b);
       }},
      {"alg none",
       [&](const std::string& n) {
         return B64Url(R"({"alg":"none"})") + "." + B64Url(p.Claims(n, pat).dump()) + ".";
       }},
      {"HMAC with the client secret",
       [&](const std::string& n) {
         cjose_err err;
         cjose_jwk_t* k = cjose_jwk_create_oct_spec(
             reinterpret_cast<const uint8_t*>(p.clientSecret.data()), p.clientSecret.size(), &err);
         std::string t = Sign(k, "HS256", "", p.Claims(n, pat));
         cjose_jwk_release(k);
         return t;
       }},
      {"wrong aud",
       [&](const std::string& n) {
         Json c = p.Claims(n, pat);
         c["aud"] = "another-client";
         return Sign(p.rsa.jwk, "RS256", p.rsa.kid, c);
       }},
      {"wrong iss",
       [&](const std::string& n) {
         Json c = p.Claims(n, pat);
         c["iss"] = "http://127.0.0.1:1";
         return Sign(p.rsa.jwk, "RS256", p.rsa.kid, c);
       }},
      {"expired",
       [&](const std::string& n) {
         Json c = p.Claims(n, pat);
         c["iat"] = now - 3600;
         c["exp"] = now - 600;
         return Sign(p.ec.jwk, "ES256", p.ec.kid, c);
       }},
      {"wrong nonce",
       [&](const std::string&) {
         return Sign(p.rsa.jwk, "RS256", p.rsa.kid, p.Claims("another-nonce", pat));
       }},
      {"unknown user",
       [&](const std::string& n) {
         return Sign(p.rsa.jwk, "RS256", p.rsa.kid, p.Claims(n, "nobody@" + org.domain));
       }},
      {"user of another domain",
       [&](const std::string& n) {
         return Sign(p.rsa.jwk, "RS256", p.rsa.kid, p.Claims(n, "pat@elsewhere.test"));
       }},
      {"disabled user",
       [&](const std::string& n) { return Sign(p.rsa.jwk, "RS256", p.rsa.kid, p.Claims(n, kim)); }},
      {"a key the provider does not have",
       [&](const std::string& n) {
         Key stranger("RS256", p.rsa.kid);
         return Sign(stranger.jwk, "RS256", p.rsa.kid, p.Claims(n, pat));
       }},
  };
  for (const auto& c : cases) {
    Started s = Start(anon, pat);
    idp.next = c.token(s.nonce);
    auto cb = Callback(anon, s.state);
    EXPECT_EQ(cb.status, 401) << c.name << ": " << cb;
    EXPECT_EQ(cb.Code(), "SsoFailed") << c.name;
    EXPECT_TRUE(cb.Header("Set-Cookie").empty()) << c.name;
  }
  // A state never issued, none at all, and the provider's own refusal.
  EXPECT_EQ(Callback(anon, "forged-state").status, 401);
  EXPECT_EQ(anon.Get("/api/v1/auth/oidc/callback").status, 401);
  Started s = Start(anon, pat);
  EXPECT_EQ(anon.Get("/api/v1/auth/oidc/callback?error=access_denied&state=" + s.state).status,
            401);
  idp.next = Sign(idp.rsa.jwk, "RS256", idp.rsa.kid, idp.Claims(s.nonce, pat));
  EXPECT_EQ(Callback(anon, s.state).status, 401);  // spent by the refusal
}

TEST_F(Sso, EnforcedTurnsPasswordsOffButForTheBreakGlassAdministrator) {
  auto put = admin->Put("/api/v1/organization/sso", {{"issuer", idp.issuer},
                                                     {"clientId", idp.clientId},
                                                     {"clientSecret", idp.clientSecret},
                                                     {"enforced", true},
                                                     {"breakGlassUserId", patId}});
  EXPECT_EQ(put.status, 400) << put;  // pat is no Global Administrator
  EXPECT_EQ(put.Code(), "InvalidBreakGlassUser");
  put = admin->Put("/api/v1/organization/sso", {{"issuer", idp.issuer},
                                                {"clientId", idp.clientId},
                                                {"clientSecret", idp.clientSecret},
                                                {"enforced", true},
                                                {"breakGlassUserId", org.adminId}});
  ASSERT_EQ(put.status, 200) << put;
  auto anon = srv->NewClient();
  auto pw = anon.Post("/api/v1/auth/session",
                      {{"userPrincipalName", Pat()}, {"password", "Pat-Password-1"}});
  EXPECT_EQ(pw.status, 403) << pw;
  EXPECT_EQ(pw.Code(), "SingleSignOnRequired");
  EXPECT_TRUE(pw.Header("Set-Cookie").empty());
  auto token = anon.Post("/api/v1/auth/token",
                         {{"userPrincipalName", Pat()}, {"password", "Pat-Password-1"}});
  EXPECT_EQ(token.status, 403) << token;
  // A wrong password is still just a wrong password.
  auto wrong =
      anon.Post("/api/v1/auth/token", {{"userPrincipalName", Pat()}, {"password", "nope-nope-1"}});
  EXPECT_EQ(wrong.status, 401) << wrong;
  auto glass = anon.Post("/api/v1/auth/token",
                         {{"userPrincipalName", org.adminUpn}, {"password", org.password}});
  EXPECT_EQ(glass.status, 200) << glass;
  // Turned off: passwords work again.
  EXPECT_EQ(admin->Delete("/api/v1/organization/sso").status, 204);
  EXPECT_EQ(admin->Get("/api/v1/organization/sso").status, 404);
  auto back = anon.Post("/api/v1/auth/token",
                        {{"userPrincipalName", Pat()}, {"password", "Pat-Password-1"}});
  EXPECT_EQ(back.status, 200) << back;
  auto start = anon.Post("/api/v1/auth/oidc/start", {{"userPrincipalName", Pat()}});
  EXPECT_EQ(start.json["sso"], false);
}

}  // namespace
