#include "app/work.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <latch>
#include <map>
#include <mutex>
#include <thread>

#include "support/app_fixture.h"

namespace ld::app {
namespace {

using namespace ld::testing;
using namespace std::chrono_literals;

WorkItem Item(const std::string& kind, const std::string& key, Instant due,
              const std::string& payload = "") {
  WorkItem w;
  w.kind = kind;
  w.key = key;
  w.dueAt = due;
  w.payload = payload;
  return w;
}

void Put(AppFixture& f, const WorkItem& w) {
  ASSERT_TRUE(f.ctx->store
                  .Write([&](Tx& tx) -> Status {
                    Enqueue(tx, *f.ctx, w);
                    return Ok();
                  })
                  .ok());
}

std::optional<WorkItem> Find(AppFixture& f, const std::string& kind, const std::string& key) {
  std::optional<WorkItem> out;
  EXPECT_TRUE(f.ctx->store
                  .Read([&](Tx& tx) -> Status {
                    out = tx.FindWork(kind, Guid{}, key);
                    return Ok();
                  })
                  .ok());
  return out;
}

// An item written on the caller's transaction runs once when due (by the
// billing clock, which the test clock moves), then is gone; a transaction
// that fails leaves no item (the outbox).
TEST(Work, RunsOnceWhenDueByTheBillingClock) {
  AppFixture f;
  WorkQueue q(*f.ctx, "a");
  std::vector<std::string> seen;
  q.Register({.kind = "mail", .run = [&](Context&, const WorkItem& w) -> Status {
                seen.push_back(w.key + "=" + w.payload);
                return Ok();
              }});
  Put(f, Item("mail", "m1", f.clock.Now() + 3600 * 1000, "hello"));
  EXPECT_FALSE(f.ctx->store
                   .Write([&](Tx& tx) -> Status {
                     Enqueue(tx, *f.ctx, Item("mail", "rolled-back", f.clock.Now()));
                     return Error::Invalid("Nope", "refused", "");
                   })
                   .ok());
  EXPECT_EQ(*q.RunOnce(), 0) << "not due yet";
  f.clock.Advance(3600 * 1000);
  EXPECT_EQ(*q.RunOnce(), 1);
  EXPECT_EQ(*q.RunOnce(), 0);
  EXPECT_EQ(seen, std::vector<std::string>{"m1=hello"});
  EXPECT_FALSE(Find(f, "mail", "m1"));
  EXPECT_FALSE(Find(f, "mail", "rolled-back"));
}

// Enqueuing a queued item again keeps one item, at the earlier due time,
// with the newer payload.
TEST(Work, EnqueuingAgainKeepsOneItemAtTheEarlierTime) {
  AppFixture f;
  const Instant now = f.clock.Now();
  Put(f, Item("group", "g1", now + 5000, "v1"));
  Put(f, Item("group", "g1", now + 9000, "v2"));
  auto w = Find(f, "group", "g1");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->dueAt, now + 5000);
  EXPECT_EQ(w->payload, "v2");
  Put(f, Item("group", "g1", now + 1000, "v3"));
  EXPECT_EQ(Find(f, "group", "g1")->dueAt, now + 1000);
}

// A failing handler is retried with a doubling delay and given up after its
// last attempt; the item stays, failed, for the operator.
TEST(Work, FailuresBackOffThenTheItemIsMarkedFailed) {
  AppFixture f;
  WorkQueue q(*f.ctx, "a");
  int runs = 0;
  q.Register({.kind = "hook",
              .run = [&](Context&, const WorkItem&) -> Status {
                ++runs;
                return Error::Unavailable("receiver down");
              },
              .maxAttempts = 3,
              .retryBaseMs = 1000});
  Put(f, Item("hook", "h1", f.clock.Now()));
  EXPECT_EQ(*q.RunOnce(), 1);
  auto w = Find(f, "hook", "h1");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->attempts, 1);
  EXPECT_EQ(w->dueAt, f.clock.Now() + 1000);
  EXPECT_EQ(w->lastError, "receiver down");
  EXPECT_EQ(*q.RunOnce(), 0) << "backing off";
  f.clock.Advance(1000);
  EXPECT_EQ(*q.RunOnce(), 1);
  EXPECT_EQ(Find(f, "hook", "h1")->dueAt, f.clock.Now() + 2000);
  f.clock.Advance(2000);
  EXPECT_EQ(*q.RunOnce(), 1);
  EXPECT_EQ(Find(f, "hook", "h1")->state, "failed");
  f.clock.Advance(kMsPerDay);
  EXPECT_EQ(*q.RunOnce(), 0) << "a failed item is not retried";
  EXPECT_EQ(runs, 3);
  auto stats = WorkStatus(*f.ctx);
  ASSERT_TRUE(stats.ok());
  ASSERT_EQ(stats->size(), 1u);
  EXPECT_EQ((*stats)[0].kind, "hook");
  EXPECT_EQ((*stats)[0].failed, 1);
  EXPECT_EQ((*stats)[0].queued, 0);
}

