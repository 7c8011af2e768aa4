#include "domain/throttle.h"

#include <algorithm>

namespace ld {

int64_t WaitMs(const FailureCount& c, Instant now) {
  return std::max<int64_t>(0, c.blockedUntil - now);
}

bool Forgotten(const FailureCount& c, const FailureLimit& limit, Instant now) {
  return now >= c.blockedUntil && now - c.last > limit.forgetAfterMs;
}

FailureCount AfterFailure(FailureCount c, const FailureLimit& limit, Instant now) {
  if (Forgotten(c, limit, now)) c = FailureCount{};
  ++c.failures;
  c.last = now;
  if (c.failures >= limit.freeFailures) {
    int over = std::min(c.failures - limit.freeFailures, 30);
    int64_t wait =
        over >= 30 ? limit.maxWaitMs : std::min<int64_t>(int64_t{1000} << over, limit.maxWaitMs);
    c.blockedUntil = std::max(c.blockedUntil, now + wait);
  }
  return c;
}

namespace {
void Refill(Bucket& b, const BucketLimit& limit, Instant now) {
  if (b.tokens < 0) {
    b.tokens = limit.capacity;
    b.at = now;
    return;
  }
  if (now > b.at) {
    b.tokens = std::min(limit.capacity, b.tokens + static_cast<double>(now - b.at) /
                                                       static_cast<double>(limit.refillMs));
    b.at = now;
  }
}
}  // namespace

int64_t TakeToken(Bucket& b, const BucketLimit& limit, Instant now) {
  Refill(b, limit, now);
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return 0;
  }
  int64_t wait = static_cast<int64_t>((1 - b.tokens) * static_cast<double>(limit.refillMs)) + 1;
  return std::max<int64_t>(1, wait);
}

void ReturnToken(Bucket& b, const BucketLimit& limit) {
  if (b.tokens >= 0) b.tokens = std::min(limit.capacity, b.tokens + 1);
}

}  // namespace ld
