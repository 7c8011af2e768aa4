// The store contract, on a real SQLite file (and, with LD_TEST_BACKEND=postgres,
// on a real PostgreSQL server).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <stdexcept>
#include <thread>

#include "store/postgres/pg_conn.h"
#include "store/postgres/pg_store.h"
#include "store/sql.h"
#include "store/sqlite/sqlite_conn.h"
#include "store/sqlite/sqlite_store.h"
#include "support/pg_server.h"
#include "support/temp_dir.h"

namespace ld::store {
namespace {

using ld::testing::TempDir;

struct Opened {
  TempDir dir;
  std::string pg_url;
  std::unique_ptr<app::Store> Open(int max_batch = 64) {
    if (ld::testing::UsePostgres()) {
      if (pg_url.empty()) pg_url = ld::testing::FreshPostgresDatabase();
      return std::make_unique<PgStore>(PgOptions{pg_url, 16, 20}, 1);
    }
    return std::make_unique<SqliteStore>(SqliteOptions{dir.File("s.db"), max_batch, 4}, 1);
  }
};

Tenant MakeTenant(const std::string& domain) {
  return {Guid::NewV7(1), "T " + domain, "US", domain, false, 1};
}

TEST(Store, MigrationsAreRecordedAndAppliedOnce) {
  Opened o;
  {
    auto s = o.Open();
    EXPECT_TRUE(s->Ready());
  }
  auto s = o.Open();  // reopening applies nothing twice (it would fail on CREATE TABLE)
  EXPECT_TRUE(s->Ready());
}

TEST(Store, ARefusedWriteRollsBackAloneWhileItsNeighboursCommit) {
  Opened o;
  auto s = o.Open();
  std::vector<Tenant> tenants;
  for (int i = 0; i < 32; ++i) tenants.push_back(MakeTenant("d" + std::to_string(i) + ".test"));
  std::atomic<int> ok{0}, refused{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < 32; ++i) {
    ts.emplace_back([&, i] {
      Status st = s->Write([&](app::Tx& tx) -> Status {
        tx.InsertTenant(tenants[static_cast<size_t>(i)]);
        if (i % 2) return Error::Invalid("Refused", "odd writes are refused");
        return Ok();
      });
      (st.ok() ? ok : refused)++;
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(ok.load(), 16);
  EXPECT_EQ(refused.load(), 16);
  ASSERT_TRUE(
      s->Read([&](app::Tx& tx) -> Status {
         for (int i = 0; i < 32; ++i)
           EXPECT_EQ(tx.FindTenant(tenants[static_cast<size_t>(i)].id).has_value(), i % 2 == 0)
               << i;
         return Ok();
       }).ok());
}

// Issue 14 #4: a stored value this build does not know (corruption, or a
// newer schema's value) fails the read; it never becomes a default such as
// an active subscription or a captured payment.
TEST(Store, AnUnknownStoredValueFailsTheReadInsteadOfDefaulting) {
  Opened o;
  auto s = o.Open();
  Tenant t = MakeTenant("corrupt.test");
  Guid user = Guid::NewV7(1);
  ASSERT_TRUE(s->Write([&](app::Tx& tx) -> Status {
                 tx.InsertTenant(t);
                 tx.SetRoles(t.id, user, {Role::kGlobalAdmin});
                 return Ok();
               }).ok());
  {
    std::unique_ptr<Conn> raw;
    if (ld::testing::UsePostgres())
      raw = std::make_unique<PgConn>(o.pg_url);
    else
      raw = std::make_unique<SqliteConn>(o.dir.File("s.db"), false);
    X(*raw, "UPDATE user_roles SET role = ?", std::string("Supreme Leader"));
  }
  RoleSet roles;
  Status st = s->Read([&](app::Tx& tx) -> Status {
    roles = tx.ListRoles(t.id, user);
    return Ok();
  });
  ASSERT_FALSE(st.ok()) << "read " << roles.size() << " roles";
  EXPECT_NE(st.error().message.find("Supreme Leader"), std::string::npos) << st.error().message;
}

TEST(Store, AThrownStoreErrorBecomesAnErrorAndWritesNothing) {
  Opened o;
  auto s = o.Open();
  Tenant t = MakeTenant("dup.test");
  ASSERT_TRUE(s->Write([&](app::Tx& tx) -> Status {
                 tx.InsertTenant(t);
                 return Ok();
               }).ok());
  Tenant other = MakeTenant("other.test");
  Status st = s->Write([&](app::Tx& tx) -> Status {
    tx.InsertTenant(other);
    tx.InsertTenant(t);  // primary key violation: throws StoreError
    return Ok();
  });
  ASSERT_FALSE(st.ok());
  ASSERT_TRUE(s->Read([&](app::Tx& tx) -> Status {
                 EXPECT_TRUE(tx.FindTenant(t.id).has_value());
                 EXPECT_FALSE(tx.FindTenant(other.id).has_value());
                 return Ok();
               }).ok());
}

// A read that threw something other than a StoreError kept its PostgreSQL
// connection out of the pool: after 16 of them every transaction waited
// for a connection forever.
TEST(Store, TransactionsThatThrowGiveTheirConnectionBack) {
  Opened o;
  auto s = o.Open();
  auto thrower = [](app::Tx&) -> Status { throw std::runtime_error("boom"); };
  for (int i = 0; i < 40; ++i) {
    Status r = s->Read(thrower);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, ErrorKind::kInternal);
    Status w = s->Write(thrower);
    ASSERT_FALSE(w.ok());
    EXPECT_EQ(w.error().kind, ErrorKind::kInternal);
  }
  Tenant t = MakeTenant("after.test");
  auto done = std::async(std::launch::async, [&] {
    return s->Write([&](app::Tx& tx) -> Status {
      tx.InsertTenant(t);
      return Ok();
    });
  });
  ASSERT_EQ(done.wait_for(std::chrono::seconds(20)), std::future_status::ready)
      << "no connection came back to the pool";
  EXPECT_TRUE(done.get().ok());
  ASSERT_TRUE(s->Read([&](app::Tx& tx) -> Status {
                 EXPECT_TRUE(tx.FindTenant(t.id).has_value());
                 return Ok();
               }).ok());
}

TEST(Store, AcknowledgedWritesSurviveReopening) {
  Opened o;
  std::vector<Tenant> written;
  {
    auto s = o.Open();
    for (int i = 0; i < 50; ++i) {
      Tenant t = MakeTenant("keep" + std::to_string(i) + ".test");
      ASSERT_TRUE(s->Write([&](app::Tx& tx) -> Status {
                     tx.InsertTenant(t);
                     return Ok();
                   }).ok());
      written.push_back(t);
    }
  }
  auto s = o.Open();
  ASSERT_TRUE(s->Read([&](app::Tx& tx) -> Status {
                 for (const auto& t : written) {
                   auto found = tx.FindTenant(t.id);
                   EXPECT_TRUE(found.has_value());
                   if (found) {
                     EXPECT_EQ(found->initialDomain, t.initialDomain);
                   }
                 }
                 return Ok();
               }).ok());
}

TEST(Store, GroupCommitTakesConcurrentWritesIntoFewerTransactions) {
  if (ld::testing::UsePostgres()) GTEST_SKIP() << "SQLite's single writer only";
  TempDir dir;
  SqliteStore s(SqliteOptions{dir.File("g.db"), 64, 4}, 1);
  std::vector<std::thread> ts;
  for (int t = 0; t < 16; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        Tenant x = MakeTenant("g" + std::to_string(t) + "-" + std::to_string(i) + ".test");
        ASSERT_TRUE(s.Write([&](app::Tx& tx) -> Status {
                       tx.InsertTenant(x);
                       return Ok();
                     }).ok());
      }
    });
  }
  for (auto& th : ts) th.join();
  EXPECT_EQ(s.writes(), 400u);
  EXPECT_LT(s.commits(), s.writes());  // batched: fewer fsyncs than writes
}

TEST(Store, TheWalStartsOverUnderSteadyReads) {
  if (ld::testing::UsePostgres()) GTEST_SKIP() << "SQLite's WAL only";
  TempDir dir;
  std::string path = dir.File("w.db");
  SqliteOptions o{path, 64, 4};
  o.walRestartFrames = 32;
  SqliteStore s(o, 1);
  Tenant first = MakeTenant("w0.test");
  ASSERT_TRUE(s.Write([&](app::Tx& tx) -> Status {
                 tx.InsertTenant(first);
                 return Ok();
               }).ok());
  // Readers that never pause: without the restart no write ever finds the
  // WAL unused, and it grows with every commit.
  std::atomic<bool> stop{false};
  std::atomic<int64_t> reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r)
    readers.emplace_back([&] {
      while (!stop)
        if (s.Read([&](app::Tx& tx) -> Status {
               if (!tx.FindTenant(first.id)) return Error::NotFound("tenant");
               return Ok();
             }).ok())
          ++reads;
    });
  uintmax_t largest = 0;
  // At least 400 commits, and on until the readers have read (a loaded
  // machine may schedule them late).
  for (int i = 1; i <= 400 || (reads.load() <= 100 && i <= 4000); ++i) {
    Tenant x = MakeTenant("w" + std::to_string(i) + ".test");
    ASSERT_TRUE(s.Write([&](app::Tx& tx) -> Status {
                   tx.InsertTenant(x);
                   return Ok();
                 }).ok());
    std::error_code ec;
    largest = std::max(largest, std::filesystem::file_size(path + "-wal", ec));
  }
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_GT(reads.load(), 100);
  // 400 commits of a few pages each make over a thousand frames; restarted
  // past 32 frames, it stays within a few hundred frames of 4 KiB.
  EXPECT_LT(largest, 400u * 4120u) << "the WAL grew to " << largest << " bytes";
}

TEST(Store, PlaceholdersAreNumberedOutsideStringLiterals) {
  EXPECT_EQ(NumberPlaceholders("SELECT ? , '?', ? FROM t WHERE a = 'it''s?' AND b = ?"),
            "SELECT $1 , '?', $2 FROM t WHERE a = 'it''s?' AND b = $3");
}

}  // namespace
}  // namespace ld::store
