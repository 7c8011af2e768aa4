#include "app/licensing.h"

#include <gtest/gtest.h>

#include <thread>

#include "support/app_fixture.h"

namespace ld::app {
namespace {

using namespace ld::testing;

int64_t Consumed(AppFixture& f, const Actor& a, const Guid& sku) {
  auto s = GetSubscribedSku(*f.ctx, a, sku);
  return s.ok() ? s->counts.consumed : 0;
}

TEST(Licensing, SubscribedSkusPoolSubscriptionsOfOneSku) {
  AppFixture f;
  Actor a = f.Org("contoso");
  f.Buy(a, kBusinessBasic, 3, BillingCycle::kMonthly);
  f.Buy(a, kBusinessBasic, 4, BillingCycle::kAnnual);
  auto skus = ListSubscribedSkus(*f.ctx, a);
  ASSERT_TRUE(skus.ok());
  ASSERT_EQ(skus->size(), 1u);
  EXPECT_EQ((*skus)[0].counts.enabled, 7);
  EXPECT_EQ((*skus)[0].subscriptionIds.size(), 2u);
  EXPECT_EQ((*skus)[0].capabilityStatus, "Enabled");
}

TEST(Licensing, R7AssignmentBeyondThePoolIsRefusedAndChangesNothing) {
  AppFixture f;
  Actor a = f.Org("contoso");
  auto users = f.Users(a, 3);
  f.Buy(a, kBusinessBasic, 2);
  ASSERT_TRUE(AssignLicense(*f.ctx, a, users[0].id.str(), {{kBusinessBasic, {}}}, {}).ok());
  ASSERT_TRUE(AssignLicense(*f.ctx, a, users[1].id.str(), {{kBusinessBasic, {}}}, {}).ok());
  auto r = AssignLicense(*f.ctx, a, users[2].id.str(), {{kBusinessBasic, {}}}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "InsufficientLicenses");
  EXPECT_EQ(r.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(Consumed(f, a, kBusinessBasic), 2);
  EXPECT_TRUE(GetUser(*f.ctx, a, users[2].id.str())->licenses.empty());
}

TEST(Licensing, R7ManyThreadsIntoAPoolOfNEndWithExactlyN) {
  AppFixture f;
  Actor a = f.Org("contoso");
  auto users = f.Users(a, 40);
  f.Buy(a, kBusinessStandard, 17);
  std::atomic<int> ok{0}, refused{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t) {
    ts.emplace_back([&, t] {
      for (size_t i = static_cast<size_t>(t); i < users.size(); i += 8) {
        auto r = AssignLicense(*f.ctx, a, users[i].id.str(), {{kBusinessStandard, {}}}, {});
        if (r.ok())
          ++ok;
        else if (r.error().code == "InsufficientLicenses")
          ++refused;
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(ok.load(), 17);
  EXPECT_EQ(refused.load(), 23);
  EXPECT_EQ(Consumed(f, a, kBusinessStandard), 17);
  auto holders = UserFilter{};
  holders.hasSku = {kBusinessStandard};
  auto page = ListUsers(*f.ctx, a, {holders, std::nullopt, 999}, true);
  EXPECT_EQ(*page->count, 17);
}

TEST(Licensing, R8NoLicenseWithoutUsageLocation) {
  AppFixture f;
  Actor a = f.Org("contoso");
  auto users = f.Users(a, 1, false);
  f.Buy(a, kBusinessBasic, 5);
  auto r = AssignLicense(*f.ctx, a, users[0].id.str(), {{kBusinessBasic, {}}}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "UsageLocationRequired");
  EXPECT_EQ(Consumed(f, a, kBusinessBasic), 0);
}

TEST(Licensing, MoveIsAtomic) {
  AppFixture f;
  Actor a = f.Org("contoso");
  auto users = f.Users(a, 2);
  f.Buy(a, kBusinessBasic, 2);
  f.Buy(a, kBusinessPremium, 1);
  for (const auto& u : users)
    ASSERT_TRUE(AssignLicense(*f.ctx, a, u.id.str(), {{kBusinessBasic, {}}}, {}).ok());
  // Move user0 from basic to premium.
  auto m = AssignLicense(*f.ctx, a, users[0].id.str(), {{kBusinessPremium, {}}}, {kBusinessBasic});
  ASSERT_TRUE(m.ok()) << m.error().message;
  ASSERT_EQ(m->licenses.size(), 1u);
  EXPECT_EQ(m->licenses[0].skuId, kBusinessPremium);
  // Premium is now full: moving user1 changes nothing at all.
  auto full =
      AssignLicense(*f.ctx, a, users[1].id.str(), {{kBusinessPremium, {}}}, {kBusinessBasic});
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, "InsufficientLicenses");
  auto u1 = GetUser(*f.ctx, a, users[1].id.str());
  ASSERT_EQ(u1->licenses.size(), 1u);
  EXPECT_EQ(u1->licenses[0].skuId, kBusinessBasic);
  EXPECT_EQ(Consumed(f, a, kBusinessBasic), 1);
  EXPECT_EQ(Consumed(f, a, kBusinessPremium), 1);
}

TEST(Licensing, BadRequestsAreRefused) {
  AppFixture f;
  Actor a = f.Org("contoso");
  auto users = f.Users(a, 1);
  f.Buy(a, kBusinessBasic, 2);
  std::string u = users[0].id.str();
  EXPECT_EQ(AssignLicense(*f.ctx, a, u, {}, {}).error().code, "EmptyRequest");
  EXPECT_EQ(AssignLicense(*f.ctx, a, u, {{Guid::NewV7(3), {}}}, {}).error().code, "UnknownSku");
  EXPECT_EQ(AssignLicense(*f.ctx, a, u, {{kBusinessBasic, {Guid::NewV7(3)}}}, {}).error().code,
            "InvalidDisabledPlan");
  EXPECT_EQ(
      AssignLicense(*f.ctx, a, u, {{kBusinessBasic, {}}, {kBusinessBasic, {}}}, {}).error().code,
      "DuplicateSku");
  EXPECT_EQ(AssignLicense(*f.ctx, a, u, {{kBusinessBasic, {}}}, {kBusinessBasic}).error().code,
            "DuplicateSku");
  EXPECT_EQ(AssignLicense(*f.ctx, a, u, {}, {kBusinessBasic}).error().code, "LicenseNotAssigned");
  EXPECT_EQ(AssignLicense(*f.ctx, a, Guid::NewV7(9).str(), {{kBusinessBasic, {}}}, {}).error().kind,
            ErrorKind::kNotFound);
  EXPECT_EQ(Consumed(f, a, kBusinessBasic), 0);
  // Disabled plans of the SKU itself are accepted and kept.
  Guid plan = RepoCatalog().FindSku(kBusinessBasic)->servicePlans[0].id;
  auto ok = AssignLicense(*f.ctx, a, u, {{kBusinessBasic, {plan}}}, {});
  ASSERT_TRUE(ok.ok());
  ASSERT_EQ(ok->licenses[0].disabledPlans.size(), 1u);
  EXPECT_EQ(ok->licenses[0].disabledPlans[0], plan);
}

TEST(Licensing, R12RolesDecideWhoAssigns) {
  AppFixture f;
  Actor a = f.Org("contoso");
  auto users = f.Users(a, 1);
  f.Buy(a, kBusinessBasic, 3);
  Actor billing = f.Member(a, "bill", {Role::kBillingAdmin});
  Actor reader = f.Member(a, "reader", {Role::kGlobalReader});
  Actor lic = f.Member(a, "lic", {Role::kLicenseAdmin});
  Actor plain = f.Member(a, "plain", {});
  for (const Actor* x : {&billing, &reader, &plain}) {
    auto r = AssignLicense(*f.ctx, *x, users[0].id.str(), {{kBusinessBasic, {}}}, {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, ErrorKind::kForbidden);
  }
  EXPECT_TRUE(AssignLicense(*f.ctx, lic, users[0].id.str(), {{kBusinessBasic, {}}}, {}).ok());
  // A plain user sees their own licenses, nobody else's.
  EXPECT_TRUE(LicenseDetails(*f.ctx, plain, plain.userId.str()).ok());
  EXPECT_EQ(LicenseDetails(*f.ctx, plain, users[0].id.str()).error().kind, ErrorKind::kNotFound);
}

TEST(Licensing, R13AnotherOrganizationsUsersDoNotExist) {
  AppFixture f;
  Actor a = f.Org("contoso");
  Actor b = f.Org("fabrikam");
  auto bu = f.Users(b, 1);
  f.Buy(a, kBusinessBasic, 3);
  auto r = AssignLicense(*f.ctx, a, bu[0].id.str(), {{kBusinessBasic, {}}}, {});
  EXPECT_EQ(r.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(GetUser(*f.ctx, a, bu[0].id.str()).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(GetUser(*f.ctx, a, bu[0].userPrincipalName).error().kind, ErrorKind::kNotFound);
  EXPECT_TRUE(ListSubscribedSkus(*f.ctx, b)->empty());
}

TEST(Licensing, R11ReconcileRemovesMostRecentlyAssignedFirst) {
  AppFixture f;
  Actor a = f.Org("contoso");
  auto users = f.Users(a, 4);
  Order o = f.Buy(a, kBusinessBasic, 4);
  for (const auto& u : users) {
    ASSERT_TRUE(AssignLicense(*f.ctx, a, u.id.str(), {{kBusinessBasic, {}}}, {}).ok());
    f.clock.Advance(10);
  }
  // Capacity drops to 2 (as when a subscription is deleted): the two newest go.
  ASSERT_TRUE(f.store
                  ->Write([&](Tx& tx) -> Status {
                    auto s = tx.FindSubscription(a.tenantId, *o.lines[0].subscriptionId);
                    s->quantity = 2;
                    tx.UpdateSubscription(*s);
                    EXPECT_EQ(ReconcilePool(tx, *f.ctx, a.tenantId, kBusinessBasic).size(), 2u);
                    return Ok();
                  })
                  .ok());
  EXPECT_EQ(GetUser(*f.ctx, a, users[0].id.str())->licenses.size(), 1u);
  EXPECT_EQ(GetUser(*f.ctx, a, users[1].id.str())->licenses.size(), 1u);
  EXPECT_TRUE(GetUser(*f.ctx, a, users[2].id.str())->licenses.empty());
  EXPECT_TRUE(GetUser(*f.ctx, a, users[3].id.str())->licenses.empty());
  auto audit = ListAudit(*f.ctx, a, std::nullopt, 10);
  int removals = 0;
  for (const auto& e : audit->entries) removals += e.action == "license.removeForCapacity";
  EXPECT_EQ(removals, 2);
}

}  // namespace
}  // namespace ld::app
