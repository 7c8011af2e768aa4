#include "app/work.h"

#include <algorithm>
#include <iostream>

namespace ld::app {

void Enqueue(Tx& tx, Context& ctx, WorkItem item) {
  if (item.createdAt == 0) item.createdAt = ctx.Now();
  tx.EnqueueWork(item);
}

Result<std::vector<WorkKindStats>> WorkStatus(Context& ctx) {
  std::vector<WorkKindStats> out;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    out = tx.WorkStats(ctx.SecurityNow());
    return Ok();
  }));
  return out;
}

Instant RetryAt(const WorkKind& k, int attempts, Instant now) {
  int64_t delay = std::max<int64_t>(k.retryBaseMs, 1);
  for (int i = 1; i < attempts && delay < k.retryMaxMs; ++i) delay *= 2;
  return now + std::min(delay, k.retryMaxMs);
}

WorkQueue::WorkQueue(Context& ctx, std::string owner) : ctx_(ctx), owner_(std::move(owner)) {}

WorkQueue::~WorkQueue() {
  Stop();
}

void WorkQueue::Register(WorkKind kind) {
  auto k = std::make_unique<Kind>();
  k->def = std::move(kind);
  kinds_.push_back(std::move(k));
}

Status WorkQueue::EnsureRecurring() {
  return ctx_.store.Write([&](Tx& tx) -> Status {
    for (const auto& k : kinds_) {
      if (k->def.repeatEveryMs <= 0) continue;
      if (tx.FindWork(k->def.kind, Guid{}, "tick")) continue;
      WorkItem w;
      w.kind = k->def.kind;
      w.key = "tick";
      w.dueAt = ctx_.Now();
      Enqueue(tx, ctx_, w);
    }
    return Ok();
  });
}

Result<int> WorkQueue::RunKind(Kind& k) {
  bool expected = false;
  if (!k.busy.compare_exchange_strong(expected, true)) return 0;
  struct Release {
    std::atomic<bool>& b;
    ~Release() { b = false; }
  } release{k.busy};
  const WorkKind& def = k.def;
  std::vector<WorkItem> items;
  const Instant lease_now = ctx_.SecurityNow();
  LD_TRY(ctx_.store.Write([&](Tx& tx) -> Status {
    items =
        tx.ClaimWork(def.kind, ctx_.Now(), lease_now, owner_, lease_now + def.leaseMs, def.batch);
    return Ok();
  }));
  int ran = 0;
  for (const auto& item : items) {
    Status st = Error::Internal("not run");
    try {
      st = def.run(ctx_, item);
    } catch (const std::exception& e) {
      st = Error::Internal(std::string("the handler threw: ") + e.what());
    }
    ++ran;
    const Instant now = ctx_.Now();
    Status done = ctx_.store.Write([&](Tx& tx) -> Status {
      if (st.ok()) {
        if (def.repeatEveryMs > 0)
          tx.RescheduleWork(item, std::max(now, item.dueAt) + def.repeatEveryMs, "", false);
        else
          tx.FinishWork(item);
      } else {
        bool give_up = item.attempts >= def.maxAttempts && def.repeatEveryMs <= 0;
        tx.RescheduleWork(item, RetryAt(def, item.attempts, now), st.error().message, give_up);
      }
      return Ok();
    });
    if (!st.ok())
      std::cerr << "licensedesk: work " << def.kind << " " << item.key << " failed (attempt "
                << item.attempts << "): " << st.error().message << "\n";
    // A finish that could not be written leaves the item leased: it runs
    // again once the lease passes (handlers are idempotent).
    if (!done.ok())
      std::cerr << "licensedesk: finishing work " << def.kind << " " << item.key
                << " failed: " << done.error().message << "\n";
  }
  return ran;
}

Result<int> WorkQueue::RunOnce(const std::string& kind) {
  int ran = 0;
  if (kinds_.empty()) return 0;
  // Start each turn at another kind, so concurrent turns spread over them.
  size_t start = next_.fetch_add(1) % kinds_.size();
  for (size_t i = 0; i < kinds_.size(); ++i) {
    Kind& k = *kinds_[(start + i) % kinds_.size()];
    if (!kind.empty() && k.def.kind != kind) continue;
    auto n = RunKind(k);
    if (!n.ok()) return n.error();
    ran += *n;
  }
  return ran;
}

void WorkQueue::Start(int threads, std::chrono::milliseconds idle) {
  for (int i = 0; i < std::max(1, threads); ++i)
    threads_.emplace_back([this, idle] {
      std::unique_lock lock(mu_);
      while (!stop_) {
        lock.unlock();
        int ran = 0;
        try {
          auto r = RunOnce();
          if (r.ok())
            ran = *r;
          else
            std::cerr << "licensedesk: background work: " << r.error().message << "\n";
        } catch (const std::exception& e) {
          // A storage outage must not end the server; the next turn tries again.
          std::cerr << "licensedesk: background work: " << e.what() << "\n";
        }
        lock.lock();
        if (ran == 0 && !stop_) {
          cv_.wait_for(lock, idle, [this] { return stop_ || woken_; });
          woken_ = false;
        }
      }
    });
}

void WorkQueue::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

void WorkQueue::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

}  // namespace ld::app
