#include "domain/pricing.h"

#include <gtest/gtest.h>

#include "support/app_fixture.h"

namespace ld {
namespace {

using testing::kAudioConferencing;
using testing::kBusinessBasic;
using testing::kBusinessStandard;
using testing::RepoCatalog;

TEST(Pricing, R3ChargesFirstPeriodPlusTaxInMarketCurrency) {
  const Catalog& c = RepoCatalog();
  const Market* tw = c.FindMarket("TW");
  ASSERT_TRUE(tw);
  std::vector<CartLine> lines{{Guid(), kBusinessBasic, 3, BillingCycle::kMonthly, false},
                              {Guid(), kBusinessStandard, 2, BillingCycle::kAnnual, false}};
  auto p = PriceLines(lines, c, *tw, Cloud::kWorldwide);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->currency, "TWD");
  int64_t basic = *c.FindSku(kBusinessBasic)->UnitPrice("TWD", BillingCycle::kMonthly);
  int64_t std_annual = *c.FindSku(kBusinessStandard)->UnitPrice("TWD", BillingCycle::kAnnual);
  EXPECT_EQ(p->lines[0].amount, basic * 3);
  EXPECT_EQ(p->lines[1].amount, std_annual * 2);
  EXPECT_EQ(p->lines[0].tax, TaxOn(basic * 3, 500));
  EXPECT_EQ(p->subtotal, basic * 3 + std_annual * 2);
  EXPECT_EQ(p->tax, p->lines[0].tax + p->lines[1].tax);  // R1: per line
  EXPECT_EQ(p->total, p->subtotal + p->tax);
}

TEST(Pricing, R2QuantityOutsideTheSkuRangeNamesFieldAndRange) {
  const Catalog& c = RepoCatalog();
  const Market* us = c.FindMarket("US");
  for (int64_t q : std::vector<int64_t>{0, -1, 301, INT64_MAX, INT64_MIN}) {
    std::vector<CartLine> lines{{Guid(), kBusinessBasic, q, BillingCycle::kMonthly, false}};
    auto p = PriceLines(lines, c, *us, Cloud::kWorldwide);
    ASSERT_FALSE(p.ok()) << q;
    EXPECT_EQ(p.error().code, "QuantityOutOfRange");
    EXPECT_EQ(p.error().target, "lineItems[0].quantity");
    EXPECT_NE(p.error().message.find("1 to 300"), std::string::npos) << p.error().message;
  }
}

TEST(Pricing, UnknownSkuAndJpyHasNoMinorUnits) {
  const Catalog& c = RepoCatalog();
  std::vector<CartLine> bad{{Guid(), Guid::NewV7(1), 1, BillingCycle::kMonthly, false}};
  auto p = PriceLines(bad, c, *c.FindMarket("US"), Cloud::kWorldwide);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, "UnknownSku");
  std::vector<CartLine> jp{{Guid(), kAudioConferencing, 7, BillingCycle::kMonthly, false}};
  auto j = PriceLines(jp, c, *c.FindMarket("JP"), Cloud::kWorldwide);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->currency, "JPY");
  EXPECT_EQ(j->lines[0].tax, TaxOn(j->lines[0].amount, 1000));
}

TEST(Pricing, ProrationByDays) {
  Instant start = FromCivil({2026, 1, 1});
  Instant end = FromCivil({2026, 2, 1});  // 31 days
  // Adding 2 licenses at 10.00 with 16 days (of 31) left.
  EXPECT_EQ(ProratedCharge(1000, 2, start, end, FromCivil({2026, 1, 16})), Prorate(2000, 16, 31));
  EXPECT_EQ(ProratedCharge(1000, 2, start, end, start), 2000);
  EXPECT_EQ(ProratedCharge(1000, 2, start, end, end), 0);
  // Leap February: 29 days.
  Instant fs = FromCivil({2024, 2, 1}), fe = FromCivil({2024, 3, 1});
  EXPECT_EQ(ProratedCharge(2900, 1, fs, fe, FromCivil({2024, 2, 28})), 200);
  // Refund of unused whole days: day 3 of 31 begun -> 28 unused.
  EXPECT_EQ(UnusedRefund(3100, 1, start, end, FromCivil({2026, 1, 3}, 1)), Prorate(3100, 28, 31));
  EXPECT_EQ(UnusedRefund(3100, 1, start, end, start), 3100);
}

TEST(Pricing, PeriodEndClampsMonthEnds) {
  Instant jan31 = FromCivil({2026, 1, 31}, 5000);
  EXPECT_EQ(PeriodEnd(jan31, BillingCycle::kMonthly, 31), FromCivil({2026, 2, 28}, 5000));
  EXPECT_EQ(PeriodEnd(jan31, BillingCycle::kAnnual, 31), FromCivil({2027, 1, 31}, 5000));
}

}  // namespace
}  // namespace ld
