// Pricing of a cart (R1, R2, R3) and proration (R9, R10). Pure functions.
#pragma once

#include <vector>

#include "domain/catalog.h"
#include "domain/model.h"
#include "domain/result.h"

namespace ld {

struct PricedLine {
  int64_t unitPrice = 0;  // one license, one period of the line's cycle
  int64_t amount = 0;     // unitPrice * quantity
  int64_t tax = 0;        // R1: per line, rounded half-up
};

struct PricedCart {
  std::string currency;
  std::vector<PricedLine> lines;
  int64_t subtotal = 0;
  int64_t tax = 0;
  int64_t total = 0;
};

// R2: a quantity within the SKU's range, else QuantityOutOfRange naming the range.
Status CheckQuantity(const Sku& sku, int64_t quantity, const std::string& target);

// R3: the first period of every line, plus the market's tax, in the market's
// currency. Errors: UnknownSku, SkuNotAvailable (not in this cloud or currency),
// QuantityOutOfRange, AmountTooLarge (overflow).
Result<PricedCart> PriceLines(const std::vector<CartLine>& lines, const Catalog& catalog,
                              const Market& market, Cloud cloud);

// The length of one period of a cycle starting at `start` with an anchor day.
Instant PeriodEnd(Instant start, BillingCycle cycle, unsigned anchor_day);

// R9: the prorated charge for `added` licenses from `now` to the period end,
// by whole days (a started day counts): unitPrice * added * remaining / period.
int64_t ProratedCharge(int64_t unit_price, int64_t added, Instant period_start, Instant period_end,
                       Instant now);

// R10: the refund of the unused days of a period for `quantity` licenses.
int64_t UnusedRefund(int64_t unit_price, int64_t quantity, Instant period_start, Instant period_end,
                     Instant now);

}  // namespace ld
