#include "domain/subscription_state.h"

#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "domain/lifecycle.h"

namespace ld {
namespace {

using S = SubscriptionStatus;
using E = SubscriptionEvent;

constexpr Instant kDay = kMsPerDay;

Instant At(const char* rfc3339) {
  return *ParseRfc3339(rfc3339);
}

// A monthly subscription bought on Jan 31 (anchor day 31), its first period
// ending Feb 28.
Subscription Bought() {
  Subscription s;
  s.quantity = 5;
  s.cycle = BillingCycle::kMonthly;
  s.status = S::kActive;
  s.startDate = s.periodStart = s.statusChangedAt = At("2026-01-31T10:00:00Z");
  s.anchorDay = 31;
  s.currentPeriodEnd = At("2026-02-28T10:00:00Z");
  s.autoRenew = true;
  return s;
}

// The same, expired at its period end by a failed renewal charge, first retry
// due a day later.
Subscription Expired() {
  Subscription s = Bought();
  s.status = S::kExpired;
  s.statusChangedAt = s.currentPeriodEnd;
  s.retryAt = s.currentPeriodEnd + kDay;
  return s;
}

// Disabled at the end of the grace.
Subscription Disabled() {
  Subscription s = Expired();
  s.status = S::kDisabled;
  s.statusChangedAt = s.currentPeriodEnd + kGraceDays * kDay;
  s.retryAt = 0;
  return s;
}

Subscription Deleted() {
  Subscription s = Disabled();
  s.status = S::kDeleted;
  s.statusChangedAt += kDisabledDays * kDay;
  return s;
}

Subscription AutoRenewOff(Subscription s) {
  s.autoRenew = false;
  return s;
}

Subscription NoRetry(Subscription s) {
  s.retryAt = 0;
  return s;
}

const Instant kPeriodEnd = At("2026-02-28T10:00:00Z");

struct Row {
  const char* name;
  Subscription from;
  E event;
  Instant now;
  std::optional<S> to;  // nullopt: refused
};

std::vector<Row> Table() {
  const Instant grace_end = kPeriodEnd + kGraceDays * kDay;
  const Instant disabled_end = grace_end + kDisabledDays * kDay;
  const Instant in_window = Bought().periodStart + 2 * kDay;
  return {
      // purchased: only a draft starts
      {"active purchased", Bought(), E::kPurchased, in_window, std::nullopt},
      {"expired purchased", Expired(), E::kPurchased, kPeriodEnd, std::nullopt},
      {"disabled purchased", Disabled(), E::kPurchased, grace_end, std::nullopt},
      {"deleted purchased", Deleted(), E::kPurchased, disabled_end, std::nullopt},
      // renewed: at the period end, or a retry due
      {"active renewed at period end", Bought(), E::kRenewed, kPeriodEnd, S::kActive},
      {"active renewed before period end", Bought(), E::kRenewed, kPeriodEnd - 1, std::nullopt},
      {"active renewed, auto-renew off", AutoRenewOff(Bought()), E::kRenewed, kPeriodEnd,
       std::nullopt},
      {"expired renewed by a retry", Expired(), E::kRenewed, kPeriodEnd + kDay, S::kActive},
      {"expired renewed before its retry", Expired(), E::kRenewed, kPeriodEnd + kDay - 1,
       std::nullopt},
      {"expired renewed without a retry", NoRetry(Expired()), E::kRenewed, kPeriodEnd + kDay,
       std::nullopt},
      {"disabled renewed", Disabled(), E::kRenewed, grace_end, std::nullopt},
      {"deleted renewed", Deleted(), E::kRenewed, disabled_end, std::nullopt},
      // renewal failed: active with auto-renew on, at the period end
      {"active renewal failed", Bought(), E::kRenewalFailed, kPeriodEnd, S::kExpired},
      {"active renewal failed early", Bought(), E::kRenewalFailed, kPeriodEnd - 1, std::nullopt},
      {"active renewal failed, auto-renew off", AutoRenewOff(Bought()), E::kRenewalFailed,
       kPeriodEnd, std::nullopt},
      {"expired renewal failed", Expired(), E::kRenewalFailed, kPeriodEnd + kDay, std::nullopt},
      {"disabled renewal failed", Disabled(), E::kRenewalFailed, grace_end, std::nullopt},
      {"deleted renewal failed", Deleted(), E::kRenewalFailed, disabled_end, std::nullopt},
      // not renewed: active with auto-renew off, at the period end
      {"active not renewed", AutoRenewOff(Bought()), E::kNotRenewed, kPeriodEnd, S::kExpired},
      {"active not renewed early", AutoRenewOff(Bought()), E::kNotRenewed, kPeriodEnd - 1,
       std::nullopt},
      {"active not renewed, auto-renew on", Bought(), E::kNotRenewed, kPeriodEnd, std::nullopt},
      {"expired not renewed", AutoRenewOff(Expired()), E::kNotRenewed, kPeriodEnd + kDay,
       std::nullopt},
      {"disabled not renewed", AutoRenewOff(Disabled()), E::kNotRenewed, grace_end, std::nullopt},
      {"deleted not renewed", AutoRenewOff(Deleted()), E::kNotRenewed, disabled_end, std::nullopt},
      // a retry failed: expired, auto-renew on, retry due
      {"active retry failed", Bought(), E::kRenewalRetryFailed, kPeriodEnd, std::nullopt},
      {"expired retry failed", Expired(), E::kRenewalRetryFailed, kPeriodEnd + kDay, S::kExpired},
      {"expired retry failed early", Expired(), E::kRenewalRetryFailed, kPeriodEnd, std::nullopt},
      {"expired retry failed, auto-renew off", AutoRenewOff(Expired()), E::kRenewalRetryFailed,
       kPeriodEnd + kDay, std::nullopt},
      {"disabled retry failed", Disabled(), E::kRenewalRetryFailed, grace_end, std::nullopt},
      {"deleted retry failed", Deleted(), E::kRenewalRetryFailed, disabled_end, std::nullopt},
      // retries stopped: expired, auto-renew off, retry due
      {"active retries stopped", AutoRenewOff(Bought()), E::kRetriesStopped, kPeriodEnd,
       std::nullopt},
      {"expired retries stopped", AutoRenewOff(Expired()), E::kRetriesStopped, kPeriodEnd + kDay,
       S::kExpired},
      {"expired retries stopped, auto-renew on", Expired(), E::kRetriesStopped, kPeriodEnd + kDay,
       std::nullopt},
      {"expired retries stopped, none due", NoRetry(AutoRenewOff(Expired())), E::kRetriesStopped,
       kPeriodEnd + kDay, std::nullopt},
      {"disabled retries stopped", AutoRenewOff(Disabled()), E::kRetriesStopped, grace_end,
       std::nullopt},
      {"deleted retries stopped", AutoRenewOff(Deleted()), E::kRetriesStopped, disabled_end,
       std::nullopt},
      // invoice overdue: active, at any time
      {"active invoice overdue", Bought(), E::kInvoiceOverdue, in_window, S::kExpired},
      {"expired invoice overdue", Expired(), E::kInvoiceOverdue, kPeriodEnd + kDay, std::nullopt},
      {"disabled invoice overdue", Disabled(), E::kInvoiceOverdue, grace_end, std::nullopt},
      {"deleted invoice overdue", Deleted(), E::kInvoiceOverdue, disabled_end, std::nullopt},
      // grace ended: expired for 30 days
      {"active grace ended", Bought(), E::kGraceEnded, grace_end, std::nullopt},
      {"expired grace ended", Expired(), E::kGraceEnded, grace_end, S::kDisabled},
      {"expired grace ended early", Expired(), E::kGraceEnded, grace_end - 1, std::nullopt},
      {"disabled grace ended", Disabled(), E::kGraceEnded, disabled_end, std::nullopt},
      {"deleted grace ended", Deleted(), E::kGraceEnded, disabled_end, std::nullopt},
      // disabled ended: disabled for 90 days
      {"active disabled ended", Bought(), E::kDisabledEnded, disabled_end, std::nullopt},
      {"expired disabled ended", Expired(), E::kDisabledEnded, disabled_end, std::nullopt},
      {"disabled disabled ended", Disabled(), E::kDisabledEnded, disabled_end, S::kDeleted},
      {"disabled disabled ended early", Disabled(), E::kDisabledEnded, disabled_end - 1,
       std::nullopt},
      {"deleted disabled ended", Deleted(), E::kDisabledEnded, disabled_end + kDisabledDays * kDay,
       std::nullopt},
      // canceled (R10): active, within 7 days of the period start
      {"active canceled in the window", Bought(), E::kCanceled, in_window, S::kDisabled},
      {"active canceled after the window", Bought(), E::kCanceled,
       Bought().periodStart + kCancelWindowDays * kDay, std::nullopt},
      {"expired canceled", Expired(), E::kCanceled, kPeriodEnd + kDay, std::nullopt},
      {"disabled canceled", Disabled(), E::kCanceled, grace_end, std::nullopt},
      {"deleted canceled", Deleted(), E::kCanceled, disabled_end, std::nullopt},
      // reactivated (R11): expired or disabled
      {"active reactivated", Bought(), E::kReactivated, in_window, std::nullopt},
      {"expired reactivated", Expired(), E::kReactivated, kPeriodEnd + 3 * kDay, S::kActive},
      {"disabled reactivated", AutoRenewOff(Disabled()), E::kReactivated, grace_end + kDay,
       S::kActive},
      {"deleted reactivated", Deleted(), E::kReactivated, disabled_end, std::nullopt},
      // invoice paid: expired or disabled by the hold
      {"active invoice paid", Bought(), E::kInvoicePaid, in_window, std::nullopt},
      {"expired invoice paid", NoRetry(Expired()), E::kInvoicePaid, kPeriodEnd + kDay, S::kActive},
      {"expired invoice paid, auto-renew off, period over", NoRetry(AutoRenewOff(Expired())),
       E::kInvoicePaid, kPeriodEnd + kDay, std::nullopt},
      {"disabled invoice paid", Disabled(), E::kInvoicePaid, grace_end + kDay, S::kActive},
      {"deleted invoice paid", Deleted(), E::kInvoicePaid, disabled_end, std::nullopt},
  };
}

TEST(SubscriptionState, R11EveryStatusAndEventIsAllowedOrRefusedByTheTable) {
  for (const Row& r : Table()) {
    SCOPED_TRACE(r.name);
    auto step = Transition(r.from, r.event, r.now);
    if (r.to) {
      ASSERT_TRUE(step.ok()) << step.error().code << ": " << step.error().message;
      EXPECT_EQ(step->sub.status, *r.to);
      if (step->sub.status != r.from.status) {
        EXPECT_EQ(step->sub.statusChangedAt, r.now);
      }
    } else {
      ASSERT_FALSE(step.ok()) << "now " << ToString(step->sub.status);
      EXPECT_EQ(step.error().kind, ErrorKind::kConflict);
    }
  }
}

TEST(SubscriptionState, TheTableCoversEveryStatusAndEventPair) {
  std::set<std::pair<S, E>> seen;
  for (const Row& r : Table()) seen.insert({r.from.status, r.event});
  for (S s : {S::kActive, S::kExpired, S::kDisabled, S::kDeleted})
    for (int e = 0; e <= static_cast<int>(E::kInvoicePaid); ++e)
      EXPECT_TRUE(seen.count({s, static_cast<E>(e)}))
          << ToString(s) << " x " << ToString(static_cast<E>(e));
}

TEST(SubscriptionState, R11DeletedIsFinal) {
  for (int e = 0; e <= static_cast<int>(E::kInvoicePaid); ++e)
    for (Instant now : {Deleted().statusChangedAt, Deleted().statusChangedAt + 400 * kDay})
      EXPECT_FALSE(Transition(Deleted(), static_cast<E>(e), now).ok())
          << ToString(static_cast<E>(e));
}

TEST(SubscriptionState, PurchaseStartsTheFirstPeriodOnTheAnchorDay) {
  Subscription draft;
  draft.cycle = BillingCycle::kMonthly;
  draft.autoRenew = false;
  Instant now = At("2026-01-31T10:00:00Z");
  auto step = Transition(draft, E::kPurchased, now);
  ASSERT_TRUE(step.ok());
  const Subscription& s = step->sub;
  EXPECT_EQ(s.status, S::kActive);
  EXPECT_EQ(s.startDate, now);
  EXPECT_EQ(s.periodStart, now);
  EXPECT_EQ(s.statusChangedAt, now);
  EXPECT_EQ(s.anchorDay, 31u);
  EXPECT_EQ(s.currentPeriodEnd, At("2026-02-28T10:00:00Z"));
  EXPECT_TRUE(s.autoRenew);
  EXPECT_EQ(step->bill, (std::vector<Period>{{now, s.currentPeriodEnd}}));

  draft.cycle = BillingCycle::kAnnual;
  step = Transition(draft, E::kPurchased, now);
  ASSERT_TRUE(step.ok());
  EXPECT_EQ(step->sub.currentPeriodEnd, At("2027-01-31T10:00:00Z"));
}

TEST(SubscriptionState, R11RenewalRunsFromTheOldEndOnTheAnchorDayAndClearsRetries) {
  auto step = Transition(Bought(), E::kRenewed, kPeriodEnd);
  ASSERT_TRUE(step.ok());
  EXPECT_EQ(step->sub.periodStart, kPeriodEnd);
  EXPECT_EQ(step->sub.currentPeriodEnd, At("2026-03-31T10:00:00Z"));  // back on the 31st
  EXPECT_EQ(step->bill, (std::vector<Period>{{kPeriodEnd, At("2026-03-31T10:00:00Z")}}));

  Subscription retried = Expired();
  retried.renewalAttempts = 2;
  retried.retryAt = kPeriodEnd + 7 * kDay;
  step = Transition(retried, E::kRenewed, retried.retryAt);
  ASSERT_TRUE(step.ok());
  EXPECT_EQ(step->sub.status, S::kActive);
  EXPECT_EQ(step->sub.periodStart, kPeriodEnd);  // no gap
  EXPECT_EQ(step->sub.statusChangedAt, retried.retryAt);
  EXPECT_EQ(step->sub.renewalAttempts, 0);
  EXPECT_EQ(step->sub.retryAt, 0);
}

TEST(SubscriptionState, R11AFailedRenewalIsRetriedOn1_3_7_14DaysAfterThePeriodEnd) {
  auto step = Transition(Bought(), E::kRenewalFailed, kPeriodEnd);
  ASSERT_TRUE(step.ok());
  Subscription s = step->sub;
  EXPECT_EQ(s.status, S::kExpired);
  EXPECT_EQ(s.statusChangedAt, kPeriodEnd);
  EXPECT_EQ(s.retryAt, kPeriodEnd + 1 * kDay);
  EXPECT_TRUE(step->bill.empty());
  const std::vector<Instant> next{kPeriodEnd + 3 * kDay, kPeriodEnd + 7 * kDay,
                                  kPeriodEnd + 14 * kDay, 0};
  for (size_t i = 0; i < next.size(); ++i) {
    auto r = Transition(s, E::kRenewalRetryFailed, s.retryAt);
    ASSERT_TRUE(r.ok()) << i;
    s = r->sub;
    EXPECT_EQ(s.status, S::kExpired);
    EXPECT_EQ(s.statusChangedAt, kPeriodEnd);  // the grace still counts from the period end
    EXPECT_EQ(s.renewalAttempts, static_cast<int>(i) + 1);
    EXPECT_EQ(s.retryAt, next[i]);
  }
  EXPECT_FALSE(Transition(s, E::kRenewalRetryFailed, kPeriodEnd + 20 * kDay).ok());
  // Then the grace ends: disabled.
  auto d = Transition(s, E::kGraceEnded, kPeriodEnd + kGraceDays * kDay);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->sub.status, S::kDisabled);
}

TEST(SubscriptionState, R11WithoutAutoRenewItExpiresWithoutRetriesAndARetryDueIsDropped) {
  auto step = Transition(AutoRenewOff(Bought()), E::kNotRenewed, kPeriodEnd);
  ASSERT_TRUE(step.ok());
  EXPECT_EQ(step->sub.status, S::kExpired);
  EXPECT_EQ(step->sub.retryAt, 0);

  auto stopped = Transition(AutoRenewOff(Expired()), E::kRetriesStopped, kPeriodEnd + kDay);
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ(stopped->sub.retryAt, 0);
  EXPECT_EQ(stopped->sub.statusChangedAt, kPeriodEnd);  // the status did not change
}

TEST(SubscriptionState, R11InvoiceOverdueExpiresWithoutRetries) {
  Instant now = kPeriodEnd - 5 * kDay;
  auto step = Transition(Bought(), E::kInvoiceOverdue, now);
  ASSERT_TRUE(step.ok());
  EXPECT_EQ(step->sub.status, S::kExpired);
  EXPECT_EQ(step->sub.statusChangedAt, now);
  EXPECT_EQ(step->sub.retryAt, 0);
  EXPECT_EQ(step->sub.renewalAttempts, 0);
  EXPECT_EQ(step->sub.currentPeriodEnd, kPeriodEnd);  // the period is untouched
}

TEST(SubscriptionState, R10CancelDisablesAndTurnsAutoRenewOffWithinSevenDays) {
  Subscription s = Bought();
  Instant now = s.periodStart + kCancelWindowDays * kDay - 1;
  auto step = Transition(s, E::kCanceled, now);
  ASSERT_TRUE(step.ok());
  EXPECT_EQ(step->sub.status, S::kDisabled);
  EXPECT_FALSE(step->sub.autoRenew);
  EXPECT_EQ(step->sub.statusChangedAt, now);
  EXPECT_EQ(step->sub.currentPeriodEnd, s.currentPeriodEnd);

  auto late = Transition(s, E::kCanceled, now + 1);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, "CancellationWindowPassed");
  auto expired = Transition(Expired(), E::kCanceled, kPeriodEnd + kDay);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, "SubscriptionNotActive");
}

