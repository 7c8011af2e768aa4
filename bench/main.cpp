// ld-bench: licensedesk against the physical limits of this machine, measured
// in the same run. Starts its own servers (licensedesk serve and the
// hello-world server) on free loopback ports with databases in a work
// directory, runs the scenarios, stops everything and prints a markdown table.
// bench/run.sh builds it and records the table in docs/benchmarks.md.
//
//   ld-bench --server build/licensedesk [--quick | --big] [--markdown FILE]
//   ld-bench load --port P --path /healthz [--token T] [--threads 32] ...
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "common.h"
#include "load.h"
#include "rawdb.h"
#include "seed.h"

#ifndef LD_BENCH_SOURCE_DIR
#define LD_BENCH_SOURCE_DIR "."
#endif

namespace fs = std::filesystem;
using Json = nlohmann::json;
using namespace ldb;

namespace {

constexpr const char* kE3 = "280e26e2-0778-4255-8446-07645355fd93";
constexpr const char* kE5 = "0c4be1ae-8404-433c-a891-4221dd79d5a4";
constexpr const char* kCompliance = "d2886bdc-2642-4fbb-afba-f9201d4e6c4b";  // add-on of E3
constexpr int64_t kMaxPerLine = 500000;  // the catalog's maxQuantity of E3 and E5
constexpr const char* kPassword = "bench-Password-1";

struct Options {
  std::string server, hello, sourceDir, workDir, markdown, pgUrl, only;
  bool quick = false, big = false, keep = false;
  int clients = 32;
  int orgs = 0;  // checkout organizations; 0: one per client
  double seconds = 10, warmup = 1, limitSeconds = 5;
  int64_t users = 100000;  // the paging and assignLicense organization
  int64_t autoAssignUsers = 100000;
  int64_t startUsers = 1000000;
  int64_t bigUsers = 1000000;
  int starts = 3;
  int idleConnections = 10000;
  bool Want(const std::string& s) const {
    if (only.empty()) return true;
    std::stringstream ss(only);
    std::string part;
    while (std::getline(ss, part, ','))
      if (part == s) return true;
    return false;
  }
};

// ---- the report ----

struct Row {
  std::string scenario, result, latency, limit, ratio, target, met;
};

// The physical limits, measured before the scenarios and again after them;
// a ratio uses the better of the two (the machine's limit is what it can do
// when nothing else disturbs it; both are shown).
struct LimitRun {
  bool done = false;
  double helloRps = 0;
  Stats helloLat;
  RawResult checkout1, checkout64, assign1, assign64;
  std::vector<std::pair<int, RawResult>> pg;  // connections -> rate
};
struct Limits {
  LimitRun before, after;
  double helloStartS = 0;
  int64_t helloIdleKb = 0;
  double Best(double LimitRun::*f) const { return std::max(before.*f, after.*f); }
  double Best(RawResult LimitRun::*f) const {
    return std::max((before.*f).opsPerS, (after.*f).opsPerS);
  }
  double Hello() const { return Best(&LimitRun::helloRps); }
  double Checkout1() const { return Best(&LimitRun::checkout1); }
  double Checkout64() const { return Best(&LimitRun::checkout64); }
  double Assign1() const { return Best(&LimitRun::assign1); }
  double Assign64() const { return Best(&LimitRun::assign64); }
};

using RowFn = std::function<Row(const Limits&)>;

struct Report {
  std::vector<RowFn> limitRows, rows;
  std::vector<std::string> notes;
  std::vector<std::string> problems;

