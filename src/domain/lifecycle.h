// R11: the subscription state machine's timing. Pure.
#pragma once

#include "domain/model.h"

namespace ld {

constexpr int64_t kGraceDays = 30;        // expired: users keep access
constexpr int64_t kDisabledDays = 90;     // disabled: no access, then deleted
constexpr int64_t kCancelWindowDays = 7;  // R10

// After a failed renewal charge the charge is retried this many days after the
// period end, while the subscription is expired (users keep access).
constexpr int kRenewalRetryDays[] = {1, 3, 7, 14};
constexpr int kRenewalRetries = 4;

// The instant a subscription next needs a lifecycle step: its period end while
// active; while expired, the next renewal retry or else the end of grace; the
// end of the disabled span while disabled; INT64_MAX once deleted.
Instant NextActionAt(const Subscription& s);

// The end of the period after the one ending at `s.currentPeriodEnd`: one
// month (or year) later on the anchor day, clamped to the month's last day.
Instant NextPeriodEnd(const Subscription& s);

// True while `now` is within 7 days of the current period's start (purchase or
// renewal), the window in which cancel refunds (R10).
bool WithinCancelWindow(const Subscription& s, Instant now);

}  // namespace ld
