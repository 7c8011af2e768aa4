#include "store/postgres/pg_conn.h"

#include <cstdlib>
#include <cstring>
#include <vector>

#include "app/store.h"

namespace ld::store {

using app::StoreError;

namespace {

constexpr Oid kInt8Oid = 20;
constexpr Oid kByteaOid = 17;

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;
}

class PgRows final : public Rows {
 public:
  explicit PgRows(PGresult* r) : r_(r), n_(PQntuples(r)) {}
  ~PgRows() override { PQclear(r_); }
  bool Next() override { return ++row_ < n_; }
  bool IsNull(int c) override { return PQgetisnull(r_, row_, c) != 0; }
  int64_t Int(int c) override {
    const char* v = PQgetvalue(r_, row_, c);
    // SUM() of a BIGINT is NUMERIC: "12" or "12.0"; both parse as integers here.
    return std::strtoll(v, nullptr, 10);
  }
  std::string Text(int c) override {
    return std::string(PQgetvalue(r_, row_, c), static_cast<size_t>(PQgetlength(r_, row_, c)));
  }
  Guid Id(int c) override {
    // bytea in text form: \x followed by 32 hex digits.
    const char* v = PQgetvalue(r_, row_, c);
    int len = PQgetlength(r_, row_, c);
    if (len != 34 || v[0] != '\\' || v[1] != 'x') return Guid();
    std::array<uint8_t, 16> b{};
    for (int i = 0; i < 16; ++i)
      b[static_cast<size_t>(i)] =
          static_cast<uint8_t>(HexVal(v[2 + 2 * i]) * 16 + HexVal(v[3 + 2 * i]));
    return Guid(b);
  }

 private:
  PGresult* r_;
  int n_;
  int row_ = -1;
};

}  // namespace

std::string NumberPlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  bool in_str = false;
  for (char c : sql) {
    if (c == '\'') in_str = !in_str;
    if (c == '?' && !in_str) {
      out += '$' + std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

PgConn::PgConn(const std::string& conninfo) {
  pg_ = PQconnectdb(conninfo.c_str());
  if (PQstatus(pg_) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(pg_);
    PQfinish(pg_);
    pg_ = nullptr;
    throw StoreError(StoreError::Kind::kUnavailable, "cannot connect to PostgreSQL: " + msg);
  }
  PGresult* r = PQexec(pg_, "SET client_min_messages = warning");
  PQclear(r);
}

PgConn::~PgConn() {
  if (pg_) PQfinish(pg_);
}

bool PgConn::healthy() const {
  return pg_ && PQstatus(pg_) == CONNECTION_OK;
}

void PgConn::Fail(PGresult* res, const std::string& what) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string code = state ? state : "";
  std::string msg = res ? PQresultErrorMessage(res) : PQerrorMessage(pg_);
  if (res) PQclear(res);
  auto kind = StoreError::Kind::kFailure;
  // 40001 serialization failure, 40P01 deadlock, 23505 unique violation: retryable.
  if (code == "40001" || code == "40P01" || code == "23505") kind = StoreError::Kind::kConflict;
  if (code.rfind("08", 0) == 0 || code.rfind("57P", 0) == 0 || code.empty() || !healthy())
    kind = StoreError::Kind::kUnavailable;
  if (!healthy()) prepared_.clear();
  throw StoreError(kind, what + ": " + msg);
}

PGresult* PgConn::Run(std::string_view sql, std::span<const Param> params) {
  std::string key(sql);
  auto it = prepared_.find(key);
  std::vector<Oid> types(params.size(), 0);
  std::vector<std::string> texts(params.size());
  std::vector<const char*> values(params.size(), nullptr);
  std::vector<int> lengths(params.size(), 0);
  std::vector<int> formats(params.size(), 0);
  for (size_t i = 0; i < params.size(); ++i) {
    const Param& p = params[i];
    if (auto* v = std::get_if<int64_t>(&p)) {
      texts[i] = std::to_string(*v);
      values[i] = texts[i].c_str();
      types[i] = kInt8Oid;
    } else if (auto* s = std::get_if<std::string_view>(&p)) {
      texts[i].assign(s->data(), s->size());
      values[i] = texts[i].c_str();
    } else if (auto* b = std::get_if<Blob>(&p)) {
      values[i] = static_cast<const char*>(b->data);
      lengths[i] = static_cast<int>(b->size);
      formats[i] = 1;
      types[i] = kByteaOid;
    }
  }
  if (it == prepared_.end()) {
    std::string name = "s" + std::to_string(++next_);
    std::string numbered = NumberPlaceholders(sql);
    PGresult* r = PQprepare(pg_, name.c_str(), numbered.c_str(), static_cast<int>(params.size()),
                            types.data());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) Fail(r, "postgres prepare");
    PQclear(r);
    it = prepared_.emplace(std::move(key), name).first;
  }
  PGresult* r = PQexecPrepared(pg_, it->second.c_str(), static_cast<int>(params.size()),
                               values.data(), lengths.data(), formats.data(), 0);
  auto st = PQresultStatus(r);
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) Fail(r, "postgres exec");
  return r;
}

std::unique_ptr<Rows> PgConn::Query(std::string_view sql, std::span<const Param> params) {
  return std::make_unique<PgRows>(Run(sql, params));
}

int64_t PgConn::Exec(std::string_view sql, std::span<const Param> params) {
  PGresult* r = Run(sql, params);
  int64_t n = std::strtoll(PQcmdTuples(r), nullptr, 10);
  PQclear(r);
  return n;
}

void PgConn::ExecScript(std::string_view sql) {
  std::string s(sql);
  PGresult* r = PQexec(pg_, s.c_str());
  auto st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) Fail(r, "postgres");
  PQclear(r);
}

}  // namespace ld::store
