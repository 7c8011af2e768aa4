#include "app/lifecycle.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <latch>
#include <random>
#include <set>
#include <thread>

#include "app/directory.h"
#include "app/invoices.h"
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
  for (int step = 0; step < 120; ++step) {
    int what = static_cast<int>(rng() % 5);
    if (what == 0 || subs.empty()) {
      Guid sku = (rng() % 2) ? kBusinessBasic : kBusinessPremium;
      auto cycle = (rng() % 3) ? BillingCycle::kMonthly : BillingCycle::kAnnual;
      subs.push_back(
          *f.Buy(a, sku, 1 + static_cast<int64_t>(rng() % 20), cycle).lines[0].subscriptionId);
    } else if (what == 1) {
      // Two concurrent changes of one subscription (issue 13 #2), with and
      // without Idempotency-Keys: the loser must move no money.
      Guid s = subs[rng() % subs.size()];
      int64_t q1 = 1 + static_cast<int64_t>(rng() % 30), q2 = 1 + static_cast<int64_t>(rng() % 30);
      std::optional<IdempotencyInput> k1, k2;
      if (rng() % 2) k1 = IdempotencyInput{"c" + std::to_string(step), "h1"};
      if (rng() % 2) k2 = IdempotencyInput{"d" + std::to_string(step), "h2"};
      std::latch go(2);
      std::thread t1([&] {
        go.arrive_and_wait();
        (void)ChangeSubscription(*f.ctx, a, s, {.quantity = q1}, k1);
      });
      std::thread t2([&] {
        go.arrive_and_wait();
        (void)ChangeSubscription(*f.ctx, a, s, {.quantity = q2}, k2);
      });
      t1.join();
      t2.join();
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
  // Held in a variable: a range-for over *ListInvoices(...) would read a
  // destroyed temporary (ASan: stack-use-after-scope).
  auto listed_invoices = ListInvoices(*f.ctx, a);
  for (const auto& listed : *listed_invoices) {
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

TEST(TestClock, OnlyForwardOnlyTheOperatorOnlyWhenOn) {
  ld::testing::AppFixture f;
  Actor a = f.Org("contoso");
  Guid sub = *f.Buy(a, ld::testing::kBusinessBasic, 1).lines[0].subscriptionId;
  const std::string op = "operator-secret-0123456789";
  f.ctx->config.operatorToken = op;
  EXPECT_EQ(AdvanceTestClock(*f.ctx, f.clock, op, f.clock.Now() + 1).error().kind,
            ErrorKind::kNotFound);
  f.ctx->config.testClock = true;
  // No organization's credential moves the clock, and neither does a near miss.
  EXPECT_EQ(AdvanceTestClock(*f.ctx, f.clock, "", f.clock.Now() + 1).error().kind,
            ErrorKind::kForbidden);
  EXPECT_EQ(AdvanceTestClock(*f.ctx, f.clock, op + "x", f.clock.Now() + 1).error().kind,
            ErrorKind::kForbidden);
  EXPECT_EQ(AdvanceTestClock(*f.ctx, f.clock, op.substr(1), f.clock.Now() + 1).error().kind,
            ErrorKind::kForbidden);
  EXPECT_EQ(AdvanceTestClock(*f.ctx, f.clock, op, f.clock.Now() - 1).error().code,
            "ClockCannotGoBack");
  // Past what four-digit years can render, counting the dates derived from it.
  EXPECT_EQ(AdvanceTestClock(*f.ctx, f.clock, op, kLatestClockInstant + 1).error().code,
            "DateOutOfRange");
  Instant end = GetSubscription(*f.ctx, a, sub)->sub.currentPeriodEnd;
  auto ev = AdvanceTestClock(*f.ctx, f.clock, op, end + 1);
  ASSERT_TRUE(ev.ok());
  ASSERT_EQ(ev->size(), 1u);
  EXPECT_EQ((*ev)[0].type, "renewed");
  EXPECT_EQ(f.clock.Now(), end + 1);
}

}  // namespace
}  // namespace ld::app

// Issue 5: invoices paid by transfer that go unpaid past their due date, and
// the operator's MarkInvoicePaid.
namespace ld::app {
namespace {

using namespace ld::testing;

constexpr int64_t kHour = 3600 * 1000;

Order BuyByInvoice(AppFixture& f, const Actor& a, const Guid& sku, int64_t qty,
                   BillingCycle cycle = BillingCycle::kMonthly) {
  PaymentMethodInput in;
  in.type = PaymentMethodType::kInvoice;
  auto pm = AddPaymentMethod(*f.ctx, a, in);
  EXPECT_TRUE(pm.ok()) << pm.error().message;
  auto cart = CreateCart(*f.ctx, a, {{sku, qty, cycle, false}});
  EXPECT_TRUE(cart.ok()) << cart.error().message;
  auto r = Checkout(*f.ctx, a, cart->cart.id, pm->id, std::nullopt);
  EXPECT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->order.paymentStatus, PaymentStatus::kDue);
  return r->order;
}

Invoice Newest(AppFixture& f, const Actor& a) {
  return *GetInvoice(*f.ctx, a, ListInvoices(*f.ctx, a)->front().id);
}

PaymentStatus StatusOf(AppFixture& f, const Actor& a, const Invoice& inv) {
  return GetInvoice(*f.ctx, a, inv.id)->paymentStatus;
}

std::vector<std::string> Types(const std::vector<LifecycleEvent>& ev) {
  std::vector<std::string> out;
  for (const auto& e : ev) out.push_back(e.type);
  return out;
}

std::multiset<std::string> AuditActions(AppFixture& f, const Actor& a) {
  std::multiset<std::string> out;
  auto page = ListAudit(*f.ctx, a, std::nullopt, 1000);  // kept: its entries are read below
  EXPECT_TRUE(page.ok());
  for (const auto& e : page->entries) out.insert(e.action);
  return out;
}

// Invoice numbers of the whole deployment run 1..n.
void ExpectGapless(AppFixture& f) {
  std::vector<int64_t> numbers;
  ASSERT_TRUE(f.store
                  ->Read([&](Tx& tx) -> Status {
                    for (auto st :
                         {PaymentStatus::kCaptured, PaymentStatus::kDue, PaymentStatus::kOverdue,
                          PaymentStatus::kPaid, PaymentStatus::kRefunded})
                      for (const auto& i : tx.ListInvoicesWithStatus(std::nullopt, st, 100000))
                        numbers.push_back(i.number);
                    return Ok();
                  })
                  .ok());
  std::sort(numbers.begin(), numbers.end());
  ASSERT_FALSE(numbers.empty());
  for (size_t i = 0; i < numbers.size(); ++i) EXPECT_EQ(numbers[i], static_cast<int64_t>(i + 1));
}

TEST(InvoiceOverdue, UnpaidRenewalInvoiceExpiresAtItsDueDateThenDisablesThenDeletes) {
  AppFixture f;
  f.clock.Set(FromCivil({2025, 7, 1}, 9 * kHour));
  Actor a = f.Org("contoso", "US", true);
  auto users = f.Users(a, 2);
  Order o = BuyByInvoice(f, a, kBusinessBasic, 2);
  Guid sub = *o.lines[0].subscriptionId;
  for (const auto& u : users)
    ASSERT_TRUE(AssignLicense(*f.ctx, a, u.id.str(), {{kBusinessBasic, {}}}, {}).ok());
  // The purchase's invoice is paid on day 10; its order follows.
  Invoice first = Newest(f, a);
  f.clock.Set(FromCivil({2025, 7, 10}, 9 * kHour));
  auto paid = MarkInvoicePaid(*f.ctx, first.number, "BANK 0710-1");
  ASSERT_TRUE(paid.ok()) << paid.error().message;
  EXPECT_TRUE(paid->changed);
  EXPECT_TRUE(paid->recovered.empty());
  EXPECT_EQ(StatusOf(f, a, first), PaymentStatus::kPaid);
  EXPECT_EQ(GetOrder(*f.ctx, a, o.id)->paymentStatus, PaymentStatus::kPaid);

  Instant end = Sub(f, a, sub).currentPeriodEnd;  // Aug 1
  EXPECT_EQ(Types(Advance(f, end)), (std::vector<std::string>{"renewed"}));
  Invoice renewal = Newest(f, a);
  EXPECT_EQ(renewal.paymentStatus, PaymentStatus::kDue);
  EXPECT_EQ(renewal.dueAt, end + 30 * kMsPerDay);  // Aug 31, before the next period end
  EXPECT_TRUE(Advance(f, renewal.dueAt - 1).empty());
  EXPECT_EQ(Sub(f, a, sub).status, SubscriptionStatus::kActive);

  auto ev = Advance(f, renewal.dueAt);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, "invoiceOverdue");
  EXPECT_EQ(ev[0].at, renewal.dueAt);
  EXPECT_EQ(ev[0].subscriptionId, sub);
  EXPECT_EQ(ev[0].invoiceId, renewal.id);
  EXPECT_EQ(ev[0].status, "expired");
  EXPECT_EQ(ev[0].amount, renewal.total);
  Subscription s = Sub(f, a, sub);
  EXPECT_EQ(s.status, SubscriptionStatus::kExpired);
  EXPECT_EQ(s.statusChangedAt, renewal.dueAt);
  EXPECT_EQ(s.retryAt, 0);  // no card to retry
  EXPECT_EQ(StatusOf(f, a, renewal), PaymentStatus::kOverdue);
  auto pool = GetSubscribedSku(*f.ctx, a, kBusinessBasic);
  EXPECT_EQ(pool->counts.warning, 2);  // grace: users keep access
  EXPECT_EQ(pool->counts.enabled, 0);

  // No renewal at the period end while expired, nothing charged anywhere.
  EXPECT_TRUE(Advance(f, renewal.dueAt + 30 * kMsPerDay - 1).empty());
  EXPECT_EQ(Types(Advance(f, renewal.dueAt + 30 * kMsPerDay)),
            (std::vector<std::string>{"disabled"}));
  pool = GetSubscribedSku(*f.ctx, a, kBusinessBasic);
  EXPECT_EQ(pool->counts.suspended, 2);
  EXPECT_EQ(pool->counts.consumed, 2);  // licenses stay while disabled
  EXPECT_TRUE(Advance(f, renewal.dueAt + 120 * kMsPerDay - 1).empty());
  ev = Advance(f, renewal.dueAt + 120 * kMsPerDay);
  EXPECT_EQ(Types(ev), (std::vector<std::string>{"deleted", "licenseRemoved", "licenseRemoved"}));
  EXPECT_EQ(Sub(f, a, sub).status, SubscriptionStatus::kDeleted);
  EXPECT_TRUE(GetUser(*f.ctx, a, users[0].id.str())->licenses.empty());
  EXPECT_TRUE(f.gateway.Charges().empty());

  // Paid after the deletion: recorded, but a deleted subscription stays deleted.
  auto late = MarkInvoicePaid(*f.ctx, renewal.number, "BANK late");
  ASSERT_TRUE(late.ok()) << late.error().message;
  EXPECT_TRUE(late->recovered.empty());
  EXPECT_TRUE(late->issued.empty());
  EXPECT_EQ(Sub(f, a, sub).status, SubscriptionStatus::kDeleted);
  auto actions = AuditActions(f, a);
  EXPECT_EQ(actions.count("invoice.overdue"), 1u);
  EXPECT_EQ(actions.count("subscription.invoiceOverdue"), 1u);
  EXPECT_EQ(actions.count("invoice.paid"), 2u);
  EXPECT_EQ(actions.count("subscription.invoicePaid"), 0u);
  ExpectGapless(f);
}

TEST(InvoiceOverdue, PaidOnDayTenOfOverdueIsActiveAgainWithoutAGap) {
  AppFixture f;
  f.clock.Set(FromCivil({2025, 7, 1}, 9 * kHour));
  Actor a = f.Org("contoso", "US", true);
  Guid sub = *BuyByInvoice(f, a, kBusinessBasic, 3).lines[0].subscriptionId;
  ASSERT_TRUE(MarkInvoicePaid(*f.ctx, Newest(f, a).number, "").ok());
  Instant end = Sub(f, a, sub).currentPeriodEnd;  // Aug 1
  Advance(f, end);
  Invoice renewal = Newest(f, a);
  EXPECT_EQ(Types(Advance(f, renewal.dueAt)), (std::vector<std::string>{"invoiceOverdue"}));
  ASSERT_EQ(Sub(f, a, sub).status, SubscriptionStatus::kExpired);

  // Day 10 of overdue (Sep 10): the period that ended on Sep 1 is renewed
  // from its end, as a successful renewal retry would, and billed.
  Instant day10 = renewal.dueAt + 10 * kMsPerDay;
  f.clock.Set(day10);
  auto r = MarkInvoicePaid(*f.ctx, renewal.number, "SEPA 2025-09-10 #77");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->recovered.size(), 1u);
  Subscription s = Sub(f, a, sub);
  EXPECT_EQ(s.status, SubscriptionStatus::kActive);
  EXPECT_EQ(s.statusChangedAt, day10);
  EXPECT_EQ(ToCivil(s.periodStart), (CivilDate{2025, 9, 1}));  // no gap
  EXPECT_EQ(ToCivil(s.currentPeriodEnd), (CivilDate{2025, 10, 1}));
  EXPECT_EQ(s.currentPeriodEnd, FromCivil({2025, 10, 1}, 9 * kHour));
  ASSERT_EQ(r->issued.size(), 1u);
  Invoice next = *GetInvoice(*f.ctx, a, r->issued[0].id);
  EXPECT_EQ(next.paymentStatus, PaymentStatus::kDue);
  EXPECT_EQ(next.dueAt, day10 + 30 * kMsPerDay);
  EXPECT_EQ(next.subscriptionId, sub);
  ASSERT_EQ(next.lines.size(), 1u);
  EXPECT_EQ(next.lines[0].periodStart, s.periodStart);
  EXPECT_EQ(next.lines[0].periodEnd, s.currentPeriodEnd);
  EXPECT_EQ(next.total, s.unitPrice * 3);  // US: no tax
  EXPECT_EQ(GetSubscribedSku(*f.ctx, a, kBusinessBasic)->counts.enabled, 3);

  // The same command again changes nothing; another reference is refused.
  auto again = MarkInvoicePaid(*f.ctx, renewal.number, "SEPA 2025-09-10 #77");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_FALSE(again->changed);
  EXPECT_EQ(again->paidAt, day10);
  EXPECT_TRUE(again->recovered.empty());
  EXPECT_TRUE(again->issued.empty());
  auto other = MarkInvoicePaid(*f.ctx, renewal.number, "another transfer");
  EXPECT_EQ(other.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(other.error().code, "InvoiceAlreadyPaid");
  EXPECT_NE(other.error().message.find("SEPA 2025-09-10 #77"), std::string::npos);

  // The next renewal happens normally, on the anchor day.
  ASSERT_TRUE(MarkInvoicePaid(*f.ctx, next.number, "SEPA 2025-09-20").ok());
  auto ev = Advance(f, s.currentPeriodEnd);
  EXPECT_EQ(Types(ev), (std::vector<std::string>{"renewed"}));
  s = Sub(f, a, sub);
  EXPECT_EQ(ToCivil(s.periodStart), (CivilDate{2025, 10, 1}));
  EXPECT_EQ(ToCivil(s.currentPeriodEnd), (CivilDate{2025, 11, 1}));
  EXPECT_EQ(AuditActions(f, a).count("subscription.invoicePaid"), 1u);
  ExpectGapless(f);
}

TEST(InvoiceOverdue, PaidWhileItsPeriodStillRunsIsJustActiveAgain) {
  // An annual purchase whose own invoice goes unpaid: the order's invoice
  // holds the subscription the order created.
  AppFixture f;
  f.clock.Set(FromCivil({2025, 7, 1}, 9 * kHour));
  Actor a = f.Org("contoso", "US", true);
  Order o = BuyByInvoice(f, a, kBusinessStandard, 2, BillingCycle::kAnnual);
  Guid sub = *o.lines[0].subscriptionId;
  Invoice first = Newest(f, a);
  EXPECT_FALSE(first.subscriptionId);
  auto ev = Advance(f, first.dueAt);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, "invoiceOverdue");
  EXPECT_EQ(ev[0].subscriptionId, sub);
  EXPECT_EQ(GetOrder(*f.ctx, a, o.id)->paymentStatus, PaymentStatus::kOverdue);
  EXPECT_EQ(Sub(f, a, sub).status, SubscriptionStatus::kExpired);
  f.clock.Set(first.dueAt + 10 * kMsPerDay);
  auto r = MarkInvoicePaid(*f.ctx, first.number, "wire 4411");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->recovered.size(), 1u);
  EXPECT_TRUE(r->issued.empty());  // the paid year still runs
  Subscription s = Sub(f, a, sub);
  EXPECT_EQ(s.status, SubscriptionStatus::kActive);
  EXPECT_EQ(s.periodStart, FromCivil({2025, 7, 1}, 9 * kHour));
  EXPECT_EQ(s.currentPeriodEnd, FromCivil({2026, 7, 1}, 9 * kHour));
  EXPECT_EQ(GetOrder(*f.ctx, a, o.id)->paymentStatus, PaymentStatus::kPaid);
  EXPECT_EQ(Types(Advance(f, s.currentPeriodEnd)), (std::vector<std::string>{"renewed"}));
  ExpectGapless(f);
}

