// A thin, throwing wrapper over sqlite3 for the benchmark's raw measurements
// and the seeding step: a connection with a cache of prepared statements.
// Not thread-safe (one connection per thread).
#pragma once

#include <sqlite3.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

namespace ldb {

class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                           &s_, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("sqlite prepare: ") + sqlite3_errmsg(db) + " in " +
                               sql.substr(0, 120));
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Blob(int i, const std::array<uint8_t, 16>& id) {
    Check(sqlite3_bind_blob(s_, i, id.data(), 16, SQLITE_TRANSIENT));
    return *this;
  }
  Stmt& Text(int i, const std::string& v) {
    Check(sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Stmt& Int(int i, int64_t v) {
    Check(sqlite3_bind_int64(s_, i, v));
    return *this;
  }
  Stmt& Null(int i) {
    Check(sqlite3_bind_null(s_, i));
    return *this;
  }
  // Runs to completion and resets.
  void Run() {
    int rc;
    while ((rc = sqlite3_step(s_)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) Fail("step");
    Reset();
  }
  // The first column of the first row, then resets.
  int64_t One() {
    int64_t v = Step() ? sqlite3_column_int64(s_, 0) : 0;
    Reset();
    return v;
  }
  bool Step() {
    int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) Fail("step");
    return false;
  }
  void Reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  std::array<uint8_t, 16> ColumnId(int c) {
    std::array<uint8_t, 16> id{};
    const void* p = sqlite3_column_blob(s_, c);
    if (p && sqlite3_column_bytes(s_, c) == 16) std::memcpy(id.data(), p, 16);
    return id;
  }
  std::string ColumnText(int c) {
    const unsigned char* p = sqlite3_column_text(s_, c);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<size_t>(sqlite3_column_bytes(s_, c)))
             : std::string();
  }
  int64_t ColumnInt(int c) { return sqlite3_column_int64(s_, c); }

 private:
  void Check(int rc) {
    if (rc != SQLITE_OK) Fail("bind");
  }
  [[noreturn]] void Fail(const char* what) {
    std::string msg = std::string("sqlite ") + what + ": " + sqlite3_errmsg(db_);
    sqlite3_reset(s_);
    throw std::runtime_error(msg);
  }
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
};

class Db {
 public:
  explicit Db(const std::string& path, bool readonly = false) {
    int flags = readonly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw std::runtime_error("sqlite open " + path + ": " + msg);
    }
    sqlite3_busy_timeout(db_, 10000);
  }
  ~Db() {
    stmts_.clear();
    sqlite3_close(db_);
  }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "?";
      sqlite3_free(err);
      throw std::runtime_error("sqlite: " + msg + " in " + sql.substr(0, 120));
    }
  }
  // A cached prepared statement for `sql` (bindings cleared).
  Stmt& Prepare(const std::string& sql) {
    auto it = stmts_.find(sql);
    if (it == stmts_.end()) it = stmts_.emplace(sql, std::make_unique<Stmt>(db_, sql)).first;
    return *it->second;
  }
  sqlite3* raw() { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::map<std::string, std::unique_ptr<Stmt>> stmts_;
};

}  // namespace ldb
