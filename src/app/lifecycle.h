// R11: the subscription lifecycle, driven by the injected clock. Renewal at
// period end (charged at the locked price and tax), retries after a failed
// charge while expired, expired -> disabled -> deleted, and the capacity
// reconciliation that removes licenses when a subscription is deleted.
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
  std::string type;
  std::string status;  // the subscription's status after the step
  int64_t amount = 0;  // charged, with tax (renewals)
  std::string currency;
  std::optional<Guid> userId;     // licenseRemoved
  std::optional<Guid> invoiceId;  // renewed
};

// Runs every step due at or before `until`, in time order; each step takes
// effect at its own due instant. At most `max_steps` steps per call.
Result<std::vector<LifecycleEvent>> RunLifecycle(Context& ctx, Instant until,
                                                 int max_steps = 1'000'000);

// Test clocks (`serve --test-clock`): a Global Administrator moves the
// deployment's clock forward to `to` and the lifecycle runs up to it. 404 when
// test clocks are off, 403 without the role, 400 when `to` is in the past.
// Concurrent calls are serialized.
Result<std::vector<LifecycleEvent>> AdvanceTestClock(Context& ctx, SettableClock& clock,
                                                     const Actor& actor, Instant to);

}  // namespace ld::app
