// The scale-out backend: PostgreSQL 15 through a pool of libpq connections.
// Writes run concurrently, each in its own READ COMMITTED transaction; the
// row locks taken through Tx::LockPool / Tx::LockCart and the unique indexes
// keep R4, R5 and R7 across transactions and across servers. A transaction
// that hits a serialization failure, a deadlock or a unique-key race is run
// again from the start (the Store contract allows fn to run more than once).
// Reads run in REPEATABLE READ READ ONLY snapshots. Thread-safe.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "app/store.h"
#include "store/postgres/pg_conn.h"

namespace ld::store {

struct PgOptions {
  std::string conninfo;  // a libpq URL or key=value string
  int poolSize = 16;
  int maxRetries = 20;
};

class PgStore final : public app::Store {
 public:
  // Connects and applies migrations under an advisory lock, so servers that
  // start together migrate once. Throws app::StoreError when unreachable.
  PgStore(const PgOptions& options, int64_t now_ms);
  ~PgStore() override;

  Status Write(const Fn& fn) override;
  Status Read(const Fn& fn) override;
  bool Ready() override;
  std::string Backend() const override { return "postgresql"; }

 private:
  Status RunTx(const char* begin, const Fn& fn, bool* conflict);
  std::unique_ptr<PgConn> Take();
  void Give(std::unique_ptr<PgConn> c);

  PgOptions opts_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConn>> idle_;
  int open_ = 0;
};

}  // namespace ld::store
