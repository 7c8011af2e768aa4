// Physical limits of the databases, measured with the project's own schema
// (src/store/migrations/0001_init.sql) and the same pragmas as the server
// (WAL, synchronous=FULL), but without the server: prepared statements in a
// loop, one thread, nothing else. These are the denominators of the ratios.
#pragma once

#include <cstdint>
#include <string>

#include "common.h"

namespace ldb {

struct RawResult {
  int64_t ops = 0;
  double seconds = 0;
  double opsPerS = 0;
  Stats lat;  // per commit (SQLite) or per transaction (PostgreSQL), ms
};

// The rows one API operation writes.
enum class Rows {
  // POST /api/v1/carts + POST .../checkout with an Idempotency-Key: cart,
  // cart line, order, order line, subscription, invoice, invoice line,
  // idempotency key, 3 audit entries, the invoice counter, and the updates of
  // order, order lines, cart and key that the second checkout write makes.
  kCheckout,
  // assignLicense of one SKU: the assignment, the pool counter, one audit entry.
  kAssign,
};
const char* RowsName(Rows r);

// A fresh SQLite file in `dir` with `schema`; `batch` operations per COMMIT;
// runs for `seconds`.
RawResult SqliteCommitRate(const std::string& dir, const std::string& schema, Rows rows, int batch,
                           double seconds);

// On an existing database file (a copy: it is changed): one transaction that
// gives the first `n` license-less users of the tenant owning `domain` an
// assignment and a usage location where they have none, plus one audit entry
// for the set, row by row with prepared statements; what a checkout with
// autoAssign writes.
// Returns seconds from BEGIN to the durable COMMIT.
// `setBased`: the server's own INSERT ... SELECT statements instead of a
// loop of prepared statements (which one is faster depends on the machine).
double SqliteBulkAssign(const std::string& path, const std::string& domain, int64_t n,
                        bool setBased);

// Keyset paging by id through the users of the tenant owning `domain`, `page`
// rows per query, every column read, as the Graph listing queries them.
// ops = users read.
RawResult SqlitePaging(const std::string& path, const std::string& domain, int page,
                       double maxSeconds);

// PostgreSQL at `url`: the assign rows, one transaction per operation, from
// `threads` connections (own pool rows, so no lock waits), for `seconds`. Uses a
// schema of its own, dropped at the end. Throws std::runtime_error.
RawResult PgCommitRate(const std::string& url, const std::string& schema, int threads,
                       double seconds);

}  // namespace ldb
