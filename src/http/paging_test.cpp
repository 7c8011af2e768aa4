// Issue 13, finding 4: every growing commerce list pages by $top and
// @odata.nextLink past 1,000 items (orders, invoices, subscriptions, audit).
// 1,150 of each are seeded through the store into the server's own database
// (cloned from one real purchase); the reads go through HTTP.
#include <gtest/gtest.h>

#include <set>

#include "support/app_fixture.h"
#include "support/server.h"

namespace ld::testing {
namespace {

constexpr int kCount = 1150;

std::unique_ptr<app::Store> OpenStore(const std::string& db) {
  if (db.rfind("postgresql://", 0) == 0 || db.rfind("postgres://", 0) == 0) {
    store::PgOptions o;
    o.conninfo = db;
    return std::make_unique<store::PgStore>(o, 0);
  }
  store::SqliteOptions o;
  o.path = db;
  return std::make_unique<store::SqliteStore>(o, 0);
}

// Follows @odata.nextLink from `first`; returns the ids in order and checks
// each page's size.
std::vector<std::string> Walk(Client& c, const std::string& first, size_t top, int* pages) {
  std::vector<std::string> ids;
  std::string path = first;
  *pages = 0;
  for (int guard = 0; guard < 100; ++guard) {
    auto r = c.Get(path);
    EXPECT_EQ(r.status, 200) << r;
    if (r.status != 200) break;
    ++*pages;
    EXPECT_LE(r.json["value"].size(), top);
    for (const auto& v : r.json["value"]) ids.push_back(v["id"]);
    if (!r.json.contains("@odata.nextLink")) break;
    EXPECT_EQ(r.json["value"].size(), top) << "only the last page is short";
    std::string next = r.json["@odata.nextLink"];
    auto at = next.find("/api/v1/");
    EXPECT_NE(at, std::string::npos) << next;
    path = next.substr(at);
  }
  return ids;
}

class PagingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    org = srv.SignUp("paging");
    admin = std::make_unique<Client>(srv.NewClient(org.token));
    std::string sku = SkuIdOf(*admin, "BUSINESS_BASIC");
    std::string pm = AddCard(*admin);
    Json order = Buy(*admin, sku, 1, pm);
    auto tenant = *Guid::Parse(org.tenantId);
    auto st = OpenStore(srv.dbPath());
    Status s = st->Write([&](app::Tx& tx) -> Status {
      Order o = *tx.FindOrder(tenant, *Guid::Parse(order["id"].get<std::string>()));
      Subscription sub = *tx.FindSubscription(tenant, *o.lines.at(0).subscriptionId);
      for (int i = 1; i < kCount; ++i) {
        Order oc = o;
        oc.id = Guid::NewV7(o.createdAt + i);
        oc.status = OrderStatus::kFailed;    // one live order per cart
        oc.createdAt = o.createdAt + i / 3;  // ties: the id orders them
        tx.InsertOrder(oc);
        Subscription sc = sub;
        sc.id = Guid::NewV7(sub.createdAt + i);
        sc.createdAt = sub.createdAt + i / 3;
        tx.InsertSubscription(sc);
        Invoice inv;
        inv.tenantId = tenant;
        inv.id = Guid::NewV7(o.createdAt + i);
        inv.number = tx.NextInvoiceNumber();
        inv.currency = o.currency;
        inv.issuedAt = o.createdAt + i;
        inv.dueAt = o.createdAt + i;
        tx.InsertInvoice(inv);
      }
      return Ok();
    });
    ASSERT_TRUE(s.ok());
  }

  void ExpectAllPaged(const std::string& list) {
    // Every item once, in a stable order, pages of $top, no link on the last.
    int pages = 0;
    auto ids = Walk(*admin, "/api/v1/" + list + "?$top=200", 200, &pages);
    EXPECT_EQ(ids.size(), static_cast<size_t>(kCount)) << list;
    EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size()) << "duplicates";
    EXPECT_EQ(pages, (kCount + 199) / 200);
    int pages2 = 0;
    EXPECT_EQ(Walk(*admin, "/api/v1/" + list + "?$top=200", 200, &pages2), ids) << "stable order";
    // The default page is 100 and carries a link; the maximum, 1,000.
    auto d = admin->Get("/api/v1/" + list);
    EXPECT_EQ(d.json["value"].size(), 100u);
    EXPECT_TRUE(d.json.contains("@odata.nextLink"));
    auto m = Walk(*admin, "/api/v1/" + list + "?$top=1000", 1000, &pages2);
    EXPECT_EQ(pages2, 2);
    EXPECT_EQ(m, ids);
  }

  ServerProcess srv;
  Org org;
  std::unique_ptr<Client> admin;
};

TEST_F(PagingTest, OrdersPagePastOneThousand) {
  ExpectAllPaged("orders");
}
TEST_F(PagingTest, InvoicesPagePastOneThousand) {
  ExpectAllPaged("invoices");
}
TEST_F(PagingTest, SubscriptionsPagePastOneThousand) {
  ExpectAllPaged("subscriptions");
}

TEST_F(PagingTest, BadTopAndForeignSkipTokenAre400) {
  for (std::string list : {"orders", "invoices", "subscriptions", "auditLogs"}) {
    for (std::string top : {"0", "1001", "abc", "-1", "10000"}) {
      auto r = admin->Get("/api/v1/" + list + "?$top=" + top);
      EXPECT_EQ(r.status, 400) << list << " " << top;
      EXPECT_EQ(r.Code(), "InvalidTop");
    }
    auto r = admin->Get("/api/v1/" + list + "?$skiptoken=not-a-token");
    EXPECT_EQ(r.status, 400) << list;
    EXPECT_EQ(r.Code(), "InvalidSkipToken");
  }
  // A token of one list is refused by another, and by another organization.
  std::string next = admin->Get("/api/v1/orders?$top=1").json["@odata.nextLink"];
  std::string token = next.substr(next.find("$skiptoken="));
  EXPECT_EQ(admin->Get("/api/v1/invoices?" + token).Code(), "InvalidSkipToken");
  Org other = srv.SignUp("paging2");
  Client them = srv.NewClient(other.token);
  auto r = them.Get("/api/v1/orders?" + token);
  EXPECT_EQ(r.status, 400) << r;
  EXPECT_EQ(r.Code(), "InvalidSkipToken");
}

}  // namespace
}  // namespace ld::testing