// A server that claimed an item and died holds it only until its lease
// passes; then another server claims it and runs it once, and the dead
// server's late finish is refused.
TEST(Work, ADeadServersItemIsDoneOnceByAnotherAfterItsLease) {
  AppFixture f;
  int runs = 0;
  WorkKind kind{.kind = "report",
                .run = [&](Context&, const WorkItem&) -> Status {
                  ++runs;
                  return Ok();
                },
                .leaseMs = 60'000};
  WorkQueue b(*f.ctx, "server-b");
  b.Register(kind);
  Put(f, Item("report", "r1", f.clock.Now()));
  std::vector<WorkItem> held;  // server A claims, then dies without finishing
  ASSERT_TRUE(f.ctx->store
                  .Write([&](Tx& tx) -> Status {
                    held = tx.ClaimWork("report", f.clock.Now(), f.clock.Now(), "server-a",
                                        f.clock.Now() + 60'000, 10);
                    return Ok();
                  })
                  .ok());
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(*b.RunOnce(), 0) << "A's lease still holds";
  auto stats = WorkStatus(*f.ctx);
  ASSERT_EQ(stats->size(), 1u);
  EXPECT_EQ((*stats)[0].running, 1);
  f.clock.Advance(60'001);
  EXPECT_EQ(*b.RunOnce(), 1);
  EXPECT_EQ(runs, 1);
  EXPECT_FALSE(Find(f, "report", "r1"));
  bool finished = true;
  ASSERT_TRUE(f.ctx->store
                  .Write([&](Tx& tx) -> Status {
                    finished = tx.FinishWork(held[0]);
                    return Ok();
                  })
                  .ok());
  EXPECT_FALSE(finished) << "the dead server's lease was taken over";
}

// The same with a real death: a server process claims the item, starts its
// handler and is killed with SIGKILL in the middle of it. Another server
// (this process) does not take the item while the dead one's lease holds,
// then does it exactly once. On SQLite the other server is the restarted
// one on the same file; on PostgreSQL a second server beside it.
TEST(Work, AnItemOfAServerKilledInItsHandlerIsDoneOnceByAnother) {
  AppFixture f;
  constexpr int64_t kLeaseMs = 30'000;
  Put(f, Item("report", "r1", f.clock.Now(), "payload-1"));
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The doomed server: its own store (connections, writer) on the database.
    close(ready[0]);
    std::unique_ptr<Store> own;
    if (!f.pgConninfo.empty()) {
      store::PgOptions o;
      o.conninfo = f.pgConninfo;
      own = std::make_unique<store::PgStore>(o, f.clock.Now());
    } else {
      store::SqliteOptions o;
      o.path = f.dir.File("ld.db");
      own = std::make_unique<store::SqliteStore>(o, f.clock.Now());
    }
    Context ctx{*own, f.clock, f.gateway, f.ctx->catalog, f.ctx->config};
    WorkQueue a(ctx, "server-a");
    a.Register(WorkKind{.kind = "report",
                        .run = [&](Context&, const WorkItem&) -> Status {
                          char c = 'r';
                          if (write(ready[1], &c, 1) != 1) _exit(3);
                          for (;;) pause();  // killed here, in the middle
                        },
                        .leaseMs = kLeaseMs});
    (void)a.RunOnce();
    _exit(2);  // never reached: the handler does not return
  }
  close(ready[1]);
  pollfd p{ready[0], POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 30'000), 1) << "the child never started the handler";
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  close(ready[0]);
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

  std::vector<std::string> payloads;
  WorkQueue b(*f.ctx, "server-b");
  b.Register(WorkKind{.kind = "report",
                      .run = [&](Context&, const WorkItem& w) -> Status {
                        payloads.push_back(w.payload);
                        return Ok();
                      },
                      .leaseMs = kLeaseMs});
  auto before = WorkStatus(*f.ctx);
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->size(), 1u);
  EXPECT_EQ((*before)[0].running, 1) << "the dead server's claim is on record";
  EXPECT_EQ(*b.RunOnce(), 0) << "the dead server's lease still holds";
  EXPECT_TRUE(payloads.empty());
  f.clock.Advance(kLeaseMs + 1);
  EXPECT_EQ(*b.RunOnce(), 1);
  EXPECT_EQ(*b.RunOnce(), 0);
  ASSERT_EQ(payloads.size(), 1u);
  EXPECT_EQ(payloads[0], "payload-1");
  EXPECT_FALSE(Find(f, "report", "r1"));
}

// An item enqueued again while it runs (its cause changed meanwhile) runs
// again: the finish deletes only the version it ran.
TEST(Work, AnItemEnqueuedWhileItRunsRunsAgain) {
  AppFixture f;
  WorkQueue q(*f.ctx, "a");
  int runs = 0;
  q.Register({.kind = "group", .run = [&](Context& ctx, const WorkItem& w) -> Status {
                if (++runs == 1) {
                  LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
                    Enqueue(tx, ctx, Item("group", w.key, ctx.Now(), w.payload));
                    return Ok();
                  }));
                }
                return Ok();
              }});
  Put(f, Item("group", "g1", f.clock.Now(), "same"));
  EXPECT_EQ(*q.RunOnce(), 1);
  ASSERT_TRUE(Find(f, "group", "g1"));
  EXPECT_EQ(*q.RunOnce(), 1);
  EXPECT_FALSE(Find(f, "group", "g1"));
  EXPECT_EQ(runs, 2);
}

