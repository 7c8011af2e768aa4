#include "store/copy.h"

#include <gtest/gtest.h>

#include <map>

#include "app/licensing.h"
#include "store/postgres/pg_conn.h"
#include "store/sqlite/sqlite_conn.h"
#include "support/app_fixture.h"
#include "support/pg_server.h"

namespace ld::store {
namespace {

using namespace ld::testing;

// Issue 14 #4: the tables come from the database's catalog, not from parsing
// the migrations' text: every table a migration creates is listed, in an
// order that satisfies the foreign keys, on both databases.
TEST(Copy, SchemaTablesComeFromTheCatalog) {
  AppFixture f;
  std::unique_ptr<Conn> db;
  if (UsePostgres())
    db = std::make_unique<PgConn>(f.pgConninfo);
  else
    db = std::make_unique<SqliteConn>(f.dir.File("ld.db"), true);
  auto t = SchemaTables(*db);
  ASSERT_GE(t.size(), 18u);
  EXPECT_EQ(std::find(t.begin(), t.end(), "schema_migrations"), t.end());
  for (const char* name : {"subscription_changes", "work_items", "invoice_payments"})
    EXPECT_NE(std::find(t.begin(), t.end(), name), t.end()) << name;
  // users refers to tenants: tenants comes first.
  EXPECT_LT(std::find(t.begin(), t.end(), "tenants"), std::find(t.begin(), t.end(), "users"));
  EXPECT_EQ(t.front(), "tenants");
  EXPECT_NE(std::find(t.begin(), t.end(), "license_assignments"), t.end());
}

TEST(Copy, SqliteDeploymentMovesToPostgresWithoutLosingARow) {
  if (UsePostgres()) GTEST_SKIP() << "copies from SQLite";
  std::string target;
  try {
    target = FreshPostgresDatabase();
  } catch (const std::exception& e) {
    GTEST_SKIP() << "no PostgreSQL: " << e.what();
  }
  AppFixture f;
  auto a = f.Org("contoso", "TW");
  auto users = f.Users(a, 20, false);
  f.Buy(a, kBusinessBasic, 10, BillingCycle::kMonthly, true);
  f.Buy(a, kBusinessPremium, 3, BillingCycle::kAnnual);
  // Premium excludes Basic: a move when the auto-assign gave the admin Basic.
  auto held = app::LicenseDetails(*f.ctx, a, a.userId.str());
  ASSERT_TRUE(held.ok());
  std::vector<Guid> basic;
  for (const auto& l : *held)
    if (l.skuId == kBusinessBasic) basic.push_back(l.skuId);
  ASSERT_TRUE(app::AssignLicense(*f.ctx, a, a.userId.str(), {{kBusinessPremium, {}}}, basic).ok());
  f.store.reset();  // close the source cleanly

  SqliteConn from(f.dir.File("ld.db"), true);
  {
    PgStore migrate(PgOptions{target, 2, 1}, 1);  // applies the schema
  }
  PgConn to(target);
  auto reports = CopyDatabase(from, to);
  std::map<std::string, int64_t> rows;
  for (const auto& r : reports) {
    EXPECT_TRUE(r.ok()) << r.table << " " << r.sourceRows << " vs " << r.targetRows;
    rows[r.table] = r.targetRows;
  }
  EXPECT_EQ(rows["users"], 21);
  // 10 auto-assigned, the admin's moved to Premium (or Premium added).
  EXPECT_EQ(rows["license_assignments"], 10 + (basic.empty() ? 1 : 0));
  EXPECT_EQ(rows["subscriptions"], 2);
  EXPECT_EQ(rows["invoices"], 2);
  // The moved deployment works: the app reads the same pool on PostgreSQL.
  PgStore moved(PgOptions{target, 4, 5}, 2);
  app::Context ctx{moved, f.clock, f.gateway, RepoCatalog(), {}};
  auto pool = app::GetSubscribedSku(ctx, a, kBusinessBasic);
  ASSERT_TRUE(pool.ok());
  EXPECT_EQ(pool->counts.enabled, 10);
  EXPECT_EQ(pool->counts.consumed, 10 - static_cast<int64_t>(basic.size()));
  // A second copy into a non-empty target is refused.
  EXPECT_THROW(CopyDatabase(from, to), app::StoreError);
}

}  // namespace
}  // namespace ld::store
