// Durable background work: the one mechanism every feature's background
// work goes through (engineering.md, "Background work").
//
// An item is a row (store: work_items) named by (kind, tenant, key). A use
// case enqueues it with Enqueue on its own transaction, so the item exists
// exactly when the change that causes it committed (the outbox). Each server
// runs a WorkQueue: for each registered kind in turn it claims a batch of due
// items under a lease (real time; on PostgreSQL with FOR UPDATE SKIP LOCKED,
// so two servers never claim one item), runs the kind's handler on each, and
// finishes (deletes) or reschedules each in one transaction. A server that
// dies holding items loses them when its lease passes; another server then
// claims them again. Handlers must therefore be idempotent (they may run
// again after a crash), and a handler that outlives its lease may find its
// finish refused (another server took the item over).
//
// Due times are billing time (Context::Now), so the test clock drives them.
// A recurring kind (repeatEveryMs > 0) keeps one item that is rescheduled
// after each run instead of deleted: the periodic scans (lifecycle, pending
// checkouts and license changes, retention) are such kinds.
//
// A failing handler is retried with exponential backoff (retryBaseMs doubling
// up to retryMaxMs); after maxAttempts it is marked failed and kept for the
// operator (/metrics counts it). A kind is run by at most one runner thread
// of a server at a time and claims at most `batch` items per turn, so a slow
// kind never starves the others.
//
// Thread-safety: Register before Start; RunOnce and the runner threads may
// run concurrently (per-kind exclusivity is inside).
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/context.h"
#include "app/store.h"

namespace ld::app {

struct WorkKind {
  std::string kind;
  std::function<Status(Context&, const WorkItem&)> run;
  int batch = 16;
  int64_t leaseMs = 5 * 60 * 1000;
  int maxAttempts = 10;
  int64_t retryBaseMs = 1000;
  int64_t retryMaxMs = 60 * 60 * 1000;
  int64_t repeatEveryMs = 0;  // > 0: recurring (one item, key "tick", deployment-wide)
};

// Adds `item` (kind, tenantId, key, dueAt, payload) on the caller's
// transaction. Enqueuing an item that is already queued keeps one item at
// the earlier due time with the new payload; one that is running runs again.
void Enqueue(Tx& tx, Context& ctx, WorkItem item);

// Per kind: queued, running and failed items and the oldest due one (for
// /metrics), across every server of the deployment.
Result<std::vector<WorkKindStats>> WorkStatus(Context& ctx);

// The next due time after a failed attempt: base * 2^(attempts-1), capped.
Instant RetryAt(const WorkKind& k, int attempts, Instant now);

class WorkQueue {
 public:
  // `owner` names this server in leases (unique per process).
  WorkQueue(Context& ctx, std::string owner);
  ~WorkQueue();  // Stop()
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void Register(WorkKind kind);
  // Creates the recurring kinds' items when missing (due now).
  Status EnsureRecurring();

  // One turn over every kind (or only `kind`): claims and runs what is due.
  // Returns the number of items run. Kinds another thread of this server is
  // running are skipped.
  Result<int> RunOnce(const std::string& kind = "");

  // `threads` runner threads, each turning over the kinds and sleeping
  // `idle` when a turn ran nothing (or until Wake()).
  void Start(int threads, std::chrono::milliseconds idle);
  void Wake();
  void Stop();  // lets the items in hand finish, then joins

  const std::string& owner() const { return owner_; }

 private:
  struct Kind {
    WorkKind def;
    std::atomic<bool> busy{false};
  };
  Result<int> RunKind(Kind& k);

  Context& ctx_;
  std::string owner_;
  std::vector<std::unique_ptr<Kind>> kinds_;
  std::atomic<size_t> next_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool woken_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace ld::app
