#include "domain/pool.h"

#include <gtest/gtest.h>

#include <vector>

namespace ld {
namespace {

struct PoolCase {
  Pool pool;  // enabled, warning, suspended, consumed
  int64_t assignable;
  int64_t excess;
};

TEST(Pool, R7AssignableIsEnabledPlusWarningMinusConsumedNeverSuspended) {
  const std::vector<PoolCase> cases{
      {{0, 0, 0, 0}, 0, 0},                            // no subscription
      {{10, 0, 0, 0}, 10, 0},                          // all free
      {{10, 0, 0, 4}, 6, 0},  {{10, 0, 0, 10}, 0, 0},  // full
      {{5, 3, 0, 6}, 2, 0},                            // grace capacity still assignable
      {{0, 3, 0, 3}, 0, 0},   {{0, 0, 5, 0}, 0, 0},    // disabled capacity is never assignable
      {{2, 0, 5, 4}, 0, 0},  // held by disabled licenses: over capacity, nothing free
      {{0, 0, 5, 5}, 0, 0},   {{2, 1, 5, 9}, 0, 1},  // beyond everything: one to remove
      {{0, 0, 0, 3}, 0, 3},                          // all deleted: every license goes
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(testing::Message() << c.pool.enabled << "/" << c.pool.warning << "/"
                                    << c.pool.suspended << "/" << c.pool.consumed);
    EXPECT_EQ(AssignCapacity(c.pool), c.pool.enabled + c.pool.warning);
    EXPECT_EQ(Assignable(c.pool), c.assignable);
    EXPECT_EQ(Excess(c.pool), c.excess);
  }
}

TEST(Pool, R7CanAssignOnlyWithinEnabledPlusWarning) {
  struct Case {
    Pool pool;
    int64_t n;
    bool ok;
  };
  const std::vector<Case> cases{
      {{1, 0, 0, 0}, 1, true},  {{1, 0, 0, 1}, 1, false}, {{0, 1, 0, 0}, 1, true},
      {{0, 0, 1, 0}, 1, false}, {{5, 0, 0, 2}, 3, true},  {{5, 0, 0, 2}, 4, false},
      {{5, 0, 0, 2}, 0, true},  {{0, 0, 0, 0}, 0, true},  {{2, 0, 3, 4}, 0, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(testing::Message() << c.pool.enabled << "/" << c.pool.warning << "/"
                                    << c.pool.suspended << "/" << c.pool.consumed << " +" << c.n);
    EXPECT_EQ(CanAssign(c.pool, c.n), c.ok);
  }
}

TEST(Pool, R9ShrinkNeverBelowLicensesInUseSaysHowManyToUnassign) {
  struct Case {
    Pool pool;
    int64_t remove;
    int64_t unassign_first;
  };
  const std::vector<Case> cases{
      {{10, 0, 0, 4}, 6, 0},  // down to exactly the licenses in use
      {{10, 0, 0, 4}, 7, 1},  // one too many
      {{10, 0, 0, 4}, 10, 4}, {{10, 0, 0, 0}, 9, 0},
      {{10, 0, 0, 10}, 0, 0}, {{5, 5, 0, 8}, 2, 0},  // another subscription's grace capacity counts
      {{5, 5, 0, 8}, 3, 1},   {{5, 0, 5, 8}, 1, 4},  // disabled capacity does not
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(testing::Message()
                 << c.pool.enabled << "/" << c.pool.warning << "/" << c.pool.suspended << "/"
                 << c.pool.consumed << " -" << c.remove);
    EXPECT_EQ(UnassignFirst(c.pool, c.remove), c.unassign_first);
    EXPECT_EQ(CanShrinkBy(c.pool, c.remove), c.unassign_first == 0);
  }
}

}  // namespace
}  // namespace ld
