// The bench-only seeding step: writes directory users straight into the
// SQLite file of a stopped server, with the schema of
// src/store/migrations/0001_init.sql, instead of a million POST /v1.0/users.
// Rows look like the API's: UUIDv7 ids (16-byte blobs) minted from each
// user's created_at, a lower-case UPN in the organization's initial domain,
// display_name_lower, account enabled, no password. Unlike the API it writes
// no audit entries for the creation.
#pragma once

#include <cstdint>
#include <string>

namespace ldb {

struct SeedOptions {
  std::string dbPath;  // the server's SQLite file; the server must be stopped
  std::string domain;  // an organization's domain, e.g. bench-p.licensedesk.test
  int64_t count = 0;
  std::string prefix = "u";       // UPN u0000001@domain
  bool withUsageLocation = true;  // usage_location 'US', else NULL
};

struct SeedResult {
  int64_t users = 0;
  double seconds = 0;
};

// One transaction, then a WAL checkpoint so the server starts from a small
// WAL. Throws std::runtime_error.
SeedResult SeedUsers(const SeedOptions& o);

}  // namespace ldb
