#include "domain/money.h"

#include <array>
#include <cstdlib>

namespace ld {

std::optional<CurrencyInfo> FindCurrency(std::string_view code) {
  static constexpr std::array<CurrencyInfo, 12> kTable{{
      {"USD", 2},
      {"EUR", 2},
      {"GBP", 2},
      {"JPY", 0},
      {"TWD", 2},
      {"CNY", 2},
      {"CHF", 2},
      {"CAD", 2},
      {"AUD", 2},
      {"KRW", 0},
      {"HKD", 2},
      {"SGD", 2},
  }};
  for (const auto& c : kTable)
    if (c.code == code) return c;
  return std::nullopt;
}

namespace {
// Half-up division of a non-negative numerator by a positive denominator, in 128 bits.
__extension__ typedef __int128 i128;
int64_t DivHalfUp(i128 num, i128 den) {
  return static_cast<int64_t>((num * 2 + den) / (den * 2));
}
}  // namespace

int64_t TaxOn(int64_t amount, TaxRateBp rate_bp) {
  if (amount < 0) return -TaxOn(-amount, rate_bp);
  return DivHalfUp(static_cast<i128>(amount) * rate_bp, 10000);
}

int64_t Prorate(int64_t amount, int64_t num, int64_t den) {
  if (den <= 0) return 0;
  if (amount < 0) return -Prorate(-amount, num, den);
  return DivHalfUp(static_cast<i128>(amount) * num, den);
}

bool CheckedMul(int64_t a, int64_t b, int64_t* out) {
  return !__builtin_mul_overflow(a, b, out);
}
bool CheckedAdd(int64_t a, int64_t b, int64_t* out) {
  return !__builtin_add_overflow(a, b, out);
}

std::string FormatMoney(int64_t amount, std::string_view currency) {
  auto info = FindCurrency(currency);
  int exp = info ? info->exponent : 2;
  std::string sign = amount < 0 ? "-" : "";
  uint64_t a =
      amount < 0 ? static_cast<uint64_t>(-(amount + 1)) + 1 : static_cast<uint64_t>(amount);
  uint64_t scale = 1;
  for (int i = 0; i < exp; ++i) scale *= 10;
  std::string s = sign + std::to_string(a / scale);
  if (exp > 0) {
    std::string frac = std::to_string(a % scale);
    s += '.';
    s.append(static_cast<size_t>(exp) - frac.size(), '0');
    s += frac;
  }
  return s + " " + std::string(currency);
}

}  // namespace ld
