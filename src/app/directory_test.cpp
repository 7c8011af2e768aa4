#include "app/directory.h"

#include <gtest/gtest.h>

#include "app/auth.h"
#include "support/app_fixture.h"

namespace ld::app {
namespace {

using namespace ld::testing;

TEST(Signup, CreatesOrganizationWithUniqueDomainAndGlobalAdmin) {
  AppFixture f;
  Actor a = f.Org("contoso", "TW");
  auto org = GetOrganization(*f.ctx, a);
  ASSERT_TRUE(org.ok());
  EXPECT_EQ(org->tenant.initialDomain, "contoso.licensedesk.test");
  EXPECT_EQ(org->currency, "TWD");
  auto roles = GetRoles(*f.ctx, a, "admin@contoso.licensedesk.test");
  ASSERT_EQ(roles->size(), 1u);
  EXPECT_EQ((*roles)[0], Role::kGlobalAdmin);
  SignupRequest again{"Other", "contoso", "US", "X", "Another-Pass-1", std::nullopt, false};
  auto dup = Signup(*f.ctx, again);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, "DomainTaken");
}

TEST(Signup, BadInputIsRefused) {
  AppFixture f;
  struct Case {
    SignupRequest r;
    std::string code;
  } cases[] = {
      {{"", "abc", "US", "A", "Passw0rd-x", {}, false}, "InvalidOrganizationName"},
      {{"Org", "a", "US", "A", "Passw0rd-x", {}, false}, "InvalidDomainPrefix"},
      {{"Org", "-abc", "US", "A", "Passw0rd-x", {}, false}, "InvalidDomainPrefix"},
      {{"Org", "ab_c", "US", "A", "Passw0rd-x", {}, false}, "InvalidDomainPrefix"},
      {{"Org", "ABC", "US", "A", "Passw0rd-x", {}, false}, "InvalidDomainPrefix"},
      {{"Org", "abc", "DE", "A", "Passw0rd-x", {}, false}, "UnsupportedCountry"},
      {{"Org", "abc", "ZZ", "A", "Passw0rd-x", {}, false}, "UnsupportedCountry"},
      {{"Org", "abc", "US", "", "Passw0rd-x", {}, false}, "InvalidDisplayName"},
      {{"Org", "abc", "US", "A", "short", {}, false}, "InvalidPassword"},
      {{"Org", "abc", "US", "A", "aaaaaaaaaa", {}, false}, "InvalidPassword"},
      {{"Org", "abc", "US", "A", "Passw0rd-x", std::string("fr-FR"), false}, "UnsupportedLanguage"},
  };
  for (const auto& c : cases) {
    auto r = Signup(*f.ctx, c.r);
    ASSERT_FALSE(r.ok()) << c.code;
    EXPECT_EQ(r.error().code, c.code);
  }
}

TEST(Auth, SignInIssuesTokensThatAuthenticateAndThrottles) {
  AppFixture f;
  Actor a = f.Org("contoso");
  auto t =
      SignIn(*f.ctx, "Admin@Contoso.licensedesk.test", "Correct-Horse-9", "127.0.0.1", "bearer");
  ASSERT_TRUE(t.ok()) << t.error().message;
  auto who = Authenticate(*f.ctx, t->secret);
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(who->actor.userId, a.userId);
  EXPECT_FALSE(Authenticate(*f.ctx, t->secret + "x").ok());
  // Expiry.
  f.clock.Advance(kTokenLifetimeMs + 1);
  EXPECT_EQ(Authenticate(*f.ctx, t->secret).error().kind, ErrorKind::kUnauthorized);
  // Wrong passwords: 401, then 429.
  for (int i = 0; i < SignInThrottle::kFreeFailures; ++i)
    EXPECT_EQ(
        SignIn(*f.ctx, "admin@contoso.licensedesk.test", "wrong-password", "10.0.0.1", "bearer")
            .error()
            .kind,
        ErrorKind::kUnauthorized);
  auto blocked =
      SignIn(*f.ctx, "admin@contoso.licensedesk.test", "Correct-Horse-9", "10.0.0.1", "bearer");
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().kind, ErrorKind::kTooMany);
  EXPECT_GE(blocked.error().details["retryAfterSeconds"].get<int>(), 1);
  // Sign-out revokes.
  f.clock.Advance(3600 * 1000);
  auto s =
      SignIn(*f.ctx, "admin@contoso.licensedesk.test", "Correct-Horse-9", "10.0.0.2", "session");
  ASSERT_TRUE(s.ok());
  auto sa = Authenticate(*f.ctx, s->secret);
  EXPECT_TRUE(CsrfMatches(*sa, s->csrfToken));
  EXPECT_FALSE(CsrfMatches(*sa, "nope"));
  // Every tab of a session shares its CSRF token.
  EXPECT_EQ(*RotateCsrf(*f.ctx, s->secret), s->csrfToken);
  EXPECT_FALSE(RotateCsrf(*f.ctx, t->secret).ok());  // a bearer token has no CSRF token
  ASSERT_TRUE(SignOut(*f.ctx, s->secret).ok());
  EXPECT_FALSE(Authenticate(*f.ctx, s->secret).ok());
}