  void Add(RowFn r) { rows.push_back(std::move(r)); }
  void Note(const std::string& s) {
    std::cerr << "  note: " << s << "\n";
    notes.push_back(s);
  }
  void Problem(const std::string& s) {
    std::cerr << "  PROBLEM: " << s << "\n";
    problems.push_back(s);
  }
  std::string Markdown(const Limits& lim) const {
    std::string m;
    m += "| Scenario | Result | Latency p50 / p99 / p999 | Physical limit (same run) | Ratio | "
         "Target | Met |\n";
    m += "|---|---|---|---|---|---|---|\n";
    auto line = [&](const Row& r) {
      m += "| " + r.scenario + " | " + r.result + " | " + r.latency + " | " + r.limit + " | " +
           r.ratio + " | " + r.target + " | " + r.met + " |\n";
    };
    for (const auto& f : limitRows) line(f(lim));
    for (const auto& f : rows) line(f(lim));
    if (!problems.empty()) {
      m += "\n**Problems seen in this run**\n\n";
      for (const auto& p : problems) m += "- " + p + "\n";
    }
    if (!notes.empty()) {
      m += "\n**Notes**\n\n";
      for (const auto& n : notes) m += "- " + n + "\n";
    }
    return m;
  }
};

std::string Lat(const Stats& s) {
  return Format("%.2f / %.2f / %.2f ms", s.p50, s.p99, s.p999);
}
std::string Rate(double v, const char* unit) {
  if (v >= 100) return Format("%.0f %s", v, unit);
  return Format("%.1f %s", v, unit);
}
std::string Ms(double s) {
  return Format("%.0f ms", s * 1000);
}
std::string MetText(bool met) {
  return met ? "met" : "**not met**";
}
std::string Ratio(double measured, double limit) {
  if (limit <= 0) return "-";
  return Format("%.2f", measured / limit);
}
std::string Count(int64_t n) {
  if (n >= 1000000 && n % 1000000 == 0) return std::to_string(n / 1000000) + "M";
  if (n >= 1000 && n % 1000 == 0) return std::to_string(n / 1000) + "k";
  return std::to_string(n);
}
// "before / after" of a limit.
std::string Both(double before, double after, const char* unit) {
  if (after <= 0) return Rate(before, unit);
  return Rate(before, "") + "/ " + Rate(after, unit) + " (before / after)";
}

std::string NagleClients() {
  return " without TCP_NODELAY (head and body in two writes)";
}

// ---- talking to the server during setup ----

struct Api {
  int port;
  explicit Api(int p) : port(p) {}
  Json Call(const std::string& method, const std::string& path, const Json* body,
            const std::string& token, int expect, int timeoutS = 120, httplib::Headers extra = {},
            std::string* location = nullptr) {
    auto cli = std::make_unique<WireClient>("127.0.0.1", port, timeoutS);
    httplib::Headers h = std::move(extra);
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    auto send = [&] {
      if (method == "GET") return cli->Get(path.c_str(), h);
      std::string b = body ? body->dump() : std::string("{}");
      return method == "PATCH" ? cli->Patch(path.c_str(), h, b, "application/json")
                               : cli->Post(path.c_str(), h, b, "application/json");
    };
    httplib::Result r = send();
    // As a well-behaved client: a refusal that says Retry-After (the server
    // busy hashing other passwords, say) is sent again after it.
    for (int i = 0; i < 60 && r && expect != r->status && r->has_header("Retry-After"); ++i) {
      std::this_thread::sleep_for(
          std::chrono::seconds(std::stoi(r->get_header_value("Retry-After"))));
      r = send();
    }
    if (!r) throw std::runtime_error(method + " " + path + ": " + httplib::to_string(r.error()));
    if (r->status != expect)
      throw std::runtime_error(method + " " + path + ": HTTP " + std::to_string(r->status) + " " +
                               r->body.substr(0, 400));
    if (location) *location = r->get_header_value("Location");
    return r->body.empty() ? Json() : Json::parse(r->body);
  }
};

struct Org {
  std::string prefix, domain, token, pm, tenantId;
};

Org Signup(int port, const std::string& prefix) {
  Api api(port);
  Org o;
  o.prefix = prefix;
  Json body{{"organizationName", "Bench " + prefix},
            {"domainPrefix", prefix},
            {"countryCode", "US"},
            {"admin", {{"displayName", "Bench Admin"}, {"password", kPassword}}}};
  Json r = api.Call("POST", "/api/v1/signup", &body, "", 201);
  o.domain = r["domain"];
  o.tenantId = r["tenantId"];
  return o;
}

void SignIn(int port, Org& o) {
  Api api(port);
  Json cred{{"userPrincipalName", "admin@" + o.domain}, {"password", kPassword}};
  o.token = api.Call("POST", "/api/v1/auth/token", &cred, "", 200)["accessToken"];
}

void AddCard(int port, Org& o) {
  Api api(port);
  Json card{{"type", "card"},
            {"card",
             {{"number", "4242424242424242"},
              {"expMonth", 12},
              {"expYear", 2031},
              {"cvc", "123"},
              {"holderName", "Bench"}}}};
  o.pm = api.Call("POST", "/api/v1/paymentMethods", &card, o.token, 201)["id"];
}

// Signs up and signs in organizations in parallel (the server hashes at most
// two passwords at once anyway).
std::vector<Org> MakeOrgs(int port, const std::vector<std::string>& prefixes, bool card) {
  std::vector<std::future<Org>> fs;
  for (const auto& p : prefixes)
    fs.push_back(std::async(std::launch::async, [port, p, card] {
      Org o = Signup(port, p);
      SignIn(port, o);
      if (card) AddCard(port, o);
      return o;
    }));
  std::vector<Org> out;
  for (auto& f : fs) out.push_back(f.get());
  return out;
}

// One checkout: cart then checkout; returns the order.
Json Buy(int port, const Org& o, const std::vector<std::pair<std::string, int64_t>>& lines,
         bool autoAssign, double* checkoutSeconds = nullptr) {
  Api api(port);
  Json items = Json::array();
  for (const auto& [sku, q] : lines)
    items.push_back(
        {{"skuId", sku}, {"quantity", q}, {"billingCycle", "monthly"}, {"autoAssign", autoAssign}});
  Json cart{{"lineItems", items}};
  std::string loc;
  api.Call("POST", "/api/v1/carts", &cart, o.token, 201, 120, {}, &loc);
  Json pay{{"paymentMethodId", o.pm}};
  double t0 = Now();
  Json order = api.Call("POST", loc + "/checkout", &pay, o.token, 201, 3600,
                        {{"Idempotency-Key", "bench-buy-" + GuidText(NewV7(UnixMs()).data())}});
  if (checkoutSeconds) *checkoutSeconds = Now() - t0;
  return order;
}

// Cart lines that license `n` users: E3, then E5, at most 500,000 each.
std::vector<std::pair<std::string, int64_t>> AutoAssignLines(int64_t n) {
  std::vector<std::pair<std::string, int64_t>> lines;
  for (const char* sku : {kE3, kE5}) {
    int64_t q = std::min(n, kMaxPerLine);
    if (q > 0) lines.push_back({sku, q});
    n -= q;
  }
  return lines;
}

int64_t AutoAssigned(const Json& order) {
  int64_t n = 0;
  for (const auto& l : order["lineItems"]) n += l.value("licensesAutoAssigned", int64_t{0});
  return n;
}

// ---- servers ----

struct Env {
  Options o;
  std::string schema;
  std::string work;
  int runId = 0;
};

std::unique_ptr<ServerProcess> StartLicensedesk(Env& env, const std::string& db,
                                                const std::string& name) {
  std::vector<std::string> argv{env.o.server, "serve",
                                "--listen",   "127.0.0.1:0",
                                "--db",       "sqlite://" + db,
                                "--catalog",  env.o.sourceDir + "/catalog/catalog.json",
                                "--log-file", env.work + "/" + name + ".access.log",
                                "--web-root", env.work};
  return ServerProcess::Start(argv, env.work + "/" + name + ".log");
}

std::unique_ptr<ServerProcess> StartHello(Env& env) {
  return ServerProcess::Start({env.o.hello, "--listen", "127.0.0.1:0", "--workers", "64"},
                              env.work + "/hello.log");
}

// Checks that the server still runs; records a problem with its log's tail if not.
bool CheckAlive(Report& rep, ServerProcess& s, const std::string& logPath,
                const std::string& when) {
  if (s.Alive()) return true;
  std::string tail;
  try {
    std::string log = ReadFile(logPath);
    tail = log.substr(log.size() > 600 ? log.size() - 600 : 0);
  } catch (...) {
  }
  rep.Problem("the server exited during " + when + "; log tail: `" + tail + "`");
  return false;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// ---- scenarios ----

LimitRun MeasureLimits(Env& env, Report& rep, Limits& lim, bool first) {
  const Options& o = env.o;
  LimitRun run;
  run.done = true;
  std::cerr << "[limits] hello-world server\n";
  {
    std::vector<double> starts;
    int n = first ? o.starts : 1;
    for (int i = 0; i < n; ++i) {
      auto h = StartHello(env);
      starts.push_back(h->WaitHttpOk("/readyz"));
      if (i + 1 == n) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        if (first) lim.helloIdleKb = ReadMem(h->pid()).rssKb;
        LoadOptions lo;
        lo.port = h->port();
        lo.threads = o.clients;
        lo.seconds = o.limitSeconds;
        lo.warmupS = o.warmup;
        lo.serverPid = h->pid();
        auto r = RunLoad(
            lo, [](WireClient& c, int, int64_t) { return Unexpected(c.Get("/hello"), 200); });
        run.helloRps = r.opsPerS;
        run.helloLat = r.lat;
        std::cerr << "  hello-world: " << r.Describe() << "\n";
        if (r.errors) rep.Problem("hello-world server: " + r.Describe());
      }
      h->Stop();
    }
    if (first) lim.helloStartS = Median(starts);
  }
  std::cerr << "[limits] SQLite commit rates\n";
  struct K {
    Rows rows;
    int batch;
    RawResult* out;
  };
  for (K k : {K{Rows::kCheckout, 1, &run.checkout1}, K{Rows::kCheckout, 64, &run.checkout64},
              K{Rows::kAssign, 1, &run.assign1}, K{Rows::kAssign, 64, &run.assign64}}) {
    *k.out = SqliteCommitRate(env.work, env.schema, k.rows, k.batch, o.limitSeconds);
    std::cerr << Format("  SQLite %s x%d per commit: %.0f ops/s, commit p50 %.2f ms p99 %.2f ms\n",
                        RowsName(k.rows), k.batch, k.out->opsPerS, k.out->lat.p50, k.out->lat.p99);
  }
  if (!o.pgUrl.empty()) {
    std::cerr << "[limits] PostgreSQL commit rates\n";
    for (int threads : {1, o.clients}) {
      try {
        auto r = PgCommitRate(o.pgUrl, env.schema, threads, o.limitSeconds);
        std::cerr << Format("  PostgreSQL %d connections: %.0f tx/s\n", threads, r.opsPerS);
        run.pg.push_back({threads, r});
      } catch (const std::exception& e) {
        rep.Problem(std::string("PostgreSQL limit not measured: ") + e.what());
      }
    }
  }
  return run;
}

void AddLimitRows(Report& rep, const Options& o) {
  rep.limitRows.push_back([o](const Limits& L) {
    return Row{Format("limit: HTTP hello-world (licensedesk's transport, GET, small JSON), %d "
                      "keep-alive clients",
                      o.clients),
               Both(L.before.helloRps, L.after.helloRps, "req/s"),
               Lat(L.before.helloLat),
               "-",
               "-",
               "-",
               ""};
  });
  rep.limitRows.push_back([](const Limits& L) {
    return Row{"limit: hello-world server, start to ready / idle RSS",
               Ms(L.helloStartS) + Format(" / %.1f MiB", Mib(L.helloIdleKb)),
               "",
               "-",
               "-",
               "-",
               ""};
  });
  struct K {
    Rows rows;
    int batch;
    RawResult LimitRun::*f;
  };
  for (K k :
       {K{Rows::kCheckout, 1, &LimitRun::checkout1}, K{Rows::kCheckout, 64, &LimitRun::checkout64},
        K{Rows::kAssign, 1, &LimitRun::assign1}, K{Rows::kAssign, 64, &LimitRun::assign64}}) {
    rep.limitRows.push_back([k](const Limits& L) {
      return Row{Format("limit: SQLite, the rows of one %s, %s (WAL, synchronous=FULL, one thread)",
                        RowsName(k.rows),
                        k.batch == 1 ? "one commit per operation" : "64 operations per commit"),
                 Both((L.before.*k.f).opsPerS, (L.after.*k.f).opsPerS, "ops/s"),
                 "commit " + Lat((L.before.*k.f).lat),
                 "-",
                 "-",
                 "-",
                 ""};
    });
  }
  if (!o.pgUrl.empty()) {
    rep.limitRows.push_back([](const Limits& L) {
      std::string r;
      for (size_t i = 0; i < L.before.pg.size(); ++i) {
        const auto& [n, res] = L.before.pg[i];
        double after = i < L.after.pg.size() ? L.after.pg[i].second.opsPerS : 0;
        r += (r.empty() ? "" : "; ") + Format("%d connection%s: %s", n, n == 1 ? "" : "s",
                                              Both(res.opsPerS, after, "tx/s").c_str());
      }
      return Row{"limit: PostgreSQL, the rows of one assignLicense, one transaction each",
                 r.empty() ? "not measured" : r,
                 "",
                 "-",
                 "-",
                 "-",
                 ""};
    });
  }
}

// Scenario: the read path alone: bearer token lookup, the user, JSON.
LoadResult RunRead(Env& env, Report& rep, ServerProcess& srv, const Org& org,
                   const std::string& label = "") {
  const Options& o = env.o;
  std::cerr << "[read] GET /v1.0/me, " << o.clients << " clients" << label << "\n";
  httplib::Headers h{{"Authorization", "Bearer " + org.token}};
  LoadOptions lo;
  lo.port = srv.port();
  lo.threads = o.clients;
  lo.seconds = std::min(o.seconds, 5.0);
  lo.warmupS = o.warmup;
  lo.serverPid = srv.pid();
  auto r = RunLoad(
      lo, [&](WireClient& c, int, int64_t) { return Unexpected(c.Get("/v1.0/me", h), 200); });
  std::cerr << "  read: " << r.Describe() << "\n";
  int clients = o.clients;
  rep.Add([r, clients, label](const Limits& L) {
    return Row{
        Format("read: GET /v1.0/me (token lookup, user, JSON), %d clients%s", clients,
               label.c_str()),
        Rate(r.opsPerS, "req/s") + (r.errors ? Format(", %lld errors", (long long)r.errors) : ""),
        Lat(r.lat),
        L.Hello() > 0 ? Format("%.0f/s = HTTP hello-world", L.Hello()) : "-",
        Ratio(r.opsPerS, L.Hello()),
        "- (diagnostic)",
        ""};
  });
  if (r.errors) {
    rep.Problem("GET /v1.0/me under load: " + r.Describe());
    for (const auto& s : r.errorSamples) rep.Problem("GET /v1.0/me error sample: `" + s + "`");
  }
  return r;
}

// Scenario: `n` idle keep-alive connections (each has made one request and
// then sits), held while 32 clients read; their p99 against the same load
// without them, and the server's memory per idle connection.
void RunIdle(Env& env, Report& rep, ServerProcess& srv, const Org& org, const LoadResult& base,
             int n) {
  std::cerr << "[idle] " << n << " idle keep-alive connections\n";
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  int64_t before = ReadMem(srv.pid()).rssKb;
  std::vector<std::unique_ptr<WireClient>> idle;
  int opened = 0;
  for (int i = 0; i < n; ++i) {
    auto c = std::make_unique<WireClient>("127.0.0.1", srv.port(), 30);
    auto r = c->Get("/readyz");
    if (!r || r->status != 200) break;
    ++opened;
    idle.push_back(std::move(c));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  int64_t held = ReadMem(srv.pid()).rssKb;
  LoadResult r = RunRead(env, rep, srv, org, Format(", %d idle connections held", opened));
  // Each idle connection must still be open and answer.
  int alive = 0;
  for (auto& c : idle) {
    auto x = c->Get("/readyz");
    if (x && x->status == 200) ++alive;
  }
  idle.clear();
  double perConnKb = opened > 0 ? static_cast<double>(held - before) / opened : 0;
  std::cerr << Format(
      "  idle: %d opened, %d still answered, RSS %.1f -> %.1f MiB (%.1f KiB each)\n", opened, alive,
      Mib(before), Mib(held), perConnKb);
  rep.Add([=](const Limits&) {
    double ratio = base.lat.p99 > 0 ? r.lat.p99 / base.lat.p99 : 0;
    return Row{Format("%d idle keep-alive connections held (%d of them still answered after) "
                      "while 32 clients read; server RSS %.1f -> %.1f MiB, %.1f KiB per idle "
                      "connection",
                      opened, alive, Mib(before), Mib(held), perConnKb),
               Format("p99 %.2f ms against %.2f ms without them", r.lat.p99, base.lat.p99),
               Lat(r.lat),
               "the same load without the idle connections, same run",
               Format("%.2f", ratio),
               "all held, p99 <= 1.2 x",
               MetText(opened == n && alive == n && ratio <= 1.2)};
  });
}

// Scenario: checkouts with `clients` clients spread over the organizations,
// each with a saved card.
LoadResult RunCheckout(Env& env, Report& rep, ServerProcess& srv, const std::vector<Org>& orgs,
                       bool nagle = false) {
  const Options& o = env.o;
  std::cerr << "[checkout] " << o.clients << " clients" << (nagle ? " without TCP_NODELAY" : "")
            << ", " << orgs.size() << " organizations\n";
  ResetPeak(srv.pid());
  std::string cartBody =
      Json{
          {"lineItems",
           {{{"skuId", kE3}, {"quantity", 5}, {"billingCycle", "monthly"}, {"autoAssign", false}}}}}
          .dump();
  std::vector<httplib::Headers> auth;
  std::vector<std::string> payBody;
  for (const auto& org : orgs) {
    auth.push_back({{"Authorization", "Bearer " + org.token}});
    payBody.push_back(Json{{"paymentMethodId", org.pm}}.dump());
  }
  LoadOptions lo;
  lo.port = srv.port();
  lo.threads = o.clients;
  lo.seconds = o.seconds;
  lo.warmupS = o.warmup;
  lo.serverPid = srv.pid();
  lo.nagle = nagle;
  int run = env.runId * 2 + (nagle ? 1 : 0);
  auto r = RunLoad(lo, [&](WireClient& c, int t, int64_t i) -> OpResult {
    size_t k = static_cast<size_t>(t) % orgs.size();
    auto r1 = c.Post("/api/v1/carts", auth[k], cartBody, "application/json");
    if (!r1 || r1->status != 201) return Unexpected(r1, 201);
    std::string loc = r1->get_header_value("Location");
    httplib::Headers h = auth[k];
    h.emplace("Idempotency-Key", Format("bench-%d-%d-%lld", run, t, static_cast<long long>(i)));
    return Unexpected(c.Post((loc + "/checkout").c_str(), h, payBody[k], "application/json"), 201);
  });
  std::cerr << "  checkout: " << r.Describe() << "\n";
  int clients = o.clients;
  std::string who = nagle ? NagleClients() : "";
  rep.Add([r, clients, who](const Limits& L) {
    // Two requests per checkout: the HTTP limit is half the hello-world rate.
    double http = L.Hello() / 2, db = L.Checkout64();
    double limit = std::min(http, db);
    bool met = r.opsPerS >= 5000 && r.lat.p99 <= 20 && r.errors == 0;
    std::string limitText =
        limit <= 0 ? "not measured (--only without limits)"
                   : Format(
                         "%.0f/s = %s (HTTP hello-world / 2: %.0f/s; SQLite 64 per commit: "
                         "%.0f/s; 1 per commit: %.0f/s)",
                         limit, http < db ? "HTTP" : "SQLite", http, db, L.Checkout1());
    return Row{Format("checkout: POST carts + POST checkout (1 line of 5, saved card, "
                      "Idempotency-Key), %d clients%s",
                      clients, who.c_str()),
               Rate(r.opsPerS, "checkouts/s") +
                   (r.errors ? Format(", %lld errors", (long long)r.errors) : ""),
               Lat(r.lat),
               limitText,
               Ratio(r.opsPerS, limit),
               ">= 5,000/s, p99 <= 20 ms",
               MetText(met)};
  });
  rep.Note(Format("checkout: %s; server peak RSS %.1f MiB", r.Describe().c_str(),
                  Mib(std::max(r.memEnd.hwmKb, r.sampledPeakKb))));
  if (r.errors) {
    rep.Problem("checkout under load: " + r.Describe());
    for (const auto& s : r.errorSamples) rep.Problem("checkout error sample: `" + s + "`");
  }
  if (r.stalls) rep.Problem(Format("checkout: %lld checkouts took over 1 s", (long long)r.stalls));
  return r;
}

// The same scenario from clients without TCP_NODELAY, against the figure
// with it (issue 15: the server must not wait for its delayed ACK).
void AddNagleRow(Report& rep, const std::string& what, const LoadResult& with,
                 const LoadResult& without) {
  rep.Add([=](const Limits&) {
    double ratio = with.opsPerS > 0 ? without.opsPerS / with.opsPerS : 0;
    return Row{what +
                   ": clients without TCP_NODELAY (head and body in two writes) against "
                   "clients with it",
               Format("%.0f/s against %.0f/s", without.opsPerS, with.opsPerS),
               Lat(without.lat) + " against " + Lat(with.lat),
               "the figure with TCP_NODELAY, same run",
               Format("%.2f", ratio),
               ">= 0.9",
               MetText(ratio >= 0.9)};
  });
}

struct PagingResult {
  int64_t users = 0, pages = 0, bytes = 0;
  double seconds = 0;
  Stats lat;
  std::string error;
};

// Follows @odata.nextLink through all users of `org`, one request at a time;
// collects the user ids when `ids` is given.
PagingResult PageAll(int port, const Org& org, std::vector<std::string>* ids, double maxSeconds,
                     const std::string& first = "/v1.0/users?$top=999") {
  auto cli = std::make_unique<WireClient>("127.0.0.1", port, 120);  // sends nextLink as it is
  httplib::Headers h{{"Authorization", "Bearer " + org.token}};
  PagingResult out;
  std::string path = first;
  std::vector<int64_t> ns;
  double t0 = Now();
  while (!path.empty()) {
    auto c0 = Clock::now();
    auto r = cli->Get(path.c_str(), h);
    ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - c0).count());
    if (!r || r->status != 200) {
      auto u = Unexpected(r, 200);
      out.error = u.kind + " " + u.detail + " at page " + std::to_string(out.pages + 1);
      break;
    }
    const std::string& b = r->body;
    out.bytes += static_cast<int64_t>(b.size());
    ++out.pages;
    // Keys come sorted: "@odata.context", "@odata.nextLink", "value"; each
    // user has "id":"<guid>" ("skuId" does not match the pattern). Scanning
    // keeps the client's share of the two cores small.
    std::string next;
    const std::string nl = "\"@odata.nextLink\":\"";
    auto at = b.find(nl);
    if (at != std::string::npos) {
      auto end = b.find('"', at + nl.size());
      next = b.substr(at + nl.size(), end - at - nl.size());
      auto v = next.find("/v1.0/");
      next = v == std::string::npos ? std::string() : next.substr(v);
    }
    size_t pos = 0;
    const std::string idk = "\"id\":\"";
    while ((pos = b.find(idk, pos)) != std::string::npos) {
      if (ids) ids->push_back(b.substr(pos + idk.size(), 36));
      ++out.users;
      pos += idk.size() + 36;
    }
    path = next;
    if (Now() - t0 > maxSeconds) break;
  }
  out.seconds = Now() - t0;
  out.lat = Summarize(ns);
  return out;
}

