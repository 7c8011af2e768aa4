// End-to-end: every route of shared/spec/api.md against the real server on a
// free loopback port with a real SQLite file.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "http/routes.h"
#include "support/server.h"

namespace {

namespace lt = ld::testing;
using lt::Json;

// The app's code of an error in either envelope.
std::string AppCode(const lt::Response& r) {
  if (!r.json.is_object() || !r.json.contains("error")) return {};
  const Json& e = r.json["error"];
  if (e.contains("innerError") && e["innerError"].contains("code")) return e["innerError"]["code"];
  return e.value("code", "");
}

TEST(ApiOps, HealthReadinessMetricsOpenApiConfig) {
  lt::ServerProcess srv;
  auto c = srv.NewClient();
  auto h = c.Get("/healthz");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.json["status"], "ok");
  // Every response carries a request id and the security headers.
  EXPECT_FALSE(h.Header("request-id").empty());
  EXPECT_EQ(h.Header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(h.Header("X-Frame-Options"), "DENY");
  EXPECT_EQ(h.Header("Referrer-Policy"), "no-referrer");
  EXPECT_NE(h.Header("Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos);

  EXPECT_EQ(c.Get("/readyz").status, 200);

  auto cfg = c.Get("/api/v1/config");
  ASSERT_EQ(cfg.status, 200) << cfg;
  EXPECT_EQ(cfg.json["cloud"], "worldwide");
  EXPECT_EQ(cfg.json["defaultLocale"], "en-US");
  EXPECT_EQ(cfg.json["locales"], Json({"en-US", "zh-TW", "de-DE", "zh-CN"}));
  EXPECT_EQ(cfg.json["signupEnabled"], true);
  EXPECT_EQ(cfg.json["deploymentDomain"], "licensedesk.test");
  bool us = false;
  for (const auto& m : cfg.json["markets"])
    us = us || (m["country"] == "US" && m["currency"] == "USD");
  EXPECT_TRUE(us) << cfg;

  auto api = c.Get("/openapi.json");
  ASSERT_EQ(api.status, 200);
  EXPECT_EQ(api.json["openapi"], "3.1.0");
  for (const auto& r : ld::http::Routes()) {
    std::string m = r.method;
    for (auto& ch : m) ch = static_cast<char>(std::tolower(ch));
    EXPECT_TRUE(api.json["paths"].contains(r.path) && api.json["paths"][r.path].contains(m))
        << r.Id() << " is missing from /openapi.json";
  }

  srv.SignUp("metrics");  // a few writes for the store's figures
  auto metrics = c.Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.Header("Content-Type").find("text/plain"), std::string::npos);
  EXPECT_NE(metrics.body.find("ld_http_requests_total{route=\"GET /healthz\",status=\"200\"}"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("ld_http_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(metrics.body.find("ld_checkouts_total{outcome=\"completed\"}"), std::string::npos);
  EXPECT_NE(metrics.body.find("ld_license_assignments_total"), std::string::npos);
  // The embedded store reports its group commit: writes carried per commit.
  auto number_after = [&](const std::string& name) -> long long {
    auto at = metrics.body.find("\n" + name + " ");
    return at == std::string::npos ? -1 : std::stoll(metrics.body.substr(at + name.size() + 2));
  };
  if (c.Get("/readyz").json["backend"] == "sqlite") {
    EXPECT_GE(number_after("ld_store_commits_total"), 1) << metrics.body;
    EXPECT_GE(number_after("ld_store_writes_total"), number_after("ld_store_commits_total"));
  } else {
    EXPECT_EQ(metrics.body.find("ld_store_commits_total"), std::string::npos);
  }
}

TEST(ApiOps, UnknownPathsAndMethods) {
  lt::ServerProcess srv;
  auto c = srv.NewClient();
  auto a = c.Get("/api/v1/nothing-here");
  EXPECT_EQ(a.status, 404);
  EXPECT_EQ(a.json["error"]["code"], "NotFound");
  EXPECT_TRUE(a.json["error"].contains("target"));
  auto g = c.Get("/v1.0/nothing");
  EXPECT_EQ(g.status, 404);
  EXPECT_EQ(g.json["error"]["code"], "Request_ResourceNotFound");
  EXPECT_FALSE(g.json["error"]["innerError"]["request-id"].get<std::string>().empty());
  EXPECT_EQ(g.json["error"]["innerError"]["request-id"], g.Header("request-id"));
  auto m = c.Send("DELETE", "/api/v1/offers", std::nullopt);
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(m.Header("Allow"), "GET");
  // Not signed in: 401 with WWW-Authenticate, in each family's envelope.
  auto u = c.Get("/v1.0/me");
  EXPECT_EQ(u.status, 401);
  EXPECT_EQ(u.json["error"]["code"], "InvalidAuthenticationToken");
  EXPECT_FALSE(u.Header("WWW-Authenticate").empty());
  auto o = c.Get("/api/v1/orders");
  EXPECT_EQ(o.status, 401);
  EXPECT_TRUE(o.json["error"].contains("details"));
}

TEST(ApiGraph, SignupTokenMeOrganizationAndSelfService) {
  lt::ServerProcess srv;
  auto anon = srv.NewClient();
  auto su = anon.Post("/api/v1/signup",
                      {{"organizationName", "Fabrikam"},
                       {"domainPrefix", "fabrikam"},
                       {"countryCode", "US"},
                       {"admin", {{"displayName", "Fab Admin"}, {"password", "Fabrikam-Pass-1"}}}});
  ASSERT_EQ(su.status, 201) << su;
  EXPECT_EQ(su.json["domain"], "fabrikam.licensedesk.test");
  EXPECT_EQ(su.json["adminUserPrincipalName"], "admin@fabrikam.licensedesk.test");
  std::string tenant = su.json["tenantId"];
  EXPECT_EQ(tenant.size(), 36u);

  auto again = anon.Post("/api/v1/signup",
                         {{"organizationName", "Fabrikam 2"},
                          {"domainPrefix", "fabrikam"},
                          {"countryCode", "US"},
                          {"admin", {{"displayName", "X"}, {"password", "Fabrikam-Pass-1"}}}});
  EXPECT_EQ(again.status, 409) << again;
  EXPECT_EQ(again.json["error"]["code"], "DomainTaken");

  auto tok = anon.Post(
      "/api/v1/auth/token",
      {{"userPrincipalName", "admin@fabrikam.licensedesk.test"}, {"password", "Fabrikam-Pass-1"}});
  ASSERT_EQ(tok.status, 200) << tok;
  EXPECT_EQ(tok.json["tokenType"], "Bearer");
  EXPECT_GT(tok.json["expiresIn"].get<int>(), 0);
  auto bad = anon.Post(
      "/api/v1/auth/token",
      {{"userPrincipalName", "admin@fabrikam.licensedesk.test"}, {"password", "wrong-password"}});
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(bad.json["error"]["code"], "InvalidCredentials");

  auto c = srv.NewClient(tok.json["accessToken"]);
  auto me = c.Get("/v1.0/me");
  ASSERT_EQ(me.status, 200) << me;
  EXPECT_EQ(me.json["userPrincipalName"], "admin@fabrikam.licensedesk.test");
  EXPECT_EQ(me.json["displayName"], "Fab Admin");
  EXPECT_TRUE(me.json["assignedLicenses"].is_array());
  EXPECT_TRUE(me.json.contains("accountEnabled"));
  EXPECT_TRUE(me.json.contains("usageLocation"));
  EXPECT_NE(me.json["@odata.context"].get<std::string>().find("$metadata#users"),
            std::string::npos);
  auto sel = c.Get("/v1.0/me?$select=displayName,id");
  ASSERT_EQ(sel.status, 200) << sel;
  EXPECT_FALSE(sel.json.contains("userPrincipalName"));
  EXPECT_EQ(sel.json["displayName"], "Fab Admin");

  auto org = c.Get("/v1.0/organization");
  ASSERT_EQ(org.status, 200) << org;
  const Json& o = org.json["value"][0];
  EXPECT_EQ(o["id"], tenant);
  EXPECT_EQ(o["displayName"], "Fabrikam");
  EXPECT_EQ(o["countryLetterCode"], "US");
  ASSERT_FALSE(o["verifiedDomains"].empty());
  EXPECT_EQ(o["verifiedDomains"][0]["name"], "fabrikam.licensedesk.test");
  EXPECT_EQ(o["verifiedDomains"][0]["isInitial"], true);
  EXPECT_TRUE(o["verifiedDomains"][0].contains("isDefault"));

  auto lang = c.Patch("/v1.0/me", {{"preferredLanguage", "zh-TW"}});
  EXPECT_EQ(lang.status, 204) << lang;
  EXPECT_EQ(c.Get("/v1.0/me").json["preferredLanguage"], "zh-TW");
  // Issue 13, finding 9: a self-service change proves the current password,
  // refuses common ones, and ends every token and session of the user.
  auto pw = c.Patch("/v1.0/me", {{"passwordProfile", {{"password", "Another-Pass-2"}}}});
  EXPECT_EQ(pw.status, 400) << pw;
  EXPECT_EQ(pw.json["error"]["innerError"]["code"], "UseChangePassword") << pw;
  auto wrong = c.Post("/v1.0/me/changePassword",
                      {{"currentPassword", "not-it-at-all"}, {"newPassword", "Another-Pass-2"}});
  EXPECT_EQ(wrong.status, 400) << wrong;
  auto common = c.Post("/v1.0/me/changePassword",
                       {{"currentPassword", "Fabrikam-Pass-1"}, {"newPassword", "password"}});
  EXPECT_EQ(common.status, 400) << common;
  auto other = srv.NewClient(srv.Token("admin@fabrikam.licensedesk.test", "Fabrikam-Pass-1"));
  ASSERT_EQ(other.Get("/v1.0/me").status, 200);
  auto changed = c.Post("/v1.0/me/changePassword", {{"currentPassword", "Fabrikam-Pass-1"},
                                                    {"newPassword", "Another-Pass-2"}});
  EXPECT_EQ(changed.status, 204) << changed;
  EXPECT_EQ(other.Get("/v1.0/me").status, 401);
  EXPECT_TRUE(srv.Token("admin@fabrikam.licensedesk.test", "Fabrikam-Pass-1").empty());
  c.SetToken(srv.Token("admin@fabrikam.licensedesk.test", "Another-Pass-2"));
  EXPECT_FALSE(c.token().empty());

  auto roles = c.Get("/api/v1/users/" + me.json["id"].get<std::string>() + "/roles");
  ASSERT_EQ(roles.status, 200) << roles;
  EXPECT_EQ(roles.json["roles"], Json({"Global Administrator"}));
}

TEST(ApiGraph, UsersCrudByIdAndUserPrincipalName) {
  lt::ServerProcess srv;
  auto org = srv.SignUp("crud");
  auto c = srv.NewClient(org.token);
  auto created = c.Post("/v1.0/users", {{"accountEnabled", true},
                                        {"displayName", "Adele Vance"},
                                        {"mailNickname", "adele"},
                                        {"userPrincipalName", "Adele@" + org.domain},
                                        {"usageLocation", "US"},
                                        {"preferredLanguage", "de-DE"}});
  ASSERT_EQ(created.status, 201) << created;
  std::string id = created.json["id"];
  EXPECT_EQ(created.json["userPrincipalName"], "adele@" + org.domain);
  EXPECT_EQ(created.json["usageLocation"], "US");
  EXPECT_EQ(created.json["preferredLanguage"], "de-DE");
  EXPECT_EQ(created.json["assignedLicenses"], Json::array());
  EXPECT_FALSE(created.Header("Location").empty());

  EXPECT_EQ(c.Get("/v1.0/users/" + id).json["displayName"], "Adele Vance");
  auto by_upn = c.Get("/v1.0/users/adele@" + org.domain);
  ASSERT_EQ(by_upn.status, 200) << by_upn;
  EXPECT_EQ(by_upn.json["id"], id);

  auto dup = c.Post("/v1.0/users", {{"displayName", "Adele 2"},
                                    {"mailNickname", "adele"},
                                    {"userPrincipalName", "adele@" + org.domain}});
  EXPECT_EQ(dup.status, 409) << dup;

  auto patch =
      c.Patch("/v1.0/users/" + id,
              {{"displayName", "Adele V."}, {"usageLocation", nullptr}, {"accountEnabled", false}});
  EXPECT_EQ(patch.status, 204) << patch;
  auto after = c.Get("/v1.0/users/" + id);
  EXPECT_EQ(after.json["displayName"], "Adele V.");
  EXPECT_TRUE(after.json["usageLocation"].is_null());
  EXPECT_EQ(after.json["accountEnabled"], false);

  auto del = c.Delete("/v1.0/users/" + id);
  EXPECT_EQ(del.status, 204) << del;
  auto gone = c.Get("/v1.0/users/" + id);
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(gone.json["error"]["code"], "Request_ResourceNotFound");
}

TEST(ApiCommerce, PurchaseAssignChangeCancelInvoices) {
  lt::ServerProcess srv;
  auto org = srv.SignUp("buyer");
  auto c = srv.NewClient(org.token);

  auto offers = c.Get("/api/v1/offers");
  ASSERT_EQ(offers.status, 200) << offers;
  ASSERT_FALSE(offers.json["value"].empty());
  const Json& first = offers.json["value"][0];
  for (const char* k :
       {"skuId", "skuPartNumber", "name", "description", "servicePlans", "minQuantity",
        "maxQuantity", "isAddOn", "prerequisiteSkuIds", "prices", "purchased"})
    EXPECT_TRUE(first.contains(k)) << k;
  EXPECT_EQ(first["prices"][0]["unitPrice"]["currency"], "USD");
  EXPECT_TRUE(first["prices"][0]["unitPrice"]["amount"].is_number_integer());
  std::string sku = lt::SkuIdOf(c, "BUSINESS_STANDARD");

  auto pm = c.Post("/api/v1/paymentMethods", {{"type", "card"},
                                              {"card",
                                               {{"number", "4242 4242 4242 4242"},
                                                {"expMonth", 12},
                                                {"expYear", 2030},
                                                {"cvc", "123"},
                                                {"holderName", "Buyer"}}}});
  ASSERT_EQ(pm.status, 201) << pm;
  EXPECT_EQ(pm.json["type"], "card");
  EXPECT_EQ(pm.json["brand"], "visa");
  EXPECT_EQ(pm.json["last4"], "4242");
  EXPECT_EQ(pm.json["expMonth"], 12);
  EXPECT_EQ(pm.body.find("4242424242424242"), std::string::npos);
  std::string pm_id = pm.json["id"];
  EXPECT_EQ(c.Get("/api/v1/paymentMethods").json["value"].size(), 1u);
  auto invoice_pm = c.Post("/api/v1/paymentMethods", {{"type", "invoice"}});
  EXPECT_EQ(invoice_pm.status, 403) << invoice_pm;  // not eligible

  auto cart = c.Post(
      "/api/v1/carts",
      {{"lineItems",
        {{{"skuId", sku}, {"quantity", 3}, {"billingCycle", "monthly"}, {"autoAssign", false}}}}});
  ASSERT_EQ(cart.status, 201) << cart;
  std::string cart_id = cart.json["id"];
  EXPECT_EQ(cart.json["status"], "active");
  EXPECT_EQ(cart.json["lineItems"][0]["quantity"], 3);
  EXPECT_EQ(cart.json["lineItems"][0]["name"], "Business Standard");
  EXPECT_EQ(cart.json["subtotal"]["amount"],
            3 * cart.json["lineItems"][0]["unitPrice"]["amount"].get<int64_t>());
  for (const char* k : {"tax", "total", "createdAt", "expiresAt"})
    EXPECT_TRUE(cart.json.contains(k));
  auto put =
      c.Put("/api/v1/carts/" + cart_id,
            {{"lineItems", {{{"skuId", sku}, {"quantity", 5}, {"billingCycle", "annual"}}}}});
  ASSERT_EQ(put.status, 200) << put;
  EXPECT_EQ(put.json["lineItems"][0]["quantity"], 5);
  EXPECT_EQ(put.json["lineItems"][0]["billingCycle"], "annual");
  EXPECT_EQ(c.Get("/api/v1/carts/" + cart_id).json["lineItems"][0]["quantity"], 5);
  auto active = c.Get("/api/v1/carts?status=active");
  ASSERT_EQ(active.status, 200);
  ASSERT_EQ(active.json["value"].size(), 1u);
  EXPECT_EQ(active.json["value"][0]["id"], cart_id);

  auto order = c.Post("/api/v1/carts/" + cart_id + "/checkout", {{"paymentMethodId", pm_id}});
  ASSERT_EQ(order.status, 201) << order;
  EXPECT_EQ(order.json["status"], "completed");
  EXPECT_EQ(order.json["cartId"], cart_id);
  EXPECT_EQ(order.json["payment"]["status"], "captured");
  EXPECT_EQ(order.json["payment"]["last4"], "4242");
  EXPECT_EQ(order.json["total"]["currency"], "USD");
  std::string order_id = order.json["id"];
  std::string sub_id = order.json["lineItems"][0]["subscriptionId"];
  auto twice = c.Post("/api/v1/carts/" + cart_id + "/checkout", {{"paymentMethodId", pm_id}});
  EXPECT_EQ(twice.status, 409) << twice;
  EXPECT_EQ(twice.json["error"]["code"], "CartAlreadyOrdered");
  EXPECT_EQ(c.Get("/api/v1/carts/" + cart_id).json["status"], "ordered");

  EXPECT_EQ(c.Get("/api/v1/orders").json["value"].size(), 1u);
  EXPECT_EQ(c.Get("/api/v1/orders/" + order_id).json["id"], order_id);
  bool purchased = false;
  auto offers_after = c.Get("/api/v1/offers");
  for (const auto& o : offers_after.json["value"])
    if (o["skuId"] == sku) purchased = o["purchased"];
  EXPECT_TRUE(purchased);

  auto subs = c.Get("/api/v1/subscriptions");
  ASSERT_EQ(subs.json["value"].size(), 1u);
  auto sub = c.Get("/api/v1/subscriptions/" + sub_id);
  ASSERT_EQ(sub.status, 200) << sub;
  EXPECT_EQ(sub.json["quantity"], 5);
  EXPECT_EQ(sub.json["billingCycle"], "annual");
  EXPECT_EQ(sub.json["status"], "active");
  EXPECT_EQ(sub.json["orderId"], order_id);
  for (const char* k : {"name", "assignedLicenses", "startDate", "currentPeriodEnd", "autoRenew"})
    EXPECT_TRUE(sub.json.contains(k)) << k;

  auto skus = c.Get("/v1.0/subscribedSkus");
  ASSERT_EQ(skus.status, 200) << skus;
  ASSERT_EQ(skus.json["value"].size(), 1u);
  const Json& pool = skus.json["value"][0];
  EXPECT_EQ(pool["id"], org.tenantId + "_" + sku);
  EXPECT_EQ(pool["skuPartNumber"], "BUSINESS_STANDARD");
  EXPECT_EQ(pool["prepaidUnits"]["enabled"], 5);
  EXPECT_EQ(pool["consumedUnits"], 0);
  EXPECT_EQ(pool["subscriptionIds"], Json({sub_id}));
  auto one = c.Get("/v1.0/subscribedSkus/" + org.tenantId + "_" + sku);
  EXPECT_EQ(one.status, 200) << one;
  EXPECT_EQ(one.json["skuId"], sku);

  std::string u1 = lt::CreateUser(c, org.domain, "user.one");
  std::string u2 = lt::CreateUser(c, org.domain, "user.two", std::nullopt);
  auto assigned = c.Post("/v1.0/users/" + u1 + "/assignLicense",
                         {{"addLicenses", {{{"skuId", sku}, {"disabledPlans", Json::array()}}}},
                          {"removeLicenses", Json::array()}});
  ASSERT_EQ(assigned.status, 200) << assigned;
  EXPECT_EQ(assigned.json["assignedLicenses"][0]["skuId"], sku);
  auto no_loc = c.Post("/v1.0/users/" + u2 + "/assignLicense",
                       {{"addLicenses", {{{"skuId", sku}}}}, {"removeLicenses", Json::array()}});
  EXPECT_EQ(no_loc.status, 400) << no_loc;
  EXPECT_EQ(no_loc.json["error"]["code"], "Request_BadRequest");
  EXPECT_EQ(AppCode(no_loc), "UsageLocationRequired");
  auto details = c.Get("/v1.0/users/" + u1 + "/licenseDetails");
  ASSERT_EQ(details.status, 200) << details;
  ASSERT_EQ(details.json["value"].size(), 1u);
  EXPECT_EQ(details.json["value"][0]["skuPartNumber"], "BUSINESS_STANDARD");
  EXPECT_FALSE(details.json["value"][0]["servicePlans"].empty());
  EXPECT_EQ(c.Get("/v1.0/subscribedSkus").json["value"][0]["consumedUnits"], 1);

  // R9: more licenses are charged; fewer than in use is refused.
  auto more = c.Patch("/api/v1/subscriptions/" + sub_id, {{"quantity", 6}});
  ASSERT_EQ(more.status, 200) << more;
  EXPECT_EQ(more.json["quantity"], 6);
  auto off = c.Patch("/api/v1/subscriptions/" + sub_id, {{"autoRenew", false}},
                     {{"Idempotency-Key", "renew-off-1"}});
  ASSERT_EQ(off.status, 200) << off;
  EXPECT_EQ(off.json["autoRenew"], false);

  auto invoices = c.Get("/api/v1/invoices");
  ASSERT_EQ(invoices.status, 200) << invoices;
  ASSERT_GE(invoices.json["value"].size(), 2u);
  const Json& inv = invoices.json["value"][0];
  for (const char* k : {"id", "number", "kind", "total", "issuedAt", "lineItems", "status"})
    EXPECT_TRUE(inv.contains(k)) << k;
  std::string inv_id = inv["id"];
  EXPECT_EQ(c.Get("/api/v1/invoices/" + inv_id).json["id"], inv_id);
  auto pdf = c.Get("/api/v1/invoices/" + inv_id + "/pdf");
  ASSERT_EQ(pdf.status, 200) << pdf.status;
  EXPECT_EQ(pdf.Header("Content-Type"), "application/pdf");
  EXPECT_EQ(pdf.body.rfind("%PDF-", 0), 0u);
  EXPECT_EQ(c.Get("/api/v1/invoices/" + inv_id + "/pdf?locale=zh-TW").status, 200);

  // R10: cancel within 7 days refunds and disables; reactivate brings it back.
  auto cancel = c.Post("/api/v1/subscriptions/" + sub_id + "/cancel", Json::object());
  ASSERT_EQ(cancel.status, 200) << cancel;
  EXPECT_EQ(cancel.json["status"], "disabled");
  auto react = c.Post("/api/v1/subscriptions/" + sub_id + "/reactivate", Json::object());
  ASSERT_EQ(react.status, 200) << react;
  EXPECT_EQ(react.json["status"], "active");

  // A second card can be removed.
  std::string spare = lt::AddCard(c, "5555555555554444");
  EXPECT_EQ(c.Delete("/api/v1/paymentMethods/" + spare).status, 204);
  EXPECT_EQ(c.Delete("/api/v1/paymentMethods/" + spare).status, 404);

  // The audit log pages newest first.
  auto audit = c.Get("/api/v1/auditLogs?$top=2");
  ASSERT_EQ(audit.status, 200) << audit;
  ASSERT_EQ(audit.json["value"].size(), 2u);
  ASSERT_TRUE(audit.json.contains("@odata.nextLink"));
  std::string next = audit.json["@odata.nextLink"];
  std::string prefix = "http://127.0.0.1:" + std::to_string(srv.port());
  ASSERT_EQ(next.rfind(prefix, 0), 0u) << next;
  auto page2 = c.Get(next.substr(prefix.size()));
  ASSERT_EQ(page2.status, 200) << page2;
  EXPECT_NE(page2.json["value"][0]["id"], audit.json["value"][0]["id"]);
  EXPECT_NE(page2.json["value"][0]["id"], audit.json["value"][1]["id"]);

  // Roles: make user one a Billing Administrator.
  auto set = c.Put("/api/v1/users/" + u1 + "/roles", {{"roles", {"Billing Administrator"}}});
  ASSERT_EQ(set.status, 200) << set;
  EXPECT_EQ(c.Get("/api/v1/users/" + u1 + "/roles").json["roles"], Json({"Billing Administrator"}));

  // Metrics saw the checkout and the assignment.
  auto metrics = c.Get("/metrics");
  EXPECT_NE(metrics.body.find("ld_checkouts_total{outcome=\"completed\"} 1"), std::string::npos);
  EXPECT_NE(metrics.body.find("ld_license_assignments_total{kind=\"assign\"} 1"),
            std::string::npos);
}

TEST(ApiCommerce, DeclinedCardLeavesCartActiveAndBuysNothing) {
  lt::ServerProcess srv;
  auto org = srv.SignUp("declined");
  auto c = srv.NewClient(org.token);
  std::string sku = lt::SkuIdOf(c, "BUSINESS_BASIC");
  std::string card = lt::AddCard(c, "4000000000000002");
  std::string cart = lt::CreateCart(c, sku, 2);
  auto r = c.Post("/api/v1/carts/" + cart + "/checkout", {{"paymentMethodId", card}});
  ASSERT_EQ(r.status, 402) << r;
  EXPECT_EQ(r.json["error"]["code"], "PaymentDeclined");
  EXPECT_EQ(r.json["error"]["details"]["order"]["status"], "failed");
  EXPECT_EQ(r.json["error"]["details"]["order"]["payment"]["status"], "declined");
  EXPECT_EQ(c.Get("/api/v1/carts/" + cart).json["status"], "active");
  EXPECT_TRUE(c.Get("/api/v1/subscriptions").json["value"].empty());
  // Another card then succeeds on the same cart.
  std::string good = lt::AddCard(c);
  auto ok = c.Post("/api/v1/carts/" + cart + "/checkout", {{"paymentMethodId", good}});
  EXPECT_EQ(ok.status, 201) << ok;
}

TEST(ApiGraph, AssignBeyondPoolIsRefusedAndChangesNothing) {
  lt::ServerProcess srv;
  auto org = srv.SignUp("pool");
  auto c = srv.NewClient(org.token);
  std::string sku = lt::SkuIdOf(c, "BUSINESS_BASIC");
  lt::Buy(c, sku, 1, lt::AddCard(c));
  std::string a = lt::CreateUser(c, org.domain, "a");
  std::string b = lt::CreateUser(c, org.domain, "b");
  Json body{{"addLicenses", {{{"skuId", sku}}}}, {"removeLicenses", Json::array()}};
  EXPECT_EQ(c.Post("/v1.0/users/" + a + "/assignLicense", body).status, 200);
  auto r = c.Post("/v1.0/users/" + b + "/assignLicense", body);
  EXPECT_EQ(r.status, 400) << r;
  EXPECT_EQ(AppCode(r), "InsufficientLicenses");
  EXPECT_TRUE(c.Get("/v1.0/users/" + b).json["assignedLicenses"].empty());
  // Move: remove from a and add to b in one call is fine; unknown SKU is a 400.
  auto unknown = c.Post("/v1.0/users/" + b + "/assignLicense",
                        {{"addLicenses", {{{"skuId", "00000000-0000-0000-0000-000000000001"}}}},
                         {"removeLicenses", Json::array()}});
  EXPECT_EQ(unknown.status, 400) << unknown;
  auto remove = c.Post("/v1.0/users/" + a + "/assignLicense",
                       {{"addLicenses", Json::array()}, {"removeLicenses", {sku}}});
  EXPECT_EQ(remove.status, 200) << remove;
  EXPECT_TRUE(remove.json["assignedLicenses"].empty());
}

TEST(ApiCommerce, InvoicePaymentForEligibleDemoOrganization) {
  lt::ServerProcess srv({.demo = true});
  std::string token = srv.Token("admin@contoso.licensedesk.test", "Demo-Password-1");
  ASSERT_FALSE(token.empty());
  auto c = srv.NewClient(token);
  auto pm = c.Post("/api/v1/paymentMethods", {{"type", "invoice"}});
  ASSERT_EQ(pm.status, 201) << pm;
  EXPECT_EQ(pm.json["type"], "invoice");
  std::string sku = lt::SkuIdOf(c, "ENTERPRISE_E3");
  auto order = lt::Buy(c, sku, 2, pm.json["id"]);
  EXPECT_EQ(order["payment"]["status"], "due");
}

}  // namespace

namespace {

TEST(ApiOps, StaticFilesWithSpaFallback) {
  lt::TempDir web;
  std::filesystem::create_directories(web.path() / "assets");
  std::ofstream(web.File("index.html")) << "<!doctype html><title>licensedesk</title>";
  std::ofstream((web.path() / "assets" / "app.js").string()) << "console.log(1);";
  lt::ServerProcess srv({.extra = {"--web-root", web.path().string()}});
  auto c = srv.NewClient();
  auto root = c.Get("/");
  EXPECT_EQ(root.status, 200);
  EXPECT_NE(root.body.find("<title>licensedesk</title>"), std::string::npos);
  EXPECT_EQ(root.Header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(root.Header("X-Frame-Options"), "DENY");
  auto spa = c.Get("/billing/purchase");
  EXPECT_EQ(spa.status, 200);
  EXPECT_EQ(spa.body, root.body);
  auto js = c.Get("/assets/app.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.Header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_NE(js.Header("Cache-Control").find("immutable"), std::string::npos);
  EXPECT_EQ(c.Get("/assets/missing.js").status, 404);
  EXPECT_EQ(c.Get("/..%2f..%2fetc%2fpasswd").status, 404);
  // API paths never fall back to the admin center.
  EXPECT_EQ(c.Get("/api/v1/unknown").Header("Content-Type"), "application/json; charset=utf-8");
}

TEST(ApiOps, HttpsWithSecureCookie) {
  lt::TempDir dir;
  std::string cert = dir.File("cert.pem"), key = dir.File("key.pem");
  std::string cmd =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -keyout " + key +
      " -out " + cert + " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "openssl is not available";
  lt::ServerProcess srv({.extra = {"--tls-cert", cert, "--tls-key", key}});
  EXPECT_EQ(srv.Stdout().rfind("licensedesk listening on https://127.0.0.1:", 0), 0u)
      << srv.Stdout();
  auto org = [&] {
    httplib::SSLClient c("127.0.0.1", srv.port());
    c.enable_server_certificate_verification(false);
    auto h = c.Get("/healthz");
    EXPECT_TRUE(h && h->status == 200);
    if (h) {
      EXPECT_NE(h->get_header_value("Strict-Transport-Security"), "");
    }
    auto su = c.Post(
        "/api/v1/signup",
        R"({"organizationName":"Tls","domainPrefix":"tls","countryCode":"US","admin":{"displayName":"T","password":"Tls-Password-1"}})",
        "application/json");
    EXPECT_TRUE(su && su->status == 201);
    auto s =
        c.Post("/api/v1/auth/session",
               R"({"userPrincipalName":"admin@tls.licensedesk.test","password":"Tls-Password-1"})",
               "application/json");
    EXPECT_TRUE(s && s->status == 200);
    return s ? s->get_header_value("Set-Cookie") : std::string();
  }();
  EXPECT_NE(org.find("; Secure"), std::string::npos) << org;
}

}  // namespace

namespace {

constexpr const char* kOperatorToken = "operator-token-for-tests-0123456789";

TEST(ApiTestClock, AdvancingRunsTheLifecycle) {
  lt::ServerProcess srv({.extra = {"--test-clock", "--operator-token", kOperatorToken}});
  auto org = srv.SignUp("clock");
  auto c = srv.NewClient(org.token);
  auto op = srv.NewClient(kOperatorToken);
  EXPECT_EQ(c.Get("/api/v1/config").json["testClock"], true);
  std::string start = op.Get("/api/v1/testClock").json["now"];
  std::string sku = lt::SkuIdOf(c, "BUSINESS_BASIC");
  auto order = lt::Buy(c, sku, 2, lt::AddCard(c));
  std::string sub = order["lineItems"][0]["subscriptionId"];

  auto adv = op.Post("/api/v1/testClock/advance", {{"days", 32}});
  ASSERT_EQ(adv.status, 200) << adv;
  EXPECT_GT(adv.json["now"].get<std::string>(), start);
  bool renewed = false;
  for (const auto& e : adv.json["events"])
    renewed = renewed || (e["type"] == "renewed" && e["subscriptionId"] == sub &&
                          e["tenantId"] == org.tenantId);
  EXPECT_TRUE(renewed) << adv;
  EXPECT_GE(c.Get("/api/v1/invoices").json["value"].size(), 2u);
  EXPECT_EQ(op.Get("/api/v1/testClock").json["now"], adv.json["now"]);

  EXPECT_EQ(op.Post("/api/v1/testClock/advance", Json::object()).status, 400);
  EXPECT_EQ(op.Post("/api/v1/testClock/advance", {{"days", -1}}).status, 400);
  // The issue's form: an instant, forward only.
  EXPECT_EQ(op.Post("/api/v1/testClock/advance", {{"to", "2000-01-01T00:00:00Z"}}).Code(),
            "ClockCannotGoBack");
  EXPECT_EQ(op.Post("/api/v1/testClock/advance", {{"to", "tomorrow"}}).status, 400);
  auto to = op.Post("/api/v1/testClock/advance", {{"to", "2099-01-01T00:00:00Z"}});
  EXPECT_EQ(to.status, 200) << to;
  EXPECT_EQ(to.json["now"], "2099-01-01T00:00:00.000Z");
}

// Issue 13, finding 6: the test clock moves billing time only, and only the
// operator moves it.
TEST(ApiTestClock, OnlyTheOperatorMovesItAndSignInsSurvive) {
  lt::ServerProcess srv({.extra = {"--test-clock", "--operator-token", kOperatorToken}});
  auto a = srv.SignUp("clocka");
  auto b = srv.SignUp("clockb");
  auto ca = srv.NewClient(a.token);
  auto cb = srv.NewClient(b.token);
  std::string sku = lt::SkuIdOf(cb, "BUSINESS_BASIC");
  auto order = lt::Buy(cb, sku, 2, lt::AddCard(cb));
  std::string sub_b = order["lineItems"][0]["subscriptionId"];
  auto before = cb.Get("/api/v1/subscriptions/" + sub_b);
  ASSERT_EQ(before.status, 200) << before;

  // No organization's admin moves the deployment's clock: 403, nothing moved.
  auto by_admin = ca.Post("/api/v1/testClock/advance", {{"days", 400}});
  EXPECT_EQ(by_admin.status, 403) << by_admin;
  EXPECT_EQ(ca.Get("/api/v1/testClock").status, 403);
  EXPECT_EQ(srv.NewClient().Post("/api/v1/testClock/advance", {{"days", 1}}).status, 401);
  EXPECT_EQ(srv.NewClient("not-the-operator-token-0000000")
                .Post("/api/v1/testClock/advance", {{"days", 1}})
                .status,
            401);
  EXPECT_EQ(cb.Get("/api/v1/subscriptions/" + sub_b).json, before.json);
  // The operator token is no organization's credential.
  auto op = srv.NewClient(kOperatorToken);
  EXPECT_EQ(op.Get("/v1.0/me").status, 401);

  // Billing time moves; tokens and sessions (one hour, eight hours) do not
  // expire by it.
  auto session = srv.NewClient().Post(
      "/api/v1/auth/session", {{"userPrincipalName", a.adminUpn}, {"password", a.password}});
  ASSERT_EQ(session.status, 200) << session;
  auto adv = op.Post("/api/v1/testClock/advance", {{"days", 40}});
  ASSERT_EQ(adv.status, 200) << adv;
  EXPECT_EQ(ca.Get("/v1.0/me").status, 200);
  EXPECT_EQ(cb.Get("/v1.0/me").status, 200);
  std::string cookie = session.Header("Set-Cookie");
  cookie = cookie.substr(0, cookie.find(';'));
  EXPECT_EQ(srv.NewClient().Get("/api/v1/auth/session", {{"Cookie", cookie}}).status, 200);
  auto renewed = cb.Get("/api/v1/subscriptions/" + sub_b);
  EXPECT_NE(renewed.json["currentPeriodEnd"], before.json["currentPeriodEnd"]) << renewed;

  // Dates past what four-digit years render are refused, and move nothing.
  auto now = op.Get("/api/v1/testClock").json["now"];
  auto far = op.Post("/api/v1/testClock/advance", {{"to", "9999-06-01T00:00:00Z"}});
  EXPECT_EQ(far.status, 400) << far;
  EXPECT_EQ(far.Code(), "DateOutOfRange");
  EXPECT_EQ(op.Get("/api/v1/testClock").json["now"], now);
}

TEST(ApiTestClock, NeedsAnOperatorToken) {
  auto r = lt::RunLicensedesk({"serve", "--test-clock", "--listen", "127.0.0.1:0", "--db",
                               "sqlite:///nonexistent-dir/never.db"},
                              20000);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("--operator-token"), std::string::npos) << r.err;
  auto weak = lt::RunLicensedesk({"serve", "--test-clock", "--operator-token", "short", "--listen",
                                  "127.0.0.1:0", "--db", "sqlite:///nonexistent-dir/never.db"},
                                 20000);
  EXPECT_EQ(weak.code, 2) << weak.err;
}

TEST(ApiTestClock, OffByDefault) {
  lt::ServerProcess srv({.extra = {"--operator-token", kOperatorToken}});
  auto org = srv.SignUp("noclock");
  for (const std::string& token : {org.token, std::string(kOperatorToken), std::string()}) {
    auto c = srv.NewClient(token);
    EXPECT_EQ(c.Get("/api/v1/testClock").status, 404);
    EXPECT_EQ(c.Post("/api/v1/testClock/advance", {{"days", 1}}).status, 404);
  }
}

// Issue 13, finding 10: absolute links come from the configured public URL,
// never from the Host header the client sends.
TEST(ApiPublicUrl, LinksNeverFollowTheHostHeader) {
  lt::ServerProcess srv;
  auto org = srv.SignUp("hosthdr");
  auto c = srv.NewClient(org.token);
  for (int i = 0; i < 3; ++i) lt::CreateUser(c, org.domain, "u" + std::to_string(i));
  httplib::Headers evil{{"Host", "attacker.example"}};
  std::string base = "http://127.0.0.1:" + std::to_string(srv.port());
  auto page = c.Get("/v1.0/users?$top=1", evil);
  ASSERT_EQ(page.status, 200) << page;
  std::string next = page.json.value("@odata.nextLink", "");
  EXPECT_EQ(next.rfind(base + "/v1.0/users?", 0), 0u) << next;
  EXPECT_EQ(page.json.value("@odata.context", "").rfind(base + "/v1.0/$metadata#", 0), 0u) << page;
  auto created = c.Post("/v1.0/users",
                        {{"displayName", "Loc"},
                         {"userPrincipalName", "loc@" + org.domain},
                         {"passwordProfile", {{"password", "Loc-Pass-12345"}}}},
                        evil);
  ASSERT_EQ(created.status, 201) << created;
  EXPECT_EQ(created.Header("Location").rfind(base + "/v1.0/users/", 0), 0u)
      << created.Header("Location");
  EXPECT_EQ(page.body.find("attacker"), std::string::npos);
}

TEST(ApiPublicUrl, TheConfiguredBaseIsUsed) {
  lt::ServerProcess srv({.extra = {"--public-url", "https://admin.example.com/ld/"}});
  auto org = srv.SignUp("pubbase");
  auto c = srv.NewClient(org.token);
  for (int i = 0; i < 2; ++i) lt::CreateUser(c, org.domain, "u" + std::to_string(i));
  auto page = c.Get("/v1.0/users?$top=1", {{"Host", "attacker.example"}});
  ASSERT_EQ(page.status, 200) << page;
  EXPECT_EQ(
      page.json.value("@odata.nextLink", "").rfind("https://admin.example.com/ld/v1.0/users?", 0),
      0u)
      << page;
  for (const char* bad : {"ftp://x.example", "https://", "https://user@x.example",
                          "https://x.example/?q=1", "https://x.example:99999", "javascript:x"}) {
    auto r = lt::RunLicensedesk({"serve", "--public-url", bad, "--listen", "127.0.0.1:0", "--db",
                                 "sqlite:///nonexistent-dir/never.db"},
                                20000);
    EXPECT_EQ(r.code, 2) << bad << ": " << r.err;
  }
}

}  // namespace

namespace {

// Issue 13, finding 13: X-Forwarded-For names the client only when the peer is
// a configured trusted proxy; the sign-in throttle keys on that address.
int FailThenSignIn(lt::ServerProcess& srv, const lt::Org& org, const std::string& attacker,
                   const std::string& owner) {
  auto c = srv.NewClient();
  for (int i = 0; i < 6; ++i)
    c.Post("/api/v1/auth/token", {{"userPrincipalName", org.adminUpn}, {"password", "wrong-pw"}},
           {{"X-Forwarded-For", attacker}});
  return c
      .Post("/api/v1/auth/token", {{"userPrincipalName", org.adminUpn}, {"password", org.password}},
            {{"X-Forwarded-For", owner}})
      .status;
}

TEST(ApiTrustedProxy, ForwardedForCountsOnlyFromATrustedProxy) {
  lt::ServerProcess trusted({.extra = {"--trusted-proxy", "127.0.0.1"}});
  auto a = trusted.SignUp("proxied");
  // Behind the trusted proxy the attacker and the owner are two addresses.
  EXPECT_EQ(FailThenSignIn(trusted, a, "203.0.113.9", "198.51.100.7"), 200);

  lt::ServerProcess direct;
  auto b = direct.SignUp("direct");
  // From an untrusted peer the header is ignored: both are the peer itself,
  // whose failures hold it back.
  EXPECT_EQ(FailThenSignIn(direct, b, "203.0.113.9", "198.51.100.7"), 429);

  auto bad =
      lt::RunLicensedesk({"serve", "--trusted-proxy", "not-an-address", "--listen", "127.0.0.1:0",
                          "--db", "sqlite://" + (direct.dir().path() / "x.db").string()},
                         20000);
  EXPECT_NE(bad.code, 0) << bad.err;
}

}  // namespace
