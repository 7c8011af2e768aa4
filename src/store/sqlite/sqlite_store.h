// The embedded backend. One writer thread owns the only read-write
// connection and applies queued writes in batches: BEGIN IMMEDIATE, one
// SAVEPOINT per write (a refused write rolls back alone), COMMIT with
// synchronous=FULL, then every caller of the batch is answered (group
// commit). Reads use a pool of read-only connections (WAL snapshots). A
// checkpointer thread with its own connection copies the WAL back into the
// database file (PASSIVE, so it never blocks the writer), which keeps that
// work and its fsync off the writer's path.
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/store.h"
#include "store/sqlite/sqlite_conn.h"

namespace ld::store {

struct SqliteOptions {
  std::string path;
  int maxBatch = 64;  // writes per transaction at most
  int readers = 64;   // read connections at most (kept open; callers wait beyond)
  // WAL frames (4 KiB pages) after which the writer restarts the WAL from its
  // beginning, waiting for the readers of the moment: under constant reads a
  // PASSIVE checkpoint can copy every frame but never start the WAL over.
  int walRestartFrames = 8192;
};

class SqliteStore final : public app::Store {
 public:
  // Opens the database, applies migrations, starts the writer. Throws
  // app::StoreError when the file cannot be opened or migrated.
  SqliteStore(const SqliteOptions& options, int64_t now_ms);
  ~SqliteStore() override;  // finishes queued writes, then closes

  Status Write(const Fn& fn) override;
  Status Read(const Fn& fn) override;
  bool Ready() override;
  std::string Backend() const override { return "sqlite"; }
  std::optional<Stats> BatchStats() const override { return Stats{commits(), writes()}; }

  // Statistics for benchmarks and /metrics.
  uint64_t commits() const;
  uint64_t writes() const;

 private:
  struct Pending;
  void WriterLoop();
  void RunBatch(std::vector<Pending*>& batch);
  std::unique_ptr<SqliteConn> TakeReader();
  void ReturnReader(std::unique_ptr<SqliteConn> c);
  void DropReader();  // a reader that failed is closed; its slot frees
  void CheckpointLoop();
  void RestartWalIfLarge();

  SqliteOptions opts_;
  std::unique_ptr<SqliteConn> writer_;
  int wal_frames_ = 0;  // the writer's WAL size after its last commit (writer thread only)
  std::chrono::steady_clock::time_point last_restart_{};

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending*> queue_;
  bool stopping_ = false;
  uint64_t commits_ = 0;
  uint64_t writes_ = 0;
  std::thread thread_;
  std::thread checkpointer_;
  std::condition_variable ckpt_cv_;  // with mu_

  std::mutex rmu_;
  std::condition_variable rcv_;
  std::vector<std::unique_ptr<SqliteConn>> readers_;  // idle ones
  int open_readers_ = 0;
};

}  // namespace ld::store
