// The server's periodic work, on one thread: settles checkouts a crash left
// pending (R15; older than a few minutes, so a checkout still running on
// another server is not touched) and runs the subscription lifecycle (R11)
// for everything due, and the retention pass (app/retention.h). Each pass is idempotent, so several
// servers on one PostgreSQL database may run it at once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "app/context.h"
#include "app/retention.h"

namespace ld::cli {

class Background {
 public:
  Background(app::Context& ctx, std::chrono::milliseconds interval, int64_t pending_age_ms,
             app::RetentionPolicy retention = {});
  ~Background();  // Stop()
  void Start();
  void Stop();  // finishes the pass in progress, then returns

  // One pass (also used at start-up and by tests).
  void RunOnce();

 private:
  app::Context& ctx_;
  std::chrono::milliseconds interval_;
  int64_t pending_age_ms_;
  app::RetentionPolicy retention_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace ld::cli