TEST(InvoiceOverdue, PaidWhileDisabledStartsANewPeriodOnceNoOverdueInvoiceIsLeft) {
  AppFixture f;
  f.clock.Set(FromCivil({2025, 7, 1}, 9 * kHour));
  Actor a = f.Org("contoso", "US", true);
  Guid sub = *BuyByInvoice(f, a, kBusinessBasic, 2).lines[0].subscriptionId;
  Invoice first = Newest(f, a);  // due Jul 31
  // More licenses on Jul 5: a prorated invoice, due Aug 4.
  f.clock.Set(FromCivil({2025, 7, 5}, 9 * kHour));
  ASSERT_TRUE(ChangeSubscription(*f.ctx, a, sub, {.quantity = 4}, std::nullopt).ok());
  Invoice added = Newest(f, a);
  ASSERT_EQ(added.paymentStatus, PaymentStatus::kDue);
  ASSERT_EQ(added.subscriptionId, sub);
  auto ev = Advance(f, added.dueAt);
  ASSERT_EQ(Types(ev), (std::vector<std::string>{"invoiceOverdue", "invoiceOverdue"}));
  EXPECT_EQ(ev[0].invoiceId, first.id);
  EXPECT_EQ(ev[1].invoiceId, added.id);
  EXPECT_EQ(ev[1].status, "expired");  // already expired by the first
  Instant disabled_at = first.dueAt + 30 * kMsPerDay;
  EXPECT_EQ(Types(Advance(f, disabled_at)), (std::vector<std::string>{"disabled"}));

  // Paying one of the two changes nothing while the other is still overdue.
  f.clock.Set(FromCivil({2025, 9, 5}, 12 * kHour));
  auto one = MarkInvoicePaid(*f.ctx, first.number, "part 1");
  ASSERT_TRUE(one.ok()) << one.error().message;
  EXPECT_TRUE(one->recovered.empty());
  EXPECT_EQ(Sub(f, a, sub).status, SubscriptionStatus::kDisabled);

  // The last one: active again. It was disabled (no access), so as a
  // reactivation a new period starts at the payment, billed due in 30 days.
  Instant now = FromCivil({2025, 9, 9}, 12 * kHour);
  f.clock.Set(now);
  auto two = MarkInvoicePaid(*f.ctx, added.number, "part 2");
  ASSERT_TRUE(two.ok()) << two.error().message;
  ASSERT_EQ(two->recovered.size(), 1u);
  Subscription s = Sub(f, a, sub);
  EXPECT_EQ(s.status, SubscriptionStatus::kActive);
  EXPECT_EQ(s.statusChangedAt, now);
  EXPECT_EQ(s.periodStart, now);
  EXPECT_EQ(s.anchorDay, 9u);
  EXPECT_EQ(ToCivil(s.currentPeriodEnd), (CivilDate{2025, 10, 9}));
  ASSERT_EQ(two->issued.size(), 1u);
  EXPECT_EQ(two->issued[0].dueAt, now + 30 * kMsPerDay);
  EXPECT_EQ(two->issued[0].total, s.unitPrice * 4);
  EXPECT_EQ(GetSubscribedSku(*f.ctx, a, kBusinessBasic)->counts.enabled, 4);
  // From here the normal path: paid, it renews on its new anchor day.
  ASSERT_TRUE(MarkInvoicePaid(*f.ctx, two->issued[0].number, "part 3").ok());
  EXPECT_EQ(Types(Advance(f, s.currentPeriodEnd)), (std::vector<std::string>{"renewed"}));
  EXPECT_EQ(ToCivil(Sub(f, a, sub).currentPeriodEnd), (CivilDate{2025, 11, 9}));
  ExpectGapless(f);
}

