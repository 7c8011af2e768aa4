// Sign-in throttling and signup admission, in memory, per server process.
// Thread-safe; memory bounded (the oldest keys are dropped past kMaxKeys).
//
// Sign-in (docs/reliability.md, "Authentication"): failures are counted per
// (account, address) pair, per account across addresses and per address
// across accounts. A pair may fail 5 times, then waits 1 s, 2 s, 4 s ...
// up to 15 minutes before each further attempt, the right password included.
// An account may fail 20 times from anywhere and an address 50 times for any
// accounts before attempts wait (doubling up to 5 minutes), but a pair that
// signed in successfully within 30 days is never held back by the account's
// or the address's count: an attacker elsewhere cannot lock the owner out.
// Counts are forgotten after an hour without a failure.
//
// Signup: a token bucket per address (20, one more every 30 s) and one for
// the whole server (100, one more every second).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "domain/throttle.h"
#include "domain/time.h"

namespace ld::app {

class SignInThrottle {
 public:
  static constexpr int kFreeFailures = 5;  // per (account, address) pair
  static constexpr FailureLimit kPair{kFreeFailures, 15 * 60 * 1000, 60 * 60 * 1000};
  static constexpr FailureLimit kAccount{20, 5 * 60 * 1000, 60 * 60 * 1000};
  static constexpr FailureLimit kAddress{50, 5 * 60 * 1000, 60 * 60 * 1000};
  static constexpr int64_t kKnownPairMs = int64_t{30} * 24 * 3600 * 1000;
  static constexpr size_t kMaxKeys = 100000;

  // Milliseconds the pair must wait before trying again; 0 when allowed.
  int64_t WaitMs(const std::string& account, const std::string& address, Instant now);
  void Failure(const std::string& account, const std::string& address, Instant now);
  // Clears the pair's failures and remembers it as known for kKnownPairMs.
  void Success(const std::string& account, const std::string& address, Instant now);

 private:
  static std::string PairKey(const std::string& account, const std::string& address);
  void Count(std::map<std::string, FailureCount>& m, const std::string& key,
             const FailureLimit& limit, Instant now);
  std::mutex mu_;
  std::map<std::string, FailureCount> pairs_, accounts_, addresses_;
  std::map<std::string, Instant> known_;  // pair key -> last success
};

class SignupThrottle {
 public:
  static constexpr BucketLimit kPerAddress{20, 30 * 1000};
  static constexpr BucketLimit kOverall{100, 1000};
  static constexpr size_t kMaxKeys = 100000;

  // Takes a token from the address's bucket and the overall one (both or
  // neither). Returns 0 when admitted, else the wait in milliseconds.
  int64_t Admit(const std::string& address, Instant now);
  // Returns the tokens of an admitted signup that did no work.
  void Refund(const std::string& address);

 private:
  std::mutex mu_;
  Bucket overall_;
  std::map<std::string, Bucket> addresses_;
};

}  // namespace ld::app
