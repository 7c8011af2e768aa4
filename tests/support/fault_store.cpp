#include "support/fault_store.h"

#include <optional>
#include <thread>

#include "store/sql.h"

namespace ld::testing {

using app::StoreError;

const char* ToString(Fault f) {
  switch (f) {
    case Fault::kFail:
      return "fail";
    case Fault::kTimeout:
      return "timeout";
    case Fault::kLoseAnswer:
      return "loseAnswer";
  }
  return "?";
}

void FaultStore::Arm(FaultPlan plan) {
  std::lock_guard<std::mutex> l(mu_);
  plan_ = std::move(plan);
  armed_ = true;
  matched_ = 0;
  writes_ = 0;
}

void FaultStore::Disarm() {
  std::lock_guard<std::mutex> l(mu_);
  armed_ = false;
}

void FaultStore::FailReads(int n) {
  std::lock_guard<std::mutex> l(mu_);
  failing_reads_ = n;
}

int FaultStore::injected() const {
  std::lock_guard<std::mutex> l(mu_);
  return injected_;
}

int FaultStore::writes() const {
  std::lock_guard<std::mutex> l(mu_);
  return writes_;
}

bool FaultStore::Hit(app::Tx& tx) {
  std::lock_guard<std::mutex> l(mu_);
  if (!armed_) return false;
  if (plan_.when && !plan_.when(tx)) return false;
  ++matched_;
  if (matched_ < plan_.nth || matched_ >= plan_.nth + plan_.times) return false;
  ++injected_;
  return true;
}

Status FaultStore::Write(const Fn& fn) {
  Fault fault;
  {
    std::lock_guard<std::mutex> l(mu_);
    ++writes_;
    fault = plan_.fault;
  }
  // Decided once per Write: a backend may run fn again (PostgreSQL retries a
  // serialization failure) and the retry must meet the same fate.
  std::optional<bool> hit;
  StoreError::Kind kind = StoreError::Kind::kUnavailable;
  Status st = inner_.Write([&](app::Tx& tx) -> Status {
    Status s = fn(tx);
    if (!s.ok()) return s;
    if (!hit) hit = Hit(tx);
    if (*hit && fault != Fault::kLoseAnswer) {
      {
        std::lock_guard<std::mutex> l(mu_);
        if (fault == Fault::kFail) kind = plan_.kind;
      }
      // Thrown inside the transaction: the backend rolls this write back.
      throw StoreError(kind, std::string("injected fault (") + ToString(fault) + ")");
    }
    return s;
  });
  if (!hit || !*hit) return st;
  if (fault == Fault::kTimeout) {
    std::chrono::milliseconds delay;
    {
      std::lock_guard<std::mutex> l(mu_);
      delay = plan_.delay;
    }
    std::this_thread::sleep_for(delay);
    return store::FromStoreError(StoreError(StoreError::Kind::kUnavailable,
                                            "injected fault (timeout): statement timed out"));
  }
  if (fault == Fault::kLoseAnswer && st.ok()) {
    return store::FromStoreError(
        StoreError(StoreError::Kind::kUnavailable,
                   "injected fault (loseAnswer): connection lost after COMMIT"));
  }
  return st;
}

Status FaultStore::Read(const Fn& fn) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (failing_reads_ > 0) {
      --failing_reads_;
      ++injected_;
      return store::FromStoreError(
          StoreError(StoreError::Kind::kUnavailable, "injected fault (read): connection refused"));
    }
  }
  return inner_.Read(fn);
}

}  // namespace ld::testing
