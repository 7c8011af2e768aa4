#include "domain/lifecycle.h"

#include <cstdint>

namespace ld {

Instant NextActionAt(const Subscription& s) {
  switch (s.status) {
    case SubscriptionStatus::kActive:
      return s.currentPeriodEnd;
    case SubscriptionStatus::kExpired: {
      Instant grace_end = s.statusChangedAt + kGraceDays * kMsPerDay;
      return s.retryAt > 0 && s.retryAt < grace_end ? s.retryAt : grace_end;
    }
    case SubscriptionStatus::kDisabled:
      return s.statusChangedAt + kDisabledDays * kMsPerDay;
    case SubscriptionStatus::kDeleted:
      return INT64_MAX;
  }
  return INT64_MAX;
}

Instant NextPeriodEnd(const Subscription& s) {
  // One period after the current end, on the anchor day (clamped) and at the
  // end's time of day: Jan 31 -> Feb 28/29 -> Mar 31 never drifts, and a
  // period restarted by a reactivation (new anchor day, new time) goes on
  // from its own start.
  CivilDate end = ToCivil(s.currentPeriodEnd);
  int64_t ms_of_day = s.currentPeriodEnd - FromCivil(end);
  int months = s.cycle == BillingCycle::kMonthly ? 1 : 12;
  return FromCivil(AddMonthsAnchored(end, months, s.anchorDay), ms_of_day);
}

bool WithinCancelWindow(const Subscription& s, Instant now) {
  return now >= s.periodStart && now < s.periodStart + kCancelWindowDays * kMsPerDay;
}

}  // namespace ld
