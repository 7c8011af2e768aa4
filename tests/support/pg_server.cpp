#include "support/pg_server.h"

#include <libpq-fe.h>
#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>

#include "support/temp_dir.h"

namespace ld::testing {

namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

class OwnServer {
 public:
  OwnServer() {
    // The server runs as the postgres user when the tests run as root.
    std::filesystem::permissions(dir_.path(), std::filesystem::perms(0755));
    std::string cmd = SourceDir() + "/scripts/pg-test-server.sh start " + dir_.File("pg");
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) throw std::runtime_error("cannot run pg-test-server.sh");
    char buf[512];
    while (fgets(buf, sizeof buf, p)) url_ += buf;
    if (pclose(p) != 0) throw std::runtime_error("PostgreSQL did not start");
    url_ = Trim(url_);
  }
  ~OwnServer() {
    std::string cmd = SourceDir() + "/scripts/pg-test-server.sh stop " + dir_.File("pg");
    if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "pg stop failed\n");
  }
  const std::string& url() const { return url_; }

 private:
  TempDir dir_;
  std::string url_;
};

std::string AdminUrl() {
  if (const char* f = std::getenv("LD_TEST_PG_URL_FILE")) {
    std::ifstream in(f);
    std::string url;
    std::getline(in, url);
    if (!url.empty()) return Trim(url);
  }
  if (const char* u = std::getenv("LD_TEST_PG_URL")) return u;
  static OwnServer server;
  return server.url();
}

}  // namespace

bool UsePostgres() {
  const char* b = std::getenv("LD_TEST_BACKEND");
  return b && std::string(b) == "postgres";
}

std::string FreshPostgresDatabase() {
  static std::mutex mu;
  std::lock_guard<std::mutex> l(mu);
  std::string admin = AdminUrl();
  unsigned char r[6];
  randombytes_buf(r, sizeof r);
  char hex[13];
  sodium_bin2hex(hex, sizeof hex, r, sizeof r);
  std::string name = std::string("t_") + hex;
  PGconn* c = PQconnectdb(admin.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(c);
    PQfinish(c);
    throw std::runtime_error("cannot reach the test PostgreSQL: " + msg);
  }
  PGresult* res = PQexec(c, ("CREATE DATABASE " + name).c_str());
  bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
  std::string msg = PQresultErrorMessage(res);
  PQclear(res);
  PQfinish(c);
  if (!ok) throw std::runtime_error("CREATE DATABASE failed: " + msg);
  auto slash = admin.rfind('/');
  return admin.substr(0, slash + 1) + name;
}

}  // namespace ld::testing
