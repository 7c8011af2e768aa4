#include "app/lifecycle.h"

#include <gtest/gtest.h>

#include <random>

#include "app/licensing.h"
#include "domain/lifecycle.h"
#include "support/app_fixture.h"

namespace ld::app {
namespace {

using namespace ld::testing;

std::vector<LifecycleEvent> Advance(AppFixture& f, Instant until) {
  f.clock.Set(until);
  auto r = RunLifecycle(*f.ctx, until);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? std::move(r).value() : std::vector<LifecycleEvent>{};
}

Subscription Sub(AppFixture& f, const Actor& a, const Guid& id) {
  return GetSubscription(*f.ctx, a, id)->sub;
}

TEST(Lifecycle, YearsOfMonthlyAndAnnualRenewalsKeepTheAnchorDay) {
  AppFixture f;
  f.clock.Set(FromCivil({2024, 1, 31}, 8 * 3600 * 1000));
  Actor a = f.Org("contoso");
  Guid monthly = *f.Buy(a, kBusinessBasic, 3, BillingCycle::kMonthly).lines[0].subscriptionId;
  Guid annual = *f.Buy(a, kBusinessStandard, 2, BillingCycle::kAnnual).lines[0].subscriptionId;
  auto events = Advance(f, FromCivil({2027, 2, 1}));
  int monthly_renewals = 0, annual_renewals = 0;
  for (const auto& e : events) {
    EXPECT_EQ(e.type, "renewed");
    monthly_renewals += e.subscriptionId == monthly;
    annual_renewals += e.subscriptionId == annual;
  }
  EXPECT_EQ(monthly_renewals, 36);  // Feb 2024 .. Jan 2027
  EXPECT_EQ(annual_renewals, 3);
  Subscription m = Sub(f, a, monthly);
  EXPECT_EQ(m.status, SubscriptionStatus::kActive);
  EXPECT_EQ(ToCivil(m.currentPeriodEnd), (CivilDate{2027, 2, 28}));  // clamped, anchor 31
  EXPECT_EQ(ToCivil(m.periodStart), (CivilDate{2027, 1, 31}));
  EXPECT_EQ(ToCivil(Sub(f, a, annual).currentPeriodEnd), (CivilDate{2028, 1, 31}));
  // Every renewal charged the locked price with tax, and invoiced it.
  int64_t unit = Sub(f, a, monthly).unitPrice;
  int renewals = 0;
  for (const auto& c : f.gateway.Charges())
    if (c.key.rfind("renew:" + monthly.str(), 0) == 0) {
      ++renewals;
      EXPECT_EQ(c.amount.amount, unit * 3);  // US: no tax
    }
  EXPECT_EQ(renewals, 36);
  EXPECT_EQ(ListInvoices(*f.ctx, a)->size(), 2u + 36u + 3u);
  // Running again changes nothing (idempotent).
  EXPECT_TRUE(Advance(f, FromCivil({2027, 2, 1})).empty());
}

TEST(Lifecycle, AutoRenewOffExpiresThenDisablesThenDeletesAndLicensesGo) {
  AppFixture f;
  Actor a = f.Org("contoso");
  auto users = f.Users(a, 2);
  Guid sub = *f.Buy(a, kBusinessBasic, 2).lines[0].subscriptionId;
  for (const auto& u : users)
    ASSERT_TRUE(AssignLicense(*f.ctx, a, u.id.str(), {{kBusinessBasic, {}}}, {}).ok());
  ASSERT_TRUE(ChangeSubscription(*f.ctx, a, sub, {.autoRenew = false}, std::nullopt).ok());
  Instant end = Sub(f, a, sub).currentPeriodEnd;
  Advance(f, end - 1);
  EXPECT_EQ(Sub(f, a, sub).status, SubscriptionStatus::kActive);
  auto ev = Advance(f, end);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, "expired");
  auto pool = GetSubscribedSku(*f.ctx, a, kBusinessBasic);
  EXPECT_EQ(pool->counts.warning, 2);  // grace: users keep access
  EXPECT_EQ(pool->counts.enabled, 0);
  EXPECT_EQ(pool->capabilityStatus, "Warning");
  Advance(f, end + 30 * kMsPerDay);
  EXPECT_EQ(Sub(f, a, sub).status, SubscriptionStatus::kDisabled);
  pool = GetSubscribedSku(*f.ctx, a, kBusinessBasic);
  EXPECT_EQ(pool->counts.suspended, 2);
  EXPECT_EQ(pool->counts.consumed, 2);  // licenses stay while disabled
  // No new assignment from a disabled subscription.
  auto more = f.Users(a, 1, true, "late");
  EXPECT_EQ(AssignLicense(*f.ctx, a, more[0].id.str(), {{kBusinessBasic, {}}}, {}).error().code,
            "InsufficientLicenses");
  auto del = Advance(f, end + 120 * kMsPerDay);
  EXPECT_EQ(Sub(f, a, sub).status, SubscriptionStatus::kDeleted);
  int removed = 0;
  for (const auto& e : del) removed += e.type == "licenseRemoved";
  EXPECT_EQ(removed, 2);
  EXPECT_TRUE(GetUser(*f.ctx, a, users[0].id.str())->licenses.empty());
}

TEST(Lifecycle, FailedRenewalRetriesAndARecoveredChargeReactivates) {
  AppFixture f;
  Actor a = f.Org("contoso");
  Guid sub = *f.Buy(a, kBusinessBasic, 1).lines[0].subscriptionId;
  Instant end = Sub(f, a, sub).currentPeriodEnd;
  // The gateway fails until day 3 of the retries.
  f.gateway.SetChargeFault([&](const std::string& key) {
    return key.find(":2") == std::string::npos || key.rfind(":2") != key.size() - 2
               ? f.clock.Now() >= end + 3 * kMsPerDay
               : true;
  });
  auto ev = Advance(f, end);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, "renewalFailed");
  EXPECT_EQ(Sub(f, a, sub).status, SubscriptionStatus::kExpired);
  EXPECT_EQ(Sub(f, a, sub).retryAt, end + kMsPerDay);
  ev = Advance(f, end + kMsPerDay);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, "renewalRetryFailed");
  ev = Advance(f, end + 3 * kMsPerDay);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, "renewed");
  Subscription s = Sub(f, a, sub);
  EXPECT_EQ(s.status, SubscriptionStatus::kActive);
  EXPECT_EQ(s.periodStart, end);  // no gap
  EXPECT_EQ(s.retryAt, 0);
}

