// Retention (issue 14 #5): what the deployment keeps and for how long. The
// pass deletes, in short batches of its own transactions so that it never
// holds the writer for long:
// - tokens and sessions `tokenGraceMs` after they expired (security clock);
// - idempotency keys `idempotencyMs` after they were recorded (at least 24
//   hours, so a client's retries within a day always replay), and keys whose
//   request died before finishing `inFlightMs` after it started, so that a
//   retry of it runs again instead of being 409 RequestInProgress forever;
// - active carts `cartGraceMs` after they expired (ordered carts stay with
//   their orders).
// Audit entries, orders, invoices and subscriptions are never purged here.
// docs/data-model.md ("Retention") lists the same.
#pragma once

#include <cstdint>

#include "app/context.h"
#include "domain/result.h"
#include "domain/time.h"

namespace ld::app {

constexpr int64_t kMinIdempotencyMs = kMsPerDay;

struct RetentionPolicy {
  int64_t tokenGraceMs = kMsPerDay;
  int64_t idempotencyMs = kMinIdempotencyMs;
  int64_t inFlightMs = 15 * 60 * 1000;
  int64_t cartGraceMs = 30 * kMsPerDay;
  int batch = 500;
};

struct RetentionCounts {
  int64_t tokens = 0;
  int64_t idempotencyKeys = 0;
  int64_t carts = 0;
  int64_t Total() const { return tokens + idempotencyKeys + carts; }
};

// One pass: every batch until nothing is left to delete.
Result<RetentionCounts> RunRetention(Context& ctx, const RetentionPolicy& policy);

}  // namespace ld::app
