// A fault-injecting decorator around a real app::Store, for tests that prove
// the use cases keep their promises when the database misbehaves at a chosen
// step. It wraps only the Store (never the Tx), so a method added to app::Tx
// needs no change here.
//
// Aiming: a plan names the nth Write (counted from Arm) that matches an
// optional predicate. The predicate runs inside that Write, after the use
// case's function succeeded, on the same Tx, so it sees the write's own,
// uncommitted changes ("an order of this tenant is now completed" singles out
// checkout's Tx2). Writes whose function fails are not counted. `times`
// consecutive matching writes are hit (an outage); then the store is healthy.
//
// Faults (the use case always gets the Status a backend would return):
// - kFail: the write's changes are rolled back (the StoreError is thrown
//   inside the transaction) and the caller gets StoreError(kind): 500
//   (kFailure), 503 (kUnavailable) or 409 (kConflict).
// - kTimeout: rolled back too; the caller waits `delay` (outside the
//   database's writer, which stays free) and then gets kUnavailable: a
//   statement or commit that timed out and was abandoned.
// - kLoseAnswer: the write commits durably, then the caller gets
//   kUnavailable, as if the connection died after COMMIT: the outcome is
//   unknown to the caller although the change happened.
// Reads can be failed too (FailReads): the next n Reads return kUnavailable
// without running their function.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <ostream>
#include <string>

#include "app/store.h"

namespace ld::testing {

enum class Fault { kFail, kTimeout, kLoseAnswer };

const char* ToString(Fault f);
inline void PrintTo(Fault f, std::ostream* os) {
  *os << ToString(f);
}

struct FaultPlan {
  Fault fault = Fault::kFail;
  int nth = 1;    // the nth matching write after Arm (1-based)
  int times = 1;  // consecutive matching writes hit from the nth on
  // Optional: which writes count (runs on the write's Tx after its function succeeded).
  std::function<bool(app::Tx&)> when;
  app::StoreError::Kind kind = app::StoreError::Kind::kUnavailable;  // kFail only
  std::chrono::milliseconds delay{30};                               // kTimeout only
};

class FaultStore final : public app::Store {
 public:
  explicit FaultStore(app::Store& inner) : inner_(inner) {}

  // Replaces any previous plan; counting starts again.
  void Arm(FaultPlan plan);
  void Disarm();
  // The next n Reads fail with kUnavailable.
  void FailReads(int n);

  int injected() const;  // faults injected since construction
  int writes() const;    // Writes seen since the last Arm

  Status Write(const Fn& fn) override;
  Status Read(const Fn& fn) override;
  bool Ready() override { return inner_.Ready(); }
  std::string Backend() const override { return inner_.Backend(); }

 private:
  // Decides, inside a write, whether this write is hit.
  bool Hit(app::Tx& tx);

  app::Store& inner_;
  mutable std::mutex mu_;
  bool armed_ = false;
  FaultPlan plan_;
  int matched_ = 0;
  int writes_ = 0;
  int injected_ = 0;
  int failing_reads_ = 0;
};

}  // namespace ld::testing
