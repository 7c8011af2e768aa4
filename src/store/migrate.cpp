#include <set>

#include "store/sql.h"

namespace ld::store {

namespace {
void EnsureTable(Conn& c) {
  c.ExecScript(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT "
      "NULL, applied_at BIGINT NOT NULL)");
}
std::set<int64_t> Applied(Conn& c) {
  std::set<int64_t> out;
  auto r = Q(c, "SELECT version FROM schema_migrations");
  while (r->Next()) out.insert(r->Int(0));
  return out;
}
}  // namespace

int ApplyMigrations(Conn& c, int64_t now_ms) {
  EnsureTable(c);
  auto done = Applied(c);
  int n = 0;
  for (const Migration& m : Migrations()) {
    if (done.count(m.version)) continue;
    c.ExecScript("BEGIN");
    try {
      c.ExecScript(m.sql);
      X(c, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", m.version,
        m.name, now_ms);
      c.ExecScript("COMMIT");
    } catch (...) {
      c.ExecScript("ROLLBACK");
      throw;
    }
    ++n;
  }
  return n;
}

bool SchemaCurrent(Conn& c) {
  auto done = Applied(c);
  for (const Migration& m : Migrations())
    if (!done.count(m.version)) return false;
  return true;
}

}  // namespace ld::store
