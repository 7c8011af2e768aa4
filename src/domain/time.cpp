#include "domain/time.h"

#include <chrono>
#include <cstdio>

namespace ld {

Instant SystemClock::Now() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

namespace {
int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}
}  // namespace

CivilDate ToCivil(Instant t) {
  using namespace std::chrono;
  sys_days d{days{FloorDiv(t, kMsPerDay)}};
  year_month_day ymd{d};
  return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
          static_cast<unsigned>(ymd.day())};
}

Instant FromCivil(CivilDate c, int64_t ms_of_day) {
  using namespace std::chrono;
  sys_days d{year{c.year} / month{c.month} / day{c.day}};
  return static_cast<int64_t>(d.time_since_epoch().count()) * kMsPerDay + ms_of_day;
}

int64_t DaysBetween(Instant a, Instant b) {
  return FloorDiv(b - a, kMsPerDay);
}

CivilDate AddMonthsAnchored(CivilDate start, int months, unsigned anchor_day) {
  using namespace std::chrono;
  int total = start.year * 12 + static_cast<int>(start.month) - 1 + months;
  int y = FloorDiv(total, 12);
  auto m = static_cast<unsigned>(total - y * 12 + 1);
  unsigned last_day =
      static_cast<unsigned>(year_month_day_last{year{y}, month_day_last{month{m}}}.day());
  return {y, m, anchor_day < last_day ? anchor_day : last_day};
}

std::string FormatRfc3339(Instant t) {
  CivilDate c = ToCivil(t);
  int64_t ms = t - FromCivil(c);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", c.year, c.month, c.day,
                static_cast<int>(ms / 3600000), static_cast<int>(ms / 60000 % 60),
                static_cast<int>(ms / 1000 % 60), static_cast<int>(ms % 1000));
  return buf;
}

std::string FormatDate(Instant t) {
  CivilDate c = ToCivil(t);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", c.year, c.month, c.day);
  return buf;
}

std::optional<Instant> ParseRfc3339(std::string_view s) {
  auto digits = [&](size_t pos, size_t n, int* out) {
    if (pos + n > s.size()) return false;
    int v = 0;
    for (size_t i = 0; i < n; ++i) {
      char c = s[pos + i];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    *out = v;
    return true;
  };
  int y, mo, d, h, mi, se;
  if (!digits(0, 4, &y) || s.size() < 20 || s[4] != '-' || !digits(5, 2, &mo) || s[7] != '-' ||
      !digits(8, 2, &d) || (s[10] != 'T' && s[10] != 't') || !digits(11, 2, &h) || s[13] != ':' ||
      !digits(14, 2, &mi) || s[16] != ':' || !digits(17, 2, &se))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 60) return std::nullopt;
  using namespace std::chrono;
  year_month_day ymd{year{y} / month{static_cast<unsigned>(mo)} / day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  size_t pos = 19;
  int64_t ms = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int n = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 3) ms = ms * 10 + (s[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0) return std::nullopt;
    for (int i = n; i < 3; ++i) ms *= 10;
  }
  int64_t offset_min = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!digits(pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(pos + 4, 2, &om) || oh > 23 || om > 59)
      return std::nullopt;
    offset_min = (oh * 60 + om) * (s[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  Instant t = FromCivil({y, static_cast<unsigned>(mo), static_cast<unsigned>(d)},
                        ((h * 60LL + mi) * 60 + std::min(se, 59)) * 1000 + ms);
  return t - offset_min * 60000;
}

}  // namespace ld
