#include "app/idempotency.h"

#include <gtest/gtest.h>

#include "app/retention.h"
#include "support/app_fixture.h"

namespace ld::app {
namespace {

using namespace ld::testing;

// A keyed request runs once: the first answer is replayed for the same
// request, another request with the key is refused, a failure forgets the
// key so that its retry runs again.
TEST(Idempotency, RunKeyedRunsOnceReplaysAndForgetsFailures) {
  AppFixture f;
  Actor a = f.Org("contoso");
  int runs = 0;
  auto run = [&]() -> Result<std::string> {
    ++runs;
    return std::string("answer ") + std::to_string(runs);
  };
  bool replayed = false;
  IdempotencyInput key{"k1", "hash-1"};
  EXPECT_EQ(*RunKeyed(*f.ctx, a, key, run, &replayed), "answer 1");
  EXPECT_FALSE(replayed);
  EXPECT_EQ(*RunKeyed(*f.ctx, a, key, run, &replayed), "answer 1");
  EXPECT_TRUE(replayed);
  EXPECT_EQ(runs, 1);
  auto other = RunKeyed(*f.ctx, a, IdempotencyInput{"k1", "hash-2"}, run, &replayed);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, "IdempotencyKeyReused");
  // Another caller's same key is its own.
  Actor b = f.Member(a, "billing", {Role::kBillingAdmin});
  EXPECT_EQ(*RunKeyed(*f.ctx, b, key, run, &replayed), "answer 2");
  EXPECT_FALSE(replayed);

  int failing = 0;
  auto fail = [&]() -> Result<std::string> {
    ++failing;
    return Error::Conflict("Nope", "refused");
  };
  IdempotencyInput k2{"k2", "hash"};
  EXPECT_FALSE(RunKeyed(*f.ctx, a, k2, fail, &replayed).ok());
  EXPECT_FALSE(RunKeyed(*f.ctx, a, k2, fail, &replayed).ok());
  EXPECT_EQ(failing, 2) << "a failure is not kept: the retry runs again";
  EXPECT_EQ(RunKeyed(*f.ctx, a, IdempotencyInput{std::string(256, 'x'), "h"}, run, &replayed)
                .error()
                .code,
            "InvalidIdempotencyKey");
}

// Issue 14 #1: a request that died between claiming its key and finishing
// it used to leave the key in flight forever (every retry a 409). Retention
// gives such a key back after 15 minutes; a finished key replays for 24
// hours and then expires.
TEST(Idempotency, ADeadRequestsKeyIsGivenBackAndFinishedKeysExpire) {
  AppFixture f;
  Actor a = f.Org("contoso");
  IdempotencyInput key{"dead", "hash"};
  auto scoped = *ScopeIdempotency(a, key);
  ASSERT_TRUE(f.ctx->store
                  .Write([&](Tx& tx) -> Status {
                    auto c = ClaimKey(tx, a.tenantId, scoped, "keyed", "x", f.ctx->Now());
                    EXPECT_TRUE(c.ok() && !c->replay);
                    return Ok();  // ... and the request dies here
                  })
                  .ok());
  int runs = 0;
  auto run = [&]() -> Result<std::string> {
    ++runs;
    return std::string("done");
  };
  bool replayed = false;
  auto busy = RunKeyed(*f.ctx, a, key, run, &replayed);
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error().code, "RequestInProgress");
  f.clock.Advance(10 * 60 * 1000);
  ASSERT_TRUE(RunRetention(*f.ctx, {}).ok());
  EXPECT_FALSE(RunKeyed(*f.ctx, a, key, run, &replayed).ok()) << "ten minutes: maybe still running";
  f.clock.Advance(6 * 60 * 1000);
  ASSERT_TRUE(RunRetention(*f.ctx, {}).ok());
  EXPECT_EQ(*RunKeyed(*f.ctx, a, key, run, &replayed), "done");
  EXPECT_EQ(runs, 1);

  f.clock.Advance(23 * 3600 * 1000);
  ASSERT_TRUE(RunRetention(*f.ctx, {}).ok());
  EXPECT_EQ(*RunKeyed(*f.ctx, a, key, run, &replayed), "done");
  EXPECT_TRUE(replayed) << "within 24 hours the key replays";
  f.clock.Advance(2 * 3600 * 1000);
  ASSERT_TRUE(RunRetention(*f.ctx, {}).ok());
  EXPECT_EQ(*RunKeyed(*f.ctx, a, key, run, &replayed), "done");
  EXPECT_FALSE(replayed) << "past 24 hours the key expired and the request ran again";
  EXPECT_EQ(runs, 2);
}

}  // namespace
}  // namespace ld::app
