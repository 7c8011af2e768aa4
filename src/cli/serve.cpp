#include "cli/serve.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "app/commerce.h"
#include "app/context.h"
#include "app/invoices.h"
#include "app/subscriptions.h"
#include "app/test_gateway.h"
#include "app/work.h"
#include "cli/background.h"
#include "cli/db_url.h"
#include "cli/demo.h"
#include "cli/invoice_pdf_adapter.h"
#include "domain/catalog.h"
#include "http/render.h"
#include "http/request.h"
#include "http/server.h"
#include "store/copy.h"
#include "store/postgres/pg_conn.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_conn.h"
#include "store/sqlite/sqlite_store.h"

#ifndef LD_SOURCE_DIR
#define LD_SOURCE_DIR "."
#endif

namespace ld::cli {
namespace {

namespace fs = std::filesystem;

constexpr int kExitRuntime = 1;
constexpr int kExitConfig = 2;
// A checkout pending longer than this is taken as abandoned by a crash.
constexpr int64_t kPendingAgeMs = 5 * 60 * 1000;

// The object graph of one process, built in dependency order and torn down in
// reverse (the server stops before the store closes).
struct Graph {
  Catalog catalog;
  SystemClock system_clock;
  std::unique_ptr<SettableClock> test_clock;  // serve --test-clock
  const Clock* clock = &system_clock;
  bool postgres = false;
  std::unique_ptr<app::TestGateway> gateway;
  std::unique_ptr<app::Store> store;
  std::unique_ptr<app::Context> ctx;
};

Result<Catalog> LoadCatalog(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::Invalid("CatalogUnreadable", "cannot read the catalog file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return Catalog::Parse(ss.str(), fs::path(path).filename().string());
}

// Opens (and migrates) the store a URL names.
Result<std::unique_ptr<app::Store>> OpenStore(const DbUrl& url, Instant now) {
  try {
    if (url.kind == DbUrl::Kind::kPostgres) {
      store::PgOptions po;
      po.conninfo = url.url;
      return std::unique_ptr<app::Store>(std::make_unique<store::PgStore>(po, now));
    }
    std::error_code ec;
    fs::create_directories(fs::path(url.path).parent_path(), ec);
    store::SqliteOptions so;
    so.path = url.path;
    return std::unique_ptr<app::Store>(std::make_unique<store::SqliteStore>(so, now));
  } catch (const app::StoreError& e) {
    return Error::Unavailable(
        "cannot open the database " +
        (url.kind == DbUrl::Kind::kPostgres ? std::string("(PostgreSQL)") : url.path) + ": " +
        e.what());
  }
}

// Builds everything but the server. Returns an exit code on failure (after
// printing why), 0 on success.
int Open(const CommonOptions& o, app::Config cfg, Graph& g) {
  if (cfg.testClock) {
    g.test_clock = std::make_unique<SettableClock>(g.system_clock.Now());
    g.clock = g.test_clock.get();
  }
  auto cloud = ParseCloud(o.cloud);
  if (!cloud) {
    std::cerr << "licensedesk: unknown cloud '" << o.cloud
              << "' (use worldwide, germany or china)\n";
    return kExitConfig;
  }
  cfg.cloud = *cloud;
  cfg.deploymentDomain = o.deploymentDomain;
  std::string catalog_path = o.catalog.empty() ? DefaultCatalogPath() : o.catalog;
  auto catalog = LoadCatalog(catalog_path);
  if (!catalog.ok()) {
    std::cerr << "licensedesk: " << catalog.error().message << "\n";
    return kExitConfig;
  }
  g.catalog = std::move(catalog).value();

  auto url = ParseDbUrl(o.db.empty() ? DefaultDbUrl() : o.db);
  if (!url.ok()) {
    std::cerr << "licensedesk: " << url.error().message << "\n";
    return kExitConfig;
  }
  g.postgres = url->kind == DbUrl::Kind::kPostgres;
  auto store = OpenStore(*url, g.clock->Now());
  if (!store.ok()) {
    std::cerr << "licensedesk: " << store.error().message << "\n";
    return kExitRuntime;
  }
  g.store = std::move(store).value();
  g.gateway = std::make_unique<app::TestGateway>(o.gatewayLedger);
  g.ctx = std::unique_ptr<app::Context>(
      new app::Context{*g.store, *g.clock, *g.gateway, g.catalog, cfg,
                       std::make_shared<app::SignInThrottle>(), &g.system_clock});
  return 0;
}

bool ParseListen(const std::string& s, std::string& host, int& port) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = s.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  std::string p = s.substr(colon + 1);
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos)
    return false;
  port = std::stoi(p);
  return port <= 65535;
}

}  // namespace

