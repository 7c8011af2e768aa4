#include "store/sqlite/sqlite_conn.h"

#include "app/store.h"

namespace ld::store {

using app::StoreError;

namespace {

class SqliteRows final : public Rows {
 public:
  SqliteRows(sqlite3_stmt* st, SqliteConn* conn) : st_(st), conn_(conn) {}
  ~SqliteRows() override {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
  }
  bool Next() override {
    int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw StoreError(StoreError::Kind::kFailure,
                     std::string("sqlite step: ") + sqlite3_errmsg(conn_->raw()));
  }
  bool IsNull(int c) override { return sqlite3_column_type(st_, c) == SQLITE_NULL; }
  int64_t Int(int c) override { return sqlite3_column_int64(st_, c); }
  std::string Text(int c) override {
    const unsigned char* t = sqlite3_column_text(st_, c);
    int n = sqlite3_column_bytes(st_, c);
    return t ? std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(n))
             : std::string();
  }
  Guid Id(int c) override {
    const void* b = sqlite3_column_blob(st_, c);
    auto g = Guid::FromBytes(b, static_cast<size_t>(sqlite3_column_bytes(st_, c)));
    return g ? *g : Guid();
  }

 private:
  sqlite3_stmt* st_;
  SqliteConn* conn_;
};

}  // namespace

SqliteConn::SqliteConn(const std::string& path, bool read_only) {
  int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  flags |= SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError(StoreError::Kind::kUnavailable, "cannot open " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db_, 10000);
  sqlite3_extended_result_codes(db_, 1);
  if (!read_only) {
    ExecScript("PRAGMA journal_mode=WAL");
  }
  // synchronous=FULL: a commit is on disk before it is acknowledged (R15).
  ExecScript("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY");
}

SqliteConn::~SqliteConn() {
  for (auto& [_, st] : cache_) sqlite3_finalize(st);
  if (db_) sqlite3_close(db_);
}

void SqliteConn::Fail(const std::string& what, int rc) {
  auto kind = StoreError::Kind::kFailure;
  int primary = rc & 0xff;
  if (primary == SQLITE_CONSTRAINT) kind = StoreError::Kind::kConflict;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_IOERR ||
      primary == SQLITE_FULL || primary == SQLITE_CANTOPEN)
    kind = StoreError::Kind::kUnavailable;
  throw StoreError(kind, what + ": " + sqlite3_errmsg(db_));
}

sqlite3_stmt* SqliteConn::Prepare(std::string_view sql, std::span<const Param> params) {
  sqlite3_stmt* st = nullptr;
  std::string key(sql);
  auto it = cache_.find(key);
  if (it != cache_.end()) {
    st = it->second;
  } else {
    int rc = sqlite3_prepare_v3(db_, key.c_str(), static_cast<int>(key.size()),
                                SQLITE_PREPARE_PERSISTENT, &st, nullptr);
    if (rc != SQLITE_OK) Fail("sqlite prepare", rc);
    cache_.emplace(std::move(key), st);
  }
  for (size_t i = 0; i < params.size(); ++i) {
    int idx = static_cast<int>(i + 1);
    int rc = SQLITE_OK;
    const Param& p = params[i];
    if (std::holds_alternative<std::nullptr_t>(p)) {
      rc = sqlite3_bind_null(st, idx);
    } else if (auto* v = std::get_if<int64_t>(&p)) {
      rc = sqlite3_bind_int64(st, idx, *v);
    } else if (auto* s = std::get_if<std::string_view>(&p)) {
      rc = sqlite3_bind_text64(st, idx, s->data(), s->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    } else if (auto* b = std::get_if<Blob>(&p)) {
      rc = sqlite3_bind_blob64(st, idx, b->data, b->size, SQLITE_TRANSIENT);
    }
    if (rc != SQLITE_OK) {
      sqlite3_reset(st);
      sqlite3_clear_bindings(st);
      Fail("sqlite bind", rc);
    }
  }
  return st;
}

std::unique_ptr<Rows> SqliteConn::Query(std::string_view sql, std::span<const Param> params) {
  return std::make_unique<SqliteRows>(Prepare(sql, params), this);
}

int64_t SqliteConn::Exec(std::string_view sql, std::span<const Param> params) {
  sqlite3_stmt* st = Prepare(sql, params);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
  }
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  if (rc != SQLITE_DONE) Fail("sqlite exec", rc);
  return sqlite3_changes64(db_);
}

void SqliteConn::ExecScript(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : "unknown";
    sqlite3_free(err);
    auto kind =
        (rc & 0xff) == SQLITE_CONSTRAINT ? StoreError::Kind::kConflict : StoreError::Kind::kFailure;
    throw StoreError(kind, "sqlite: " + msg);
  }
}

}  // namespace ld::store