TEST(SubscriptionState, R11ReactivationStartsAFullPeriodFromNow) {
  Instant now = At("2026-04-15T08:30:00Z");
  for (const Subscription& from : {Expired(), AutoRenewOff(Disabled())}) {
    auto step = Transition(from, E::kReactivated, now);
    ASSERT_TRUE(step.ok()) << ToString(from.status);
    EXPECT_EQ(step->sub.status, S::kActive);
    EXPECT_TRUE(step->sub.autoRenew);
    EXPECT_EQ(step->sub.periodStart, now);
    EXPECT_EQ(step->sub.anchorDay, 15u);
    EXPECT_EQ(step->sub.currentPeriodEnd, At("2026-05-15T08:30:00Z"));
    EXPECT_EQ(step->bill, (std::vector<Period>{{now, At("2026-05-15T08:30:00Z")}}));
  }
  auto active = Transition(Bought(), E::kReactivated, now);
  ASSERT_FALSE(active.ok());
  EXPECT_EQ(active.error().code, "SubscriptionNotReactivatable");
}

TEST(SubscriptionState, R11InvoicePaidWhileThePeriodRunsOnlyReactivates) {
  Subscription held = Bought();
  held.status = S::kExpired;
  held.statusChangedAt = kPeriodEnd - 10 * kDay;
  Instant now = kPeriodEnd - 3 * kDay;
  auto step = Transition(AutoRenewOff(held), E::kInvoicePaid, now);
  ASSERT_TRUE(step.ok());
  EXPECT_EQ(step->sub.status, S::kActive);
  EXPECT_EQ(step->sub.statusChangedAt, now);
  EXPECT_EQ(step->sub.periodStart, held.periodStart);
  EXPECT_EQ(step->sub.currentPeriodEnd, kPeriodEnd);
  EXPECT_TRUE(step->bill.empty());
}

