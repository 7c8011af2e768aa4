// Moving a deployment between databases (`licensedesk migrate --from --to`):
// every table of the schema is copied row by row into an empty target inside
// one transaction, then verified by row counts and an order-independent
// checksum of every row on both sides.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/sql.h"

namespace ld::store {

struct TableReport {
  std::string table;
  int64_t sourceRows = 0;
  int64_t targetRows = 0;
  std::string sourceChecksum;
  std::string targetChecksum;
  bool ok() const { return sourceRows == targetRows && sourceChecksum == targetChecksum; }
};

// The tables of `db`'s schema as its catalog lists them, in creation order
// (which satisfies foreign keys), without the migrations' bookkeeping.
std::vector<std::string> SchemaTables(Conn& db);

// Copies all rows; the target must have the schema applied and hold no
// tenants. Throws app::StoreError on failure (the target transaction is
// rolled back).
std::vector<TableReport> CopyDatabase(Conn& from, Conn& to);

// Counts and checksums of one database (for verifying a copy).
std::vector<TableReport> Describe(Conn& db);

}  // namespace ld::store
