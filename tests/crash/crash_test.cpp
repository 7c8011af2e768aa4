// R15 under fire: a storm of checkouts, quantity changes and assignments
// against the real server, killed with SIGKILL at random moments and
// restarted on the same SQLite file and gateway ledger. After every restart:
// every acknowledged order is there and complete, no order is half-made,
// every captured charge belongs to a completed order or was voided, invoices
// are gapless, and consumed never exceeds capacity.
//
// LD_CRASH_KILLS sets the number of kills (default 50; `make soak` runs more).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "support/server.h"

namespace ld::testing {
namespace {

struct Ledger {
  struct Charge {
    std::string key, id;
    int64_t amount = 0;
    bool captured = false, voided = false;
  };
  std::map<std::string, Charge> byKey;
};

Ledger ReadLedger(const std::string& path) {
  Ledger l;
  std::map<std::string, std::string> key_of;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream s(line);
    std::string op;
    s >> op;
    if (op == "charge") {
      Ledger::Charge c;
      std::string currency;
      int captured = 0;
      s >> c.key >> c.id >> c.amount >> currency >> captured;
      c.captured = captured != 0;
      key_of[c.id] = c.key;
      l.byKey[c.key] = c;
    } else if (op == "void") {
      std::string id;
      s >> id;
      if (key_of.count(id)) l.byKey[key_of[id]].voided = true;
    }
  }
  return l;
}

// Runs a query on the database (read-only) and returns rows of text columns.
std::vector<std::vector<std::string>> Sql(const std::string& db, const std::string& q) {
  sqlite3* h = nullptr;
  std::vector<std::vector<std::string>> out;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(h);
    ADD_FAILURE() << "cannot open " << db;
    return out;
  }
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(h, q.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sqlite3_errmsg(h) << " in " << q;
  } else {
    while (sqlite3_step(st) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        const unsigned char* t = sqlite3_column_text(st, i);
        row.push_back(t ? reinterpret_cast<const char*>(t) : "");
      }
      out.push_back(std::move(row));
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  return out;
}

TEST(Crash, R15AcknowledgedWorkSurvivesKillNine) {
  int kills = 50;
  if (const char* k = std::getenv("LD_CRASH_KILLS")) kills = std::atoi(k);
  TempDir dir;
  std::string db = dir.File("ld.db"), ledger = dir.File("gateway.ledger");
  ServerConfig cfg;
  cfg.dbPath = db;
  cfg.extra = {"--gateway-ledger", ledger};

  // Setup: an organization, a card, users and a pool.
  Org org;
  std::string card, sku;
  std::vector<std::string> users;
  {
    ServerProcess s(cfg);
    org = s.SignUp("crash");
    Client c = s.NewClient(org.token);
    card = AddCard(c);
    sku = SkuIdOf(c, "BUSINESS_BASIC");
    for (int i = 0; i < 40; ++i)
      users.push_back(CreateUser(c, org.domain, "u" + std::to_string(i)));
    Buy(c, sku, 20, card, "monthly", false);
  }

  std::mt19937 rng(12345);
  std::map<std::string, int64_t> acknowledged;  // order id -> total
  std::mutex mu;
  int64_t operations = 0;
  for (int round = 0; round < kills; ++round) {
    ServerProcess s(cfg);
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    std::atomic<int64_t> ops{0};
    for (int t = 0; t < 4; ++t) {
      clients.emplace_back([&, t] {
        Client c = s.NewClient(org.token);
        std::mt19937 r(static_cast<unsigned>(round * 31 + t));
        while (!stop) {
          int what = static_cast<int>(r() % 3);
          if (what == 0) {
            auto cart = c.Post("/api/v1/carts", {{"lineItems",
                                                  {{{"skuId", sku},
                                                    {"quantity", 1 + r() % 5},
                                                    {"billingCycle", "monthly"},
                                                    {"autoAssign", false}}}}});
            if (cart.status != 201) continue;
            std::string key =
                "k-" + std::to_string(round) + "-" + std::to_string(t) + "-" + std::to_string(r());
            auto o = c.Post("/api/v1/carts/" + cart.json["id"].get<std::string>() + "/checkout",
                            {{"paymentMethodId", card}}, {{"Idempotency-Key", key}});
            if (o.status == 201) {
              std::lock_guard<std::mutex> l(mu);
              acknowledged[o.json["id"]] = o.json["total"]["amount"].get<int64_t>();
            }
          } else if (what == 1) {
            const std::string& u = users[r() % users.size()];
            (void)c.Post("/v1.0/users/" + u + "/assignLicense",
                         {{"addLicenses", {{{"skuId", sku}, {"disabledPlans", Json::array()}}}},
                          {"removeLicenses", Json::array()}});
          } else {
            const std::string& u = users[r() % users.size()];
            (void)c.Post("/v1.0/users/" + u + "/assignLicense",
                         {{"addLicenses", Json::array()}, {"removeLicenses", {sku}}});
          }
          ++ops;
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 400));
    s.Kill();
    stop = true;
    for (auto& th : clients) th.join();
    operations += ops;
  }

  // Restart once more: recovery settles whatever the last kill left. Then
  // 1. every acknowledged order is complete, with its amount, as the paged
  //    order list shows it: all pages, following @odata.nextLink (small pages,
  //    so a run spans many).
  std::map<std::string, std::pair<std::string, int64_t>> listed;  // id -> status, total
  int pages = 0;
  {
    ServerProcess s(cfg);
    Client c = s.NewClient(org.token);
    std::string path = "/api/v1/orders?$top=25";
    while (true) {
      auto r = c.Get(path);
      ASSERT_EQ(r.status, 200) << r;
      ++pages;
      for (const auto& o : r.json["value"]) {
        ASSERT_FALSE(listed.count(o["id"])) << "order " << o["id"] << " listed twice";
        listed[o["id"]] = {o["status"], o["total"]["amount"].get<int64_t>()};
      }
      if (!r.json.contains("@odata.nextLink")) break;
      std::string next = r.json["@odata.nextLink"];
      path = next.substr(next.find("/api/v1/"));
    }
  }
  EXPECT_EQ(static_cast<int64_t>(listed.size()),
            static_cast<int64_t>(Sql(db, "SELECT id FROM orders").size()))
      << "the paged list holds every order";
  for (const auto& [id, total] : acknowledged) {
    auto it = listed.find(id);
    ASSERT_NE(it, listed.end()) << "acknowledged order " << id << " is gone";
    EXPECT_EQ(it->second.first, "completed") << id;
    EXPECT_EQ(it->second.second, total) << id;
  }
  // 2. No order is half-made.
  EXPECT_TRUE(Sql(db, "SELECT id FROM orders WHERE status = 'pending'").empty());
  EXPECT_TRUE(Sql(db,
                  "SELECT o.id FROM orders o JOIN order_lines l ON l.tenant_id = o.tenant_id "
                  "AND l.order_id = o.id WHERE o.status = 'completed' AND l.subscription_id "
                  "IS NULL")
                  .empty());
  // 3. Money: every captured, unvoided charge belongs to a completed order of
  //    the same amount, and every completed card order has one.
  Ledger l = ReadLedger(ledger);
  std::map<std::string, int64_t> completed_totals;
  for (auto& row : Sql(db,
                       "SELECT lower(substr(hex(id),1,8)||'-'||substr(hex(id),9,4)||'-'||"
                       "substr(hex(id),13,4)||'-'||substr(hex(id),17,4)||'-'||"
                       "substr(hex(id),21)), total FROM orders WHERE status = 'completed'"))
    completed_totals[row[0]] = std::stoll(row[1]);
  int64_t live_charges = 0;
  for (const auto& [key, ch] : l.byKey) {
    if (!ch.captured || ch.voided) continue;
    ++live_charges;
    ASSERT_TRUE(completed_totals.count(key)) << "charge " << ch.id << " has no completed order";
    EXPECT_EQ(completed_totals[key], ch.amount);
  }
  for (const auto& [id, total] : completed_totals) {
    auto it = l.byKey.find(id);
    ASSERT_NE(it, l.byKey.end()) << "completed order " << id << " was never charged";
    EXPECT_TRUE(it->second.captured && !it->second.voided) << id;
  }
  // 4. Invoices are gapless.
  auto inv =
      Sql(db, "SELECT COUNT(*), COALESCE(MIN(number),0), COALESCE(MAX(number),0) FROM invoices");
  int64_t n = std::stoll(inv[0][0]);
  EXPECT_EQ(std::stoll(inv[0][1]), n > 0 ? 1 : 0);
  EXPECT_EQ(std::stoll(inv[0][2]), n);
  // 5. Consumed never exceeds capacity, and the counter matches the rows.
  auto pool = Sql(db,
                  "SELECT p.consumed, (SELECT COUNT(*) FROM license_assignments a WHERE "
                  "a.tenant_id = p.tenant_id AND a.sku_id = p.sku_id), (SELECT "
                  "COALESCE(SUM(quantity),0) FROM subscriptions s WHERE s.tenant_id = "
                  "p.tenant_id AND s.sku_id = p.sku_id AND s.status IN ('active','expired')) "
                  "FROM license_pools p");
  for (auto& row : pool) {
    EXPECT_EQ(row[0], row[1]);
    EXPECT_LE(std::stoll(row[0]), std::stoll(row[2]));
  }
  std::printf(
      "crash: %d kills, %lld operations, %zu acknowledged orders (listed over %d pages), "
      "%lld live charges, "
      "%lld invoices, invariant violations: %s\n",
      kills, static_cast<long long>(operations), acknowledged.size(), pages,
      static_cast<long long>(live_charges), static_cast<long long>(n),
      HasFailure() ? "FOUND (see above)" : "0");
  EXPECT_GT(acknowledged.size(), 0u);
}

}  // namespace
}  // namespace ld::testing