void ReportPaging(Env& env, Report& rep, const PagingResult& p, int64_t orgUsers,
                  double rawUsersPerS, const std::string& label) {
  const Options& o = env.o;
  double ups = static_cast<double>(p.users) / p.seconds;
  std::cerr << Format("  paging: %.0f users/s, %lld users, page p50 %.2f ms p99 %.2f ms\n", ups,
                      (long long)p.users, p.lat.p50, p.lat.p99);
  double avgBytes = p.pages ? static_cast<double>(p.bytes) / static_cast<double>(p.pages) : 0;
  // The HTTP library's limit for bodies of a page's size, one client, serialized.
  double httpUsersPerS = 0;
  if (avgBytes > 0) {
    auto h = StartHello(env);
    LoadOptions lo;
    lo.port = h->port();
    lo.threads = 1;
    lo.seconds = std::min(o.limitSeconds, 3.0);
    lo.warmupS = 0.3;
    std::string path = "/blob/" + std::to_string(static_cast<int64_t>(avgBytes));
    auto r = RunLoad(
        lo, [&](WireClient& c, int, int64_t) { return Unexpected(c.Get(path.c_str()), 200); });
    h->Stop();
    httpUsersPerS = r.opsPerS * 999;
    rep.Note(
        Format("%s: %lld users in %lld pages of %.0f KiB on average; the hello-world server "
               "sends a body of that size %.0f times/s to one client (p50 %.2f ms)",
               label.c_str(), (long long)p.users, (long long)p.pages, avgBytes / 1024, r.opsPerS,
               r.lat.p50));
  }
  double limit = std::min(httpUsersPerS > 0 ? httpUsersPerS : 1e18, rawUsersPerS);
  bool met = ups >= 200000 && p.error.empty();
  rep.Add([=](const Limits&) {
    return Row{
        label,
        Rate(ups, "users/s") + Format(" (%lld users in %.2f s)", (long long)p.users, p.seconds),
        "page " + Lat(p.lat),
        Format("%.0f users/s = %s (SQLite keyset read of the rows: %.0f users/s; HTTP "
               "bodies of a page's size: %.0f users/s)",
               limit, rawUsersPerS < httpUsersPerS ? "SQLite" : "HTTP", rawUsersPerS,
               httpUsersPerS),
        Ratio(ups, limit),
        ">= 200,000 users/s",
        MetText(met)};
  });
  if (!p.error.empty()) rep.Problem(label + ": " + p.error);
  if (p.users < orgUsers && p.error.empty())
    rep.Note(Format("%s: stopped at the time bound after %lld of %lld users", label.c_str(),
                    (long long)p.users, (long long)orgUsers));
}

