#include "app/retention.h"

#include <gtest/gtest.h>

#include "app/commerce.h"
#include "support/app_fixture.h"

namespace ld::app {
namespace {

using namespace ld::testing;

// Issue 14 #5 and #1: expired tokens and sessions, old idempotency keys,
// keys of requests that died in flight and long-expired carts are purged;
// everything younger than its age, and ordered carts, stay.
TEST(Retention, PurgesWhatOutlivedItsAgeAndKeepsTheRest) {
  AppFixture f;
  Actor a = f.Org("contoso");
  RetentionPolicy p;  // tokens +1 day, keys 24 h, in flight 15 min, carts +30 days
  p.batch = 2;        // several batches per kind

  // Carts: one abandoned (expires after 7 days), one ordered.
  auto abandoned = CreateCart(*f.ctx, a, {{kBusinessBasic, 1}});
  ASSERT_TRUE(abandoned.ok()) << abandoned.error().message;
  Order ordered = f.Buy(a, kBusinessBasic, 2);

  // Move on 40 days: the abandoned cart expired 33 days ago.
  f.clock.Advance(40 * kMsPerDay);
  const Instant now = f.clock.Now();
  const Guid t = a.tenantId, u = a.userId;
  ASSERT_TRUE(f.ctx->store
                  .Write([&](Tx& tx) -> Status {
                    for (int i = 0; i < 5; ++i)  // expired 2 days ago: purged
                      tx.InsertToken({"old" + std::to_string(i), t, u, "bearer", "",
                                      now - 3 * kMsPerDay, now - 2 * kMsPerDay});
                    tx.InsertToken({"recent", t, u, "session", "", now - kMsPerDay,
                                    now - 3600 * 1000});  // expired an hour ago: kept
                    tx.InsertToken({"live", t, u, "bearer", "", now, now + 3600 * 1000});
                    auto key = [&](const std::string& k, const std::string& state, Instant at) {
                      tx.InsertIdempotency(t, {k, "h", state, state == "done" ? 200 : 0, "http",
                                               "http:" + k, "", at});
                    };
                    for (int i = 0; i < 3; ++i)
                      key("done-old" + std::to_string(i), "done", now - 25 * 3600 * 1000);
                    key("done-young", "done", now - 23 * 3600 * 1000);
                    key("dead", "in_flight", now - 20 * 60 * 1000);
                    key("running", "in_flight", now - 5 * 60 * 1000);
                    return Ok();
                  })
                  .ok());

  auto r = RunRetention(*f.ctx, p);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->tokens, 5);
  EXPECT_EQ(r->idempotencyKeys, 4);
  EXPECT_EQ(r->carts, 1);

  ASSERT_TRUE(f.ctx->store
                  .Read([&](Tx& tx) -> Status {
                    EXPECT_FALSE(tx.FindToken("old0"));
                    EXPECT_TRUE(tx.FindToken("recent"));
                    EXPECT_TRUE(tx.FindToken("live"));
                    EXPECT_FALSE(tx.FindIdempotency(t, "done-old0"));
                    EXPECT_TRUE(tx.FindIdempotency(t, "done-young"));
                    EXPECT_FALSE(tx.FindIdempotency(t, "dead"))
                        << "a key whose request died is given back to the client";
                    EXPECT_TRUE(tx.FindIdempotency(t, "running"));
                    EXPECT_FALSE(tx.FindCart(t, abandoned->cart.id));
                    EXPECT_TRUE(tx.FindCart(t, ordered.cartId)) << "an ordered cart stays";
                    return Ok();
                  })
                  .ok());
  // A second pass finds nothing more; a shorter key age than 24 h is not honoured.
  p.idempotencyMs = 3600 * 1000;
  auto again = RunRetention(*f.ctx, p);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->idempotencyKeys, 0);
  EXPECT_EQ(again->carts, 0);
}

}  // namespace
}  // namespace ld::app
