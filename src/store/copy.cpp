#include "store/copy.h"

#include <sodium.h>

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

// Reads the tables and column types from the migrations' CREATE TABLE
// statements, so the copy follows the schema without a second description.
std::vector<Table> ParseSchema() {
  std::vector<Table> out;
  for (const Migration& m : Migrations()) {
    std::istringstream in{std::string(m.sql)};
    std::string line;
    Table* cur = nullptr;
    while (std::getline(in, line)) {
      if (line.rfind("CREATE TABLE ", 0) == 0) {
        std::string name = line.substr(13);
        name = name.substr(0, name.find(' '));
        out.push_back({name, {}});
        cur = &out.back();
        continue;
      }
      if (!cur) continue;
      if (line.rfind(");", 0) == 0) {
        cur = nullptr;
        continue;
      }
      std::istringstream l(line);
      std::string col, type;
      l >> col >> type;
      if (col.empty() || col == "PRIMARY" || col == "UNIQUE" || col.rfind("--", 0) == 0) continue;
      if (type.back() == ',') type.pop_back();
      Kind k = type == "BYTEA" ? Kind::kId : (type == "TEXT" ? Kind::kText : Kind::kInt);
      cur->columns.push_back({col, k});
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

std::vector<std::string> SchemaTables() {
  std::vector<std::string> out;
  for (const auto& t : ParseSchema()) out.push_back(t.name);
  return out;
}

std::vector<TableReport> Describe(Conn& db) {
  std::vector<TableReport> out;
  for (const auto& t : ParseSchema()) out.push_back(Measure(db, t));
  return out;
}

std::vector<TableReport> CopyDatabase(Conn& from, Conn& to) {
  auto tables = ParseSchema();
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
