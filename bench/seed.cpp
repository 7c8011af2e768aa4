#include "seed.h"

#include <cctype>

#include "common.h"
#include "sqlite_util.h"

namespace ldb {

SeedResult SeedUsers(const SeedOptions& o) {
  double t0 = Now();
  Db db(o.dbPath);
  // Setup, not a measurement: a big page cache keeps the index updates in
  // memory; durability comes from the checkpoint at the end.
  db.Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-262144");
  std::array<uint8_t, 16> tenant{};
  {
    Stmt& s = db.Prepare("SELECT tenant_id FROM domains WHERE name = ?");
    s.Text(1, o.domain);
    if (!s.Step()) throw std::runtime_error("no organization has the domain " + o.domain);
    tenant = s.ColumnId(0);
    s.Reset();
  }
  // Older than the admin, one millisecond apart, so ids and created_at both
  // increase with the number (B-tree appends, a stable order).
  int64_t base = UnixMs() - o.count - 60000;
  db.Exec("BEGIN IMMEDIATE");
  Stmt& ins = db.Prepare(
      "INSERT INTO users (tenant_id, id, upn, display_name, display_name_lower, mail_nickname, "
      "usage_location, preferred_language, account_enabled, password_hash, created_at) VALUES "
      "(?, ?, ?, ?, ?, ?, ?, NULL, 1, '', ?)");
  std::string suffix = "@" + o.domain;
  char num[32];
  for (int64_t i = 1; i <= o.count; ++i) {
    std::snprintf(num, sizeof num, "%07lld", static_cast<long long>(i));
    std::string nick = o.prefix + num;
    std::string display = "Bench User " + std::string(num);
    std::string lower = display;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    int64_t created = base + i;
    ins.Blob(1, tenant).Blob(2, NewV7(created)).Text(3, nick + suffix).Text(4, display);
    ins.Text(5, lower).Text(6, nick);
    if (o.withUsageLocation)
      ins.Text(7, "US");
    else
      ins.Null(7);
    ins.Int(8, created).Run();
  }
  db.Exec("COMMIT");
  db.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  return {o.count, Now() - t0};
}

}  // namespace ldb