std::string DefaultCatalogPath() {
  return std::string(LD_SOURCE_DIR) + "/catalog/catalog.json";
}

std::string DefaultWebRoot() {
  std::string p = std::string(LD_SOURCE_DIR) + "/web/dist";
  std::error_code ec;
  return fs::is_directory(p, ec) ? p : std::string();
}

int RunServe(const ServeOptions& o) {
  // Signals are taken by sigwait below; block them before any thread starts so
  // that every thread inherits the mask.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::string host;
  int port = 0;
  if (!ParseListen(o.listen, host, port)) {
    std::cerr << "licensedesk: --listen wants HOST:PORT, not '" << o.listen << "'\n";
    return kExitConfig;
  }
  if (o.tlsCert.empty() != o.tlsKey.empty()) {
    std::cerr << "licensedesk: TLS needs both --tls-cert and --tls-key\n";
    return kExitConfig;
  }
  if (o.testClock && o.operatorToken.size() < 16) {
    std::cerr << "licensedesk: --test-clock needs --operator-token with at least 16 characters "
                 "(moving the clock is the operator's act, not an organization's)\n";
    return kExitConfig;
  }
  if (!o.operatorToken.empty() && o.operatorToken.size() < 16) {
    std::cerr << "licensedesk: --operator-token needs at least 16 characters\n";
    return kExitConfig;
  }
  if (!o.publicUrl.empty() && !http::NormalizePublicUrl(o.publicUrl)) {
    std::cerr << "licensedesk: --public-url wants http(s)://host[:port][/path], not '"
              << o.publicUrl << "'\n";
    return kExitConfig;
  }
  app::Config cfg;
  cfg.signupEnabled = !o.noSignup;
  cfg.testClock = o.testClock;
  cfg.operatorToken = o.operatorToken;
  cfg.ssoAllowHttp = o.ssoAllowHttp;
  Graph g;
  if (int rc = Open(o.common, cfg, g); rc != 0) return rc;
  app::Context& ctx = *g.ctx;

  // R15: settle what a crash left pending before taking new requests: orders
  // and card-charging license changes. SQLite: this process is the only
  // writer, so all of them are abandoned. PostgreSQL: another server may be
  // mid-checkout; leave the young (the recurring kinds settle them later).
  struct Recovery {
    const char* what;
    Result<int> (*run)(app::Context&, Instant);
  };
  const Instant abandoned_before = g.postgres ? ctx.Now() - kPendingAgeMs : ctx.Now();
  for (const Recovery& r : {Recovery{"pending orders", app::RecoverPendingOrders},
                            Recovery{"pending license changes", app::RecoverPendingChanges}}) {
    auto n = r.run(ctx, abandoned_before);
    if (!n.ok()) {
      std::cerr << "licensedesk: recovering " << r.what << " failed: " << n.error().message << "\n";
      return kExitRuntime;
    }
    if (*n > 0) std::cerr << "licensedesk: settled " << *n << " " << r.what << "\n";
  }

  std::optional<DemoResult> demo;
  if (o.demo) {
    if (DemoExists(ctx)) {
      demo = DemoResult{};
      demo->adminUpn = "admin@contoso." + ctx.config.deploymentDomain;
    } else {
      std::ostringstream steps;
      auto r = CreateDemo(ctx, steps);
      if (!r.ok()) {
        std::cerr << "licensedesk: creating the demo data failed: " << r.error().message << "\n";
        return kExitRuntime;
      }
      std::cerr << steps.str();
      demo = *r;
    }
  }

  http::ServerOptions so;
  so.host = host;
  so.port = port;
  so.tlsCert = o.tlsCert;
  so.tlsKey = o.tlsKey;
  so.webRoot = o.webRoot.empty() ? DefaultWebRoot() : o.webRoot;
  so.workers = o.workers;
  so.ioThreads = o.ioThreads;
  so.maxConnections = o.maxConnections;
  so.keepAliveTimeoutSeconds = o.keepAliveSeconds;
  so.logFile = o.logFile;
  so.invoicePdf = MakeInvoicePdfRenderer();
  so.testClock = g.test_clock.get();
  so.publicUrl = o.publicUrl;
  so.trustedProxies = o.trustedProxies;
  http::Server server(ctx, so);
  auto bound = server.Bind();
  if (!bound.ok()) {
    std::cerr << "licensedesk: " << bound.error().message << "\n";
    return kExitRuntime;
  }
  server.Start();
  BackgroundOptions bo;
  bo.pendingAgeMs = kPendingAgeMs;
  bo.retention.idempotencyMs = int64_t{o.keepIdempotencyHours} * 3600 * 1000;
  bo.retention.cartGraceMs = int64_t{o.keepExpiredCartsDays} * kMsPerDay;
  bo.retention.tokenGraceMs = int64_t{o.keepExpiredTokensDays} * kMsPerDay;
  char hostname[256] = {};
  gethostname(hostname, sizeof hostname - 1);
  app::WorkQueue work(ctx, std::string(hostname) + ":" + std::to_string(getpid()) + ":" +
                               ctx.NewId().str().substr(0, 8));
  RegisterBackgroundWork(work, bo);
  if (auto st = work.EnsureRecurring(); !st.ok()) {
    std::cerr << "licensedesk: scheduling background work failed: " << st.error().message << "\n";
    return kExitRuntime;
  }
  ctx.workEnqueued = [&work] { work.Wake(); };
  work.Start(2, std::chrono::seconds(1));
  std::string shown_host = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  // The sign-in lines come first, so whoever waits for the "listening" line
  // (scripts, tests) has everything once it appears.
  if (demo) PrintSignIn(*demo, std::cout);
  std::cout << "licensedesk listening on " << (server.Tls() ? "https" : "http") << "://"
            << shown_host << ":" << *bound << std::endl;

  int sig = 0;
  sigwait(&set, &sig);
  std::cerr << "licensedesk: stopping (signal " << sig << ")\n";
  server.Stop();  // finishes in-flight requests
  work.Stop();    // finishes the items in hand; the rest wait in the database
  ctx.workEnqueued = nullptr;
  return 0;       // then g closes the store
}

