// The server's background work, as kinds of the durable work mechanism
// (app/work.h): each periodic scan is a recurring kind, claimed by one
// server at a time across a PostgreSQL deployment and taken over by another
// when its server dies:
// - "lifecycle": renewals, dunning, grace, disable, delete and invoices
//   falling overdue (R11), for everything due by the billing clock;
// - "pending-orders": checkouts a crash left pending (R15), older than a few
//   minutes so that one still running on another server is not touched;
// - "pending-changes": card-charging license changes a crash left claimed;
// - "retention": expired tokens, old idempotency keys, expired carts.
// Later features register their own kinds (with items written by their use
// cases) instead of starting threads.
#pragma once

#include <cstdint>

#include "app/retention.h"
#include "app/work.h"

namespace ld::cli {

struct BackgroundOptions {
  int64_t everyMs = 30'000;  // how often each scan runs
  int64_t pendingAgeMs = 5 * 60 * 1000;
  int64_t retentionEveryMs = 10 * 60 * 1000;
  app::RetentionPolicy retention;
};

void RegisterBackgroundWork(app::WorkQueue& queue, const BackgroundOptions& o);

}  // namespace ld::cli