// kHttplib: each load thread calls through its own httplib::Client with the
// library's defaults (no TCP_NODELAY; the head and the body in two writes),
// the client a new user of the API is likely to start with.
enum class AssignClient { kWire, kWireNagle, kHttplib };

LoadResult RunAssign(Env& env, Report& rep, ServerProcess& srv, const Org& org,
                     const std::vector<std::string>& ids, const char* sku, const std::string& label,
                     AssignClient client = AssignClient::kWire) {
  const Options& o = env.o;
  const bool nagle = client == AssignClient::kWireNagle;
  std::cerr << "[assignLicense] " << o.clients << " clients"
            << (nagle                              ? " without TCP_NODELAY"
                : client == AssignClient::kHttplib ? " (cpp-httplib's client)"
                                                   : "")
            << ", " << ids.size() << " users\n";
  std::vector<std::unique_ptr<httplib::Client>> libs;
  if (client == AssignClient::kHttplib) {
    for (int t = 0; t < o.clients; ++t) {
      libs.push_back(std::make_unique<httplib::Client>("127.0.0.1", srv.port()));
      libs.back()->set_keep_alive(true);
      libs.back()->set_read_timeout(30, 0);
    }
  }
  ResetPeak(srv.pid());
  httplib::Headers h{{"Authorization", "Bearer " + org.token}};
  std::string body = Json{
      {"addLicenses", {{{"skuId", sku}, {"disabledPlans", Json::array()}}}},
      {"removeLicenses",
       Json::array()}}.dump();
  LoadOptions lo;
  lo.port = srv.port();
  lo.threads = o.clients;
  lo.seconds = o.seconds;
  lo.warmupS = o.warmup;
  lo.maxOps = static_cast<int64_t>(ids.size());
  lo.serverPid = srv.pid();
  lo.nagle = nagle;
  auto r = RunLoad(lo, [&](WireClient& c, int t, int64_t i) {
    std::string path = "/v1.0/users/" + ids[static_cast<size_t>(i)] + "/assignLicense";
    if (!libs.empty())
      return Unexpected(
          libs[static_cast<size_t>(t)]->Post(path.c_str(), h, body, "application/json"), 200);
    return Unexpected(c.Post(path.c_str(), h, body, "application/json"), 200);
  });
  std::cerr << "  assignLicense: " << r.Describe() << "\n";
  rep.Add([r, label](const Limits& L) {
    double http = L.Hello(), db = L.Assign64();
    double limit = std::min(http, db);
    bool met = r.opsPerS >= 10000 && r.lat.p99 <= 10 && r.errors == 0;
    std::string limitText =
        limit <= 0 ? "not measured (--only without limits)"
                   : Format(
                         "%.0f/s = %s (HTTP hello-world: %.0f/s; SQLite 64 per commit: %.0f/s; "
                         "1 per commit: %.0f/s)",
                         limit, http < db ? "HTTP" : "SQLite", http, db, L.Assign1());
    return Row{
        label,
        Rate(r.opsPerS, "calls/s") + (r.errors ? Format(", %lld errors", (long long)r.errors) : ""),
        Lat(r.lat),
        limitText,
        Ratio(r.opsPerS, limit),
        ">= 10,000/s, p99 <= 10 ms",
        MetText(met)};
  });
  rep.Note(Format("%s: %s; server peak RSS %.1f MiB", label.c_str(), r.Describe().c_str(),
                  Mib(std::max(r.memEnd.hwmKb, r.sampledPeakKb))));
  if (r.countBound) rep.Note(label + ": ended when every user had the license (count bound)");
  if (r.errors) {
    rep.Problem(label + " under load: " + r.Describe());
    for (const auto& s : r.errorSamples) rep.Problem(label + " error sample: `" + s + "`");
  }
  if (r.stalls)
    rep.Problem(Format("%s: %lld calls took over 1 s", label.c_str(), (long long)r.stalls));
  return r;
}

