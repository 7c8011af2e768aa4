// Prometheus metrics of the HTTP server: requests by route and status, a
// latency histogram per route, checkouts by outcome and license assignments.
// Thread-safe (one mutex; the critical sections are a few map updates).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace ld::http {

class Metrics {
 public:
  // `route` is the route template ("GET /v1.0/users/{id}"), or "static" /
  // "unmatched", never a raw path (bounded label cardinality).
  void ObserveRequest(const std::string& route, int status, double seconds);
  // outcome: completed | declined | replayed | error
  void CountCheckout(const std::string& outcome);
  // kind: assign | remove
  void CountLicenses(const std::string& kind, int64_t n);

  // The Prometheus text exposition format (version 0.0.4).
  std::string Render() const;

  static constexpr std::array<double, 12> kBuckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                   0.1,   0.25,   0.5,   1.0,  2.5,   5.0};

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, int>, uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
  std::map<std::string, uint64_t> checkouts_;
  std::map<std::string, uint64_t> licenses_;
};

}  // namespace ld::http
