// A real application stack for use-case tests: a SQLite file in a temporary
// directory (or, with LD_TEST_BACKEND=postgres, a fresh database on a real
// PostgreSQL server), the repo's catalog, the built-in test gateway and a
// clock the test sets. No mocks.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "app/commerce.h"
#include "app/context.h"
#include "app/directory.h"
#include "app/licensing.h"
#include "app/signup.h"
#include "app/subscriptions.h"
#include "app/test_gateway.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace ld::testing {

using ManualClock = SettableClock;

// Well-known SKUs of catalog/catalog.json.
extern const Guid kBusinessBasic;
extern const Guid kBusinessStandard;
extern const Guid kBusinessPremium;
extern const Guid kEnterpriseE3;
extern const Guid kAudioConferencing;

const Catalog& RepoCatalog();

class AppFixture {
 public:
  explicit AppFixture(Cloud cloud = Cloud::kWorldwide, int max_batch = 64);
  ~AppFixture();

  // Signs up an organization (admin without the argon2 cost when `fast`).
  app::Actor Org(const std::string& prefix, const std::string& country = "US",
                 bool invoice = false);
  // Saves a card (default: the succeeding Visa test card) and returns its id.
  Guid Card(const app::Actor& a, const std::string& number = "4242424242424242");
  // Buys `qty` of `sku` through cart and checkout; returns the order.
  Order Buy(const app::Actor& a, const Guid& sku, int64_t qty,
            BillingCycle cycle = BillingCycle::kMonthly, bool auto_assign = false);
  // Creates n users named user<i>; with usage location when `located`.
  std::vector<User> Users(const app::Actor& a, int n, bool located = true,
                          const std::string& prefix = "user");
  app::Actor Member(const app::Actor& org, const std::string& nick, RoleSet roles);

  // PostgreSQL: another server's own store (pool) on the same database;
  // SQLite (one server per database file): nullptr.
  std::unique_ptr<app::Store> SecondServerStore();

  TempDir dir;
  std::string pgConninfo;  // PostgreSQL only
  ManualClock clock;
  std::unique_ptr<app::Store> store;
  app::TestGateway gateway;
  std::unique_ptr<app::Context> ctx;
};

}  // namespace ld::testing
