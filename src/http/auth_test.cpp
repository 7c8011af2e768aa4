// End-to-end: tokens, logout, throttling, browser sessions and CSRF, signup off.
#include <gtest/gtest.h>

#include "support/server.h"

namespace {

namespace lt = ld::testing;
using lt::Json;

// "ld_session=<secret>" from a Set-Cookie header.
std::string CookiePair(const std::string& set_cookie) {
  return set_cookie.substr(0, set_cookie.find(';'));
}

TEST(ApiAuth, LogoutRevokesTheBearerToken) {
  lt::ServerProcess srv;
  auto org = srv.SignUp("logout");
  auto c = srv.NewClient(org.token);
  EXPECT_EQ(c.Get("/v1.0/me").status, 200);
  auto out = c.Post("/api/v1/auth/logout", Json::object());
  EXPECT_EQ(out.status, 204) << out;
  auto after = c.Get("/v1.0/me");
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(after.json["error"]["code"], "InvalidAuthenticationToken");
  // A malformed Authorization header is a 401 too, never a 5xx.
  auto basic = srv.NewClient().Get("/v1.0/me", {{"Authorization", "Basic Zm9vOmJhcg=="}});
  EXPECT_EQ(basic.status, 401);
  auto junk =
      srv.NewClient().Get("/v1.0/me", {{"Authorization", "Bearer " + std::string(600, 'x')}});
  EXPECT_EQ(junk.status, 401);
}

TEST(ApiAuth, RepeatedFailuresAreThrottledWithRetryAfter) {
  lt::ServerProcess srv;
  auto org = srv.SignUp("throttle");
  auto c = srv.NewClient();
  lt::Response last;
  for (int i = 0; i < 12 && last.status != 429; ++i)
    last = c.Post("/api/v1/auth/token",
                  {{"userPrincipalName", org.adminUpn}, {"password", "not-the-password"}});
  ASSERT_EQ(last.status, 429) << last;
  EXPECT_EQ(last.json["error"]["code"], "TooManyAttempts");
  EXPECT_FALSE(last.Header("Retry-After").empty());
  EXPECT_GE(std::stoi(last.Header("Retry-After")), 1);
  EXPECT_EQ(last.json["error"]["details"]["retryAfterSeconds"].get<int>(),
            std::stoi(last.Header("Retry-After")));
  // The right password is refused too while throttled.
  auto right = c.Post("/api/v1/auth/token",
                      {{"userPrincipalName", org.adminUpn}, {"password", org.password}});
  EXPECT_EQ(right.status, 429);
}

TEST(ApiAuth, BrowserSessionWithCsrf) {
  lt::ServerProcess srv;
  auto org = srv.SignUp("session");
  auto anon = srv.NewClient();
  auto s = anon.Post("/api/v1/auth/session",
                     {{"userPrincipalName", org.adminUpn}, {"password", org.password}});
  ASSERT_EQ(s.status, 200) << s;
  std::string set_cookie = s.Header("Set-Cookie");
  EXPECT_EQ(set_cookie.rfind("ld_session=", 0), 0u) << set_cookie;
  EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(set_cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(set_cookie.find("Path=/"), std::string::npos);
  EXPECT_EQ(set_cookie.find("Secure"), std::string::npos);  // plain HTTP here
  std::string csrf = s.json["csrfToken"];
  EXPECT_FALSE(csrf.empty());
  EXPECT_EQ(s.json["user"]["userPrincipalName"], org.adminUpn);
  EXPECT_EQ(s.json["user"]["roles"], Json({"Global Administrator"}));
  EXPECT_EQ(s.json["organization"]["id"], org.tenantId);
  EXPECT_EQ(s.json["organization"]["currency"], "USD");
  EXPECT_EQ(s.json["organization"]["countryLetterCode"], "US");
  EXPECT_EQ(s.json["organization"]["invoiceEligible"], false);

  auto browser = srv.NewClient();
  browser.SetHeader("Cookie", CookiePair(set_cookie));
  EXPECT_EQ(browser.Get("/v1.0/me").status, 200);  // reads need no CSRF token

  auto missing = browser.Patch("/v1.0/me", {{"preferredLanguage", "de-DE"}});
  EXPECT_EQ(missing.status, 403) << missing;
  EXPECT_EQ(missing.json["error"]["innerError"]["code"], "CsrfTokenMissing");
  auto wrong =
      browser.Patch("/v1.0/me", {{"preferredLanguage", "de-DE"}}, {{"X-CSRF-Token", "nope"}});
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(wrong.json["error"]["innerError"]["code"], "CsrfTokenInvalid");
  auto cart = browser.Post("/api/v1/carts", {{"lineItems", Json::array()}});
  EXPECT_EQ(cart.status, 403);
  EXPECT_EQ(cart.json["error"]["code"], "CsrfTokenMissing");
  auto ok = browser.Patch("/v1.0/me", {{"preferredLanguage", "de-DE"}}, {{"X-CSRF-Token", csrf}});
  EXPECT_EQ(ok.status, 204) << ok;

  // GET /api/v1/auth/session hands out the session's CSRF token again (a
  // reload of the admin center); it is accepted like the first one.
  auto again = browser.Get("/api/v1/auth/session");
  ASSERT_EQ(again.status, 200) << again;
  std::string rotated = again.json["csrfToken"];
  EXPECT_FALSE(rotated.empty());
  EXPECT_EQ(again.json["user"]["preferredLanguage"], "de-DE");
  EXPECT_EQ(browser.Patch("/v1.0/me", {{"preferredLanguage", "en-US"}}, {{"X-CSRF-Token", rotated}})
                .status,
            204);
  // Another session's token does not fit this session.
  auto other = anon.Post("/api/v1/auth/session",
                         {{"userPrincipalName", org.adminUpn}, {"password", org.password}});
  ASSERT_EQ(other.status, 200);
  std::string foreign_csrf = other.json["csrfToken"];
  EXPECT_EQ(
      browser.Patch("/v1.0/me", {{"preferredLanguage", "en-US"}}, {{"X-CSRF-Token", foreign_csrf}})
          .status,
      403);

  // A bearer token needs no CSRF token; a session secret is no bearer token.
  auto bearer = srv.NewClient(org.token);
  EXPECT_EQ(bearer.Patch("/v1.0/me", {{"preferredLanguage", "zh-CN"}}).status, 204);
  std::string secret = CookiePair(set_cookie).substr(std::string("ld_session=").size());
  EXPECT_EQ(srv.NewClient(secret).Get("/v1.0/me").status, 401);

  // Logout clears the cookie and ends the session.
  auto out = browser.Post("/api/v1/auth/logout", Json::object(), {{"X-CSRF-Token", rotated}});
  EXPECT_EQ(out.status, 204) << out;
  EXPECT_NE(out.Header("Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(browser.Get("/api/v1/auth/session").status, 401);
  EXPECT_EQ(anon.Get("/api/v1/auth/session").status, 401);
  auto bad = anon.Post("/api/v1/auth/session",
                       {{"userPrincipalName", org.adminUpn}, {"password", "wrong-wrong"}});
  EXPECT_EQ(bad.status, 401);
  EXPECT_TRUE(bad.Header("Set-Cookie").empty());
}

TEST(ApiAuth, SignupCanBeTurnedOff) {
  lt::ServerProcess srv({.extra = {"--no-signup"}});
  auto c = srv.NewClient();
  EXPECT_EQ(c.Get("/api/v1/config").json["signupEnabled"], false);
  auto r =
      c.Post("/api/v1/signup", {{"organizationName", "Nope"},
                                {"domainPrefix", "nope"},
                                {"countryCode", "US"},
                                {"admin", {{"displayName", "N"}, {"password", "Nope-Pass-12"}}}});
  EXPECT_EQ(r.status, 403) << r;
}

TEST(ApiAuth, UsersCreatedWithPasswordSignIn) {
  lt::ServerProcess srv;
  auto org = srv.SignUp("pwusers");
  auto c = srv.NewClient(org.token);
  lt::CreateUser(c, org.domain, "megan", "US", "Megan-Pass-1");
  std::string t = srv.Token("megan@" + org.domain, "Megan-Pass-1");
  ASSERT_FALSE(t.empty());
  auto me = srv.NewClient(t).Get("/v1.0/me");
  EXPECT_EQ(me.json["userPrincipalName"], "megan@" + org.domain);
  // A disabled account cannot sign in.
  EXPECT_EQ(c.Patch("/v1.0/users/megan@" + org.domain, {{"accountEnabled", false}}).status, 204);
  EXPECT_TRUE(srv.Token("megan@" + org.domain, "Megan-Pass-1").empty());
  EXPECT_EQ(srv.NewClient(t).Get("/v1.0/me").status, 401);
}

}  // namespace
