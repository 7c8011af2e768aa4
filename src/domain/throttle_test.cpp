#include "domain/throttle.h"

#include <gtest/gtest.h>

namespace ld {
namespace {

TEST(Throttle, FailuresWaitDoublingAfterTheFreeOnesCapped) {
  FailureLimit lim{3, 8000, 60000};
  FailureCount c;
  Instant t = 1000000;
  for (int i = 0; i < 2; ++i) {
    c = AfterFailure(c, lim, t);
    EXPECT_EQ(WaitMs(c, t), 0);
  }
  int64_t expect[] = {1000, 2000, 4000, 8000, 8000};
  for (int64_t e : expect) {
    c = AfterFailure(c, lim, t);
    EXPECT_EQ(WaitMs(c, t), e);
    t += e;  // tries again as soon as allowed
    EXPECT_EQ(WaitMs(c, t), 0);
  }
  // Forgotten after a quiet while.
  t += 60001;
  EXPECT_TRUE(Forgotten(c, lim, t));
  c = AfterFailure(c, lim, t);
  EXPECT_EQ(c.failures, 1);
  EXPECT_EQ(WaitMs(c, t), 0);
}

TEST(Throttle, TokenBucketRefillsAndReturns) {
  BucketLimit lim{2, 1000};
  Bucket b;
  EXPECT_EQ(TakeToken(b, lim, 0), 0);
  EXPECT_EQ(TakeToken(b, lim, 0), 0);
  int64_t w = TakeToken(b, lim, 0);
  EXPECT_GT(w, 0);
  EXPECT_LE(w, 1001);
  EXPECT_EQ(TakeToken(b, lim, 1000), 0);
  EXPECT_GT(TakeToken(b, lim, 1000), 0);
  ReturnToken(b, lim);
  EXPECT_EQ(TakeToken(b, lim, 1000), 0);
  // Never more than the capacity.
  EXPECT_EQ(TakeToken(b, lim, 100000), 0);
  EXPECT_EQ(TakeToken(b, lim, 100000), 0);
  EXPECT_GT(TakeToken(b, lim, 100000), 0);
}

}  // namespace
}  // namespace ld
