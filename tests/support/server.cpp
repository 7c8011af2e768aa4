#include "support/server.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "support/pg_server.h"

namespace ld::testing {

std::string Response::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

std::string Response::Code() const {
  if (json.is_object() && json.contains("error") && json["error"].is_object() &&
      json["error"].contains("code") && json["error"]["code"].is_string())
    return json["error"]["code"].get<std::string>();
  return {};
}

std::string Response::Target() const {
  if (json.is_object() && json.contains("error") && json["error"].is_object() &&
      json["error"].contains("target") && json["error"]["target"].is_string())
    return json["error"]["target"].get<std::string>();
  return {};
}

std::ostream& operator<<(std::ostream& os, const Response& r) {
  return os << "HTTP " << r.status << " " << r.body.substr(0, 2000);
}

Client::Client(const std::string& host, int port) : cli_(host, port) {
  cli_.set_keep_alive(true);
  cli_.set_read_timeout(60, 0);
  cli_.set_write_timeout(60, 0);
  cli_.set_connection_timeout(5, 0);
}

Response Client::Send(const std::string& method, const std::string& path,
                      const std::optional<std::string>& body, const httplib::Headers& h,
                      const std::string& content_type) {
  httplib::Request req;
  req.method = method;
  req.path = path;
  if (!token_.empty()) req.headers.emplace("Authorization", "Bearer " + token_);
  for (const auto& [k, v] : extra_) req.headers.emplace(k, v);
  for (const auto& [k, v] : h) {
    req.headers.erase(k);
    req.headers.emplace(k, v);
  }
  if (body) {
    req.body = *body;
    if (!content_type.empty() && !req.has_header("Content-Type"))
      req.headers.emplace("Content-Type", content_type);
  }
  auto res = cli_.send(req);
  Response out;
  if (!res) return out;
  out.status = res->status;
  out.body = res->body;
  out.headers = res->headers;
  out.json = Json::parse(out.body, nullptr, false);
  if (out.json.is_discarded()) out.json = nullptr;
  return out;
}

Response Client::Get(const std::string& path, const httplib::Headers& h) {
  return Send("GET", path, std::nullopt, h);
}
Response Client::Delete(const std::string& path, const httplib::Headers& h) {
  return Send("DELETE", path, std::nullopt, h);
}
Response Client::Post(const std::string& path, const Json& body, const httplib::Headers& h) {
  return Send("POST", path, body.dump(), h);
}
Response Client::Put(const std::string& path, const Json& body, const httplib::Headers& h) {
  return Send("PUT", path, body.dump(), h);
}
Response Client::Patch(const std::string& path, const Json& body, const httplib::Headers& h) {
  return Send("PATCH", path, body.dump(), h);
}

std::string ServerBinary() {
  if (const char* b = std::getenv("LD_BINARY"); b != nullptr && *b != '\0') return b;
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return (self.parent_path() / "licensedesk").string();
}

ServerProcess::ServerProcess(ServerConfig config) {
  // LD_TEST_BACKEND=postgres (the "pg." ctest run): a fresh PostgreSQL database.
  if (config.dbPath.empty() && UsePostgres()) {
    db_ = FreshPostgresDatabase();
  } else {
    db_ = config.dbPath.empty() ? dir_.File("ld.db") : config.dbPath;
  }
  bool url = db_.find("://") != std::string::npos;
  std::vector<std::string> args{ServerBinary(), "serve", "--listen",
                                "127.0.0.1:0",  "--db",  url ? db_ : "sqlite://" + db_,
                                "--workers",    "16"};
  if (config.demo) args.push_back("--demo");
  if (!config.cloud.empty()) {
    args.push_back("--cloud");
    args.push_back(config.cloud);
  }
  for (const auto& e : config.extra) args.push_back(e);

  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  std::string err_path = dir_.File("stderr.log");
  pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    dup2(fds[1], STDOUT_FILENO);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (err >= 0) dup2(err, STDERR_FILENO);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  out_fd_ = fds[0];

  // Read until "licensedesk listening on http://127.0.0.1:PORT".
  const std::string marker = "licensedesk listening on ";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::string buf;
  while (port_ == 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) break;
    pollfd p{out_fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) break;
    char chunk[4096];
    ssize_t n = read(out_fd_, chunk, sizeof chunk);
    if (n <= 0) break;
    buf.append(chunk, static_cast<size_t>(n));
    auto at = buf.find(marker);
    if (at != std::string::npos) {
      auto eol = buf.find('\n', at);
      if (eol == std::string::npos) continue;
      std::string url = buf.substr(at + marker.size(), eol - at - marker.size());
      port_ = std::atoi(url.substr(url.rfind(':') + 1).c_str());
    }
  }
  {
    std::lock_guard lock(mu_);
    out_ = buf;
  }
  if (port_ == 0) {
    Stop(2000);
    throw std::runtime_error("the server did not start: stdout: " + buf + "\nstderr: " + Stderr());
  }
  drain_ = std::thread([this] {
    char chunk[4096];
    for (;;) {
      ssize_t n = read(out_fd_, chunk, sizeof chunk);
      if (n <= 0) break;
      std::lock_guard lock(mu_);
      out_.append(chunk, static_cast<size_t>(n));
    }
  });
}

