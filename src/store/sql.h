// A minimal SQL driver interface that both backends implement, so that the
// one Tx implementation (SqlTx, store/sql/) serves SQLite and PostgreSQL alike.
// SQL is written with '?' placeholders; the PostgreSQL driver numbers them.
// Not thread-safe: a Conn belongs to one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "domain/guid.h"
#include "domain/result.h"

namespace ld::store {

struct Blob {
  const void* data;
  size_t size;
};
// A bound parameter. Views must outlive the call they are passed to; drivers
// copy them before Query returns, so a Rows may outlive the values.
using Param = std::variant<std::nullptr_t, int64_t, std::string_view, Blob>;

enum class Dialect { kSqlite, kPostgres };

// A result cursor. Column accessors take 0-based indexes.
class Rows {
 public:
  virtual ~Rows() = default;
  virtual bool Next() = 0;
  virtual bool IsNull(int col) = 0;
  virtual int64_t Int(int col) = 0;
  virtual std::string Text(int col) = 0;
  virtual Guid Id(int col) = 0;  // a 16-byte BYTEA/BLOB column
};

class Conn {
 public:
  virtual ~Conn() = default;
  virtual Dialect dialect() const = 0;
  virtual std::unique_ptr<Rows> Query(std::string_view sql, std::span<const Param> params) = 0;
  // Returns the number of rows changed.
  virtual int64_t Exec(std::string_view sql, std::span<const Param> params) = 0;
  // Runs several statements without parameters (migrations, BEGIN/COMMIT).
  virtual void ExecScript(std::string_view sql) = 0;
};

// Converts C++ values to Params. Guids are bound as 16-byte blobs.
inline Param ToParam(std::nullptr_t) {
  return nullptr;
}
inline Param ToParam(const Guid& g) {
  return Blob{g.bytes().data(), 16};
}
inline Param ToParam(const std::string& s) {
  return std::string_view(s);
}
inline Param ToParam(std::string_view s) {
  return s;
}
inline Param ToParam(const char* s) {
  return std::string_view(s);
}
inline Param ToParam(bool b) {
  return int64_t{b ? 1 : 0};
}
inline Param ToParam(int v) {
  return int64_t{v};
}
inline Param ToParam(unsigned v) {
  return int64_t{v};
}
inline Param ToParam(long v) {
  return int64_t{v};
}
inline Param ToParam(long long v) {
  return int64_t{v};
}
template <typename T>
Param ToParam(const std::optional<T>& o) {
  if (!o) return nullptr;
  return ToParam(*o);
}

template <typename... A>
std::unique_ptr<Rows> Q(Conn& c, std::string_view sql, const A&... a) {
  const Param ps[] = {ToParam(a)..., nullptr};
  return c.Query(sql, std::span<const Param>(ps, sizeof...(A)));
}
template <typename... A>
int64_t X(Conn& c, std::string_view sql, const A&... a) {
  const Param ps[] = {ToParam(a)..., nullptr};
  return c.Exec(sql, std::span<const Param>(ps, sizeof...(A)));
}

// Maps a backend's StoreError to the Error a use case returns (503 when the
// database is unreachable, 409 for a conflicting change, else 500).
Error FromStoreError(const std::exception& e);

// The numbered migrations compiled into the binary (store/migrations/*.sql).
struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};
const std::vector<Migration>& Migrations();

// Applies the migrations not yet recorded in schema_migrations, each in its
// own transaction. Callers serialize concurrent runs (PostgreSQL: an advisory
// lock). Returns the number applied.
int ApplyMigrations(Conn& c, int64_t now_ms);
// True when every migration is recorded.
bool SchemaCurrent(Conn& c);

}  // namespace ld::store
