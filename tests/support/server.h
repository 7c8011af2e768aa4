// End-to-end test support: starts the real `licensedesk serve` binary (LD_BINARY)
// on a free loopback port with a fresh SQLite file, and talks to it with a
// small JSON client. No mocks.
#pragma once

#include <httplib.h>

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.h"

namespace ld::testing {

using Json = nlohmann::json;

struct Response {
  int status = 0;  // 0: no answer (connection failed)
  std::string body;
  Json json;  // the parsed body; null when it is not JSON
  httplib::Headers headers;

  std::string Header(const std::string& name) const;
  std::string Code() const;    // error.code, or ""
  std::string Target() const;  // error.target (commerce) or ""
};
std::ostream& operator<<(std::ostream& os, const Response& r);

class Client {
 public:
  Client(const std::string& host, int port);
  void SetToken(std::string token) { token_ = std::move(token); }
  void SetHeader(const std::string& name, const std::string& value) { extra_[name] = value; }
  const std::string& token() const { return token_; }

  Response Get(const std::string& path, const httplib::Headers& h = {});
  Response Delete(const std::string& path, const httplib::Headers& h = {});
  Response Post(const std::string& path, const Json& body, const httplib::Headers& h = {});
  Response Put(const std::string& path, const Json& body, const httplib::Headers& h = {});
  Response Patch(const std::string& path, const Json& body, const httplib::Headers& h = {});
  // Any method with a raw body (nullopt: none).
  Response Send(const std::string& method, const std::string& path,
                const std::optional<std::string>& body, const httplib::Headers& h = {},
                const std::string& content_type = "application/json");

 private:
  httplib::Client cli_;
  std::string token_;
  std::map<std::string, std::string> extra_;
};

struct ServerConfig {
  bool demo = false;
  std::string cloud;               // empty: the default (worldwide)
  std::vector<std::string> extra;  // more flags
  // Empty: a fresh SQLite file in the server's temp dir, or a fresh PostgreSQL
  // database when LD_TEST_BACKEND=postgres. A path (SQLite) or a postgresql:// URL.
  std::string dbPath;
};

struct Org {
  std::string tenantId, domain, adminUpn, adminId, password, token;
};

class ServerProcess {
 public:
  explicit ServerProcess(ServerConfig config = {});
  ~ServerProcess();  // Stop()
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }
  const std::string& dbPath() const { return db_; }  // a SQLite path or a postgresql:// URL
  const TempDir& dir() const { return dir_; }
  std::string Stdout() const;  // everything printed so far
  std::string Stderr() const;  // the server's log (stderr)

  Client NewClient(const std::string& token = {}) const;

  // SIGTERM, then SIGKILL after `timeout_ms`; returns the exit status
  // (WEXITSTATUS, or 128+signal). Idempotent.
  int Stop(int timeout_ms = 10000);
  void Kill();  // SIGKILL now

  // Signs an organization up (admin password "Test-Password-1") and signs its admin in.
  Org SignUp(const std::string& prefix, const std::string& country = "US");
  // POST /api/v1/auth/token; empty when refused.
  std::string Token(const std::string& upn, const std::string& password);

 private:
  TempDir dir_;
  std::string db_;
  int pid_ = -1;
  int port_ = 0;
  int exit_status_ = -1;
  int out_fd_ = -1;
  std::thread drain_;
  mutable std::mutex mu_;
  std::string out_;
};

// LD_BINARY (set by ctest), else <build>/licensedesk next to the test binary.
std::string ServerBinary();

// Runs `licensedesk <args>` to completion (killed after timeout_ms).
struct RunResult {
  int code = -1;  // exit status, or 128+signal
  std::string out, err;
};
RunResult RunLicensedesk(const std::vector<std::string>& args, int timeout_ms = 60000);

// Commerce and directory helpers over a signed-in admin's client. They throw
// std::runtime_error (with the response) when the server refuses.
std::string SkuIdOf(Client& c, const std::string& part_number);  // from GET /api/v1/offers
std::string AddCard(Client& c, const std::string& number = "4242424242424242");
std::string CreateCart(Client& c, const std::string& sku, int64_t quantity,
                       const std::string& cycle = "monthly", bool auto_assign = false);
Json Buy(Client& c, const std::string& sku, int64_t quantity, const std::string& payment_method,
         const std::string& cycle = "monthly", bool auto_assign = false);  // the order
// POST /v1.0/users; returns the new user's id.
std::string CreateUser(Client& c, const std::string& domain, const std::string& nickname,
                       const std::optional<std::string>& usage_location = std::string("US"),
                       const std::optional<std::string>& password = std::nullopt);

// Row counts of every table of a database (a SQLite path, opened read-only, or
// a postgresql:// URL), for "nothing changed" checks.
std::map<std::string, int64_t> TableCounts(const std::string& db_path);

}  // namespace ld::testing
