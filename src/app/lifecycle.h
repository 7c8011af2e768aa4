// R11: the subscription lifecycle, driven by the injected clock. Renewal at
// period end (charged at the locked price and tax), retries after a failed
// charge while expired, expired -> disabled -> deleted, and the capacity
// reconciliation that removes licenses when a subscription is deleted, and
// (issue 5) invoices paid by transfer that fall overdue at their due date:
// `overdue`, and the active subscriptions they bill expire then, without
// retries (invoices.h has the operator's MarkInvoicePaid that recovers them).
//
// Every step is idempotent: it re-reads the subscription in its write and
// does nothing if another run (a second server, or a run before a crash)
// already took it; gateway charges are keyed by subscription and period, so a
// repeated charge is never a second charge.
#pragma once

#include <string>
#include <vector>

#include "app/context.h"

namespace ld::app {

struct LifecycleEvent {
  Instant at = 0;
  Guid tenantId;
  Guid subscriptionId;
  // renewed | renewalFailed | renewalRetryFailed | expired | disabled | deleted | licenseRemoved
  // | invoiceOverdue (one per subscription the invoice bills; a nil
  // subscriptionId and empty status when it bills none any more)
  std::string type;
  std::string status;  // the subscription's status after the step
  int64_t amount = 0;  // charged, with tax (renewals); left unpaid (invoiceOverdue)
  std::string currency;
  std::optional<Guid> userId;     // licenseRemoved
  std::optional<Guid> invoiceId;  // renewed, invoiceOverdue
};

// Runs every step due at or before `until`, in time order; each step takes
// effect at its own due instant (at one instant, an invoice falling overdue
// comes before its subscription's own step). At most `max_steps` steps per call.
Result<std::vector<LifecycleEvent>> RunLifecycle(Context& ctx, Instant until,
                                                 int max_steps = 1'000'000);

// Test clocks (`serve --test-clock`): the deployment's operator (its token in
// `operator_secret`; no organization's admin) moves the billing clock forward
// to `to` and the lifecycle runs up to it, for every organization. 404 when
// test clocks are off, 403 without the operator token, 400 when `to` is in
// the past or past kLatestClockInstant. Security times do not move.
// Concurrent calls are serialized.
Result<std::vector<LifecycleEvent>> AdvanceTestClock(Context& ctx, SettableClock& clock,
                                                     std::string_view operator_secret, Instant to);

}  // namespace ld::app
