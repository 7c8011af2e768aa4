// Sign-in throttling per account and per remote address: after kFreeFailures
// failures within the window, further attempts wait, doubling up to 15 minutes.
// Thread-safe; memory bounded (oldest keys are dropped past kMaxKeys).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "domain/time.h"

namespace ld::app {

class SignInThrottle {
 public:
  static constexpr int kFreeFailures = 5;
  static constexpr int64_t kWindowMs = 15 * 60 * 1000;
  static constexpr size_t kMaxKeys = 100000;

  // Milliseconds the caller must wait before trying `key` again; 0 when allowed.
  int64_t WaitMs(const std::string& key, Instant now);
  void Failure(const std::string& key, Instant now);
  void Success(const std::string& key);

 private:
  struct Entry {
    int failures = 0;
    Instant first = 0;
    Instant blockedUntil = 0;
  };
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace ld::app
