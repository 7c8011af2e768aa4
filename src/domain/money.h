// R1: money is integer minor units plus an ISO 4217 currency; never floating point.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/result.h"

namespace ld {

// The currencies the catalog may price in, with their minor-unit exponent.
struct CurrencyInfo {
  std::string_view code;
  int exponent;  // JPY 0, USD 2, ...
};
// nullopt for a code that is not a supported ISO 4217 currency.
std::optional<CurrencyInfo> FindCurrency(std::string_view code);

struct Money {
  int64_t amount = 0;    // minor units
  std::string currency;  // ISO 4217

  bool operator==(const Money&) const = default;
};

// A tax rate in basis points (1/100 of a percent): 5% VAT is 500.
using TaxRateBp = int32_t;

// R1: tax on one line, rounded half-up (away from zero for negative amounts)
// to the currency's minor unit. Amount is already in minor units.
int64_t TaxOn(int64_t amount_minor, TaxRateBp rate_bp);

// Checked arithmetic: false on overflow.
bool CheckedMul(int64_t a, int64_t b, int64_t* out);
bool CheckedAdd(int64_t a, int64_t b, int64_t* out);

// Proration by days (R9, R10): amount * num / den, rounded half-up. den > 0, 0 <= num.
int64_t Prorate(int64_t amount_minor, int64_t num, int64_t den);

// "12.34 USD"-style plain formatting (for logs, PDFs, CLI); the browser formats with Intl.
std::string FormatMoney(int64_t amount_minor, std::string_view currency);

}  // namespace ld
