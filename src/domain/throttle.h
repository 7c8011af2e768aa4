// Throttling rules as pure functions: the growing delay after repeated
// failures, and a token bucket. No clock and no locking here: callers pass
// `now` and keep the state (app/throttle.h).
#pragma once

#include <cstdint>

#include "domain/time.h"

namespace ld {

// Failures of one key (an account, an address, or the pair of both).
struct FailureLimit {
  int freeFailures;       // failures allowed before any wait
  int64_t maxWaitMs;      // cap of the doubling wait
  int64_t forgetAfterMs;  // the count starts over after this long without a failure
};

struct FailureCount {
  int failures = 0;
  Instant last = 0;          // time of the last failure
  Instant blockedUntil = 0;  // attempts wait until then
};

// The wait (ms) before `c` may be tried again at `now`; 0 when allowed.
int64_t WaitMs(const FailureCount& c, Instant now);
// `c` after one more failure at `now`: up to `freeFailures` no wait, then
// 1 s, 2 s, 4 s ... doubling, capped at `maxWaitMs`.
FailureCount AfterFailure(FailureCount c, const FailureLimit& limit, Instant now);
// True when `c` holds nothing worth keeping at `now` (may be dropped).
bool Forgotten(const FailureCount& c, const FailureLimit& limit, Instant now);

// A token bucket: `capacity` tokens, one more every `refillMs`.
struct BucketLimit {
  double capacity;
  int64_t refillMs;
};
struct Bucket {
  double tokens = -1;  // < 0: full (never used)
  Instant at = 0;
};
// Takes one token at `now` when there is one (returns 0 and updates `b`);
// otherwise returns the wait in ms until the next token and leaves `b`.
int64_t TakeToken(Bucket& b, const BucketLimit& limit, Instant now);
// Gives back a token taken by TakeToken (the request did no work).
void ReturnToken(Bucket& b, const BucketLimit& limit);

}  // namespace ld