TEST(InvoiceOverdue, RunsOnceAcrossRerunsAndTwoServers) {
  AppFixture f;
  f.clock.Set(FromCivil({2025, 7, 1}, 9 * kHour));
  Actor a = f.Org("contoso", "US", true);
  Guid sub = *BuyByInvoice(f, a, kBusinessBasic, 1).lines[0].subscriptionId;
  Invoice first = Newest(f, a);
  f.clock.Set(first.dueAt);
  // A second server on the same database, running the same step at once.
  Context other{*f.store, f.clock, f.gateway, RepoCatalog(), f.ctx->config};
  std::vector<LifecycleEvent> e1, e2;
  std::thread t1([&] { e1 = *RunLifecycle(*f.ctx, first.dueAt); });
  std::thread t2([&] { e2 = *RunLifecycle(other, first.dueAt); });
  t1.join();
  t2.join();
  EXPECT_EQ(e1.size() + e2.size(), 1u);
  EXPECT_TRUE(RunLifecycle(*f.ctx, first.dueAt)->empty());
  EXPECT_TRUE(RunLifecycle(other, first.dueAt)->empty());
  auto actions = AuditActions(f, a);
  EXPECT_EQ(actions.count("invoice.overdue"), 1u);
  EXPECT_EQ(actions.count("subscription.invoiceOverdue"), 1u);
  EXPECT_EQ(Sub(f, a, sub).statusChangedAt, first.dueAt);

  // Paying twice at once: one records it, the other replays it.
  f.clock.Set(first.dueAt + kMsPerDay);
  Result<InvoicePaymentResult> p1 = Error::Internal(""), p2 = Error::Internal("");
  std::thread t3([&] { p1 = MarkInvoicePaid(*f.ctx, first.number, "ref"); });
  std::thread t4([&] { p2 = MarkInvoicePaid(other, first.number, "ref"); });
  t3.join();
  t4.join();
  int changed = 0;
  for (auto* p : {&p1, &p2}) {
    if (p->ok()) {
      changed += (*p)->changed;
    } else {
      EXPECT_EQ(p->error().code, "ConcurrentChange") << p->error().message;
    }
  }
  EXPECT_EQ(changed, 1);
  EXPECT_EQ(AuditActions(f, a).count("subscription.invoicePaid"), 1u);
  EXPECT_EQ(Sub(f, a, sub).status, SubscriptionStatus::kActive);
  ExpectGapless(f);
}

