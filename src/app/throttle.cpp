#include "app/throttle.h"

#include <algorithm>

namespace ld::app {

std::string SignInThrottle::PairKey(const std::string& account, const std::string& address) {
  return account + '\n' + address;
}

int64_t SignInThrottle::WaitMs(const std::string& account, const std::string& address,
                               Instant now) {
  std::lock_guard<std::mutex> l(mu_);
  std::string pair = PairKey(account, address);
  int64_t wait = 0;
  if (auto it = pairs_.find(pair); it != pairs_.end()) wait = ld::WaitMs(it->second, now);
  auto k = known_.find(pair);
  if (k != known_.end() && now - k->second <= kKnownPairMs) return wait;
  if (auto it = accounts_.find(account); it != accounts_.end())
    wait = std::max(wait, ld::WaitMs(it->second, now));
  if (auto it = addresses_.find(address); it != addresses_.end())
    wait = std::max(wait, ld::WaitMs(it->second, now));
  return wait;
}

void SignInThrottle::Count(std::map<std::string, FailureCount>& m, const std::string& key,
                           const FailureLimit& limit, Instant now) {
  auto it = m.find(key);
  if (it == m.end()) {
    if (m.size() >= kMaxKeys) {
      // Drop what is forgotten; if nothing is, the first key.
      for (auto j = m.begin(); j != m.end();)
        j = Forgotten(j->second, limit, now) ? m.erase(j) : std::next(j);
      if (m.size() >= kMaxKeys) m.erase(m.begin());
    }
    it = m.emplace(key, FailureCount{}).first;
  }
  it->second = AfterFailure(it->second, limit, now);
}

void SignInThrottle::Failure(const std::string& account, const std::string& address, Instant now) {
  std::lock_guard<std::mutex> l(mu_);
  Count(pairs_, PairKey(account, address), kPair, now);
  Count(accounts_, account, kAccount, now);
  Count(addresses_, address, kAddress, now);
}

void SignInThrottle::Success(const std::string& account, const std::string& address, Instant now) {
  std::lock_guard<std::mutex> l(mu_);
  std::string pair = PairKey(account, address);
  pairs_.erase(pair);
  if (known_.size() >= kMaxKeys && !known_.count(pair)) {
    for (auto j = known_.begin(); j != known_.end();)
      j = now - j->second > kKnownPairMs ? known_.erase(j) : std::next(j);
    if (known_.size() >= kMaxKeys) known_.erase(known_.begin());
  }
  known_[pair] = now;
}

int64_t SignupThrottle::Admit(const std::string& address, Instant now) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = addresses_.find(address);
  if (it == addresses_.end()) {
    if (addresses_.size() >= kMaxKeys) addresses_.erase(addresses_.begin());
    it = addresses_.emplace(address, Bucket{}).first;
  }
  Bucket mine = it->second, all = overall_;
  int64_t w1 = TakeToken(mine, kPerAddress, now);
  int64_t w2 = TakeToken(all, kOverall, now);
  if (w1 > 0 || w2 > 0) return std::max(w1, w2);
  it->second = mine;
  overall_ = all;
  return 0;
}

void SignupThrottle::Refund(const std::string& address) {
  std::lock_guard<std::mutex> l(mu_);
  if (auto it = addresses_.find(address); it != addresses_.end())
    ReturnToken(it->second, kPerAddress);
  ReturnToken(overall_, kOverall);
}

}  // namespace ld::app
