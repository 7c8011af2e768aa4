#include "app/subscriptions.h"

#include <gtest/gtest.h>

#include "app/licensing.h"
#include "support/app_fixture.h"

namespace ld::app {
namespace {

using namespace ld::testing;

TEST(Subscriptions, R9CannotDropBelowLicensesInUse) {
  AppFixture f;
  Actor a = f.Org("contoso");
  auto users = f.Users(a, 4);
  Order o = f.Buy(a, kBusinessBasic, 5);
  Guid sub = *o.lines[0].subscriptionId;
  for (const auto& u : users)
    ASSERT_TRUE(AssignLicense(*f.ctx, a, u.id.str(), {{kBusinessBasic, {}}}, {}).ok());
  auto r = ChangeSubscription(*f.ctx, a, sub, {.quantity = 2}, std::nullopt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "LicensesInUse");
  EXPECT_EQ(r.error().details["unassignFirst"], 2);
  EXPECT_NE(r.error().message.find("Unassign 2"), std::string::npos);
  EXPECT_EQ(GetSubscription(*f.ctx, a, sub)->sub.quantity, 5);
  auto ok = ChangeSubscription(*f.ctx, a, sub, {.quantity = 4}, std::nullopt);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->sub.quantity, 4);
  EXPECT_EQ(ok->assignedLicenses, 4);
  EXPECT_EQ(ChangeSubscription(*f.ctx, a, sub, {.quantity = 0}, std::nullopt).error().code,
            "QuantityOutOfRange");
}

TEST(Subscriptions, R9AddingLicensesChargesTheProratedRest) {
  AppFixture f;
  f.clock.Set(FromCivil({2026, 3, 1}, 12 * 3600 * 1000));
  Actor a = f.Org("contoso", "GB");
  Order o = f.Buy(a, kBusinessBasic, 2);  // period Mar 1 -> Apr 1 (31 days)
  Guid sub = *o.lines[0].subscriptionId;
  f.clock.Set(FromCivil({2026, 3, 17}, 9 * 3600 * 1000));  // 15 whole days + part of one left
  auto r = ChangeSubscription(*f.ctx, a, sub, {.quantity = 5}, IdempotencyInput{"q-1", "h"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  int64_t unit = *RepoCatalog().FindSku(kBusinessBasic)->UnitPrice("GBP", BillingCycle::kMonthly);
  Instant start = FromCivil({2026, 3, 1}, 12 * 3600 * 1000);
  int64_t expect =
      ProratedCharge(unit, 3, start, PeriodEnd(start, BillingCycle::kMonthly, 1), f.clock.Now());
  auto charges = f.gateway.Charges();
  ASSERT_EQ(charges.size(), 2u);
  int64_t charged = 0;
  for (const auto& c : charges)
    if (c.key.rfind("sub:", 0) == 0) charged = c.amount.amount;
  EXPECT_EQ(charged, expect + TaxOn(expect, 2000));
  // The idempotent retry does not charge again.
  auto again = ChangeSubscription(*f.ctx, a, sub, {.quantity = 5}, IdempotencyInput{"q-1", "h"});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(f.gateway.Charges().size(), 2u);
  EXPECT_EQ(ListInvoices(*f.ctx, a)->size(), 2u);
}

TEST(Subscriptions, R10CancelWithinSevenDaysRefundsAndDisablesLaterRefused) {
  AppFixture f;
  Actor a = f.Org("contoso");
  Order o1 = f.Buy(a, kBusinessBasic, 2);
  Order o2 = f.Buy(a, kBusinessStandard, 1);
  f.clock.Advance(6 * kMsPerDay + 23 * 3600 * 1000);  // 6 days 23 hours
  auto c = CancelSubscription(*f.ctx, a, *o1.lines[0].subscriptionId);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->sub.status, SubscriptionStatus::kDisabled);
  EXPECT_GT(f.gateway.RefundedTotal("USD"), 0);
  auto notes = ListInvoices(*f.ctx, a);
  EXPECT_EQ((*notes)[0].kind, InvoiceKind::kCreditNote);
  EXPECT_LT((*notes)[0].total, 0);
  f.clock.Advance(2 * 3600 * 1000);  // now past 7 days
  auto late = CancelSubscription(*f.ctx, a, *o2.lines[0].subscriptionId);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, "CancellationWindowPassed");
  EXPECT_NE(late.error().message.find("recurring billing off"), std::string::npos);
  // Turning recurring billing off works any time.
  auto off = ChangeSubscription(*f.ctx, a, *o2.lines[0].subscriptionId, {.autoRenew = false},
                                std::nullopt);
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->sub.autoRenew);
}

TEST(Subscriptions, R13ForeignSubscriptionIsNotFound) {
  AppFixture f;
  Actor a = f.Org("contoso");
  Actor b = f.Org("fabrikam");
  Order o = f.Buy(a, kBusinessBasic, 1);
  Guid sub = *o.lines[0].subscriptionId;
  EXPECT_EQ(GetSubscription(*f.ctx, b, sub).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(ChangeSubscription(*f.ctx, b, sub, {.quantity = 3}, std::nullopt).error().kind,
            ErrorKind::kNotFound);
  EXPECT_EQ(CancelSubscription(*f.ctx, b, sub).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(GetOrder(*f.ctx, b, o.id).error().kind, ErrorKind::kNotFound);
  auto inv = ListInvoices(*f.ctx, a);
  EXPECT_EQ(GetInvoice(*f.ctx, b, (*inv)[0].id).error().kind, ErrorKind::kNotFound);
}

}  // namespace
}  // namespace ld::app