TEST(InvoiceOverdue, MarkingPaidRefusesWhatIsNotAnOpenInvoice) {
  AppFixture f;
  f.clock.Set(FromCivil({2025, 7, 1}, 9 * kHour));
  Actor a = f.Org("contoso", "US", true);
  // A card purchase canceled at once: a captured invoice and a credit note.
  Guid card_sub = *f.Buy(a, kBusinessBasic, 2).lines[0].subscriptionId;
  Invoice captured = Newest(f, a);
  f.clock.Advance(kMsPerDay);
  ASSERT_TRUE(CancelSubscription(*f.ctx, a, card_sub).ok());
  Invoice credit = Newest(f, a);
  ASSERT_EQ(credit.kind, InvoiceKind::kCreditNote);
  BuyByInvoice(f, a, kBusinessStandard, 1);
  Invoice open = Newest(f, a);

  auto r = MarkInvoicePaid(*f.ctx, credit.number, "x");
  EXPECT_EQ(r.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(r.error().code, "CreditNoteNotPayable");
  r = MarkInvoicePaid(*f.ctx, captured.number, "x");
  EXPECT_EQ(r.error().code, "InvoiceNotPayable");
  r = MarkInvoicePaid(*f.ctx, open.number + 1, "x");
  EXPECT_EQ(r.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(MarkInvoicePaid(*f.ctx, 0, "x").error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(MarkInvoicePaid(*f.ctx, open.number, std::string(201, 'x')).error().code,
            "ReferenceTooLong");
  EXPECT_EQ(MarkInvoicePaid(*f.ctx, open.number, "a\nb").error().code, "InvalidReference");
  EXPECT_EQ(MarkInvoicePaid(*f.ctx, open.number, "\xff").error().code, "InvalidReference");
  // Nothing of that changed anything.
  EXPECT_EQ(StatusOf(f, a, open), PaymentStatus::kDue);
  EXPECT_EQ(StatusOf(f, a, captured), PaymentStatus::kCaptured);
  EXPECT_EQ(AuditActions(f, a).count("invoice.paid"), 0u);

  auto ok = MarkInvoicePaid(*f.ctx, open.number, "Überweisung 12/7 – 付款");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(StatusOf(f, a, open), PaymentStatus::kPaid);
  EXPECT_EQ(MarkInvoicePaid(*f.ctx, open.number, "").error().code, "InvoiceAlreadyPaid");
  // A paid invoice never falls overdue.
  for (const auto& e : Advance(f, open.dueAt + kMsPerDay))
    EXPECT_FALSE(e.type == "invoiceOverdue" && e.invoiceId == open.id);
  EXPECT_EQ(StatusOf(f, a, open), PaymentStatus::kPaid);
  ExpectGapless(f);
}

}  // namespace
}  // namespace ld::app
