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

namespace ld::app {
namespace {

using namespace ld::testing;

// Issue 13 #1: a User Administrator could reset a Global Administrator's
// password, rename or delete it, and reset a Billing Administrator's.
TEST(Directory, OnlyGlobalAdministratorsChangePrivilegedUsers) {
  AppFixture f;
  Actor ga = f.Org("contoso");
  Actor ua = f.Member(ga, "ua", {Role::kUserAdmin});
  Actor ga2 = f.Member(ga, "ga2", {Role::kGlobalAdmin});
  Actor ba = f.Member(ga, "ba", {Role::kBillingAdmin});
  Actor plain = f.Member(ga, "plain", {});
  for (const Actor* target : {&ga, &ga2, &ba}) {
    std::string id = target->userId.str();
    EXPECT_EQ(UpdateUser(*f.ctx, ua, id, {.password = "Fresh-Secret-42"}).error().kind,
              ErrorKind::kForbidden);
    EXPECT_EQ(UpdateUser(*f.ctx, ua, id, {.userPrincipalName = "x@contoso.licensedesk.test"})
                  .error()
                  .kind,
              ErrorKind::kForbidden);
    EXPECT_EQ(UpdateUser(*f.ctx, ua, id, {.accountEnabled = false}).error().kind,
              ErrorKind::kForbidden);
    EXPECT_EQ(DeleteUser(*f.ctx, ua, id).error().kind, ErrorKind::kForbidden);
    // Other attributes stay a User Administrator's.
    EXPECT_TRUE(UpdateUser(*f.ctx, ua, id, {.displayName = "Renamed"}).ok());
  }
  // Nothing changed: the Global Administrator still signs in with its password.
  EXPECT_FALSE(
      SignIn(*f.ctx, "admin@contoso.licensedesk.test", "Fresh-Secret-42", "10.0.0.1", "bearer")
          .ok());
  EXPECT_TRUE(GetUser(*f.ctx, ga, ga2.userId.str()).ok());
  // Users without admin roles stay the User Administrator's to manage.
  EXPECT_TRUE(UpdateUser(*f.ctx, ua, plain.userId.str(), {.password = "Fresh-Secret-42"}).ok());
  EXPECT_TRUE(UpdateUser(*f.ctx, ua, plain.userId.str(), {.accountEnabled = false}).ok());
  EXPECT_TRUE(DeleteUser(*f.ctx, ua, plain.userId.str()).ok());
  // A Global Administrator manages everyone.
  EXPECT_TRUE(UpdateUser(*f.ctx, ga, ba.userId.str(), {.password = "Fresh-Secret-42"}).ok());
  EXPECT_TRUE(DeleteUser(*f.ctx, ga, ga2.userId.str()).ok());
}

// Issue 13 #5: the last Global Administrator could be disabled.
TEST(Directory, TheLastEnabledGlobalAdministratorCannotBeDisabledOrDeleted) {
  AppFixture f;
  Actor ga = f.Org("contoso");
  std::string id = ga.userId.str();
  EXPECT_EQ(UpdateUser(*f.ctx, ga, id, {.accountEnabled = false}).error().code,
            "LastGlobalAdministrator");
  // A second one that is disabled does not count.
  Actor ga2 = f.Member(ga, "ga2", {Role::kGlobalAdmin});
  ASSERT_TRUE(UpdateUser(*f.ctx, ga, ga2.userId.str(), {.accountEnabled = false}).ok());
  EXPECT_EQ(UpdateUser(*f.ctx, ga, id, {.accountEnabled = false}).error().code,
            "LastGlobalAdministrator");
  EXPECT_EQ(SetRoles(*f.ctx, ga, id, {}).error().code, "LastGlobalAdministrator");
  // Once it is enabled again, either may go, but not both.
  ASSERT_TRUE(UpdateUser(*f.ctx, ga, ga2.userId.str(), {.accountEnabled = true}).ok());
  ASSERT_TRUE(UpdateUser(*f.ctx, ga2, id, {.accountEnabled = false}).ok());
  EXPECT_EQ(UpdateUser(*f.ctx, ga2, ga2.userId.str(), {.accountEnabled = false}).error().code,
            "LastGlobalAdministrator");
  ASSERT_TRUE(DeleteUser(*f.ctx, ga2, id).ok());
  auto me = GetUser(*f.ctx, ga2, ga2.userId.str());
  ASSERT_TRUE(me.ok());
  EXPECT_TRUE(me->user.accountEnabled);
}

// Issue 13 #9: self-service changes prove the current password, every change
// ends the user's tokens and sessions, common passwords are refused.
TEST(Directory, PasswordChangesProveTheCurrentOneAndEndEveryToken) {
  AppFixture f;
  Actor ga = f.Org("contoso");
  const std::string upn = "admin@contoso.licensedesk.test";
  auto t1 = SignIn(*f.ctx, upn, "Correct-Horse-9", "10.0.0.1", "bearer");
  auto t2 = SignIn(*f.ctx, upn, "Correct-Horse-9", "10.0.0.1", "session");
  ASSERT_TRUE(t1.ok() && t2.ok());
  // No more password through PATCH of oneself.
  EXPECT_EQ(UpdateUser(*f.ctx, ga, ga.userId.str(), {.password = "Fresh-Secret-42"}).error().code,
            "UseChangePassword");
  EXPECT_EQ(ChangePassword(*f.ctx, ga, "wrong-one-1234", "Fresh-Secret-42").error().code,
            "InvalidCurrentPassword");
  EXPECT_EQ(ChangePassword(*f.ctx, ga, "Correct-Horse-9", "password").error().code,
            "PasswordTooCommon");
  EXPECT_EQ(ChangePassword(*f.ctx, ga, "Correct-Horse-9", "short").error().code, "InvalidPassword");
  // Refusals changed nothing.
  EXPECT_TRUE(Authenticate(*f.ctx, t1->secret).ok());
  ASSERT_TRUE(ChangePassword(*f.ctx, ga, "Correct-Horse-9", "Fresh-Secret-42").ok());
  EXPECT_FALSE(Authenticate(*f.ctx, t1->secret).ok());
  EXPECT_FALSE(Authenticate(*f.ctx, t2->secret).ok());
  EXPECT_FALSE(SignIn(*f.ctx, upn, "Correct-Horse-9", "10.0.0.2", "bearer").ok());
  EXPECT_TRUE(SignIn(*f.ctx, upn, "Fresh-Secret-42", "10.0.0.3", "bearer").ok());
  // An administrator's reset ends the user's tokens too, and keeps the policy.
  Actor plain = f.Member(ga, "plain", {});
  ASSERT_TRUE(UpdateUser(*f.ctx, ga, plain.userId.str(), {.password = "Plain-Secret-42"}).ok());
  auto pt =
      SignIn(*f.ctx, "plain0@contoso.licensedesk.test", "Plain-Secret-42", "10.0.0.4", "bearer");
  ASSERT_TRUE(pt.ok()) << pt.error().message;
  EXPECT_EQ(UpdateUser(*f.ctx, ga, plain.userId.str(), {.password = "Password123"}).error().code,
            "PasswordTooCommon");
  EXPECT_TRUE(Authenticate(*f.ctx, pt->secret).ok());
  ASSERT_TRUE(UpdateUser(*f.ctx, ga, plain.userId.str(), {.password = "Plain-Secret-43"}).ok());
  EXPECT_FALSE(Authenticate(*f.ctx, pt->secret).ok());
  EXPECT_EQ(
      CreateUser(*f.ctx, ga, {true, "Z", "z", "z@contoso.licensedesk.test", "iloveyou", {}, {}})
          .error()
          .code,
      "PasswordTooCommon");
}

}  // namespace
}  // namespace ld::app