namespace {

std::unique_ptr<store::Conn> OpenConn(const DbUrl& url, bool read_only) {
  if (url.kind == DbUrl::Kind::kPostgres) return std::make_unique<store::PgConn>(url.url);
  return std::make_unique<store::SqliteConn>(url.path, read_only);
}

int Copy(const std::string& from_url, const std::string& to_url) {
  auto from = ParseDbUrl(from_url);
  auto to = ParseDbUrl(to_url);
  if (!from.ok() || !to.ok()) {
    std::cerr << "licensedesk: " << (!from.ok() ? from.error() : to.error()).message << "\n";
    return kExitConfig;
  }
  if (from->kind == DbUrl::Kind::kSqlite && !fs::exists(from->path)) {
    std::cerr << "licensedesk: " << from->path << " does not exist\n";
    return kExitConfig;
  }
  SystemClock clock;
  // Both sides get the current schema first (the target must be empty).
  for (const DbUrl* u : {&*from, &*to}) {
    auto s = OpenStore(*u, clock.Now());
    if (!s.ok()) {
      std::cerr << "licensedesk: " << s.error().message << "\n";
      return kExitRuntime;
    }
  }
  try {
    auto src = OpenConn(*from, true);
    auto dst = OpenConn(*to, false);
    auto reports = store::CopyDatabase(*src, *dst);
    bool ok = true;
    int64_t rows = 0;
    for (const auto& r : reports) {
      std::cout << (r.ok() ? "ok   " : "DIFF ") << r.table << ": " << r.sourceRows << " -> "
                << r.targetRows << " rows\n";
      ok = ok && r.ok();
      rows += r.targetRows;
    }
    std::cout << (ok ? "copied and verified " : "VERIFICATION FAILED after copying ") << rows
              << " rows in " << reports.size() << " tables\n";
    return ok ? 0 : kExitRuntime;
  } catch (const app::StoreError& e) {
    std::cerr << "licensedesk: the copy failed and was rolled back: " << e.what() << "\n";
    return kExitRuntime;
  }
}

}  // namespace

int RunMigrate(const CommonOptions& o, const std::string& from, const std::string& to) {
  if (!from.empty() || !to.empty()) {
    if (from.empty() || to.empty()) {
      std::cerr << "licensedesk: migrate needs both --from and --to\n";
      return kExitConfig;
    }
    return Copy(from, to);
  }
  Graph g;
  if (int rc = Open(o, app::Config{}, g); rc != 0) return rc;
  std::cout << "migrations applied; the database is " << (g.store->Ready() ? "ready" : "NOT ready")
            << "\n";
  return g.store->Ready() ? 0 : kExitRuntime;
}

int RunDemo(const CommonOptions& o) {
  Graph g;
  if (int rc = Open(o, app::Config{}, g); rc != 0) return rc;
  if (DemoExists(*g.ctx)) {
    std::cerr << "licensedesk: the demo organization (contoso." << o.deploymentDomain
              << ") already exists\n";
    return kExitRuntime;
  }
  auto r = CreateDemo(*g.ctx, std::cout);
  if (!r.ok()) {
    std::cerr << "licensedesk: " << r.error().message << "\n";
    return kExitRuntime;
  }
  PrintSignIn(*r, std::cout);
  return 0;
}

