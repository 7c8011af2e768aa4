#include "store/sqlite/sqlite_store.h"

#include <chrono>
#include <future>
#include <thread>

#include "store/sql_tx.h"

namespace ld::store {

using app::StoreError;

struct SqliteStore::Pending {
  const Fn* fn;
  Status result;
  std::promise<void> done;
};

SqliteStore::SqliteStore(const SqliteOptions& options, int64_t now_ms) : opts_(options) {
  writer_ = std::make_unique<SqliteConn>(opts_.path, false);
  ApplyMigrations(*writer_, now_ms);
  // The checkpointer does this work instead of the writer's commits; the
  // hook records the WAL's size after each commit (RestartWalIfLarge). A WAL
  // that grew (a large auto-assign) is cut back to 64 MiB when it restarts.
  writer_->ExecScript("PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=67108864");
  sqlite3_wal_hook(
      writer_->raw(),
      [](void* self, sqlite3*, const char*, int frames) {
        static_cast<SqliteStore*>(self)->wal_frames_ = frames;
        return SQLITE_OK;
      },
      this);
  thread_ = std::thread([this] { WriterLoop(); });
  checkpointer_ = std::thread([this] { CheckpointLoop(); });
}

void SqliteStore::CheckpointLoop() {
  std::unique_ptr<SqliteConn> conn;
  uint64_t done_at = 0;  // commits_ when the last checkpoint ran
  std::unique_lock<std::mutex> l(mu_);
  while (!stopping_) {
    ckpt_cv_.wait_for(l, std::chrono::milliseconds(100));
    if (stopping_ || commits_ == done_at) continue;
    done_at = commits_;
    l.unlock();
    try {
      if (!conn) conn = std::make_unique<SqliteConn>(opts_.path, false);
      int wal_frames = 0, copied = 0;
      sqlite3_wal_checkpoint_v2(conn->raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_frames,
                                &copied);
    } catch (const StoreError&) {
      conn.reset();  // retried on the next round; the WAL keeps every commit meanwhile
    }
    l.lock();
  }
}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  ckpt_cv_.notify_all();
  if (checkpointer_.joinable()) checkpointer_.join();
  if (thread_.joinable()) thread_.join();
}

Status SqliteStore::Write(const Fn& fn) {
  Pending p{&fn, Ok(), {}};
  auto fut = p.done.get_future();
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stopping_) return Error::Unavailable("the server is shutting down");
    queue_.push_back(&p);
  }
  cv_.notify_one();
  fut.wait();
  return std::move(p.result);
}

void SqliteStore::WriterLoop() {
  std::vector<Pending*> batch;
  for (;;) {
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      while (!queue_.empty() && batch.size() < static_cast<size_t>(opts_.maxBatch)) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    RunBatch(batch);
    batch.clear();
    RestartWalIfLarge();
  }
}

// The WAL only starts over from its beginning when a write begins while no
// reader uses it. Under steady reads that never happens: it grew by ~70 MB/s
// under the checkout load, every write extended the file (the file system
// zeroed the new blocks: 13% of the server's CPU) and every read searched a
// larger WAL index. So after the callers of a batch were answered, a WAL past
// walRestartFrames is checkpointed in RESTART mode. Once its frames are
// copied, new readers read the database file only, so it waits just for the
// reads in flight: in steps of 100 us (the default busy handler sleeps 1, 2,
// 5, 10 ms... and held the writer for tens of ms), for 5 ms at most, then
// gives up until the next try (at most every 50 ms).
void SqliteStore::RestartWalIfLarge() {
  if (wal_frames_ < opts_.walRestartFrames) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_restart_ < std::chrono::milliseconds(50)) return;
  last_restart_ = now;
  sqlite3_busy_handler(
      writer_->raw(),
      [](void*, int tries) {
        std::this_thread::sleep_for(std::chrono::microseconds(100));
        return tries < 50 ? 1 : 0;
      },
      nullptr);
  int log = 0, copied = 0;
  int rc =
      sqlite3_wal_checkpoint_v2(writer_->raw(), nullptr, SQLITE_CHECKPOINT_RESTART, &log, &copied);
  sqlite3_busy_timeout(writer_->raw(), 10000);  // the connection's usual handler
  if (rc == SQLITE_OK) wal_frames_ = 0;
}

