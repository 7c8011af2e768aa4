// The subscription state machine (R10, R11): which event may happen in which
// status, and what it sets. Pure; the use cases in app/ take the decision
// here and do the I/O (charges, invoices, audit, the pool's reconciliation).
// docs/state-machines.md draws it.
#pragma once

#include <string_view>
#include <vector>

#include "domain/model.h"
#include "domain/result.h"

namespace ld {

enum class SubscriptionEvent {
  kPurchased,           // checkout: a draft starts its first period now (auto-renew on)
  kRenewed,             // the renewal charge (or a retry) is paid: next period from the old end
  kRenewalFailed,       // period end, auto-renew on, charge failed: expired, first retry due
  kNotRenewed,          // period end with auto-renew off: expired, no retries
  kRenewalRetryFailed,  // a retry failed: still expired, the next retry (if any) due
  kRetriesStopped,      // a retry is due but auto-renew was turned off: no more retries
  kInvoiceOverdue,      // an invoice billing it fell overdue: expired, no retries
  kGraceEnded,          // 30 days expired: disabled (no access, licenses stay)
  kDisabledEnded,       // 90 days disabled: deleted (final)
  kCanceled,            // canceled within 7 days of purchase or renewal: disabled, auto-renew off
  kReactivated,         // an admin reactivated it: a new full period from now, auto-renew on
  kInvoicePaid,         // the overdue invoice holding it was paid: active again
};
std::string_view ToString(SubscriptionEvent e);

// A billing period [start, end).
struct Period {
  Instant start = 0;
  Instant end = 0;
  bool operator==(const Period&) const = default;
};

struct SubscriptionStep {
  Subscription sub;          // the subscription after the event
  std::vector<Period> bill;  // the periods the event starts that must be invoiced, oldest first
};

// The subscription after `event` happens to `s` at `now`, or a Conflict error
// when the event is not allowed in its state (then nothing changes):
// - kPurchased: only a draft (startDate 0): active, the first period from now
//   to the next anchor date, auto-renew on. Bills that period.
// - kRenewed: active at or after its period end, or expired with a retry due;
//   auto-renew on. Active, the next period from the old end, retries cleared.
//   Bills the new period.
// - kRenewalFailed / kNotRenewed: active at or after its period end with
//   auto-renew on / off. Expired now; the first retry 1 day later / none.
// - kRenewalRetryFailed: expired, auto-renew on, a retry due: the attempt is
//   counted and the next retry set (days 1, 3, 7, 14 after the period end).
// - kRetriesStopped: expired, auto-renew off, a retry due: the retry is dropped.
// - kInvoiceOverdue: active: expired now, no retries.
// - kGraceEnded: expired for 30 days: disabled. kDisabledEnded: disabled for
//   90 days: deleted.
// - kCanceled (R10): active and within 7 days of its period start: disabled,
//   auto-renew off. Codes SubscriptionNotActive, CancellationWindowPassed.
// - kReactivated: expired or disabled: active, auto-renew on, a new period
//   from now (anchored on today). Code SubscriptionNotReactivatable. Bills
//   that period.
// - kInvoicePaid: expired or disabled. While its period runs: active. Period
//   over and auto-renew off: refused (it stays). Expired: renewed from the old
//   end with no gap up to now, billing each period; disabled: a new period
//   from now, billed. Retries cleared.
// - deleted is final: every event is refused.
// Other refusals have the code TransitionNotAllowed. `statusChangedAt` is set
// to `now` whenever the status is set.
Result<SubscriptionStep> Transition(const Subscription& s, SubscriptionEvent event, Instant now);

}  // namespace ld
