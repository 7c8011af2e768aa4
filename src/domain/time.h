// Instants and calendar arithmetic. An Instant is Unix time in milliseconds (UTC).
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ld {

using Instant = int64_t;  // ms since 1970-01-01T00:00:00Z
constexpr int64_t kMsPerDay = 86'400'000;

// The source of "now". Injected everywhere, so lifecycle tests can set time.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Instant Now() const override;
};

// A clock that stands still until moved: tests, and `serve --test-clock`.
// Thread-safe.
class SettableClock final : public Clock {
 public:
  explicit SettableClock(Instant t) : t_(t) {}
  Instant Now() const override { return t_.load(); }
  void Set(Instant t) { t_.store(t); }
  void Advance(int64_t ms) { t_.fetch_add(ms); }

 private:
  std::atomic<Instant> t_;
};

// The last instant a date of this system may take: 9999-12-31T23:59:59.999Z
// (RFC 3339 has four-digit years).
constexpr Instant kLatestInstant = 253'402'300'799'999;
// The latest a billing clock may be moved to, so that every date the lifecycle
// derives from it (a year's period, 30 days of grace, 90 days to deletion,
// invoice due dates) still ends by kLatestInstant: 9997-12-31T23:59:59.999Z.
constexpr Instant kLatestClockInstant = 253'339'228'799'999;

struct CivilDate {
  int year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
  bool operator==(const CivilDate&) const = default;
};

CivilDate ToCivil(Instant t);
Instant FromCivil(CivilDate d, int64_t ms_of_day = 0);
int64_t DaysBetween(Instant a, Instant b);  // whole days, floor((b - a) / day)

// Adds n months to a date keeping the anchor day, clamped to the month's end:
// anchor 31: Jan 31 -> Feb 28/29 -> Mar 31 (computed from the anchor, never drifting).
CivilDate AddMonthsAnchored(CivilDate start, int months, unsigned anchor_day);

// RFC 3339 / ISO 8601 in UTC with millisecond precision: "2026-11-24T01:04:27.000Z".
std::string FormatRfc3339(Instant t);
// Parses RFC 3339 with a Z or +hh:mm offset; nullopt when malformed.
std::optional<Instant> ParseRfc3339(std::string_view s);
std::string FormatDate(Instant t);  // "2026-11-24"

}  // namespace ld
