#include "cli/background.h"

#include <iostream>

#include "app/commerce.h"
#include "app/lifecycle.h"
#include "app/subscriptions.h"

namespace ld::cli {

Background::Background(app::Context& ctx, std::chrono::milliseconds interval,
                       int64_t pending_age_ms, app::RetentionPolicy retention)
    : ctx_(ctx), interval_(interval), pending_age_ms_(pending_age_ms), retention_(retention) {}

Background::~Background() {
  Stop();
}

void Background::Start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stop_) {
      if (cv_.wait_for(lock, interval_, [this] { return stop_; })) break;
      lock.unlock();
      RunOnce();
      lock.lock();
    }
  });
}

void Background::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Background::RunOnce() {
  try {
    Instant now = ctx_.Now();
    auto settled = app::RecoverPendingOrders(ctx_, now - pending_age_ms_);
    if (!settled.ok()) {
      std::cerr << "licensedesk: settling pending orders failed: " << settled.error().message
                << "\n";
    } else if (*settled > 0) {
      std::cerr << "licensedesk: settled " << *settled << " pending orders\n";
    }
    auto changes = app::RecoverPendingChanges(ctx_, now - pending_age_ms_);
    if (!changes.ok()) {
      std::cerr << "licensedesk: settling pending license changes failed: "
                << changes.error().message << "\n";
    } else if (*changes > 0) {
      std::cerr << "licensedesk: settled " << *changes << " pending license changes\n";
    }
    auto events = app::RunLifecycle(ctx_, now);
    if (!events.ok()) {
      std::cerr << "licensedesk: lifecycle failed: " << events.error().message << "\n";
    } else if (!events->empty()) {
      std::cerr << "licensedesk: lifecycle ran " << events->size() << " steps\n";
    }
    auto purged = app::RunRetention(ctx_, retention_);
    if (!purged.ok()) {
      std::cerr << "licensedesk: retention failed: " << purged.error().message << "\n";
    } else if (purged->Total() > 0) {
      std::cerr << "licensedesk: retention deleted " << purged->tokens << " tokens, "
                << purged->idempotencyKeys << " idempotency keys, " << purged->carts
                << " expired carts\n";
    }
  } catch (const std::exception& e) {
    // A storage outage must not end the server; the next pass tries again.
    std::cerr << "licensedesk: background pass failed: " << e.what() << "\n";
  }
}

}  // namespace ld::cli
