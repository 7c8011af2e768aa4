// Several stateless servers on one PostgreSQL (issue: PostgreSQL): rules hold
// across processes, an idempotent retry sent to the other server replays, a
// killed server leaves the other serving, and a PostgreSQL outage is a 503
// on /readyz that heals by itself.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "support/server.h"

namespace {

namespace lt = ld::testing;
using lt::Json;

// A PostgreSQL server of this test's own, so it can be stopped and resumed.
class OwnPostgres {
 public:
  OwnPostgres() {
    std::filesystem::permissions(dir_.path(), std::filesystem::perms(0755));
    Run("start");
    std::ifstream in(dir_.File("pg") + "/url");
    std::getline(in, url_);
  }
  ~OwnPostgres() { Run("stop"); }
  void Pause() { Run("pause"); }
  void Resume() { Run("resume"); }
  const std::string& url() const { return url_; }

 private:
  void Run(const std::string& what) {
    std::string cmd = lt::SourceDir() + "/scripts/pg-test-server.sh " + what + " " +
                      dir_.File("pg") + " >/dev/null";
    if (std::system(cmd.c_str()) != 0) ADD_FAILURE() << "pg-test-server.sh " << what;
  }
  lt::TempDir dir_;
  std::string url_;
};

TEST(MultiServer, TwoServersOnOnePostgresKeepTheRules) {
  OwnPostgres pg;
  ASSERT_FALSE(pg.url().empty());
  lt::ServerProcess a({.dbPath = pg.url()});
  lt::ServerProcess b({.dbPath = pg.url()});  // migrations already applied: none twice
  auto org = a.SignUp("multi");
  auto ca = a.NewClient(org.token), cb = b.NewClient(org.token);
  ASSERT_EQ(cb.Get("/v1.0/me").status, 200);  // one deployment: a token works on both
  std::string sku = lt::SkuIdOf(ca, "BUSINESS_BASIC");
  std::string card = lt::AddCard(ca);

  // R5 across servers: concurrent checkouts of one cart make one order.
  std::string cart = lt::CreateCart(ca, sku, 5);
  std::atomic<int> created{0}, conflicts{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < 8; ++i) {
    ts.emplace_back([&, i] {
      auto c = (i % 2 ? a : b).NewClient(org.token);
      auto r = c.Post("/api/v1/carts/" + cart + "/checkout", {{"paymentMethodId", card}},
                      {{"Idempotency-Key", "twin-" + std::to_string(i)}});
      if (r.status == 201) ++created;
      if (r.status == 409) ++conflicts;
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(conflicts.load(), 7);

  // R7 across servers: 20 users race for the 5 licenses.
  std::vector<std::string> users;
  for (int i = 0; i < 20; ++i)
    users.push_back(lt::CreateUser(ca, org.domain, "u" + std::to_string(i)));
  std::atomic<int> assigned{0};
  ts.clear();
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([&, t] {
      auto c = (t % 2 ? a : b).NewClient(org.token);
      for (size_t i = static_cast<size_t>(t); i < users.size(); i += 4) {
        auto r = c.Post("/v1.0/users/" + users[i] + "/assignLicense",
                        {{"addLicenses", {{{"skuId", sku}, {"disabledPlans", Json::array()}}}},
                         {"removeLicenses", Json::array()}});
        if (r.status == 200) ++assigned;
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(assigned.load(), 5);
  auto skus = cb.Get("/v1.0/subscribedSkus");
  EXPECT_EQ(skus.json["value"][0]["consumedUnits"], 5);

  // An idempotent retry sent to the other server replays the first response.
  std::string cart2 = lt::CreateCart(ca, sku, 2);
  auto first = ca.Post("/api/v1/carts/" + cart2 + "/checkout", {{"paymentMethodId", card}},
                       {{"Idempotency-Key", "retry-elsewhere"}});
  ASSERT_EQ(first.status, 201) << first;
  auto again = cb.Post("/api/v1/carts/" + cart2 + "/checkout", {{"paymentMethodId", card}},
                       {{"Idempotency-Key", "retry-elsewhere"}});
  EXPECT_EQ(again.status, 201) << again;
  EXPECT_EQ(again.json["id"], first.json["id"]);
  EXPECT_EQ(again.Header("Idempotent-Replayed"), "true");

  // Kill one server mid-load: the other keeps serving.
  std::atomic<bool> stop{false};
  std::atomic<int> b_ok{0};
  std::thread load([&] {
    auto c = b.NewClient(org.token);
    while (!stop)
      if (c.Get("/v1.0/me").status == 200) ++b_ok;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  a.Kill();
  int before = b_ok.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stop = true;
  load.join();
  EXPECT_GT(b_ok.load(), before);

  // PostgreSQL goes away: 503 on /readyz; it comes back: ready by itself.
  pg.Pause();
  auto down = cb.Get("/readyz");
  EXPECT_EQ(down.status, 503) << down;
  pg.Resume();
  int status = 0;
  for (int i = 0; i < 50 && status != 200; ++i) {
    status = cb.Get("/readyz").status;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(status, 200);
  // Nothing acknowledged was lost.
  auto orders = cb.Get("/api/v1/orders");
  ASSERT_EQ(orders.status, 200) << orders;
  int completed = 0;
  for (const auto& o : orders.json["value"]) completed += o["status"] == "completed";
  EXPECT_EQ(completed, 2);
}

}  // namespace