ServerProcess::~ServerProcess() {
  Stop();
}

std::string ServerProcess::Stdout() const {
  std::lock_guard lock(mu_);
  return out_;
}

std::string ServerProcess::Stderr() const {
  std::ifstream in(dir_.File("stderr.log"));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Client ServerProcess::NewClient(const std::string& token) const {
  Client c("127.0.0.1", port_);
  if (!token.empty()) c.SetToken(token);
  return c;
}

int ServerProcess::Stop(int timeout_ms) {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) break;
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    pid_ = -1;
  }
  if (drain_.joinable()) drain_.join();
  if (out_fd_ >= 0) {
    close(out_fd_);
    out_fd_ = -1;
  }
  return exit_status_;
}

void ServerProcess::Kill() {
  if (pid_ > 0) kill(pid_, SIGKILL);
  Stop();
}

std::string ServerProcess::Token(const std::string& upn, const std::string& password) {
  Client c = NewClient();
  auto r = c.Post("/api/v1/auth/token", {{"userPrincipalName", upn}, {"password", password}});
  if (r.status != 200 || !r.json.is_object()) return {};
  return r.json.value("accessToken", "");
}

Org ServerProcess::SignUp(const std::string& prefix, const std::string& country) {
  Client c = NewClient();
  Org org;
  org.password = "Test-Password-1";
  auto r = c.Post("/api/v1/signup",
                  {{"organizationName", prefix + " Inc."},
                   {"domainPrefix", prefix},
                   {"countryCode", country},
                   {"admin", {{"displayName", prefix + " Admin"}, {"password", org.password}}}});
  if (r.status != 201) {
    std::ostringstream os;
    os << "signup of " << prefix << " failed: " << r;
    throw std::runtime_error(os.str());
  }
  org.tenantId = r.json["tenantId"];
  org.domain = r.json["domain"];
  org.adminUpn = r.json["adminUserPrincipalName"];
  org.adminId = r.json.value("adminId", "");
  org.token = Token(org.adminUpn, org.password);
  if (org.token.empty()) throw std::runtime_error("the admin of " + prefix + " cannot sign in");
  return org;
}