TEST(SubscriptionState, R11InvoicePaidInTheGraceRenewsFromTheOldEndBillingEachPeriod) {
  Subscription held = NoRetry(Expired());
  held.statusChangedAt = kPeriodEnd - 5 * kDay;  // overdue before the period end
  Instant now = At("2026-03-31T10:00:00Z");      // the second period's end as well
  auto step = Transition(held, E::kInvoicePaid, now);
  ASSERT_TRUE(step.ok());
  EXPECT_EQ(step->sub.status, S::kActive);
  EXPECT_EQ(step->bill,
            (std::vector<Period>{{kPeriodEnd, At("2026-03-31T10:00:00Z")},
                                 {At("2026-03-31T10:00:00Z"), At("2026-04-30T10:00:00Z")}}));
  EXPECT_EQ(step->sub.periodStart, At("2026-03-31T10:00:00Z"));
  EXPECT_EQ(step->sub.currentPeriodEnd, At("2026-04-30T10:00:00Z"));
}

TEST(SubscriptionState, R11InvoicePaidWhenDisabledStartsANewPeriodFromNow) {
  Instant now = At("2026-04-10T00:00:00Z");
  auto step = Transition(Disabled(), E::kInvoicePaid, now);
  ASSERT_TRUE(step.ok());
  EXPECT_EQ(step->sub.status, S::kActive);
  EXPECT_EQ(step->sub.periodStart, now);
  EXPECT_EQ(step->sub.anchorDay, 10u);
  EXPECT_EQ(step->bill, (std::vector<Period>{{now, At("2026-05-10T00:00:00Z")}}));
}

TEST(SubscriptionState, ARefusedEventChangesNothing) {
  auto step = Transition(Bought(), E::kGraceEnded, kPeriodEnd + 100 * kDay);
  ASSERT_FALSE(step.ok());
  EXPECT_EQ(step.error().code, "TransitionNotAllowed");
  EXPECT_NE(step.error().message.find("active"), std::string::npos);
  EXPECT_NE(step.error().message.find("graceEnded"), std::string::npos);
}

}  // namespace
}  // namespace ld
