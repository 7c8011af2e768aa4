// The licensedesk executable: serve (startup line, demo, signals), migrate,
// demo, configuration errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "cli/db_url.h"
#include "support/pg_server.h"
#include "support/server.h"

namespace {

namespace lt = ld::testing;
using lt::Json;

TEST(DbUrl, SqliteAndPostgres) {
  auto a = ld::cli::ParseDbUrl("sqlite:///var/lib/ld/x.db");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->kind, ld::cli::DbUrl::Kind::kSqlite);
  EXPECT_EQ(a->path, "/var/lib/ld/x.db");
  auto rel = ld::cli::ParseDbUrl("data/x.db");
  ASSERT_TRUE(rel.ok());
  EXPECT_EQ(rel->path.front(), '/');
  auto pg = ld::cli::ParseDbUrl("postgresql://u@h/db");
  ASSERT_TRUE(pg.ok());
  EXPECT_EQ(pg->kind, ld::cli::DbUrl::Kind::kPostgres);
  EXPECT_FALSE(ld::cli::ParseDbUrl("mysql://x").ok());
  EXPECT_FALSE(ld::cli::ParseDbUrl("sqlite://").ok());
  EXPECT_NE(ld::cli::DefaultDbUrl().find("licensedesk/licensedesk.db"), std::string::npos);
}

TEST(Serve, PrintsOneListeningLineAndStopsCleanlyOnSigterm) {
  lt::ServerProcess srv;
  std::string out = srv.Stdout();
  EXPECT_EQ(out, "licensedesk listening on http://127.0.0.1:" + std::to_string(srv.port()) + "\n");
  EXPECT_EQ(srv.NewClient().Get("/healthz").status, 200);
  EXPECT_EQ(srv.Stop(), 0) << srv.Stderr();
  // The access log went to stderr as JSON lines without secrets.
  std::string log = srv.Stderr();
  EXPECT_NE(log.find("\"path\":\"/healthz\""), std::string::npos) << log;
}