// Group-based licensing (issue 16): a security group of `ids` less the last
// few, given an add-on of E3 (the users hold E3 from the auto-assign), timed
// from POST assignLicense to licenseProcessingState ProcessingComplete; then
// the last few added one at a time, each timed until the member holds the
// license. Members are added 20 per PATCH (members@odata.bind), by 4 clients.
struct GroupResult {
  int64_t members = 0, licensed = 0, consumed = -1;
  double seconds = 0, setupSeconds = 0;
  Stats join;
  int64_t joins = 0;
  std::string error;
};

GroupResult RunGroup(int port, const Org& org, std::vector<std::string> ids) {
  GroupResult out;
  const size_t late = std::min<size_t>(200, ids.size() / 10);
  std::vector<std::string> joiners(ids.end() - static_cast<std::ptrdiff_t>(late), ids.end());
  ids.resize(ids.size() - late);
  out.members = static_cast<int64_t>(ids.size());
  try {
    Api api(port);
    Json g{{"displayName", "Bench group"},
           {"mailNickname", "bench"},
           {"mailEnabled", false},
           {"securityEnabled", true}};
    std::string gid = api.Call("POST", "/v1.0/groups", &g, org.token, 201)["id"];
    const std::string base = "http://127.0.0.1:" + std::to_string(port) + "/v1.0/directoryObjects/";
    double t0 = Now();
    std::atomic<size_t> next{0};
    std::vector<std::future<void>> fs;
    for (int t = 0; t < 4; ++t)
      fs.push_back(std::async(std::launch::async, [&] {
        Api a(port);
        for (;;) {
          size_t from = next.fetch_add(20);
          if (from >= ids.size()) return;
          Json binds = Json::array();
          for (size_t i = from; i < std::min(ids.size(), from + 20); ++i)
            binds.push_back(base + ids[i]);
          Json body{{"members@odata.bind", binds}};
          a.Call("PATCH", "/v1.0/groups/" + gid, &body, org.token, 204);
        }
      }));
    for (auto& f : fs) f.get();
    out.setupSeconds = Now() - t0;
    Buy(port, org, {{kCompliance, static_cast<int64_t>(ids.size() + joiners.size())}}, false);
    Json lic{{"addLicenses", {{{"skuId", kCompliance}, {"disabledPlans", Json::array()}}}},
             {"removeLicenses", Json::array()}};
    t0 = Now();
    api.Call("POST", "/v1.0/groups/" + gid + "/assignLicense", &lic, org.token, 202);
    for (;;) {
      Json st = api.Call("GET", "/v1.0/groups/" + gid + "?$select=licenseProcessingState", nullptr,
                         org.token, 200);
      if (st["licenseProcessingState"]["state"] == "ProcessingComplete") break;
      if (Now() - t0 > 600) throw std::runtime_error("the group was not processed in 600 s");
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    out.seconds = Now() - t0;
    Json pools = api.Call("GET", "/v1.0/subscribedSkus", nullptr, org.token, 200);
    for (const auto& p : pools["value"])
      if (p["skuId"] == kCompliance) out.consumed = p["consumedUnits"];
    // One member at a time: from POST members/$ref until GET shows the license.
    std::vector<int64_t> ns;
    for (const auto& u : joiners) {
      Json ref{{"@odata.id", base + u}};
      auto c0 = std::chrono::steady_clock::now();
      api.Call("POST", "/v1.0/groups/" + gid + "/members/$ref", &ref, org.token, 204);
      for (;;) {
        Json got = api.Call("GET", "/v1.0/users/" + u + "?$select=assignedLicenses", nullptr,
                            org.token, 200);
        bool has = false;
        for (const auto& l : got["assignedLicenses"]) has = has || l["skuId"] == kCompliance;
        if (has) break;
        if (std::chrono::steady_clock::now() - c0 > std::chrono::seconds(30))
          throw std::runtime_error("a joining member got no license in 30 s");
      }
      ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::steady_clock::now() - c0)
                       .count());
    }
    out.joins = static_cast<int64_t>(ns.size());
    out.join = Summarize(ns);
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  return out;
}

void ReportGroup(Report& rep, const GroupResult& g, double rawSeconds, int64_t rawRows) {
  std::cerr << Format(
      "  group: %lld members licensed in %.2f s; a member joining: p50 %.1f ms p99 %.1f ms\n",
      (long long)g.members, g.seconds, g.join.p50, g.join.p99);
  if (!g.error.empty()) rep.Problem("group licensing: " + g.error);
  // The limit: SQLite writing a license per user (the auto-assign's raw rows
  // of the same run), scaled to the group's size.
  double limit = rawRows > 0 ? rawSeconds * double(g.members) / double(rawRows) : 0;
  bool big = g.members >= 100000;
  rep.Add([=](const Limits&) {
    return Row{Format("group-based licensing: a group of %s members given an add-on, assignLicense "
                      "(202) to ProcessingComplete",
                      Count(g.members).c_str()),
               Format("%.2f s, consumedUnits %lld", g.seconds, (long long)g.consumed),
               "",
               limit > 0 ? Format("%.2f s (SQLite writing a license per user, the auto-assign's "
                                  "raw rate of the same run, scaled)",
                                  limit)
                         : "-",
               limit > 0 ? Format("%.1fx the time", g.seconds / limit) : "-",
               "100,000 members <= 2 s",
               big ? MetText(g.seconds <= 2.0 && g.consumed == g.members)
                   : Format("n/a at %s (x%.0f, if linear: %.1f s)", Count(g.members).c_str(),
                            1e5 / double(std::max<int64_t>(1, g.members)),
                            g.seconds * 1e5 / double(std::max<int64_t>(1, g.members)))};
  });
  rep.Add([=](const Limits&) {
    return Row{Format("group-based licensing: one member added to the licensed group, until "
                      "GET shows the license (%lld members, one at a time)",
                      (long long)g.joins),
               Format("p99 %.1f ms", g.join.p99),
               Lat(g.join),
               "-",
               "-",
               "p99 <= 50 ms",
               MetText(g.joins > 0 && g.join.p99 <= 50)};
  });
  rep.Note(
      Format("group-based licensing: %lld members added in %.1f s by members@odata.bind "
             "(20 per PATCH, 4 clients)",
             (long long)g.members, g.setupSeconds));
}

