#include "support/app_fixture.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/pg_server.h"

namespace ld::testing {

const Guid kBusinessBasic = *Guid::Parse("f67a73f9-1da3-4124-974d-72e2bc80841b");
const Guid kBusinessStandard = *Guid::Parse("5a8330d1-0058-404a-9fc7-c87be8e5b3e9");
const Guid kBusinessPremium = *Guid::Parse("2fbb1ed0-ed3c-41e9-81bf-3a517ef8389c");
const Guid kEnterpriseE3 = *Guid::Parse("280e26e2-0778-4255-8446-07645355fd93");
const Guid kAudioConferencing = *Guid::Parse("95e42275-7df0-4a0b-bcbf-7c73cb018066");

const Catalog& RepoCatalog() {
  static const Catalog kCatalog = [] {
    std::ifstream in(SourceDir() + "/catalog/catalog.json");
    std::stringstream ss;
    ss << in.rdbuf();
    auto c = Catalog::Parse(ss.str(), "catalog.json");
    if (!c.ok()) throw std::runtime_error(c.error().message);
    return std::move(c).value();
  }();
  return kCatalog;
}

AppFixture::AppFixture(Cloud cloud, int max_batch)
    : clock(FromCivil({2026, 1, 15}, 10 * 3600 * 1000)) {
  if (UsePostgres()) {
    store::PgOptions o;
    o.conninfo = pgConninfo = FreshPostgresDatabase();
    store = std::make_unique<store::PgStore>(o, clock.Now());
  } else {
    store::SqliteOptions o;
    o.path = dir.File("ld.db");
    o.maxBatch = max_batch;
    store = std::make_unique<store::SqliteStore>(o, clock.Now());
  }
  app::Config cfg;
  cfg.cloud = cloud;
  ctx = std::make_unique<app::Context>(app::Context{*store, clock, gateway, RepoCatalog(), cfg});
}

AppFixture::~AppFixture() = default;

std::unique_ptr<app::Store> AppFixture::SecondServerStore() {
  if (pgConninfo.empty()) return nullptr;
  store::PgOptions o;
  o.conninfo = pgConninfo;
  return std::make_unique<store::PgStore>(o, clock.Now());
}

app::Actor AppFixture::Org(const std::string& prefix, const std::string& country, bool invoice) {
  app::SignupRequest r;
  r.organizationName = prefix + " Ltd";
  r.domainPrefix = prefix;
  r.countryCode = country;
  r.adminDisplayName = "Admin " + prefix;
  r.adminPassword = "Correct-Horse-9";
  r.invoiceEligible = invoice;
  auto res = app::Signup(*ctx, r);
  if (!res.ok()) throw std::runtime_error("signup: " + res.error().message);
  return {res->tenantId, res->adminId, {Role::kGlobalAdmin}};
}

Guid AppFixture::Card(const app::Actor& a, const std::string& number) {
  app::PaymentMethodInput in;
  in.card = {number, 12, 2030, "123", "Pat Admin"};
  auto pm = app::AddPaymentMethod(*ctx, a, in);
  if (!pm.ok()) throw std::runtime_error("card: " + pm.error().message);
  return pm->id;
}

Order AppFixture::Buy(const app::Actor& a, const Guid& sku, int64_t qty, BillingCycle cycle,
                      bool auto_assign) {
  auto cart = app::CreateCart(*ctx, a, {{sku, qty, cycle, auto_assign}});
  if (!cart.ok()) throw std::runtime_error("cart: " + cart.error().message);
  Guid card = Card(a);
  auto r = app::Checkout(*ctx, a, cart->cart.id, card, std::nullopt);
  if (!r.ok()) throw std::runtime_error("checkout: " + r.error().message);
  if (r->declined) throw std::runtime_error("checkout declined");
  return r->order;
}

std::vector<User> AppFixture::Users(const app::Actor& a, int n, bool located,
                                    const std::string& prefix) {
  std::vector<User> out;
  auto org = app::GetOrganization(*ctx, a);
  std::string domain = org->tenant.initialDomain;
  for (int i = 0; i < n; ++i) {
    app::NewUser u;
    u.displayName = prefix + " " + std::to_string(i);
    u.mailNickname = prefix + std::to_string(i);
    u.userPrincipalName = u.mailNickname + "@" + domain;
    if (located) u.usageLocation = org->tenant.country;
    auto r = app::CreateUser(*ctx, a, u);
    if (!r.ok()) throw std::runtime_error("user: " + r.error().message);
    out.push_back(r->user);
    clock.Advance(1);  // distinct creation times: "oldest first" is well defined
  }
  return out;
}

app::Actor AppFixture::Member(const app::Actor& org, const std::string& nick, RoleSet roles) {
  auto u = Users(org, 1, true, nick);
  if (!roles.empty()) {
    auto r = app::SetRoles(*ctx, org, u[0].id.str(), roles);
    if (!r.ok()) throw std::runtime_error("roles: " + r.error().message);
  }
  return {org.tenantId, u[0].id, roles};
}

}  // namespace ld::testing