void SqliteStore::RunBatch(std::vector<Pending*>& batch) {
  SqlTx tx(*writer_);
  bool began = false;
  try {
    writer_->Exec("BEGIN IMMEDIATE", {});
    began = true;
    for (Pending* p : batch) {
      writer_->Exec("SAVEPOINT w", {});
      try {
        p->result = (*p->fn)(tx);
        if (p->result.ok()) tx.FlushAudit();
      } catch (const StoreError& e) {
        p->result = FromStoreError(e);
      } catch (const std::exception& e) {
        p->result = Error::Internal(std::string("unexpected error: ") + e.what());
      }
      tx.DiscardAudit();  // what a failed transaction left unwritten
      if (!p->result.ok()) writer_->Exec("ROLLBACK TO w", {});
      writer_->Exec("RELEASE w", {});
    }
    writer_->Exec("COMMIT", {});
    std::lock_guard<std::mutex> l(mu_);
    ++commits_;
    writes_ += batch.size();
  } catch (const StoreError& e) {
    // The transaction as a whole failed: nothing of the batch is durable.
    if (began) {
      try {
        writer_->ExecScript("ROLLBACK");
      } catch (const StoreError&) {
      }
    }
    for (Pending* p : batch)
      if (p->result.ok()) p->result = FromStoreError(e);
  }
  for (Pending* p : batch) p->done.set_value();
}

// Read connections are opened on demand up to opts_.readers and then kept:
// opening one per request under load cost more than the query (bench/).
std::unique_ptr<SqliteConn> SqliteStore::TakeReader() {
  {
    std::unique_lock<std::mutex> l(rmu_);
    rcv_.wait(l, [&] { return !readers_.empty() || open_readers_ < opts_.readers; });
    if (!readers_.empty()) {
      auto c = std::move(readers_.back());
      readers_.pop_back();
      return c;
    }
    ++open_readers_;
  }
  try {
    return std::make_unique<SqliteConn>(opts_.path, true);
  } catch (...) {
    DropReader();
    throw;
  }
}

void SqliteStore::ReturnReader(std::unique_ptr<SqliteConn> c) {
  {
    std::lock_guard<std::mutex> l(rmu_);
    readers_.push_back(std::move(c));
  }
  rcv_.notify_one();
}

void SqliteStore::DropReader() {
  {
    std::lock_guard<std::mutex> l(rmu_);
    --open_readers_;
  }
  rcv_.notify_one();
}

Status SqliteStore::Read(const Fn& fn) {
  std::unique_ptr<SqliteConn> c;
  try {
    c = TakeReader();
  } catch (const StoreError& e) {
    return FromStoreError(e);
  }
  Status result;
  try {
    c->Exec("BEGIN", {});
    SqlTx tx(*c);
    result = fn(tx);
    c->Exec("COMMIT", {});
  } catch (const StoreError& e) {
    // A reader in doubt is closed rather than reused.
    c.reset();
    DropReader();
    return result.ok() ? Status(FromStoreError(e)) : result;
  } catch (const std::exception& e) {
    // Anything else thrown mid-read: the reader still has its transaction
    // open, so it is closed too, and its place in the pool given back.
    c.reset();
    DropReader();
    return Error::Internal(std::string("unexpected error: ") + e.what());
  }
  ReturnReader(std::move(c));
  return result;
}

bool SqliteStore::Ready() {
  bool ok = false;
  Status st = Read([&](app::Tx&) { return Ok(); });
  if (!st.ok()) return false;
  std::unique_ptr<SqliteConn> c;
  try {
    c = TakeReader();
    ok = SchemaCurrent(*c);
  } catch (const StoreError&) {
    if (c) {
      c.reset();
      DropReader();
    }
    return false;
  }
  ReturnReader(std::move(c));
  return ok;
}

uint64_t SqliteStore::commits() const {
  std::lock_guard<std::mutex> l(mu_);
  return commits_;
}

uint64_t SqliteStore::writes() const {
  std::lock_guard<std::mutex> l(mu_);
  return writes_;
}

}  // namespace ld::store
