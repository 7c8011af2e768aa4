#include "domain/card.h"

#include <gtest/gtest.h>

#include <cctype>
#include <ostream>
#include <string>
#include <vector>

namespace ld {
namespace {

const Instant kNow = FromCivil({2026, 11, 24}, 12 * 3600 * 1000);

CardInput Card(std::string number, std::string cvc = "123", int month = 12, int year = 2030) {
  return CardInput{std::move(number), month, year, std::move(cvc), "Ada Lovelace"};
}

TEST(Luhn, ChecksTheCheckDigit) {
  EXPECT_TRUE(LuhnValid("79927398713"));
  EXPECT_FALSE(LuhnValid("79927398710"));
  EXPECT_TRUE(LuhnValid("4242424242424242"));
  EXPECT_FALSE(LuhnValid("4242424242424241"));
  EXPECT_FALSE(LuhnValid(""));
  EXPECT_FALSE(LuhnValid("4242 4242 4242 4242"));  // digits only
  EXPECT_FALSE(LuhnValid("42a2"));
}

TEST(ValidateCard, AcceptsTheTestCardsWithBrandAndLast4) {
  struct Case {
    std::string number;
    std::string cvc;
    std::string brand;
    std::string last4;
  };
  const std::vector<Case> cases = {
      {"4242424242424242", "123", "visa", "4242"},
      {"5555555555554444", "123", "mastercard", "4444"},
      {"4000000000000002", "123", "visa", "0002"},  // declined at charge, savable
      {"4000000000009995", "123", "visa", "9995"},  // insufficient funds at charge, savable
      {"4242 4242 4242 4242", "123", "visa", "4242"},
      {"4242-4242-4242-4242", "123", "visa", "4242"},
      {"4222222222222", "123", "visa", "2222"},  // 13-digit Visa
      {"2223003122003222", "123", "mastercard", "3222"},
      {"378282246310005", "1234", "amex", "0005"},
      {"3714 496353 98431", "1234", "amex", "8431"},
      {"6011111111111117", "123", "discover", "1117"},
      {"6445644564456445", "123", "discover", "6445"},
      {"6500000000000002", "123", "discover", "0002"},
      {"3566002020360505", "123", "jcb", "0505"},
      {"6200000000000005", "123", "unionpay", "0005"},
      {"3056930009020004", "123", "unknown", "0004"},  // Diners Club: not a brand we name
      {"36227206271667", "1234", "unknown", "1667"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.number);
    auto r = ValidateCard(Card(c.number, c.cvc), kNow);
    ASSERT_TRUE(r.ok()) << r.error().code << ": " << r.error().message;
    EXPECT_EQ(r->brand, c.brand);
    EXPECT_EQ(r->last4, c.last4);
    std::string digits;
    for (char ch : c.number)
      if (ch != ' ' && ch != '-') digits += ch;
    EXPECT_EQ(r->digits, digits);
    EXPECT_EQ(r->expMonth, 12);
    EXPECT_EQ(r->expYear, 2030);
  }
}

struct RefusalCase {
  const char* what;
  CardInput card;
  const char* code;
  const char* target;
  Instant now = kNow;
};

CardInput Named(std::string name) {
  CardInput c = Card("4242424242424242");
  c.holderName = std::move(name);
  return c;
}

const std::vector<RefusalCase>& RefusalCases() {
  static const std::vector<RefusalCase> cases = {
      {"failed Luhn", Card("4242424242424241"), "InvalidCardNumber", "card.number"},
      {"failed Luhn, mastercard", Card("5555555555554445"), "InvalidCardNumber", "card.number"},
      {"letters", Card("4242424242424x42"), "InvalidCardNumber", "card.number"},
      {"other separators", Card("4242.4242.4242.4242"), "InvalidCardNumber", "card.number"},
      {"empty", Card(""), "InvalidCardNumber", "card.number"},
      {"too short (Luhn-valid)", Card("42424242420"), "InvalidCardNumber", "card.number"},
      {"too long (Luhn-valid)", Card("42424242424242424242"), "InvalidCardNumber", "card.number"},
      {"visa of 15 digits", Card("424242424242424"), "InvalidCardNumber", "card.number"},
      {"amex of 16 digits", Card("3782822463100052", "1234"), "InvalidCardNumber", "card.number"},
      {"mastercard of 19 digits", Card("5555555555554444000"), "InvalidCardNumber", "card.number"},
      {"cvc too short", Card("4242424242424242", "12"), "InvalidCvc", "card.cvc"},
      {"cvc of 4 on visa", Card("4242424242424242", "1234"), "InvalidCvc", "card.cvc"},
      {"cvc of 3 on amex", Card("378282246310005", "123"), "InvalidCvc", "card.cvc"},
      {"cvc with a letter", Card("4242424242424242", "12a"), "InvalidCvc", "card.cvc"},
      {"cvc empty", Card("4242424242424242", ""), "InvalidCvc", "card.cvc"},
      {"cvc of 5 on an unknown brand", Card("3056930009020004", "12345"), "InvalidCvc", "card.cvc"},
      {"month 0", Card("4242424242424242", "123", 0), "InvalidExpiry", "card.expMonth"},
      {"month 13", Card("4242424242424242", "123", 13), "InvalidExpiry", "card.expMonth"},
      {"two-digit year", Card("4242424242424242", "123", 12, 30), "InvalidExpiry", "card.expYear"},
      {"year far ahead", Card("4242424242424242", "123", 12, 2100), "InvalidExpiry",
       "card.expYear"},
      {"last month", Card("4242424242424242", "123", 10, 2026), "CardExpired", "card.expYear"},
      {"last year", Card("4242424242424242", "123", 12, 2025), "CardExpired", "card.expYear"},
      {"expiry month just ended", Card("4242424242424242", "123", 11, 2026), "CardExpired",
       "card.expYear", FromCivil({2026, 12, 1})},
      {"holder name empty", Named(""), "InvalidHolderName", "card.holderName"},
      {"holder name blank", Named("   "), "InvalidHolderName", "card.holderName"},
      {"holder name too long", Named(std::string(201, 'a')), "InvalidHolderName",
       "card.holderName"},
      {"holder name control char", Named("Ada\nLovelace"), "InvalidHolderName", "card.holderName"},
      {"holder name bad UTF-8", Named("Ada \xff"), "InvalidHolderName", "card.holderName"},
      {"holder name overlong UTF-8", Named("\xc0\xafx"), "InvalidHolderName", "card.holderName"},
  };
  return cases;
}

std::string TestName(std::string_view text) {
  std::string out;
  for (char ch : text) out += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return out;
}

void PrintTo(const RefusalCase& c, std::ostream* os) {
  *os << c.what;
}

class CardRefusal : public ::testing::TestWithParam<RefusalCase> {};

TEST_P(CardRefusal, HasCodeAndTargetAndNeverEchoesTheNumber) {
  const RefusalCase& c = GetParam();
  auto r = ValidateCard(c.card, c.now);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(r.error().code, c.code) << r.error().message;
  EXPECT_EQ(r.error().target, c.target);
  EXPECT_FALSE(r.error().message.empty());
  // Neither the number (as typed or normalized), nor its last 4, nor the CVC leak.
  std::string digits;
  for (char ch : c.card.number)
    if (ch >= '0' && ch <= '9') digits += ch;
  for (const std::string& secret :
       {c.card.number, digits, digits.size() >= 4 ? digits.substr(digits.size() - 4) : ""}) {
    if (secret.size() < 4) continue;
    EXPECT_EQ(r.error().message.find(secret), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().details.dump().find(secret), std::string::npos);
  }
  if (c.card.cvc.size() >= 3) {
    EXPECT_EQ(r.error().message.find(c.card.cvc), std::string::npos) << r.error().message;
  }
}

INSTANTIATE_TEST_SUITE_P(EachRule, CardRefusal, ::testing::ValuesIn(RefusalCases()),
                         [](const auto& info) { return TestName(info.param.what); });

TEST(ValidateCard, ExpiryIsTheEndOfTheExpiryMonth) {
  CardInput c = Card("4242424242424242", "123", 11, 2026);
  const Instant last_ms = FromCivil({2026, 12, 1}) - 1;
  EXPECT_TRUE(ValidateCard(c, last_ms).ok());
  EXPECT_EQ(ValidateCard(c, last_ms + 1).error().code, "CardExpired");
  // December rolls over to January of the next year.
  c = Card("4242424242424242", "123", 12, 2026);
  EXPECT_TRUE(ValidateCard(c, FromCivil({2027, 1, 1}) - 1).ok());
  EXPECT_EQ(ValidateCard(c, FromCivil({2027, 1, 1})).error().code, "CardExpired");
}

TEST(ValidateCard, HolderNameCountsCharactersNotBytes) {
  CardInput c = Card("4242424242424242");
  std::string name;
  for (int i = 0; i < 200; ++i) name += "\xe6\x9e\x97";  // 林: 3 bytes, 1 character
  c.holderName = name;
  EXPECT_TRUE(ValidateCard(c, kNow).ok());
  c.holderName = name + "\xe6\x9e\x97";
  EXPECT_EQ(ValidateCard(c, kNow).error().code, "InvalidHolderName");
  c.holderName = "  Ada Lovelace  ";  // surrounding blanks are not counted
  EXPECT_TRUE(ValidateCard(c, kNow).ok());
}

}  // namespace
}  // namespace ld