RunResult RunLicensedesk(const std::vector<std::string>& args_in, int timeout_ms) {
  TempDir dir;
  std::vector<std::string> args{ServerBinary()};
  for (const auto& a : args_in) args.push_back(a);
  std::string out_path = dir.File("out"), err_path = dir.File("err");
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    if (waitpid(pid, &status, WNOHANG) == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  RunResult r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  auto slurp = [](const std::string& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  r.out = slurp(out_path);
  r.err = slurp(err_path);
  return r;
}

namespace {
[[noreturn]] void Fail(const std::string& what, const Response& r) {
  std::ostringstream os;
  os << what << ": " << r;
  throw std::runtime_error(os.str());
}
}  // namespace

std::string SkuIdOf(Client& c, const std::string& part_number) {
  auto r = c.Get("/api/v1/offers");
  if (r.status != 200) Fail("GET /api/v1/offers", r);
  for (const auto& o : r.json["value"])
    if (o["skuPartNumber"] == part_number) return o["skuId"];
  Fail("no offer " + part_number, r);
}

std::string AddCard(Client& c, const std::string& number) {
  auto r = c.Post("/api/v1/paymentMethods", {{"type", "card"},
                                             {"card",
                                              {{"number", number},
                                               {"expMonth", 12},
                                               {"expYear", 2030},
                                               {"cvc", "123"},
                                               {"holderName", "Test Holder"}}}});
  if (r.status != 201) Fail("POST /api/v1/paymentMethods", r);
  return r.json["id"];
}

std::string CreateCart(Client& c, const std::string& sku, int64_t quantity,
                       const std::string& cycle, bool auto_assign) {
  auto r = c.Post("/api/v1/carts", {{"lineItems",
                                     {{{"skuId", sku},
                                       {"quantity", quantity},
                                       {"billingCycle", cycle},
                                       {"autoAssign", auto_assign}}}}});
  if (r.status != 201) Fail("POST /api/v1/carts", r);
  return r.json["id"];
}

Json Buy(Client& c, const std::string& sku, int64_t quantity, const std::string& payment_method,
         const std::string& cycle, bool auto_assign) {
  std::string cart = CreateCart(c, sku, quantity, cycle, auto_assign);
  auto r = c.Post("/api/v1/carts/" + cart + "/checkout", {{"paymentMethodId", payment_method}});
  if (r.status != 201) Fail("checkout", r);
  return r.json;
}

std::string CreateUser(Client& c, const std::string& domain, const std::string& nickname,
                       const std::optional<std::string>& usage_location,
                       const std::optional<std::string>& password) {
  Json body{{"accountEnabled", true},
            {"displayName", nickname},
            {"mailNickname", nickname},
            {"userPrincipalName", nickname + "@" + domain}};
  if (usage_location) body["usageLocation"] = *usage_location;
  if (password) body["passwordProfile"] = {{"password", *password}};
  auto r = c.Post("/v1.0/users", body);
  if (r.status != 201) Fail("POST /v1.0/users " + nickname, r);
  return r.json["id"];
}

namespace {
std::map<std::string, int64_t> PgTableCounts(const std::string& url) {
  std::map<std::string, int64_t> out;
  PGconn* c = PQconnectdb(url.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::string err = PQerrorMessage(c);
    PQfinish(c);
    throw std::runtime_error("cannot connect to " + url + ": " + err);
  }
  PGresult* r = PQexec(c,
                       "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                       "ORDER BY tablename");
  std::vector<std::string> tables;
  for (int i = 0; i < PQntuples(r); ++i) tables.emplace_back(PQgetvalue(r, i, 0));
  PQclear(r);
  for (const auto& t : tables) {
    r = PQexec(c, ("SELECT count(*) FROM \"" + t + "\"").c_str());
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
      out[t] = std::stoll(PQgetvalue(r, 0, 0));
    PQclear(r);
  }
  PQfinish(c);
  return out;
}
}  // namespace

std::map<std::string, int64_t> TableCounts(const std::string& db_path) {
  if (db_path.rfind("postgres", 0) == 0) return PgTableCounts(db_path);
  std::map<std::string, int64_t> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + db_path);
  }
  sqlite3_busy_timeout(db, 5000);
  std::vector<std::string> tables;
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name", -1, &st,
                     nullptr);
  while (sqlite3_step(st) == SQLITE_ROW)
    tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  sqlite3_finalize(st);
  for (const auto& t : tables) {
    std::string sql = "SELECT count(*) FROM \"" + t + "\"";
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
      out[t] = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return out;
}

}  // namespace ld::testing