namespace {

// 123456 USD -> "1234.56 USD"; 1200 JPY -> "1200 JPY".
std::string FormatAmount(int64_t minor, const std::string& currency) {
  auto info = FindCurrency(currency);
  int exp = info ? info->exponent : 2;
  std::string sign = minor < 0 ? "-" : "";
  uint64_t v = minor < 0 ? 0 - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  std::string digits = std::to_string(v);
  if (exp > 0) {
    if (digits.size() <= static_cast<size_t>(exp))
      digits.insert(0, static_cast<size_t>(exp) + 1 - digits.size(), '0');
    digits.insert(digits.size() - static_cast<size_t>(exp), ".");
  }
  return sign + digits + " " + currency;
}

// The operator's commands work on an existing deployment: a mistyped SQLite
// path must not create (and migrate) an empty database.
bool DeploymentExists(const CommonOptions& o) {
  auto url = ParseDbUrl(o.db.empty() ? DefaultDbUrl() : o.db);
  if (url.ok() && url->kind == DbUrl::Kind::kSqlite && !fs::exists(url->path)) {
    std::cerr << "licensedesk: " << url->path << " does not exist\n";
    return false;
  }
  return true;  // a bad URL is reported by Open
}

}  // namespace

int RunInvoicePay(const CommonOptions& o, const std::string& number_text,
                  const std::string& reference) {
  // "INV-000042", "inv-42" or "42".
  std::string digits = number_text;
  if (digits.size() > 4 && (digits.compare(0, 4, "INV-") == 0 || digits.compare(0, 4, "inv-") == 0))
    digits = digits.substr(4);
  int64_t number = 0;
  bool valid = !digits.empty() && digits.size() <= 15;
  for (char ch : digits) {
    valid = valid && ch >= '0' && ch <= '9';
    if (valid) number = number * 10 + (ch - '0');
  }
  if (!valid || number <= 0) {
    std::cerr << "licensedesk: --number takes an invoice number such as INV-000042 or 42, not '"
              << number_text << "'\n";
    return kExitConfig;
  }
  if (!DeploymentExists(o)) return kExitConfig;
  Graph g;
  if (int rc = Open(o, app::Config{}, g); rc != 0) return rc;
  auto r = app::MarkInvoicePaid(*g.ctx, number, reference);
  if (!r.ok()) {
    std::cerr << "licensedesk: " << r.error().message << " (" << r.error().code << ")\n";
    return r.error().kind == ErrorKind::kInvalid ? kExitConfig : kExitRuntime;
  }
  const Invoice& inv = r->invoice;
  std::string ref = r->reference.empty() ? "no reference" : "reference \"" + r->reference + "\"";
  if (!r->changed) {
    std::cout << "invoice " << http::InvoiceNumber(inv.number) << " was already marked paid on "
              << FormatRfc3339(r->paidAt) << " with " << ref << "; nothing changed\n";
    return 0;
  }
  std::cout << "invoice " << http::InvoiceNumber(inv.number)
            << " marked paid: " << FormatAmount(inv.total, inv.currency) << ", " << ref;
  for (const auto& s : r->recovered)
    std::cout << "; subscription " << s.id.str() << " active again, period ends "
              << FormatDate(s.currentPeriodEnd);
  for (const auto& i : r->issued)
    std::cout << "; invoice " << http::InvoiceNumber(i.number) << " issued ("
              << FormatAmount(i.total, i.currency) << ", due " << FormatDate(i.dueAt) << ")";
  std::cout << "\n";
  return 0;
}

int RunInvoiceList(const CommonOptions& o, const std::string& status) {
  auto st = ParsePaymentStatus(status);
  if (!st) {
    std::cerr << "licensedesk: unknown payment status '" << status << "'\n";
    return kExitConfig;
  }
  if (!DeploymentExists(o)) return kExitConfig;
  Graph g;
  if (int rc = Open(o, app::Config{}, g); rc != 0) return rc;
  auto r = app::ListInvoicesForOperator(*g.ctx, *st);
  if (!r.ok()) {
    std::cerr << "licensedesk: " << r.error().message << "\n";
    return kExitRuntime;
  }
  for (const auto& x : *r)
    std::cout << http::InvoiceNumber(x.invoice.number) << "\t" << ToString(x.invoice.paymentStatus)
              << "\t" << x.organization << "\t" << FormatAmount(x.invoice.total, x.invoice.currency)
              << "\tdue " << FormatDate(x.invoice.dueAt) << "\n";
  std::cout << r->size() << " invoice(s) " << status << "\n";
  return 0;
}

}  // namespace ld::cli