TEST(Serve, DemoOrganizationIsReadyToUse) {
  lt::ServerProcess srv({.demo = true});
  EXPECT_NE(srv.Stdout().find("admin@contoso.licensedesk.test"), std::string::npos) << srv.Stdout();
  EXPECT_NE(srv.Stdout().find("Demo-Password-1"), std::string::npos);
  std::string token = srv.Token("admin@contoso.licensedesk.test", "Demo-Password-1");
  ASSERT_FALSE(token.empty());
  auto c = srv.NewClient(token);
  auto users = c.Get("/v1.0/users");
  ASSERT_EQ(users.status, 200);
  EXPECT_GE(users.json["value"].size(), 25u);
  int without_location = 0;
  for (const auto& u : users.json["value"]) without_location += u["usageLocation"].is_null();
  EXPECT_GT(without_location, 0);
  // The plan (10 seats, a few assigned) and the add-on the groups use (3 seats).
  auto subs = c.Get("/api/v1/subscriptions");
  ASSERT_EQ(subs.json["value"].size(), 2u) << subs.body;
  std::map<std::string, Json> by_name;
  for (const auto& s : subs.json["value"]) by_name[s["name"].get<std::string>()] = s;
  ASSERT_TRUE(by_name.count("Business Standard")) << subs.body;
  EXPECT_EQ(by_name["Business Standard"]["quantity"], 10);
  EXPECT_EQ(by_name["Business Standard"]["billingCycle"], "monthly");
  ASSERT_TRUE(by_name.count("Audio Conferencing")) << subs.body;
  EXPECT_EQ(by_name["Audio Conferencing"]["quantity"], 3);
  auto skus = c.Get("/v1.0/subscribedSkus");
  EXPECT_EQ(skus.json["value"][0]["skuPartNumber"], "BUSINESS_STANDARD");
  EXPECT_GT(skus.json["value"][0]["consumedUnits"].get<int>(), 0);
  EXPECT_LT(skus.json["value"][0]["consumedUnits"].get<int>(), 10);

  // Three groups; once processed, "Conference organizers" has two members
  // short of a seat (CountViolation) and its pool is full, not over.
  auto groups = c.Get("/v1.0/groups?$count=true");
  ASSERT_EQ(groups.status, 200) << groups.body;
  EXPECT_EQ(groups.json["@odata.count"], 3);
  std::string organizers;
  for (const auto& g : groups.json["value"])
    if (g["displayName"] == "Conference organizers") organizers = g["id"];
  ASSERT_FALSE(organizers.empty()) << groups.body;
  Json errors;
  for (int i = 0; i < 500; ++i) {
    auto g = c.Get("/v1.0/groups/" + organizers);
    if (g.json["licenseProcessingState"]["state"] == "ProcessingComplete") {
      errors = c.Get("/v1.0/groups/" + organizers + "/membersWithLicenseErrors").json;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(errors.contains("value")) << "the demo's groups were not processed";
  EXPECT_EQ(errors["value"].size(), 2u) << errors.dump();
  auto audio = c.Get("/v1.0/subscribedSkus");
  for (const auto& s : audio.json["value"]) {
    if (s["skuPartNumber"] == "AUDIO_CONFERENCING") {
      EXPECT_EQ(s["consumedUnits"], 3);
    }
  }
  auto pms = c.Get("/api/v1/paymentMethods");
  ASSERT_EQ(pms.json["value"].size(), 1u);
  EXPECT_EQ(pms.json["value"][0]["last4"], "4242");
  auto s = c.Post("/api/v1/auth/logout", Json::object());
  EXPECT_EQ(s.status, 204);

  // Restarting on the same database does not create the demo twice.
  std::string db = srv.dbPath();
  EXPECT_EQ(srv.Stop(), 0);
  lt::ServerProcess again({.demo = true, .dbPath = db});
  auto c2 = again.NewClient(again.Token("admin@contoso.licensedesk.test", "Demo-Password-1"));
  EXPECT_EQ(c2.Get("/api/v1/subscriptions").json["value"].size(), 2u);
}

TEST(Serve, DemoInTheGermanyCloud) {
  lt::ServerProcess srv({.demo = true, .cloud = "germany"});
  auto c = srv.NewClient(srv.Token("admin@contoso.licensedesk.test", "Demo-Password-1"));
  auto org = c.Get("/v1.0/organization");
  EXPECT_EQ(org.json["value"][0]["countryLetterCode"], "DE");
  auto cfg = c.Get("/api/v1/config");
  EXPECT_EQ(cfg.json["cloud"], "germany");
  EXPECT_EQ(cfg.json["defaultLocale"], "de-DE");
  EXPECT_EQ(c.Get("/api/v1/orders").json["value"][0]["total"]["currency"], "EUR");
}

TEST(Cli, ConfigurationErrors) {
  lt::TempDir dir;
  std::string broken = dir.File("catalog.json");
  std::ofstream(broken) << "{\"version\": 1, \"markets\": [";
  auto cat = lt::RunLicensedesk({"serve", "--listen", "127.0.0.1:0", "--db",
                                 "sqlite://" + dir.File("a.db"), "--catalog", broken});
  EXPECT_EQ(cat.code, 2) << cat.err;
  EXPECT_NE(cat.err.find("catalog.json"), std::string::npos) << cat.err;
  EXPECT_EQ(cat.out.find("listening"), std::string::npos);

  // An unreachable PostgreSQL is a clear error, not a hang or a crash.
  auto pg = lt::RunLicensedesk({"serve", "--listen", "127.0.0.1:0", "--db",
                                "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"});
  EXPECT_EQ(pg.code, 1);
  EXPECT_NE(pg.err.find("cannot open the database (PostgreSQL)"), std::string::npos) << pg.err;
  EXPECT_EQ(pg.out.find("listening"), std::string::npos);

  auto cloud =
      lt::RunLicensedesk({"serve", "--cloud", "mars", "--db", "sqlite://" + dir.File("b.db")});
  EXPECT_NE(cloud.code, 0);

  auto listen =
      lt::RunLicensedesk({"serve", "--listen", "nowhere", "--db", "sqlite://" + dir.File("c.db")});
  EXPECT_EQ(listen.code, 2);
}

TEST(Cli, MigrateAndDemoCommands) {
  lt::TempDir dir;
  std::string db = "sqlite://" + dir.File("m.db");
  auto m = lt::RunLicensedesk({"migrate", "--db", db});
  EXPECT_EQ(m.code, 0) << m.err;
  auto d = lt::RunLicensedesk({"demo", "--db", db});
  EXPECT_EQ(d.code, 0) << d.err;
  EXPECT_NE(d.out.find("signed up Contoso"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("created 25 users"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("Business Standard"), std::string::npos) << d.out;
  auto twice = lt::RunLicensedesk({"demo", "--db", db});
  EXPECT_NE(twice.code, 0);
}

}  // namespace

namespace {

TEST(Cli, MigrateMovesADeploymentAndServeRunsOnTheCopy) {
  lt::TempDir dir;
  std::string a = "sqlite://" + dir.File("a.db"), b = "sqlite://" + dir.File("b.db");
  ASSERT_EQ(lt::RunLicensedesk({"demo", "--db", a}).code, 0);
  auto copy = lt::RunLicensedesk({"migrate", "--from", a, "--to", b});
  EXPECT_EQ(copy.code, 0) << copy.err;
  EXPECT_NE(copy.out.find("copied and verified"), std::string::npos) << copy.out;
  EXPECT_NE(copy.out.find("ok   users: 26 -> 26 rows"), std::string::npos) << copy.out;
  auto again = lt::RunLicensedesk({"migrate", "--from", a, "--to", b});
  EXPECT_NE(again.code, 0);  // the target is no longer empty
  EXPECT_EQ(lt::RunLicensedesk({"migrate", "--from", a}).code, 2);

  lt::ServerProcess srv({.dbPath = dir.File("b.db")});
  auto c = srv.NewClient(srv.Token("admin@contoso.licensedesk.test", "Demo-Password-1"));
  EXPECT_EQ(c.Get("/api/v1/subscriptions").json["value"].size(), 2u);  // the demo's two
}

TEST(Cli, InvoicePayRecordsATransferAndListShowsIt) {
  lt::TempDir dir;
  std::string path = dir.File("pay.db"), db = "sqlite://" + path;
  std::string due_number, card_number;
  {
    lt::ServerProcess srv({.demo = true, .dbPath = path});
    auto c = srv.NewClient(srv.Token("admin@contoso.licensedesk.test", "Demo-Password-1"));
    auto pm = c.Post("/api/v1/paymentMethods", {{"type", "invoice"}});
    ASSERT_EQ(pm.status, 201) << pm;
    lt::Buy(c, lt::SkuIdOf(c, "BUSINESS_BASIC"), 2, pm.json["id"]);
    auto invoices = c.Get("/api/v1/invoices");
    for (const auto& i : invoices.json["value"])
      (i["status"] == "due" ? due_number : card_number) = i["number"];
    ASSERT_FALSE(due_number.empty()) << invoices;
    ASSERT_FALSE(card_number.empty()) << invoices;
    EXPECT_EQ(srv.Stop(), 0);
  }
  auto due = lt::RunLicensedesk({"invoice", "list", "--db", db, "--status", "due"});
  EXPECT_EQ(due.code, 0) << due.err;
  EXPECT_NE(due.out.find(due_number + "\tdue\tcontoso.licensedesk.test\t"), std::string::npos)
      << due.out;
  EXPECT_NE(due.out.find("1 invoice(s) due"), std::string::npos) << due.out;

  auto pay = lt::RunLicensedesk(
      {"invoice", "pay", "--db", db, "--number", due_number, "--reference", "BANK 2025/0001"});
  EXPECT_EQ(pay.code, 0) << pay.err;
  EXPECT_EQ(pay.out.rfind("invoice " + due_number + " marked paid: ", 0), 0u) << pay.out;
  EXPECT_NE(pay.out.find(" USD, reference \"BANK 2025/0001\"\n"), std::string::npos) << pay.out;
  EXPECT_EQ(std::count(pay.out.begin(), pay.out.end(), '\n'), 1) << pay.out;

  // The number as a plain integer, the same reference: a replay, exit 0.
  std::string plain = std::to_string(std::stoll(due_number.substr(4)));
  auto again = lt::RunLicensedesk(
      {"invoice", "pay", "--db", db, "--number", plain, "--reference", "BANK 2025/0001"});
  EXPECT_EQ(again.code, 0) << again.err;
  EXPECT_NE(again.out.find("already marked paid"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("nothing changed"), std::string::npos) << again.out;

  auto other = lt::RunLicensedesk({"invoice", "pay", "--db", db, "--number", due_number});
  EXPECT_EQ(other.code, 1);
  EXPECT_NE(other.err.find("InvoiceAlreadyPaid"), std::string::npos) << other.err;
  auto card = lt::RunLicensedesk({"invoice", "pay", "--db", db, "--number", card_number});
  EXPECT_EQ(card.code, 1);
  EXPECT_NE(card.err.find("InvoiceNotPayable"), std::string::npos) << card.err;
  auto unknown = lt::RunLicensedesk({"invoice", "pay", "--db", db, "--number", "INV-999999"});
  EXPECT_EQ(unknown.code, 1);
  EXPECT_NE(unknown.err.find("was not found"), std::string::npos) << unknown.err;
  EXPECT_EQ(lt::RunLicensedesk({"invoice", "pay", "--db", db, "--number", "twelve"}).code, 2);
  EXPECT_EQ(lt::RunLicensedesk({"invoice", "pay", "--db", db}).code, 2);  // --number required
  EXPECT_EQ(lt::RunLicensedesk({"invoice", "list", "--db", db, "--status", "lost"}).code, 2);
  // A mistyped database path is an error, not a new empty deployment.
  auto missing = lt::RunLicensedesk(
      {"invoice", "list", "--db", "sqlite://" + dir.File("typo.db"), "--status", "due"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("does not exist"), std::string::npos) << missing.err;
  EXPECT_FALSE(std::filesystem::exists(dir.File("typo.db")));

  auto paid = lt::RunLicensedesk({"invoice", "list", "--db", db, "--status", "paid"});
  EXPECT_EQ(paid.code, 0) << paid.err;
  EXPECT_NE(paid.out.find(due_number + "\tpaid\t"), std::string::npos) << paid.out;
  auto none = lt::RunLicensedesk({"invoice", "list", "--db", db});  // default: overdue
  EXPECT_EQ(none.code, 0) << none.err;
  EXPECT_EQ(none.out, "0 invoice(s) overdue\n");
}

TEST(Serve, OnPostgres) {
  std::string url;
  try {
    url = lt::FreshPostgresDatabase();
  } catch (const std::exception& e) {
    GTEST_SKIP() << "no PostgreSQL: " << e.what();
  }
  lt::ServerProcess srv({.dbPath = url});
  auto c = srv.NewClient();
  EXPECT_EQ(c.Get("/readyz").json["backend"], "postgresql");
  auto org = srv.SignUp("pgorg");
  auto admin = srv.NewClient(org.token);
  std::string sku = lt::SkuIdOf(admin, "BUSINESS_BASIC");
  auto order = lt::Buy(admin, sku, 2, lt::AddCard(admin), "monthly", true);
  EXPECT_EQ(order["status"], "completed");
  EXPECT_EQ(admin.Get("/v1.0/subscribedSkus").json["value"][0]["consumedUnits"], 1);
  EXPECT_EQ(srv.Stop(), 0);
}

}  // namespace