TEST(Directory, UsersNeedAnOrganizationDomainAndUniqueNames) {
  AppFixture f;
  Actor a = f.Org("contoso");
  f.Org("fabrikam");
  NewUser u{true, "Ann", "ann", "ann@contoso.licensedesk.test", {}, std::string("US"), {}};
  ASSERT_TRUE(CreateUser(*f.ctx, a, u).ok());
  EXPECT_EQ(CreateUser(*f.ctx, a, u).error().code, "UserPrincipalNameTaken");
  u.userPrincipalName = "ann@fabrikam.licensedesk.test";
  EXPECT_EQ(CreateUser(*f.ctx, a, u).error().code, "InvalidUserPrincipalName");
  for (const char* bad : {"ann", "@contoso.licensedesk.test", "a b@contoso.licensedesk.test",
                          "ann@@contoso.licensedesk.test", "ann@example.org"}) {
    u.userPrincipalName = bad;
    EXPECT_EQ(CreateUser(*f.ctx, a, u).error().code, "InvalidUserPrincipalName") << bad;
  }
  u.userPrincipalName = "bob@contoso.licensedesk.test";
  u.usageLocation = "usa";
  EXPECT_EQ(CreateUser(*f.ctx, a, u).error().code, "InvalidUsageLocation");
  u.usageLocation = std::nullopt;
  u.mailNickname = "bad nick";
  EXPECT_EQ(CreateUser(*f.ctx, a, u).error().code, "InvalidMailNickname");
  u.mailNickname = "bob";
  u.displayName = "";
  EXPECT_EQ(CreateUser(*f.ctx, a, u).error().code, "InvalidDisplayName");
}

TEST(Directory, FiltersAndKeysetPaging) {
  AppFixture f;
  Actor a = f.Org("contoso");
  f.Users(a, 25, true, "alpha");
  f.Users(a, 5, false, "beta");
  UserPageQuery q;
  q.limit = 7;
  std::set<Guid> seen;
  int pages = 0;
  for (;;) {
    auto p = ListUsers(*f.ctx, a, q, false);
    ASSERT_TRUE(p.ok());
    for (const auto& u : p->users) EXPECT_TRUE(seen.insert(u.user.id).second);
    ++pages;
    if (!p->nextAfter) break;
    q.after = p->nextAfter;
  }
  EXPECT_EQ(seen.size(), 31u);  // 30 + admin
  EXPECT_EQ(pages, 5);
  UserPageQuery prefix;
  prefix.filter.displayNamePrefix = "BETA";
  EXPECT_EQ(*ListUsers(*f.ctx, a, prefix, true)->count, 5);
  UserPageQuery noloc;
  noloc.filter.usageLocation = "US";
  EXPECT_EQ(*ListUsers(*f.ctx, a, noloc, true)->count, 26);
  UserPageQuery unlicensed;
  unlicensed.filter.hasAnyLicense = false;
  EXPECT_EQ(*ListUsers(*f.ctx, a, unlicensed, true)->count, 31);
  UserPageQuery upn;
  upn.filter.upnEquals = "ALPHA3@contoso.licensedesk.test";
  auto one = ListUsers(*f.ctx, a, upn, true);
  ASSERT_EQ(one->users.size(), 1u);
  EXPECT_EQ(one->users[0].user.displayName, "alpha 3");
}

