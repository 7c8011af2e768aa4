#include "domain/oidc.h"

#include <gtest/gtest.h>

#include <functional>
#include <vector>

namespace ld::oidc {
namespace {

using nlohmann::json;

constexpr Instant kNow = 1'800'000'000'000;  // ms

Expected Want() {
  return {.issuer = "https://idp.example.com",
          .clientId = "licensedesk",
          .nonce = "n-0S6_WzA2Mj",
          .now = kNow};
}

json Good() {
  return {{"iss", "https://idp.example.com"},
          {"aud", "licensedesk"},
          {"sub", "248289761001"},
          {"nonce", "n-0S6_WzA2Mj"},
          {"exp", kNow / 1000 + 300},
          {"iat", kNow / 1000 - 10},
          {"preferred_username", "Pat@Contoso.licensedesk.test"}};
}

TEST(OidcAlg, OnlyRs256AndEs256) {
  for (const char* ok : {"RS256", "ES256"}) EXPECT_TRUE(AllowedAlg(ok)) << ok;
  for (const char* bad : {"none", "None", "NONE", "", "HS256", "HS384", "HS512", "RS384", "PS256",
                          "ES384", "EdDSA", "rs256"})
    EXPECT_FALSE(AllowedAlg(bad)) << bad;
}

TEST(OidcClaims, AGoodTokenNamesTheUserInLowerCase) {
  auto id = CheckClaims(Good(), Want());
  ASSERT_TRUE(id.ok()) << id.error().code;
  EXPECT_EQ(id->username, "pat@contoso.licensedesk.test");
  EXPECT_EQ(id->subject, "248289761001");
}

TEST(OidcClaims, EachBrokenClaimIsRefusedByName) {
  struct Case {
    const char* name;
    std::function<void(json&)> change;
    const char* code;
  };
  const int64_t s = kNow / 1000;
  std::vector<Case> cases = {
      {"wrong iss", [](json& j) { j["iss"] = "https://evil.example.com"; }, "WrongIssuer"},
      {"iss with slash", [](json& j) { j["iss"] = "https://idp.example.com/"; }, "WrongIssuer"},
      {"no iss", [](json& j) { j.erase("iss"); }, "WrongIssuer"},
      {"wrong aud", [](json& j) { j["aud"] = "someone-else"; }, "WrongAudience"},
      {"aud array without us",
       [](json& j) {
         j["aud"] = {"a", "b"};
       },
       "WrongAudience"},
      {"no aud", [](json& j) { j.erase("aud"); }, "WrongAudience"},
      {"aud a number", [](json& j) { j["aud"] = 7; }, "WrongAudience"},
      {"azp of another", [](json& j) { j["azp"] = "other"; }, "WrongAudience"},
      {"expired past skew", [s](json& j) { j["exp"] = s - 121; }, "Expired"},
      {"no exp", [](json& j) { j.erase("exp"); }, "Expired"},
      {"exp a string", [s](json& j) { j["exp"] = std::to_string(s + 100); }, "Expired"},
      {"iat in the future", [s](json& j) { j["iat"] = s + 121; }, "IssuedInFuture"},
      {"no iat", [](json& j) { j.erase("iat"); }, "IssuedInFuture"},
      {"wrong nonce", [](json& j) { j["nonce"] = "n-0S6_WzA2Mk"; }, "WrongNonce"},
      {"no nonce", [](json& j) { j.erase("nonce"); }, "WrongNonce"},
      {"no sub", [](json& j) { j.erase("sub"); }, "MissingClaim"},
      {"no user name", [](json& j) { j.erase("preferred_username"); }, "MissingClaim"},
  };
  for (const auto& c : cases) {
    json j = Good();
    c.change(j);
    auto r = CheckClaims(j, Want());
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.error().kind, ErrorKind::kUnauthorized) << c.name;
    EXPECT_EQ(r.error().code, c.code) << c.name;
  }
  EXPECT_FALSE(CheckClaims(json::array(), Want()).ok());
  Expected no_nonce = Want();
  no_nonce.nonce.clear();
  EXPECT_EQ(CheckClaims(Good(), no_nonce).error().code, "WrongNonce");
}

TEST(OidcClaims, TwoMinutesOfSkewEitherWay) {
  const int64_t s = kNow / 1000;
  json j = Good();
  j["exp"] = s - 119;
  j["iat"] = s + 119;
  j["aud"] = {"other", "licensedesk"};
  j["azp"] = "licensedesk";
  EXPECT_TRUE(CheckClaims(j, Want()).ok());
}

TEST(OidcClaims, EmailWhenNoPreferredUsername) {
  json j = Good();
  j.erase("preferred_username");
  j["email"] = "Kim@contoso.licensedesk.test";
  auto id = CheckClaims(j, Want());
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->username, "kim@contoso.licensedesk.test");
}

TEST(OidcIssuer, HttpsUnlessAllowed) {
  EXPECT_EQ(*NormalizeIssuer("https://idp.example.com/", false), "https://idp.example.com");
  EXPECT_EQ(*NormalizeIssuer("https://idp.example.com/realms/x", false),
            "https://idp.example.com/realms/x");
  EXPECT_FALSE(NormalizeIssuer("http://127.0.0.1:9000", false).ok());
  EXPECT_EQ(*NormalizeIssuer("http://127.0.0.1:9000", true), "http://127.0.0.1:9000");
  for (const char* bad :
       {"", "idp.example.com", "ftp://idp.example.com", "https://", "https://a@idp.example.com",
        "https://idp.example.com/?x=1", "https://idp.example.com/#f", "https://idp example.com"}) {
    auto r = NormalizeIssuer(bad, true);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "InvalidIssuer");
  }
}

TEST(OidcPkce, S256MatchesRfc7636AppendixB) {
  EXPECT_EQ(PkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(OidcUpn, DomainInLowerCase) {
  EXPECT_EQ(*UpnDomain("Pat@Contoso.Test"), "contoso.test");
  EXPECT_FALSE(UpnDomain("pat").has_value());
  EXPECT_FALSE(UpnDomain("pat@").has_value());
}

}  // namespace
}  // namespace ld::oidc