TEST(Lifecycle, RetriesEndThenGraceEndsInDisabled) {
  AppFixture f;
  Actor a = f.Org("contoso");
  Guid sub = *f.Buy(a, kBusinessBasic, 1).lines[0].subscriptionId;
  Instant end = Sub(f, a, sub).currentPeriodEnd;
  f.gateway.SetChargeFault([](const std::string&) { return false; });
  auto ev = Advance(f, end + 29 * kMsPerDay);
  std::vector<std::string> types;
  for (const auto& e : ev) types.push_back(e.type);
  EXPECT_EQ(types,
            (std::vector<std::string>{"renewalFailed", "renewalRetryFailed", "renewalRetryFailed",
                                      "renewalRetryFailed", "renewalRetryFailed"}));
  ev = Advance(f, end + 30 * kMsPerDay);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, "disabled");
  // A Global or Billing admin reactivates a disabled subscription (new period).
  f.gateway.SetChargeFault(nullptr);
  Actor billing = f.Member(a, "billing", {Role::kBillingAdmin});
  Actor lic = f.Member(a, "lic", {Role::kLicenseAdmin});
  EXPECT_EQ(ReactivateSubscription(*f.ctx, lic, sub).error().kind, ErrorKind::kForbidden);
  auto r = ReactivateSubscription(*f.ctx, billing, sub);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->sub.status, SubscriptionStatus::kActive);
  EXPECT_EQ(r->sub.periodStart, f.clock.Now());
}

