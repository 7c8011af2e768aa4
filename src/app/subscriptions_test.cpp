#include "app/subscriptions.h"

#include <gtest/gtest.h>

#include <latch>
#include <set>
#include <thread>

#include "app/commerce.h"
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

// Issue 13 finding 2: two concurrent quantity changes of one subscription
// (5 -> 6 and 5 -> 7), each with its own Idempotency-Key, many rounds. Every
// charge still captured has exactly one invoice of the same amount; a change
// refused for losing the race moves no money, and its retry with the same key
// replays the refusal without charging.
TEST(Subscriptions, ConcurrentQuantityChangesChargeExactlyWhatTheirInvoicesSay) {
  AppFixture f;
  Actor a = f.Org("contoso");
  int lost = 0;
  for (int round = 0; round < 20; ++round) {
    Order o = f.Buy(a, kBusinessBasic, 5);
    Guid sub = *o.lines[0].subscriptionId;
    std::latch go(2);
    Result<SubscriptionView> r6 = Error::Internal("not run"), r7 = Error::Internal("not run");
    IdempotencyInput k6{"r" + std::to_string(round) + "-6", "h6"};
    IdempotencyInput k7{"r" + std::to_string(round) + "-7", "h7"};
    std::thread t6([&] {
      go.arrive_and_wait();
      r6 = ChangeSubscription(*f.ctx, a, sub, {.quantity = 6}, k6);
    });
    std::thread t7([&] {
      go.arrive_and_wait();
      r7 = ChangeSubscription(*f.ctx, a, sub, {.quantity = 7}, k7);
    });
    t6.join();
    t7.join();
    ASSERT_TRUE(r6.ok() || r7.ok()) << round;
    for (auto* r : {&r6, &r7})
      if (!r->ok()) {
        EXPECT_EQ(r->error().code, "ConcurrentChange") << round;
      }
    const std::string prefix = "sub:" + sub.str() + ":";
    auto count_charges = [&] {
      size_t n = 0;
      for (const auto& c : f.gateway.Charges())
        if (c.key.rfind(prefix, 0) == 0) ++n;
      return n;
    };
    // The loser was refused before it charged: nothing reached the gateway
    // that had to be given back (a winner's charge is never voided).
    size_t before_retry = count_charges();
    for (const auto& c : f.gateway.Charges())
      if (c.key.rfind(prefix, 0) == 0) {
        EXPECT_TRUE(c.captured && !c.voided) << round;
      }
    // A retry of the loser with its key and body replays the refusal, and
    // charges nothing.
    if (!r6.ok()) {
      ++lost;
      auto again = ChangeSubscription(*f.ctx, a, sub, {.quantity = 6}, k6);
      ASSERT_FALSE(again.ok()) << round;
      EXPECT_EQ(again.error().code, "ConcurrentChange");
    }
    if (!r7.ok()) {
      ++lost;
      auto again = ChangeSubscription(*f.ctx, a, sub, {.quantity = 7}, k7);
      ASSERT_FALSE(again.ok()) << round;
      EXPECT_EQ(again.error().code, "ConcurrentChange");
    }
    EXPECT_EQ(count_charges(), before_retry) << round;
    // Every captured charge of this subscription has one invoice of its amount.
    std::multiset<int64_t> captured, invoiced;
    for (const auto& c : f.gateway.Charges())
      if (c.key.rfind(prefix, 0) == 0 && c.captured && !c.voided) captured.insert(c.amount.amount);
    auto invoices = ListInvoices(*f.ctx, a);
    ASSERT_TRUE(invoices.ok());
    for (const auto& inv : *invoices)
      if (inv.subscriptionId == sub && inv.kind == InvoiceKind::kInvoice &&
          inv.paymentStatus == PaymentStatus::kCaptured)
        invoiced.insert(inv.total);
    EXPECT_EQ(captured, invoiced) << round;
    auto now = GetSubscription(*f.ctx, a, sub);
    if (r6.ok() != r7.ok()) {
      EXPECT_EQ(now->sub.quantity, r7.ok() ? 7 : 6) << round;
    }
  }
  RecordProperty("lost_races", lost);
}

// A change that charged and then never completed (the process died between
// the charge and its write) leaves its claim: the subscription refuses other
// changes meanwhile, and recovery gives the charge back, releases the claim
// and forgets the unfinished key, so that the retry runs afresh and charges
// exactly once.
TEST(Subscriptions, RecoveryGivesBackTheChargeOfAnUnfinishedChange) {
  AppFixture f;
  Actor a = f.Org("contoso");
  Order o = f.Buy(a, kBusinessBasic, 2);
  Guid sub = *o.lines[0].subscriptionId;
  const std::string gkey = "sub:" + sub.str() + ":crashed";
  IdempotencyInput idem{"more-1", "hash-1"};
  std::string token;
  ASSERT_TRUE(
      f.ctx->store
          .Write([&](Tx& tx) -> Status {
            auto s = tx.FindSubscription(a.tenantId, sub);
            token = tx.FindPaymentMethod(a.tenantId, s->paymentMethodId)->gatewayToken;
            tx.InsertPendingChange({a.tenantId, sub, gkey,
                                    ScopeIdempotency(a, std::optional<IdempotencyInput>(idem))->key,
                                    "open", f.clock.Now()});
            tx.InsertIdempotency(
                a.tenantId,
                {ScopeIdempotency(a, std::optional<IdempotencyInput>(idem))->key, idem.requestHash,
                 "in_flight", 0, "subscription", sub.str(), "", f.clock.Now()});
            return Ok();
          })
          .ok());
  auto charged = f.gateway.Charge(token, {1234, "USD"}, gkey);
  ASSERT_EQ(charged.status, ChargeOutcome::Status::kCaptured);

  // While claimed: another change loses without charging; the retry waits.
  size_t charges = f.gateway.Charges().size();
  auto other = ChangeSubscription(*f.ctx, a, sub, {.quantity = 3}, std::nullopt);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, "ConcurrentChange");
  auto early = ChangeSubscription(*f.ctx, a, sub, {.quantity = 4}, idem);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, "RequestInProgress");
  EXPECT_EQ(f.gateway.Charges().size(), charges);

  // A young claim is left alone (its change may still be completing).
  EXPECT_EQ(*RecoverPendingChanges(*f.ctx, f.clock.Now() - 1), 0);
  auto n = RecoverPendingChanges(*f.ctx, f.clock.Now());
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(*n, 1);
  for (const auto& c : f.gateway.Charges())
    if (c.key == gkey) {
      EXPECT_TRUE(c.voided);
    }

  auto retry = ChangeSubscription(*f.ctx, a, sub, {.quantity = 4}, idem);
  ASSERT_TRUE(retry.ok()) << retry.error().message;
  EXPECT_EQ(retry->sub.quantity, 4);
  int live = 0;
  for (const auto& c : f.gateway.Charges())
    live += c.key.rfind("sub:", 0) == 0 && c.captured && !c.voided;
  EXPECT_EQ(live, 1);
  EXPECT_EQ(*RecoverPendingChanges(*f.ctx, f.clock.Now() + kMsPerDay), 0);
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
