#include "store/postgres/pg_store.h"

#include <chrono>
#include <thread>

#include "store/sql_tx.h"

namespace ld::store {

using app::StoreError;

namespace {
// Rolls back, ignoring a broken connection.
void SafeRollback(PgConn& c) {
  try {
    c.ExecScript("ROLLBACK");
  } catch (const StoreError&) {
  }
}
}  // namespace

PgStore::PgStore(const PgOptions& options, int64_t now_ms) : opts_(options) {
  auto c = std::make_unique<PgConn>(opts_.conninfo);
  ++open_;
  // Two servers starting at once: one migrates, the other waits and finds it done.
  c->ExecScript("SELECT pg_advisory_lock(7311)");
  try {
    ApplyMigrations(*c, now_ms);
  } catch (...) {
    c->ExecScript("SELECT pg_advisory_unlock(7311)");
    throw;
  }
  c->ExecScript("SELECT pg_advisory_unlock(7311)");
  Give(std::move(c));
}

PgStore::~PgStore() = default;

std::unique_ptr<PgConn> PgStore::Take() {
  {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return !idle_.empty() || open_ < opts_.poolSize; });
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      if (c->healthy()) return c;
      --open_;  // drop a broken one and open anew below
    }
    ++open_;
  }
  try {
    return std::make_unique<PgConn>(opts_.conninfo);
  } catch (...) {
    std::lock_guard<std::mutex> l(mu_);
    --open_;
    cv_.notify_one();
    throw;
  }
}

void PgStore::Give(std::unique_ptr<PgConn> c) {
  std::lock_guard<std::mutex> l(mu_);
  if (c && c->healthy()) {
    idle_.push_back(std::move(c));
  } else {
    --open_;
  }
  cv_.notify_one();
}

// One transaction on a pooled connection: `begin` opens it, a failed
// result or any exception rolls it back, and the connection always goes
// back to the pool (a broken one is dropped there). `*conflict` says the
// database refused it as a serialization failure, deadlock or unique key
// taken meanwhile: the caller may run it again.
Status PgStore::RunTx(const char* begin, const Fn& fn, bool* conflict) {
  *conflict = false;
  std::unique_ptr<PgConn> c;
  try {
    c = Take();
  } catch (const StoreError& e) {
    return FromStoreError(e);
  }
  Status result;
  try {
    c->ExecScript(begin);
    SqlTx tx(*c);
    result = fn(tx);
    if (result.ok()) {
      tx.FlushAudit();
      c->ExecScript("COMMIT");
    } else {
      SafeRollback(*c);
    }
  } catch (const StoreError& e) {
    SafeRollback(*c);
    *conflict = e.kind() == StoreError::Kind::kConflict;
    result = FromStoreError(e);
  } catch (const std::exception& e) {
    SafeRollback(*c);
    result = Error::Internal(std::string("unexpected error: ") + e.what());
  }
  Give(std::move(c));
  return result;
}

Status PgStore::Write(const Fn& fn) {
  for (int attempt = 0;; ++attempt) {
    bool conflict = false;
    Status result = RunTx("BEGIN ISOLATION LEVEL READ COMMITTED", fn, &conflict);
    if (!conflict || attempt >= opts_.maxRetries) return result;
    std::this_thread::sleep_for(std::chrono::microseconds(200 * (attempt + 1)));
  }
}

Status PgStore::Read(const Fn& fn) {
  bool conflict = false;
  return RunTx("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", fn, &conflict);
}

bool PgStore::Ready() {
  try {
    auto c = Take();
    bool ok = SchemaCurrent(*c);
    Give(std::move(c));
    return ok;
  } catch (const StoreError&) {
    return false;
  }
}

}  // namespace ld::store