// A recurring kind keeps its one item and runs it every period.
TEST(Work, ARecurringKindRunsEveryPeriod) {
  AppFixture f;
  WorkQueue q(*f.ctx, "a");
  int runs = 0;
  q.Register({.kind = "scan",
              .run = [&](Context&, const WorkItem&) -> Status {
                ++runs;
                return Ok();
              },
              .repeatEveryMs = 30'000});
  ASSERT_TRUE(q.EnsureRecurring().ok());
  ASSERT_TRUE(q.EnsureRecurring().ok());
  EXPECT_EQ(*q.RunOnce(), 1);
  EXPECT_EQ(*q.RunOnce(), 0);
  auto w = Find(f, "scan", "tick");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->dueAt, f.clock.Now() + 30'000);
  f.clock.Advance(30'000);
  EXPECT_EQ(*q.RunOnce(), 1);
  EXPECT_EQ(runs, 2);
}

// A slow kind never starves the others: with two runner threads, one held
// by a handler that blocks, the other still runs every other kind's items.
TEST(Work, ASlowKindDoesNotStarveTheOthers) {
  AppFixture f;
  WorkQueue q(*f.ctx, "a");
  std::latch release(1);
  std::atomic<int> slow_started{0}, fast_done{0};
  q.Register({.kind = "slow", .run = [&](Context&, const WorkItem&) -> Status {
                ++slow_started;
                release.wait();
                return Ok();
              }});
  q.Register({.kind = "fast", .run = [&](Context&, const WorkItem&) -> Status {
                ++fast_done;
                return Ok();
              }});
  for (int i = 0; i < 3; ++i) Put(f, Item("slow", "s" + std::to_string(i), f.clock.Now()));
  q.Start(2, 10ms);
  for (int i = 0; i < 200 && slow_started == 0; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(slow_started.load(), 1);
  for (int i = 0; i < 20; ++i) Put(f, Item("fast", "f" + std::to_string(i), f.clock.Now()));
  q.Wake();
  for (int i = 0; i < 500 && fast_done < 20; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(fast_done.load(), 20) << "the fast kind ran while the slow one held a thread";
  EXPECT_EQ(slow_started.load(), 1) << "one kind runs on one thread at a time";
  release.count_down();
  q.Stop();
}

// Two servers (on PostgreSQL, each with its own connections) run the same
// queue at once: every item runs exactly once.
TEST(Work, TwoServersRunEveryItemExactlyOnce) {
  AppFixture f;
  auto second = f.SecondServerStore();
  if (!second) GTEST_SKIP() << "one server per SQLite database";
  Context ctx2{*second, f.clock, f.gateway, f.ctx->catalog, f.ctx->config};
  std::mutex mu;
  std::map<std::string, int> runs;
  auto kind = [&](const std::string& server) {
    return WorkKind{.kind = "job",
                    .run = [&, server](Context&, const WorkItem& w) -> Status {
                      std::lock_guard l(mu);
                      ++runs[w.key];
                      return Ok();
                    },
                    .batch = 5};
  };
  constexpr int kItems = 300;
  ASSERT_TRUE(f.ctx->store
                  .Write([&](Tx& tx) -> Status {
                    for (int i = 0; i < kItems; ++i)
                      Enqueue(tx, *f.ctx, Item("job", "j" + std::to_string(i), f.clock.Now()));
                    return Ok();
                  })
                  .ok());
  WorkQueue a(*f.ctx, "server-a"), b(ctx2, "server-b");
  a.Register(kind("a"));
  b.Register(kind("b"));
  a.Start(2, 5ms);
  b.Start(2, 5ms);
  for (int i = 0; i < 1000; ++i) {
    {
      std::lock_guard l(mu);
      if (runs.size() == kItems) break;
    }
    std::this_thread::sleep_for(10ms);
  }
  a.Stop();
  b.Stop();
  ASSERT_EQ(runs.size(), static_cast<size_t>(kItems));
  for (const auto& [key, n] : runs) EXPECT_EQ(n, 1) << key;
}

}  // namespace
}  // namespace ld::app