void ReportAutoAssign(Report& rep, int64_t users, int64_t assigned, double seconds,
                      double rawSeconds) {
  std::cerr << Format("  auto-assign: %lld licenses in %.2f s (raw SQLite %.2f s)\n",
                      (long long)assigned, seconds, rawSeconds);
  std::string met;
  if (users >= 1000000) {
    met = MetText(seconds <= 3.0 && assigned >= 1000000);
  } else {
    met = Format("n/a at %s (x%.0f, if linear: %.1f s)", Count(users).c_str(), 1e6 / double(users),
                 seconds * 1e6 / double(users));
  }
  rep.Add([=](const Limits&) {
    return Row{Format("checkout with autoAssign to %s users (one request)", Count(users).c_str()),
               Format("%.2f s, %lld licenses assigned", seconds, (long long)assigned),
               "",
               rawSeconds > 0 ? Format("%.2f s (the same rows straight into SQLite in one "
                                       "transaction, the faster of two ways; see the notes)",
                                       rawSeconds)
                              : "-",
               rawSeconds > 0 ? Format("%.1fx the time", seconds / rawSeconds) : "-",
               "1M users <= 3 s",
               met};
  });
  if (assigned < users)
    rep.Problem(Format("auto-assign to %lld users assigned only %lld licenses", (long long)users,
                       (long long)assigned));
}

// The auto-assign's rows written straight into a copy of `db`, both ways;
// returns the faster.
double RawBulkAssign(Env& env, Report& rep, const std::string& db, const std::string& domain,
                     int64_t n) {
  double best = 0;
  std::string ways;
  for (bool setBased : {false, true}) {
    std::string copy = env.work + "/bulk-copy.db";
    fs::copy_file(db, copy, fs::copy_options::overwrite_existing);
    double s = SqliteBulkAssign(copy, domain, n, setBased);
    fs::remove(copy);
    fs::remove(copy + "-wal");
    fs::remove(copy + "-shm");
    best = best == 0 ? s : std::min(best, s);
    ways += Format(
        "%s%s %.2f s", ways.empty() ? "" : ", ",
        setBased ? "the server's INSERT ... SELECT statements" : "a loop of prepared statements",
        s);
  }
  rep.Note(Format("raw SQLite auto-assign of %s users: %s", Count(n).c_str(), ways.c_str()));
  return best;
}

void RowStart(Report& rep, const std::string& label, double ready, double listening,
              const std::string& target, const std::string& met) {
  rep.Add([=](const Limits& L) {
    return Row{label,
               Ms(ready),
               Format("listening line after %.0f ms", listening * 1000),
               L.helloStartS > 0 ? Ms(L.helloStartS) + " (hello-world server)" : "-",
               Ratio(ready, L.helloStartS),
               target,
               met};
  });
}

void RowIdle(Report& rep, const std::string& label, int64_t kb) {
  rep.Add([=](const Limits& L) {
    return Row{
        label,
        Format("%.1f MiB", Mib(kb)),
        "",
        L.helloIdleKb > 0 ? Format("%.1f MiB (hello-world server)", Mib(L.helloIdleKb)) : "-",
        Ratio(double(kb), double(L.helloIdleKb)),
        "<= 50 MiB idle",
        MetText(Mib(kb) <= 50)};
  });
}

}  // namespace

// ---- the whole run ----

