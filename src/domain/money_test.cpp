#include "domain/money.h"

#include <gtest/gtest.h>

namespace ld {
namespace {

TEST(Money, TaxRoundsHalfUpPerLine) {
  struct Case {
    int64_t amount;
    TaxRateBp rate;
    int64_t tax;
  } cases[] = {
      {1000, 500, 50},                      // 5% of 10.00
      {1, 500, 0},                          // 0.05 rounds down
      {10, 500, 1},                         // 0.5 rounds up (half-up)
      {30, 500, 2},                         // 1.5 -> 2
      {29, 500, 1},                         // 1.45 -> 1
      {999, 1900, 190},                     // 189.81 -> 190
      {12345, 2000, 2469},                  // 2469.0
      {0, 2000, 0},        {-10, 500, -1},  // credit notes mirror charges
  };
  for (const auto& c : cases)
    EXPECT_EQ(TaxOn(c.amount, c.rate), c.tax) << c.amount << "@" << c.rate;
}

TEST(Money, CurrencyExponents) {
  EXPECT_EQ(FindCurrency("JPY")->exponent, 0);
  EXPECT_EQ(FindCurrency("TWD")->exponent, 2);
  EXPECT_EQ(FindCurrency("USD")->exponent, 2);
  EXPECT_FALSE(FindCurrency("XXX").has_value());
  EXPECT_FALSE(FindCurrency("usd").has_value());
}

TEST(Money, FormatUsesExponent) {
  EXPECT_EQ(FormatMoney(123456, "USD"), "1234.56 USD");
  EXPECT_EQ(FormatMoney(1500, "JPY"), "1500 JPY");
  EXPECT_EQ(FormatMoney(-5, "EUR"), "-0.05 EUR");
  EXPECT_EQ(FormatMoney(INT64_MIN, "USD"), "-92233720368547758.08 USD");
}

TEST(Money, ProrateHalfUpAndCheckedArithmetic) {
  EXPECT_EQ(Prorate(1000, 15, 30), 500);
  EXPECT_EQ(Prorate(1000, 1, 3), 333);
  EXPECT_EQ(Prorate(1000, 2, 3), 667);
  EXPECT_EQ(Prorate(1000, 0, 30), 0);
  int64_t out = 0;
  EXPECT_FALSE(CheckedMul(INT64_MAX / 2, 3, &out));
  EXPECT_TRUE(CheckedMul(1500, 300, &out));
  EXPECT_EQ(out, 450000);
  EXPECT_FALSE(CheckedAdd(INT64_MAX, 1, &out));
}

}  // namespace
}  // namespace ld
