#include "http/metrics.h"

#include <fmt/format.h>

namespace ld::http {

void Metrics::ObserveRequest(const std::string& route, int status, double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{route, status}];
  Histogram& h = latency_[route];
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++h.counts[i];
  ++h.count;
  h.sum += seconds;
}

void Metrics::CountCheckout(const std::string& outcome) {
  std::lock_guard lock(mu_);
  ++checkouts_[outcome];
}

void Metrics::CountLicenses(const std::string& kind, int64_t n) {
  if (n <= 0) return;
  std::lock_guard lock(mu_);
  licenses_[kind] += static_cast<uint64_t>(n);
}

namespace {
// Label values: escape backslash, quote and newline.
std::string Esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '\\' || c == '"') o += '\\';
    if (c == '\n') {
      o += "\\n";
      continue;
    }
    o += c;
  }
  return o;
}
}  // namespace

std::string Metrics::Render() const {
  std::lock_guard lock(mu_);
  std::string o;
  o += "# HELP ld_http_requests_total HTTP requests by route and status.\n";
  o += "# TYPE ld_http_requests_total counter\n";
  for (const auto& [k, v] : requests_)
    o += fmt::format("ld_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n",
                     Esc(std::get<0>(k)), std::get<1>(k), v);
  o += "# HELP ld_http_request_duration_seconds Time to answer a request, by route.\n";
  o += "# TYPE ld_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    std::string r = Esc(route);
    for (size_t i = 0; i < kBuckets.size(); ++i)
      o += fmt::format("ld_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n", r,
                       kBuckets[i], h.counts[i]);
    o += fmt::format("ld_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n", r,
                     h.count);
    o += fmt::format("ld_http_request_duration_seconds_sum{{route=\"{}\"}} {:.6f}\n", r, h.sum);
    o += fmt::format("ld_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", r, h.count);
  }
  o += "# HELP ld_checkouts_total Checkouts by outcome.\n";
  o += "# TYPE ld_checkouts_total counter\n";
  for (const char* k : {"completed", "declined", "replayed", "error"}) {
    auto it = checkouts_.find(k);
    o += fmt::format("ld_checkouts_total{{outcome=\"{}\"}} {}\n", k,
                     it == checkouts_.end() ? 0 : it->second);
  }
  o += "# HELP ld_license_assignments_total Licenses assigned or removed through the API.\n";
  o += "# TYPE ld_license_assignments_total counter\n";
  for (const char* k : {"assign", "remove", "auto"}) {
    auto it = licenses_.find(k);
    o += fmt::format("ld_license_assignments_total{{kind=\"{}\"}} {}\n", k,
                     it == licenses_.end() ? 0 : it->second);
  }
  return o;
}

}  // namespace ld::http
