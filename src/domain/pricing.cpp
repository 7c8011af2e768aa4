#include "domain/pricing.h"

#include <string>

namespace ld {

Status CheckQuantity(const Sku& sku, int64_t quantity, const std::string& target) {
  if (quantity < sku.minQuantity || quantity > sku.maxQuantity) {
    return Error::Invalid("QuantityOutOfRange",
                          "quantity must be an integer from " + std::to_string(sku.minQuantity) +
                              " to " + std::to_string(sku.maxQuantity) + " for " + sku.partNumber +
                              "; got " + std::to_string(quantity) + ".",
                          target);
  }
  return Ok();
}

Result<PricedCart> PriceLines(const std::vector<CartLine>& lines, const Catalog& catalog,
                              const Market& market, Cloud cloud) {
  PricedCart out;
  out.currency = market.currency;
  for (size_t i = 0; i < lines.size(); ++i) {
    const CartLine& l = lines[i];
    std::string target = "lineItems[" + std::to_string(i) + "]";
    const Sku* sku = catalog.FindSku(l.skuId);
    if (sku == nullptr || !sku->OfferedIn(cloud)) {
      return Error::Invalid("UnknownSku", "skuId " + l.skuId.str() + " is not offered here.",
                            target + ".skuId");
    }
    LD_TRY(CheckQuantity(*sku, l.quantity, target + ".quantity"));
    auto unit = sku->UnitPrice(market.currency, l.cycle);
    if (!unit) {
      return Error::Invalid("SkuNotAvailable",
                            sku->partNumber + " has no price in " + market.currency + ".",
                            target + ".skuId");
    }
    PricedLine p;
    p.unitPrice = *unit;
    if (!CheckedMul(*unit, l.quantity, &p.amount)) {
      return Error::Invalid("AmountTooLarge", "the line amount is too large.", target);
    }
    p.tax = TaxOn(p.amount, market.taxRateBp);
    if (!CheckedAdd(out.subtotal, p.amount, &out.subtotal) ||
        !CheckedAdd(out.tax, p.tax, &out.tax)) {
      return Error::Invalid("AmountTooLarge", "the cart total is too large.", target);
    }
    out.lines.push_back(p);
  }
  if (!CheckedAdd(out.subtotal, out.tax, &out.total)) {
    return Error::Invalid("AmountTooLarge", "the cart total is too large.", "lineItems");
  }
  return out;
}

Instant PeriodEnd(Instant start, BillingCycle cycle, unsigned anchor_day) {
  CivilDate d = ToCivil(start);
  int64_t ms_of_day = start - FromCivil(d);
  // The period count from the anchor is computed by the caller for renewals;
  // here one period from `start`.
  CivilDate e = AddMonthsAnchored(d, cycle == BillingCycle::kMonthly ? 1 : 12, anchor_day);
  return FromCivil(e, ms_of_day);
}

namespace {
// Days of [from, to) counting a started day as a whole one.
int64_t DaysCeil(Instant from, Instant to) {
  if (to <= from) return 0;
  return (to - from + kMsPerDay - 1) / kMsPerDay;
}
}  // namespace

int64_t ProratedCharge(int64_t unit_price, int64_t added, Instant period_start, Instant period_end,
                       Instant now) {
  int64_t total_days = DaysCeil(period_start, period_end);
  int64_t remaining = DaysCeil(now < period_start ? period_start : now, period_end);
  if (total_days <= 0 || remaining <= 0) return 0;
  if (remaining > total_days) remaining = total_days;
  int64_t base = 0;
  if (!CheckedMul(unit_price, added, &base)) return INT64_MAX;
  return Prorate(base, remaining, total_days);
}

int64_t UnusedRefund(int64_t unit_price, int64_t quantity, Instant period_start, Instant period_end,
                     Instant now) {
  int64_t total_days = DaysCeil(period_start, period_end);
  // Days already begun are used; the refund covers the whole days left.
  int64_t used = DaysCeil(period_start, now);
  int64_t unused = total_days - used;
  if (total_days <= 0 || unused <= 0) return 0;
  int64_t base = 0;
  if (!CheckedMul(unit_price, quantity, &base)) return 0;
  return Prorate(base, unused, total_days);
}

}  // namespace ld