int RunAll(Options o) {
  Env env;
  if (o.quick) {
    o.seconds = 3;
    o.warmup = 0.5;
    o.limitSeconds = 1.5;
    o.users = std::min<int64_t>(o.users, 10000);
    o.autoAssignUsers = std::min<int64_t>(o.autoAssignUsers, 10000);
    o.startUsers = std::min<int64_t>(o.startUsers, 100000);
    o.idleConnections = std::min(o.idleConnections, 2000);
    if (o.orgs == 0) o.orgs = 8;
    o.big = false;
  }
  if (o.orgs == 0) o.orgs = std::min(o.clients, 16);
  env.o = o;
  env.schema = ReadFile(o.sourceDir + "/src/store/migrations/0001_init.sql");
  env.work = o.workDir;
  env.runId = static_cast<int>(UnixMs() % 1000000);
  fs::create_directories(env.work);
  Report rep;
  Limits lim;
  rep.Note(
      Format("load average at the start: %s", ReadFile("/proc/loadavg").substr(0, 14).c_str()));

  bool wantLimits = o.Want("limits");
  if (wantLimits) {
    lim.before = MeasureLimits(env, rep, lim, true);
    AddLimitRows(rep, o);
  }

  // Phase 1: an empty database; start, idle memory, organizations, checkouts.
  std::string db1 = env.work + "/main.db";
  std::vector<Org> paging, checkout;
  bool phase2 = o.Want("paging") || o.Want("assign") || o.Want("autoassign");
  if (o.Want("checkout") || o.Want("read") || phase2) {
    std::cerr << "[server] empty database\n";
    auto s = StartLicensedesk(env, db1, "server1");
    double ready = s->WaitHttpOk("/readyz");
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    RowStart(rep, "start to ready (GET /readyz 200), empty database", ready,
             s->secondsToListening(), "-", "");
    RowIdle(rep, "idle RSS after start, empty database", ReadMem(s->pid()).rssKb);

    std::cerr << "[setup] organizations\n";
    std::vector<std::string> prefixes{"bench-p", "bench-q"};
    int nOrgs = o.Want("checkout") ? o.orgs : 0;
    for (int i = 0; i < nOrgs; ++i) prefixes.push_back(Format("bench-c%02d", i));
    double t0 = Now();
    auto orgs = MakeOrgs(s->port(), prefixes, true);
    rep.Note(
        Format("setup: %zu organizations signed up and signed in through the API in %.1f s "
               "(argon2id; the server hashes two at a time)",
               orgs.size(), Now() - t0));
    paging.assign(orgs.begin(), orgs.begin() + 2);
    checkout.assign(orgs.begin() + 2, orgs.end());
    if (o.Want("read") || o.Want("idle")) {
      LoadResult base = RunRead(env, rep, *s, paging[0]);
      if (o.Want("idle")) RunIdle(env, rep, *s, paging[0], base, o.idleConnections);
    }
    if (o.Want("checkout")) {
      LoadResult with = RunCheckout(env, rep, *s, checkout);
      LoadResult without = RunCheckout(env, rep, *s, checkout, true);
      AddNagleRow(rep, "checkout", with, without);
      CheckAlive(rep, *s, env.work + "/server1.log", "the checkout scenario");
    }
    std::string st = s->Stop();
    if (st != "exit 0") rep.Problem("server 1 stopped with " + st);
  }

  if (phase2) {
    // Phase 2: seed the two organizations, then Graph paging, assignLicense, auto-assign.
    std::cerr << "[seed] " << o.users << " + " << o.autoAssignUsers << " users\n";
    auto s1 = SeedUsers({db1, paging[0].domain, o.users, "u", true});
    auto s2 = SeedUsers({db1, paging[1].domain, o.autoAssignUsers, "u", false});
    rep.Note(
        Format("setup: seeded %lld users (usageLocation US) and %lld users (no usageLocation) "
               "directly into SQLite in %.1f s",
               (long long)s1.users, (long long)s2.users, s1.seconds + s2.seconds));
    int64_t phase2Users = o.users + o.autoAssignUsers;
    double rawPaging = SqlitePaging(db1, paging[0].domain, 999, 60).opsPerS;
    // A snapshot for the raw auto-assign, which runs after the server's (same noise window).
    std::string snapshot = env.work + "/main-snapshot.db";
    if (o.Want("autoassign")) fs::copy_file(db1, snapshot, fs::copy_options::overwrite_existing);
    double autoSeconds = 0;
    int64_t autoAssigned = -1;
    auto s = StartLicensedesk(env, db1, "server2");
    double ready = s->WaitHttpOk("/readyz");
    RowStart(rep, Format("start to ready, %s users", Count(phase2Users).c_str()), ready,
             s->secondsToListening(), "-", "");
    ResetPeak(s->pid());
    std::vector<std::string> ids;
    if (o.Want("paging") || o.Want("assign")) {
      std::cerr << "[paging] " << o.users << " users\n";
      auto p = PageAll(s->port(), paging[0], &ids, 600);
      ReportPaging(env, rep, p, o.users + 1, rawPaging,
                   Format("Graph GET /v1.0/users?$top=999, paging through %s users, one client",
                          Count(o.users).c_str()));
      CheckAlive(rep, *s, env.work + "/server2.log", "Graph paging");
    }
    if (o.Want("assign") && !ids.empty()) {
      int64_t qty = std::min<int64_t>(static_cast<int64_t>(ids.size()), kMaxPerLine);
      Buy(s->port(), paging[0], {{kE3, qty}}, false);
      ids.resize(static_cast<size_t>(qty));
      // A third of the users for clients with TCP_NODELAY, a third for clients
      // without, a third for cpp-httplib's own client.
      const auto third = static_cast<std::ptrdiff_t>(ids.size() / 3);
      std::vector<std::string> second(ids.begin() + third, ids.begin() + 2 * third);
      std::vector<std::string> lib(ids.begin() + 2 * third, ids.end());
      ids.resize(static_cast<size_t>(third));
      LoadResult with =
          RunAssign(env, rep, *s, paging[0], ids, kE3,
                    Format("assignLicense: one user, one SKU per call, %d clients", o.clients));
      LoadResult without =
          RunAssign(env, rep, *s, paging[0], second, kE3,
                    Format("assignLicense: one user, one SKU per call, %d clients%s", o.clients,
                           NagleClients().c_str()),
                    AssignClient::kWireNagle);
      AddNagleRow(rep, "assignLicense", with, without);
      LoadResult viaLib = RunAssign(
          env, rep, *s, paging[0], lib, kE3,
          Format("assignLicense: one user, one SKU per call, %d cpp-httplib clients with their "
                 "defaults (no TCP_NODELAY, head and body in two writes)",
                 o.clients),
          AssignClient::kHttplib);
      rep.Add([=](const Limits&) {
        bool met = viaLib.ops > 0 && viaLib.lat.p50 <= 5;
        return Row{
            "assignLicense through cpp-httplib's client against the lean client with "
            "TCP_NODELAY: no delayed-ACK stall",
            Format("p50 %.2f ms against %.2f ms", viaLib.lat.p50, with.lat.p50),
            Lat(viaLib.lat) + " against " + Lat(with.lat),
            "the lean client with TCP_NODELAY, same run",
            Format("%.2f", with.opsPerS > 0 ? viaLib.opsPerS / with.opsPerS : 0),
            "p50 <= 5 ms (a stall is ~40 ms)",
            MetText(met)};
      });
      CheckAlive(rep, *s, env.work + "/server2.log", "assignLicense");
    }
    if (o.Want("autoassign")) {
      std::cerr << "[auto-assign] " << o.autoAssignUsers << " users\n";
      try {
        Json order =
            Buy(s->port(), paging[1], AutoAssignLines(o.autoAssignUsers), true, &autoSeconds);
        autoAssigned = AutoAssigned(order);
      } catch (const std::exception& e) {
        rep.Problem(std::string("auto-assign checkout failed: ") + e.what());
      }
      CheckAlive(rep, *s, env.work + "/server2.log", "auto-assign");
    }
    std::optional<GroupResult> group;
    if (o.Want("group") && o.Want("autoassign") && autoAssigned > 0) {
      std::cerr << "[group] " << o.autoAssignUsers << " users\n";
      std::vector<std::string> ids2;
      auto p = PageAll(s->port(), paging[1], &ids2, 600);
      if (!p.error.empty()) rep.Problem("group: paging the members: " + p.error);
      // The admin holds no E3 (the auto-assign bought one per seeded user):
      // the add-on's prerequisite would refuse it.
      std::string admin =
          Api(s->port()).Call("GET", "/v1.0/me", nullptr, paging[1].token, 200)["id"];
      ids2.erase(std::remove(ids2.begin(), ids2.end(), admin), ids2.end());
      group = RunGroup(s->port(), paging[1], ids2);
      CheckAlive(rep, *s, env.work + "/server2.log", "group licensing");
      if (group->error.empty()) {
        // Every member now holds the add-on from the group: each user's
        // licenseAssignmentStates has its sources (direct E3, the group's add-on).
        const std::string q = "/v1.0/users?$top=999&$select=id,displayName,licenseAssignmentStates";
        auto st = PageAll(s->port(), paging[1], nullptr, 600, q);
        ReportPaging(env, rep, st, o.autoAssignUsers + 1, rawPaging,
                     Format("Graph GET %s, paging through %s users with group licenses, one client",
                            q.c_str(), Count(o.autoAssignUsers).c_str()));
        CheckAlive(rep, *s, env.work + "/server2.log", "licenseAssignmentStates paging");
      }
    }
    ProcMem m = ReadMem(s->pid());
    rep.Add([=](const Limits&) {
      return Row{
          Format("peak RSS with %s users, over the scenarios above", Count(phase2Users).c_str()),
          Format("%.1f MiB", Mib(m.hwmKb)),
          "",
          "-",
          "-",
          "1M users under load <= 300 MiB",
          "n/a at " + Count(phase2Users)};
    });
    std::string st = s->Stop();
    if (st != "exit 0") rep.Problem("server 2 stopped with " + st);
    if (autoAssigned >= 0) {
      double raw = RawBulkAssign(env, rep, snapshot, paging[1].domain, o.autoAssignUsers);
      ReportAutoAssign(rep, o.autoAssignUsers, autoAssigned, autoSeconds, raw);
      if (group) ReportGroup(rep, *group, raw, o.autoAssignUsers);
    }
    fs::remove(snapshot);
  }

  if (o.Want("start") || o.big) {
    // Phase 3: a large organization; start to ready, idle memory, and with --big the 1M scenarios.
    int64_t n = o.big ? std::max(o.startUsers, o.bigUsers) : o.startUsers;
    std::string db2 = env.work + "/large.db";
    Org big;
    {
      auto s = StartLicensedesk(env, db2, "server3");
      big = MakeOrgs(s->port(), {"bench-large"}, true)[0];
      s->Stop();
    }
    std::cerr << "[seed] " << n << " users\n";
    auto sr = SeedUsers({db2, big.domain, n, "u", o.big ? false : true});
    rep.Note(Format("setup: seeded %lld users in %.1f s", (long long)sr.users, sr.seconds));
    std::string snapshot = env.work + "/large-snapshot.db";
    if (o.big) fs::copy_file(db2, snapshot, fs::copy_options::overwrite_existing);
    double autoSeconds = 0;
    int64_t autoAssigned = -1;
    std::vector<double> readies, listens;
    std::unique_ptr<ServerProcess> s;
    for (int i = 0; i < o.starts; ++i) {
      if (s) s->Stop();
      s = StartLicensedesk(env, db2, "server4");
      readies.push_back(s->WaitHttpOk("/readyz"));
      listens.push_back(s->secondsToListening());
    }
    double ready = Median(readies);
    std::cerr << Format("  start to ready with %lld users: %.0f ms\n", (long long)n, ready * 1000);
    RowStart(rep, Format("start to ready, %s users (median of %d)", Count(n).c_str(), o.starts),
             ready, Median(listens), "<= 300 ms with 1M users",
             n >= 1000000 ? MetText(ready <= 0.3) : "n/a at " + Count(n));
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    RowIdle(rep, Format("idle RSS after start, %s users", Count(n).c_str()),
            ReadMem(s->pid()).rssKb);
    if (o.big) {
      ResetPeak(s->pid());
      SignIn(s->port(), big);  // a fresh token: the setup's may be old by now
      std::vector<std::string> ids;
      std::cerr << "[big paging] " << n << " users\n";
      auto p = PageAll(s->port(), big, &ids, 900);
      auto raw = SqlitePaging(db2, big.domain, 999, 120);
      ReportPaging(env, rep, p, n + 1, raw.opsPerS,
                   Format("Graph GET /v1.0/users?$top=999, paging through %s users, one client",
                          Count(n).c_str()));
      std::cerr << "[big auto-assign] " << n << " users\n";
      try {
        Json order = Buy(s->port(), big, AutoAssignLines(n), true, &autoSeconds);
        autoAssigned = AutoAssigned(order);
      } catch (const std::exception& e) {
        rep.Problem(std::string("auto-assign checkout at 1M failed: ") + e.what());
      }
      CheckAlive(rep, *s, env.work + "/server4.log", "auto-assign at 1M");
      if (s->Alive() && !ids.empty()) {
        // The add-on needs E3, which the auto-assign bought.
        int64_t qty = std::min<int64_t>(static_cast<int64_t>(ids.size()), 200000);
        Buy(s->port(), big, {{kCompliance, qty}}, false);
        ids.resize(static_cast<size_t>(qty));
        RunAssign(env, rep, *s, big, ids, kCompliance,
                  Format("assignLicense at %s users (an add-on), %d clients", Count(n).c_str(),
                         o.clients));
        CheckAlive(rep, *s, env.work + "/server4.log", "assignLicense at 1M");
      }
      ProcMem m = ReadMem(s->pid());
      rep.Add([=](const Limits&) {
        return Row{Format("peak RSS with %s users: paging, auto-assign, assignLicense load",
                          Count(n).c_str()),
                   Format("%.1f MiB", Mib(m.hwmKb)),
                   "",
                   "-",
                   "-",
                   "<= 300 MiB at 1M under load",
                   n >= 1000000 ? MetText(Mib(m.hwmKb) <= 300) : "n/a at " + Count(n)};
      });
    }
    std::string st = s->Stop();
    if (st != "exit 0") rep.Problem("server 4 stopped with " + st);
    if (autoAssigned >= 0) {
      double raw = RawBulkAssign(env, rep, snapshot, big.domain, n);
      ReportAutoAssign(rep, n, autoAssigned, autoSeconds, raw);
    }
    fs::remove(snapshot);
  }

  if (wantLimits) lim.after = MeasureLimits(env, rep, lim, false);
  rep.Note(Format("load average at the end: %s", ReadFile("/proc/loadavg").substr(0, 14).c_str()));

  std::string md = rep.Markdown(lim);
  std::cout << md;
  if (!o.markdown.empty()) {
    std::ofstream out(o.markdown);
    out << md;
  }
  return rep.problems.empty() ? 0 : 3;
}