TEST(Directory, R12WhoMayChangeWhat) {
  AppFixture f;
  Actor a = f.Org("contoso");
  auto users = f.Users(a, 1);
  Actor lic = f.Member(a, "lic", {Role::kLicenseAdmin});
  Actor reader = f.Member(a, "reader", {Role::kGlobalReader});
  Actor plain = f.Member(a, "plain", {});
  std::string id = users[0].id.str();
  // License admins edit usageLocation only.
  EXPECT_TRUE(
      UpdateUser(*f.ctx, lic, id, {.usageLocation = std::optional<std::string>("GB")}).ok());
  EXPECT_EQ(UpdateUser(*f.ctx, lic, id, {.displayName = "X"}).error().kind, ErrorKind::kForbidden);
  // Readers read, change nothing.
  EXPECT_TRUE(GetUser(*f.ctx, reader, id).ok());
  EXPECT_EQ(UpdateUser(*f.ctx, reader, id, {.usageLocation = std::optional<std::string>("GB")})
                .error()
                .kind,
            ErrorKind::kForbidden);
  EXPECT_EQ(CreateUser(*f.ctx, reader, {true, "Z", "z", "z@contoso.licensedesk.test", {}, {}, {}})
                .error()
                .kind,
            ErrorKind::kForbidden);
  // Anyone sets their own language; nobody else's.
  EXPECT_TRUE(UpdateUser(*f.ctx, plain, plain.userId.str(),
                         {.preferredLanguage = std::optional<std::string>("zh-TW")})
                  .ok());
  EXPECT_EQ(GetUser(*f.ctx, plain, plain.userId.str())->user.preferredLanguage, "zh-TW");
  EXPECT_EQ(
      UpdateUser(*f.ctx, plain, id, {.preferredLanguage = std::optional<std::string>("zh-TW")})
          .error()
          .kind,
      ErrorKind::kNotFound);
  // A plain user lists only themselves.
  auto page = ListUsers(*f.ctx, plain, {}, true);
  ASSERT_EQ(page->users.size(), 1u);
  EXPECT_EQ(page->users[0].user.id, plain.userId);
  // The last Global Administrator stays.
  EXPECT_EQ(SetRoles(*f.ctx, a, a.userId.str(), {}).error().code, "LastGlobalAdministrator");
  EXPECT_EQ(SetRoles(*f.ctx, lic, plain.userId.str(), {Role::kGlobalAdmin}).error().kind,
            ErrorKind::kForbidden);
}

TEST(Directory, DeleteReleasesLicensesAndEveryChangeIsAudited) {
  AppFixture f;
  Actor a = f.Org("contoso");
  auto users = f.Users(a, 1);
  f.Buy(a, kBusinessBasic, 1);
  std::string id = users[0].id.str();
  ASSERT_TRUE(ld::app::AssignLicense(*f.ctx, a, id, {{kBusinessBasic, {}}}, {}).ok());
  ASSERT_TRUE(DeleteUser(*f.ctx, a, id).ok());
  EXPECT_EQ(GetUser(*f.ctx, a, id).error().kind, ErrorKind::kNotFound);
  auto sku = GetSubscribedSku(*f.ctx, a, kBusinessBasic);
  EXPECT_EQ(sku->counts.consumed, 0);
  auto audit = ListAudit(*f.ctx, a, std::nullopt, 100);
  std::set<std::string> actions;
  for (const auto& e : audit->entries) actions.insert(e.action);
  for (const char* want :
       {"organization.signup", "user.create", "paymentMethod.add", "cart.create", "order.completed",
        "subscription.create", "license.assign", "user.delete"})
    EXPECT_TRUE(actions.count(want)) << want;
  for (const auto& e : audit->entries) {
    EXPECT_EQ(e.tenantId, a.tenantId);
    EXPECT_GT(e.at, 0);
  }
}

}  // namespace
}  // namespace ld::app
