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

bool WithinCancelWindow(const Subscription& s, Instant now) {
  return now >= s.periodStart && now < s.periodStart + kCancelWindowDays * kMsPerDay;
}

}  // namespace ld
