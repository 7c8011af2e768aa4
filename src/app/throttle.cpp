#include "app/throttle.h"

#include <algorithm>

namespace ld::app {

int64_t SignInThrottle::WaitMs(const std::string& key, Instant now) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return 0;
  return std::max<int64_t>(0, it->second.blockedUntil - now);
}

void SignInThrottle::Failure(const std::string& key, Instant now) {
  std::lock_guard<std::mutex> l(mu_);
  if (entries_.size() >= kMaxKeys && !entries_.count(key)) entries_.erase(entries_.begin());
  Entry& e = entries_[key];
  if (now - e.first > kWindowMs && now >= e.blockedUntil) e = Entry{0, now, 0};
  ++e.failures;
  if (e.failures >= kFreeFailures) {
    int over = std::min(e.failures - kFreeFailures, 10);
    int64_t wait = std::min<int64_t>(int64_t{1000} << over, 15 * 60 * 1000);
    e.blockedUntil = now + wait;
  }
}

void SignInThrottle::Success(const std::string& key) {
  std::lock_guard<std::mutex> l(mu_);
  entries_.erase(key);
}

}  // namespace ld::app
