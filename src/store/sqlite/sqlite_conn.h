// The SQLite driver: one sqlite3 connection with a prepared-statement cache.
// Not thread-safe; owned by one thread at a time.
#pragma once

#include <sqlite3.h>

#include <string>
#include <unordered_map>

#include "store/sql.h"

namespace ld::store {

class SqliteConn final : public Conn {
 public:
  // Opens (creating if needed) the file. WAL, synchronous=FULL, foreign keys
  // on, a busy timeout. Throws app::StoreError on failure.
  SqliteConn(const std::string& path, bool read_only);
  ~SqliteConn() override;
  SqliteConn(const SqliteConn&) = delete;
  SqliteConn& operator=(const SqliteConn&) = delete;

  Dialect dialect() const override { return Dialect::kSqlite; }
  std::unique_ptr<Rows> Query(std::string_view sql, std::span<const Param> params) override;
  int64_t Exec(std::string_view sql, std::span<const Param> params) override;
  void ExecScript(std::string_view sql) override;

  sqlite3* raw() { return db_; }

 private:
  sqlite3_stmt* Prepare(std::string_view sql, std::span<const Param> params);
  [[noreturn]] void Fail(const std::string& what, int rc);

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace ld::store
