#include "store/copy.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

#include "app/store.h"

namespace ld::store {

namespace {

enum class Kind { kId, kInt, kText };
struct Column {
  std::string name;
  Kind kind;
};
struct Table {
  std::string name;
  std::vector<Column> columns;
};

Kind KindOf(std::string type) {
  for (auto& ch : type) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (type == "bytea" || type == "blob") return Kind::kId;
  if (type == "text" || type.rfind("character", 0) == 0 || type.rfind("varchar", 0) == 0)
    return Kind::kText;
  if (type == "bigint" || type == "integer" || type == "int" || type == "smallint" ||
      type == "int8" || type == "int4")
    return Kind::kInt;
  throw app::StoreError(app::StoreError::Kind::kFailure,
                        "a column of type '" + type + "' cannot be copied");
}

// Reads the tables and their columns from the database's own catalog
// (sqlite_master and PRAGMA table_info; pg_class and information_schema), in
// the order they were created, which satisfies the foreign keys. The
// bookkeeping table of the migrations is not data: each side keeps its own.
std::vector<Table> ReadSchema(Conn& db) {
  std::vector<Table> out;
  const bool pg = db.dialect() == Dialect::kPostgres;
  {
    auto r = db.Query(pg ? "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = "
                           "c.relnamespace WHERE c.relkind = 'r' AND n.nspname = "
                           "current_schema() ORDER BY c.oid"
                         : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT "
                           "LIKE 'sqlite_%' ORDER BY rowid",
                      {});
    while (r->Next()) {
      std::string name = r->Text(0);
      if (name != "schema_migrations") out.push_back({name, {}});
    }
  }
  for (auto& t : out) {
    if (pg) {
      const Param p[] = {std::string_view(t.name)};
      auto r = db.Query(
          "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = "
          "current_schema() AND table_name = ? ORDER BY ordinal_position",
          p);
      while (r->Next()) t.columns.push_back({r->Text(0), KindOf(r->Text(1))});
    } else {
      auto r = db.Query("PRAGMA table_info(" + t.name + ")", {});
      while (r->Next()) t.columns.push_back({r->Text(1), KindOf(r->Text(2))});
    }
  }
  return out;
}

std::string SelectAll(const Table& t) {
  std::string cols;
  for (const auto& c : t.columns) cols += (cols.empty() ? "" : ", ") + c.name;
  return "SELECT " + cols + " FROM " + t.name;
}

// Sum of per-row hashes (mod 2^64): equal for equal multisets of rows.
std::string RowHash(Rows& r, const Table& t, uint64_t* sum) {
  std::string row;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    int c = static_cast<int>(i);
    if (r.IsNull(c)) {
      row += "\x01N";
      continue;
    }
    switch (t.columns[i].kind) {
      case Kind::kId:
        row += "\x01I" + r.Id(c).str();
        break;
      case Kind::kInt:
        row +=
            "\x01"
            "D" +
            std::to_string(r.Int(c));
        break;
      case Kind::kText:
        row += "\x01T" + r.Text(c);
        break;
    }
  }
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(row.data()), row.size());
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | h[i];
  *sum += v;
  return row;
}

TableReport Measure(Conn& db, const Table& t) {
  TableReport rep;
  rep.table = t.name;
  uint64_t sum = 0;
  auto r = db.Query(SelectAll(t), {});
  while (r->Next()) {
    RowHash(*r, t, &sum);
    ++rep.sourceRows;
  }
  rep.sourceChecksum = std::to_string(sum);
  return rep;
}

}  // namespace

std::vector<std::string> SchemaTables(Conn& db) {
  std::vector<std::string> out;
  for (const auto& t : ReadSchema(db)) out.push_back(t.name);
  return out;
}

std::vector<TableReport> Describe(Conn& db) {
  std::vector<TableReport> out;
  for (const auto& t : ReadSchema(db)) out.push_back(Measure(db, t));
  return out;
}

std::vector<TableReport> CopyDatabase(Conn& from, Conn& to) {
  auto tables = ReadSchema(from);
  {
    // Both sides must be at the same schema: the same tables and columns.
    auto target = ReadSchema(to);
    auto names = [](const std::vector<Table>& ts) {
      std::map<std::string, std::vector<std::string>> m;
      for (const auto& t : ts)
        for (const auto& c : t.columns) m[t.name].push_back(c.name);
      for (auto& [_, cols] : m) std::sort(cols.begin(), cols.end());
      return m;
    };
    if (names(tables) != names(target))
      throw app::StoreError(app::StoreError::Kind::kFailure,
                            "the source and target databases have different schemas");
  }
  {
    auto r = to.Query("SELECT COUNT(*) FROM tenants", {});
    if (r->Next() && r->Int(0) > 0)
      throw app::StoreError(app::StoreError::Kind::kFailure,
                            "the target database already holds organizations");
  }
  from.ExecScript("BEGIN");
  to.ExecScript("BEGIN");
  try {
    // Counters are seeded by the migration: replace them with the source's.
    to.ExecScript("DELETE FROM counters");
    for (const auto& t : tables) {
      std::string cols, marks;
      for (const auto& c : t.columns) {
        cols += (cols.empty() ? "" : ", ") + c.name;
        marks += marks.empty() ? "?" : ", ?";
      }
      std::string insert = "INSERT INTO " + t.name + " (" + cols + ") VALUES (" + marks + ")";
      auto r = from.Query(SelectAll(t), {});
      std::vector<Guid> ids(t.columns.size());
      std::vector<std::string> texts(t.columns.size());
      std::vector<Param> params(t.columns.size());
      while (r->Next()) {
        for (size_t i = 0; i < t.columns.size(); ++i) {
          int c = static_cast<int>(i);
          if (r->IsNull(c)) {
            params[i] = nullptr;
            continue;
          }
          switch (t.columns[i].kind) {
            case Kind::kId:
              ids[i] = r->Id(c);
              params[i] = Blob{ids[i].bytes().data(), 16};
              break;
            case Kind::kInt:
              params[i] = r->Int(c);
              break;
            case Kind::kText:
              texts[i] = r->Text(c);
              params[i] = std::string_view(texts[i]);
              break;
          }
        }
        to.Exec(insert, params);
      }
    }
    to.ExecScript("COMMIT");
    from.ExecScript("COMMIT");
  } catch (...) {
    try {
      to.ExecScript("ROLLBACK");
      from.ExecScript("ROLLBACK");
    } catch (...) {
    }
    throw;
  }
  std::vector<TableReport> out;
  for (const auto& t : tables) {
    TableReport src = Measure(from, t), dst = Measure(to, t);
    src.targetRows = dst.sourceRows;
    src.targetChecksum = dst.sourceChecksum;
    out.push_back(src);
  }
  return out;
}

}  // namespace ld::store
