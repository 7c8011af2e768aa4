// The role matrix (R12, R13), walked from the route table: every route as
// every role, as nobody, and as the admin of another organization.
#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "domain/roles.h"
#include "http/routes.h"
#include "support/server.h"

namespace {

namespace lt = ld::testing;
using ld::http::Access;
using ld::http::RouteInfo;
using lt::Json;

struct Ids {
  std::string tenant, user, victim, self, sku, cart, order, sub, invoice, card, spare;
  std::string group, spareGroup;
};

// Builds one organization with something of everything.
Ids Populate(lt::ServerProcess& srv, const lt::Org& org) {
  auto c = srv.NewClient(org.token);
  Ids ids;
  ids.tenant = org.tenantId;
  ids.sku = lt::SkuIdOf(c, "BUSINESS_BASIC");
  ids.card = lt::AddCard(c);
  ids.spare = lt::AddCard(c, "5555555555554444");
  auto order = lt::Buy(c, ids.sku, 5, ids.card);
  ids.order = order["id"];
  ids.sub = order["lineItems"][0]["subscriptionId"];
  ids.cart = lt::CreateCart(c, ids.sku, 1);
  ids.user = lt::CreateUser(c, org.domain, "target");
  ids.victim = lt::CreateUser(c, org.domain, "victim");
  auto inv = c.Get("/api/v1/invoices");
  ids.invoice = inv.json["value"][0]["id"];
  for (auto* g : {&ids.group, &ids.spareGroup}) {
    auto r = c.Post("/v1.0/groups", {{"displayName", g == &ids.group ? "Matrix" : "Spare"},
                                     {"mailNickname", "m"},
                                     {"mailEnabled", false},
                                     {"securityEnabled", true}});
    *g = r.json["id"];
  }
  c.Post("/v1.0/groups/" + ids.group + "/members/$ref",
         {{"@odata.id", "http://x/v1.0/directoryObjects/" + ids.user}});
  return ids;
}

struct Sample {
  std::string path;
  std::optional<Json> body;
};

// A well-formed request for every route. A route without a sample fails the
// test, so a new route cannot skip the matrix.
std::optional<Sample> SampleFor(const RouteInfo& r, const Ids& ids) {
  const std::string id = r.Id();
  std::map<std::string, Sample> s{
      {"GET /healthz", {"/healthz", {}}},
      {"GET /readyz", {"/readyz", {}}},
      {"GET /metrics", {"/metrics", {}}},
      {"GET /openapi.json", {"/openapi.json", {}}},
      {"GET /api/v1/config", {"/api/v1/config", {}}},
      {"GET /api/v1/testClock", {"/api/v1/testClock", {}}},
      {"POST /api/v1/testClock/advance", {"/api/v1/testClock/advance", Json{{"days", 1}}}},
      {"POST /api/v1/signup",
       {"/api/v1/signup", Json{{"organizationName", "X"}, {"domainPrefix", "x"}}}},
      {"POST /api/v1/auth/token",
       {"/api/v1/auth/token", Json{{"userPrincipalName", "nobody@x.test"}, {"password", "p"}}}},
      {"POST /api/v1/auth/session",
       {"/api/v1/auth/session", Json{{"userPrincipalName", "nobody@x.test"}, {"password", "p"}}}},
      {"GET /api/v1/auth/session", {"/api/v1/auth/session", {}}},
      {"POST /api/v1/auth/logout", {"/api/v1/auth/logout", Json::object()}},
      {"GET /v1.0/me", {"/v1.0/me", {}}},
      {"PATCH /v1.0/me", {"/v1.0/me", Json{{"preferredLanguage", "en-US"}}}},
      {"POST /v1.0/me/changePassword",
       {"/v1.0/me/changePassword",
        Json{{"currentPassword", "not-the-password"}, {"newPassword", "Fresh-Pass-7788"}}}},
      {"GET /v1.0/organization", {"/v1.0/organization", {}}},
      {"GET /v1.0/users", {"/v1.0/users", {}}},
      {"POST /v1.0/users",
       {"/v1.0/users", Json{{"displayName", "New"}, {"userPrincipalName", "new@nowhere.test"}}}},
      {"GET /v1.0/users/{id}", {"/v1.0/users/" + ids.user, {}}},
      {"PATCH /v1.0/users/{id}", {"/v1.0/users/" + ids.user, Json{{"displayName", "Target"}}}},
      {"DELETE /v1.0/users/{id}", {"/v1.0/users/" + ids.victim, {}}},
      {"GET /v1.0/subscribedSkus", {"/v1.0/subscribedSkus", {}}},
      {"GET /v1.0/subscribedSkus/{id}", {"/v1.0/subscribedSkus/" + ids.tenant + "_" + ids.sku, {}}},
      {"POST /v1.0/users/{id}/assignLicense",
       {"/v1.0/users/" + ids.user + "/assignLicense",
        Json{{"addLicenses", {{{"skuId", ids.sku}}}}, {"removeLicenses", Json::array()}}}},
      {"GET /v1.0/users/{id}/licenseDetails", {"/v1.0/users/" + ids.user + "/licenseDetails", {}}},
      {"GET /api/v1/offers", {"/api/v1/offers", {}}},
      {"POST /api/v1/carts",
       {"/api/v1/carts",
        Json{{"lineItems", {{{"skuId", ids.sku}, {"quantity", 1}, {"billingCycle", "monthly"}}}}}}},
      {"GET /api/v1/carts", {"/api/v1/carts?status=active", {}}},
      {"GET /api/v1/carts/{id}", {"/api/v1/carts/" + ids.cart, {}}},
      {"PUT /api/v1/carts/{id}",
       {"/api/v1/carts/" + ids.cart,
        Json{{"lineItems", {{{"skuId", ids.sku}, {"quantity", 2}, {"billingCycle", "monthly"}}}}}}},
      {"POST /api/v1/carts/{id}/checkout",
       {"/api/v1/carts/" + ids.cart + "/checkout", Json{{"paymentMethodId", ids.card}}}},
      {"GET /api/v1/orders", {"/api/v1/orders", {}}},
      {"GET /api/v1/orders/{id}", {"/api/v1/orders/" + ids.order, {}}},
      {"POST /api/v1/paymentMethods",
       {"/api/v1/paymentMethods", Json{{"type", "card"},
                                       {"card",
                                        {{"number", "4242424242424242"},
                                         {"expMonth", 1},
                                         {"expYear", 2031},
                                         {"cvc", "123"},
                                         {"holderName", "M"}}}}}},
      {"GET /api/v1/paymentMethods", {"/api/v1/paymentMethods", {}}},
      {"DELETE /api/v1/paymentMethods/{id}", {"/api/v1/paymentMethods/" + ids.spare, {}}},
      {"GET /api/v1/subscriptions", {"/api/v1/subscriptions", {}}},
      {"GET /api/v1/subscriptions/{id}", {"/api/v1/subscriptions/" + ids.sub, {}}},
      {"PATCH /api/v1/subscriptions/{id}",
       {"/api/v1/subscriptions/" + ids.sub, Json{{"autoRenew", true}}}},
      {"POST /api/v1/subscriptions/{id}/cancel",
       {"/api/v1/subscriptions/" + ids.sub + "/cancel", Json::object()}},
      {"POST /api/v1/subscriptions/{id}/reactivate",
       {"/api/v1/subscriptions/" + ids.sub + "/reactivate", Json::object()}},
      {"GET /api/v1/invoices", {"/api/v1/invoices", {}}},
      {"GET /api/v1/invoices/{id}", {"/api/v1/invoices/" + ids.invoice, {}}},
      {"GET /api/v1/invoices/{id}/pdf", {"/api/v1/invoices/" + ids.invoice + "/pdf", {}}},
      {"GET /api/v1/users/{id}/roles", {"/api/v1/users/" + ids.user + "/roles", {}}},
      {"PUT /api/v1/users/{id}/roles",
       {"/api/v1/users/" + ids.user + "/roles", Json{{"roles", Json::array()}}}},
      {"GET /api/v1/auditLogs", {"/api/v1/auditLogs", {}}},
      {"GET /v1.0/groups", {"/v1.0/groups", {}}},
      {"POST /v1.0/groups",
       {"/v1.0/groups", Json{{"displayName", "New group"},
                             {"mailNickname", "new"},
                             {"mailEnabled", false},
                             {"securityEnabled", true}}}},
      {"GET /v1.0/groups/{id}", {"/v1.0/groups/" + ids.group, {}}},
      {"PATCH /v1.0/groups/{id}", {"/v1.0/groups/" + ids.group, Json{{"description", "d"}}}},
      {"DELETE /v1.0/groups/{id}", {"/v1.0/groups/" + ids.spareGroup, {}}},
      {"GET /v1.0/groups/{id}/members", {"/v1.0/groups/" + ids.group + "/members", {}}},
      {"POST /v1.0/groups/{id}/members/$ref",
       {"/v1.0/groups/" + ids.group + "/members/$ref",
        Json{{"@odata.id", "http://x/v1.0/directoryObjects/" + ids.user}}}},
      {"DELETE /v1.0/groups/{id}/members/{userId}/$ref",
       {"/v1.0/groups/" + ids.group + "/members/" + ids.user + "/$ref", {}}},
      {"GET /v1.0/groups/{id}/membersWithLicenseErrors",
       {"/v1.0/groups/" + ids.group + "/membersWithLicenseErrors", {}}},
      {"POST /v1.0/groups/{id}/assignLicense",
       {"/v1.0/groups/" + ids.group + "/assignLicense",
        Json{{"addLicenses", {{{"skuId", ids.sku}}}}, {"removeLicenses", Json::array()}}}},
      {"GET /v1.0/users/{id}/memberOf", {"/v1.0/users/" + ids.user + "/memberOf", {}}},
      {"POST /v1.0/users/{id}/reprocessLicenseAssignment",
       {"/v1.0/users/" + ids.user + "/reprocessLicenseAssignment", {}}},
      {"POST /api/v1/groups/{id}/licensePreview",
       {"/api/v1/groups/" + ids.group + "/licensePreview",
        Json{{"addLicenses", {{{"skuId", ids.sku}}}}, {"removeLicenses", Json::array()}}}},
      {"GET /api/v1/organization/sso", {"/api/v1/organization/sso", {}}},
      {"PUT /api/v1/organization/sso",
       {"/api/v1/organization/sso",
        Json{{"issuer", "https://127.0.0.1:1"}, {"clientId", "c"}, {"clientSecret", "s"}}}},
      {"DELETE /api/v1/organization/sso", {"/api/v1/organization/sso", {}}},
      {"POST /api/v1/auth/oidc/start",
       {"/api/v1/auth/oidc/start", Json{{"userPrincipalName", "nobody@x.test"}}}},
      {"GET /api/v1/auth/oidc/callback", {"/api/v1/auth/oidc/callback?code=c&state=s", {}}},
  };
  auto it = s.find(id);
  if (it == s.end()) return std::nullopt;
  return it->second;
}

struct Actor {
  std::string name;
  std::string token;  // empty: nobody
  ld::RoleSet roles;
  bool foreign = false;
  bool isOperator = false;  // the deployment operator's token (serve --operator-token)
};

constexpr const char* kOperatorToken = "operator-token-of-the-role-matrix";

lt::Response Call(lt::Client& c, const RouteInfo& r, const Sample& s) {
  return c.Send(r.method, s.path,
                s.body ? std::optional<std::string>(s.body->dump()) : std::nullopt);
}

TEST(ApiRoleMatrix, EveryRouteAsEveryRoleNobodyAndAForeignAdmin) {
  lt::ServerProcess srv({.extra = {"--test-clock", "--operator-token", kOperatorToken}});
  auto a = srv.SignUp("alpha");
  auto b = srv.SignUp("beta");
  Ids ids = Populate(srv, a);
  Populate(srv, b);

  auto admin = srv.NewClient(a.token);
  std::vector<Actor> actors{{"nobody", "", {}, false},
                            {"foreign admin", b.token, {ld::Role::kGlobalAdmin}, true}};
  const std::vector<std::pair<std::string, ld::Role>> role_users{
      {"reader", ld::Role::kGlobalReader},
      {"licenseadmin", ld::Role::kLicenseAdmin},
      {"useradmin", ld::Role::kUserAdmin},
      {"billingadmin", ld::Role::kBillingAdmin}};
  std::string plain_id = lt::CreateUser(admin, a.domain, "plain", "US", "Plain-Pass-1");
  actors.push_back({"plain user", srv.Token("plain@" + a.domain, "Plain-Pass-1"), {}, false});
  for (const auto& [nick, role] : role_users) {
    std::string id = lt::CreateUser(admin, a.domain, nick, "US", "Role-Pass-123");
    auto r =
        admin.Put("/api/v1/users/" + id + "/roles", {{"roles", {std::string(ld::ToString(role))}}});
    ASSERT_EQ(r.status, 200) << r;
    actors.push_back({nick, srv.Token(nick + "@" + a.domain, "Role-Pass-123"), {role}, false});
    ASSERT_FALSE(actors.back().token.empty());
  }
  actors.push_back({"global admin", a.token, {ld::Role::kGlobalAdmin}, false});
  actors.push_back({"operator", kOperatorToken, {}, false, true});
  for (const auto& act : actors)
    ASSERT_TRUE(act.name == "nobody" || !act.token.empty()) << act.name;

  // Logout revokes the caller's token: walk it last.
  std::vector<const RouteInfo*> routes;
  for (const auto& r : ld::http::Routes())
    if (r.path != "/api/v1/auth/logout") routes.push_back(&r);
  for (const auto& r : ld::http::Routes())
    if (r.path == "/api/v1/auth/logout") routes.push_back(&r);

  int checked = 0;
  for (const RouteInfo* route : routes) {
    auto sample = SampleFor(*route, ids);
    ASSERT_TRUE(sample.has_value()) << route->Id() << " has no sample in the role matrix";
    bool has_id = route->path.find('{') != std::string::npos;
    for (const auto& act : actors) {
      auto c = srv.NewClient(act.token);
      auto res = Call(c, *route, *sample);
      std::string what = route->Id() + " as " + act.name + ": " + res.body.substr(0, 300);
      ++checked;
      ASSERT_NE(res.status, 0) << what;
      EXPECT_LT(res.status, 500) << what;
      if (route->access == Access::kPublic) continue;
      if (act.token.empty()) {
        EXPECT_EQ(res.status, 401) << what;
        continue;
      }
      if (route->access == Access::kOperator) {
        // The operator's acts: its token only; every organization's gets 403.
        EXPECT_EQ(res.status, act.isOperator ? 200 : 403) << what;
        continue;
      }
      if (act.isOperator) {
        // The operator token is no organization's credential.
        EXPECT_EQ(res.status, 401) << what;
        continue;
      }
      EXPECT_NE(res.status, 401) << what;
      bool allowed =
          route->access != Access::kPermission || ld::Allows(act.roles, route->permission);
      if (!allowed) {
        EXPECT_EQ(res.status, 403) << what;
        continue;
      }
      if (act.foreign && has_id) {
        // R13: another organization's id is as absent as an unknown one.
        EXPECT_EQ(res.status, 404) << what;
        continue;
      }
      if (route->access == Access::kPermission) {
        EXPECT_NE(res.status, 403) << what;
      }
    }
  }
  EXPECT_GE(checked, 44 * 8);
  (void)plain_id;
}

// Issue 13 #1, Entra's rule for privileged users: only a Global
// Administrator changes the password, sign-in name, enabled state or
// existence of a user who holds any admin role. Every admin role as the
// target, a User Administrator and a Global Administrator as the actor, each
// sensitive change; a refused change changes nothing.
TEST(ApiRoleMatrix, PrivilegedUsersAreOnlyAGlobalAdministratorsToChange) {
  lt::ServerProcess srv;
  auto a = srv.SignUp("privileged");
  auto admin = srv.NewClient(a.token);
  std::string ua_id = lt::CreateUser(admin, a.domain, "ua", "US", "Ua-Pass-12345");
  ASSERT_EQ(
      admin.Put("/api/v1/users/" + ua_id + "/roles", {{"roles", {"User Administrator"}}}).status,
      200);
  auto ua = srv.NewClient(srv.Token("ua@" + a.domain, "Ua-Pass-12345"));
  const std::vector<std::string> target_roles{"Global Administrator",  "Billing Administrator",
                                              "License Administrator", "User Administrator",
                                              "Global Reader",         ""};
  struct Change {
    std::string name;
    std::function<lt::Response(lt::Client&, const std::string& id, const std::string& nick)> run;
  };
  const std::vector<Change> changes{
      {"password",
       [](lt::Client& c, const std::string& id, const std::string&) {
         return c.Patch("/v1.0/users/" + id,
                        {{"passwordProfile", {{"password", "Taken-Over-Pass-9"}}}});
       }},
      {"userPrincipalName",
       [&](lt::Client& c, const std::string& id, const std::string& nick) {
         return c.Patch("/v1.0/users/" + id, {{"userPrincipalName", nick + "-x@" + a.domain}});
       }},
      {"accountEnabled",
       [](lt::Client& c, const std::string& id, const std::string&) {
         return c.Patch("/v1.0/users/" + id, {{"accountEnabled", false}});
       }},
      {"delete", [](lt::Client& c, const std::string& id, const std::string&) {
         return c.Delete("/v1.0/users/" + id);
       }}};
  int n = 0;
  for (const auto& role : target_roles) {
    for (const auto& change : changes) {
      std::string nick = "t" + std::to_string(n++);
      std::string id = lt::CreateUser(admin, a.domain, nick, "US", "Target-Pass-123");
      if (!role.empty()) {
        ASSERT_EQ(admin.Put("/api/v1/users/" + id + "/roles", {{"roles", {role}}}).status, 200);
      }
      std::string what = change.name + " of a user with role '" + role + "'";
      auto before = admin.Get("/v1.0/users/" + id + "?$select=userPrincipalName,accountEnabled");
      auto by_ua = change.run(ua, id, nick);
      if (role.empty()) {
        EXPECT_EQ(by_ua.status, 204) << what << ": " << by_ua;
        continue;
      }
      EXPECT_EQ(by_ua.status, 403) << what << ": " << by_ua;
      auto after = admin.Get("/v1.0/users/" + id + "?$select=userPrincipalName,accountEnabled");
      EXPECT_EQ(after.json, before.json) << what;
      EXPECT_FALSE(srv.Token(nick + "@" + a.domain, "Target-Pass-123").empty()) << what;
      auto by_ga = change.run(admin, id, nick);
      EXPECT_EQ(by_ga.status, 204) << what << " by the Global Administrator: " << by_ga;
    }
  }
}

TEST(ApiRoleMatrix, PlainUserSeesOnlyThemselves) {
  lt::ServerProcess srv;
  auto a = srv.SignUp("selfonly");
  auto admin = srv.NewClient(a.token);
  std::string other = lt::CreateUser(admin, a.domain, "other");
  std::string me = lt::CreateUser(admin, a.domain, "me", "US", "Me-Pass-1234");
  auto c = srv.NewClient(srv.Token("me@" + a.domain, "Me-Pass-1234"));
  EXPECT_EQ(c.Get("/v1.0/users/" + me).status, 200);
  EXPECT_EQ(c.Get("/v1.0/users/" + other).status, 404);
  EXPECT_EQ(c.Get("/v1.0/users/" + other + "/licenseDetails").status, 404);
  EXPECT_EQ(c.Get("/v1.0/users/" + me + "/licenseDetails").status, 200);
  EXPECT_EQ(c.Get("/api/v1/users/" + other + "/roles").status, 404);
  EXPECT_EQ(c.Get("/api/v1/users/" + me + "/roles").json["roles"], Json::array());
  auto list = c.Get("/v1.0/users");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json["value"].size(), 1u);
  EXPECT_EQ(list.json["value"][0]["id"], me);
  auto patch_other = c.Patch("/v1.0/users/" + other, {{"displayName", "Hacked"}});
  EXPECT_TRUE(patch_other.status == 403 || patch_other.status == 404) << patch_other;
  EXPECT_EQ(admin.Get("/v1.0/users/" + other).json["displayName"], "other");
  EXPECT_EQ(c.Patch("/v1.0/users/" + me, {{"preferredLanguage", "zh-TW"}}).status, 204);
  EXPECT_EQ(c.Get("/v1.0/subscribedSkus").status, 403);
  EXPECT_EQ(c.Get("/api/v1/offers").status, 403);
}

}  // namespace