// `ld-bench load`: the load driver alone, GET or POST one path.
int RunAdHoc(const std::string& path, int port, const std::string& token, const std::string& body,
             int threads, double seconds, int pid) {
  LoadOptions lo;
  lo.port = port;
  lo.threads = threads;
  lo.seconds = seconds;
  lo.serverPid = pid;
  httplib::Headers h;
  if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
  auto r = RunLoad(lo, [&](WireClient& c, int, int64_t) {
    if (body.empty()) return Unexpected(c.Get(path.c_str(), h), 200);
    auto res = c.Post(path.c_str(), h, body, "application/json");
    if (res && res->status / 100 == 2) return OpResult::Ok();
    return Unexpected(res, 200);
  });
  std::cout << r.Describe() << "\n";
  if (pid > 0)
    std::cout << Format("server RSS now %.1f MiB, peak %.1f MiB\n", Mib(r.memEnd.rssKb),
                        Mib(std::max(r.memEnd.hwmKb, r.sampledPeakKb)));
  for (const auto& s : r.errorSamples) std::cout << "error: " << s << "\n";
  return r.errors ? 1 : 0;
}

void OnSignal(int sig) {
  KillAllServers();
  ::_exit(128 + sig);
}

int main(int argc, char** argv) {
  signal(SIGINT, OnSignal);
  signal(SIGTERM, OnSignal);
  signal(SIGHUP, OnSignal);
  signal(SIGPIPE, SIG_IGN);
  CLI::App app{"licensedesk benchmarks against the physical limits of this machine"};
  Options o;
  o.sourceDir = LD_BENCH_SOURCE_DIR;
  o.hello = (fs::path(argv[0]).parent_path() / "ld-bench-hello").string();
  app.add_option("--server", o.server, "The licensedesk binary");
  app.add_option("--hello", o.hello, "The ld-bench-hello binary")->capture_default_str();
  app.add_option("--source-dir", o.sourceDir, "The licensedesk source tree (schema, catalog)")
      ->capture_default_str();
  app.add_option("--work-dir", o.workDir, "Databases and logs (default: a new temp directory)");
  app.add_flag("--keep", o.keep, "Keep the work directory");
  app.add_option("--markdown", o.markdown, "Also write the results table here");
  app.add_flag("--quick", o.quick, "Small sizes and short runs (under a minute)");
  app.add_flag("--big", o.big, "Also the 1,000,000-user scenarios (paging, auto-assign, load)");
  app.add_option("--clients", o.clients, "Concurrent keep-alive clients")->capture_default_str();
  app.add_option("--orgs", o.orgs, "Checkout organizations (default: one per client)");
  app.add_option("--seconds", o.seconds, "Counted seconds of each load scenario")
      ->capture_default_str();
  app.add_option("--warmup", o.warmup, "Uncounted seconds before each")->capture_default_str();
  app.add_option("--limit-seconds", o.limitSeconds, "Seconds of each physical-limit measurement")
      ->capture_default_str();
  app.add_option("--users", o.users, "Users of the paging and assignLicense organization")
      ->capture_default_str();
  app.add_option("--autoassign-users", o.autoAssignUsers, "Users the auto-assign checkout licenses")
      ->capture_default_str();
  app.add_option("--start-users", o.startUsers, "Users for the start-to-ready and idle-memory run")
      ->capture_default_str();
  app.add_option("--big-users", o.bigUsers, "Users of the --big scenarios")->capture_default_str();
  app.add_option("--starts", o.starts, "Starts measured (median)")->capture_default_str();
  app.add_option("--idle-connections", o.idleConnections,
                 "Idle keep-alive connections held during a read load")
      ->capture_default_str();
  app.add_option("--pg-url", o.pgUrl, "Also measure PostgreSQL's raw commit rate here");
  app.add_option(
      "--only", o.only,
      "Comma-separated subset: limits,read,checkout,paging,assign,autoassign,group,start");

  std::string lpath = "/healthz", ltoken, lbody;
  int lport = 0, lthreads = 32, lpid = -1;
  double lseconds = 5;
  CLI::App* load = app.add_subcommand("load", "Run the load driver against a running server");
  load->add_option("--port", lport, "Port on 127.0.0.1")->required();
  load->add_option("--path", lpath, "Path and query")->capture_default_str();
  load->add_option("--token", ltoken, "Bearer token");
  load->add_option("--body", lbody, "POST this JSON body (default: GET)");
  load->add_option("--threads", lthreads)->capture_default_str();
  load->add_option("--seconds", lseconds)->capture_default_str();
  load->add_option("--pid", lpid, "The server's pid, for its memory");
  CLI11_PARSE(app, argc, argv);

  if (load->parsed()) return RunAdHoc(lpath, lport, ltoken, lbody, lthreads, lseconds, lpid);
  if (o.server.empty()) {
    std::cerr << "ld-bench: --server PATH is required\n";
    return 2;
  }
  o.server = fs::absolute(o.server).string();
  bool madeWork = false;
  if (o.workDir.empty()) {
    std::string tmpl = (fs::temp_directory_path() / "ld-bench.XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) {
      std::cerr << "ld-bench: cannot make a temp directory\n";
      return 1;
    }
    o.workDir = tmpl;
    madeWork = true;
  }
  int rc = 1;
  try {
    rc = RunAll(o);
  } catch (const std::exception& e) {
    std::cerr << "ld-bench: " << e.what() << "\n";
    KillAllServers();
    rc = 1;
  }
  if (madeWork && !o.keep) {
    std::error_code ec;
    fs::remove_all(o.workDir, ec);
  } else if (madeWork) {
    std::cerr << "ld-bench: work directory kept: " << o.workDir << "\n";
  }
  return rc;
}
