// The PostgreSQL driver: one libpq connection with a prepared-statement cache.
// '?' placeholders are numbered ($1, $2, ...) once per statement text.
// Not thread-safe; owned by one thread at a time.
#pragma once

#include <libpq-fe.h>

#include <string>
#include <unordered_map>

#include "store/sql.h"

namespace ld::store {

class PgConn final : public Conn {
 public:
  // Connects; throws app::StoreError (kUnavailable) when it cannot.
  explicit PgConn(const std::string& conninfo);
  ~PgConn() override;
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  Dialect dialect() const override { return Dialect::kPostgres; }
  std::unique_ptr<Rows> Query(std::string_view sql, std::span<const Param> params) override;
  int64_t Exec(std::string_view sql, std::span<const Param> params) override;
  void ExecScript(std::string_view sql) override;

  // False after a connection-level failure; the pool then reconnects.
  bool healthy() const;

 private:
  PGresult* Run(std::string_view sql, std::span<const Param> params);
  [[noreturn]] void Fail(PGresult* res, const std::string& what);

  PGconn* pg_ = nullptr;
  std::unordered_map<std::string, std::string> prepared_;  // sql -> statement name
  int next_ = 0;
};

// Rewrites '?' placeholders (outside string literals) as $1, $2, ...
std::string NumberPlaceholders(std::string_view sql);

}  // namespace ld::store
