// A real PostgreSQL server for tests. ctest starts one for the whole run
// (fixture `pg`, env LD_TEST_PG_URL_FILE); a test binary run by hand starts
// its own on first use and stops it at exit. Each caller gets a fresh
// database, so tests never see each other's rows.
#pragma once

#include <string>

namespace ld::testing {

// True when the tests should run on PostgreSQL (LD_TEST_BACKEND=postgres).
bool UsePostgres();
// Creates an empty database and returns its libpq URL.
std::string FreshPostgresDatabase();

}  // namespace ld::testing