TEST(Lifecycle, ChargesRefundsAndCreditNotesMatchTheInvoicesToTheCent) {
  // A random history of purchases, quantity changes, cancels and renewals;
  // what the gateway moved must equal what the invoices say.
  std::mt19937 rng(7);
  AppFixture f;
  f.clock.Set(FromCivil({2025, 1, 29}, 3600 * 1000));
  Actor a = f.Org("contoso", "TW");
  std::vector<Guid> subs;
  for (int step = 0; step < 60; ++step) {
    int what = static_cast<int>(rng() % 5);
    if (what == 0 || subs.empty()) {
      Guid sku = (rng() % 2) ? kBusinessBasic : kBusinessPremium;
      auto cycle = (rng() % 3) ? BillingCycle::kMonthly : BillingCycle::kAnnual;
      subs.push_back(
          *f.Buy(a, sku, 1 + static_cast<int64_t>(rng() % 20), cycle).lines[0].subscriptionId);
    } else if (what == 1) {
      Guid s = subs[rng() % subs.size()];
      (void)ChangeSubscription(*f.ctx, a, s, {.quantity = 1 + static_cast<int64_t>(rng() % 30)},
                               std::nullopt);
    } else if (what == 2) {
      (void)CancelSubscription(*f.ctx, a, subs[rng() % subs.size()]);
    } else {
      Advance(f, f.clock.Now() + static_cast<int64_t>(rng() % 20) * kMsPerDay + 3600 * 1000);
    }
    f.clock.Advance(static_cast<int64_t>(rng() % 3) * kMsPerDay + 1000);
  }
  int64_t charged = 0;
  for (const auto& c : f.gateway.Charges())
    if (c.captured && !c.voided) charged += c.amount.amount;
  int64_t refunded = f.gateway.RefundedTotal("TWD");
  int64_t invoiced = 0, credited = 0;
  std::vector<int64_t> numbers;
  for (const auto& listed : *ListInvoices(*f.ctx, a)) {
    Invoice inv = *GetInvoice(*f.ctx, a, listed.id);
    numbers.push_back(inv.number);
    if (inv.kind == InvoiceKind::kInvoice)
      invoiced += inv.total;
    else
      credited += -inv.total;
    int64_t sum = 0;
    for (const auto& l : inv.lines) sum += l.amount + l.tax;
    EXPECT_EQ(sum, inv.total);
  }
  EXPECT_EQ(charged, invoiced);
  EXPECT_EQ(refunded, credited);
  // Gapless numbering.
  std::sort(numbers.begin(), numbers.end());
  for (size_t i = 0; i < numbers.size(); ++i) EXPECT_EQ(numbers[i], static_cast<int64_t>(i + 1));
}

}  // namespace
}  // namespace ld::app

namespace ld::app {
namespace {

TEST(TestClock, OnlyForwardOnlyGlobalAdminsOnlyWhenOn) {
  ld::testing::AppFixture f;
  Actor a = f.Org("contoso");
  Guid sub = *f.Buy(a, ld::testing::kBusinessBasic, 1).lines[0].subscriptionId;
  EXPECT_EQ(AdvanceTestClock(*f.ctx, f.clock, a, f.clock.Now() + 1).error().kind,
            ErrorKind::kNotFound);
  f.ctx->config.testClock = true;
  Actor billing = f.Member(a, "billing", {Role::kBillingAdmin});
  EXPECT_EQ(AdvanceTestClock(*f.ctx, f.clock, billing, f.clock.Now() + 1).error().kind,
            ErrorKind::kForbidden);
  EXPECT_EQ(AdvanceTestClock(*f.ctx, f.clock, a, f.clock.Now() - 1).error().code,
            "ClockCannotGoBack");
  Instant end = GetSubscription(*f.ctx, a, sub)->sub.currentPeriodEnd;
  auto ev = AdvanceTestClock(*f.ctx, f.clock, a, end + 1);
  ASSERT_TRUE(ev.ok());
  ASSERT_EQ(ev->size(), 1u);
  EXPECT_EQ((*ev)[0].type, "renewed");
  EXPECT_EQ(f.clock.Now(), end + 1);
}

}  // namespace
}  // namespace ld::app
