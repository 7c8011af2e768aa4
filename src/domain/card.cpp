#include "domain/card.h"

#include <algorithm>
#include <cstdint>

namespace ld {

namespace {

struct Brand {
  std::string_view name;
  uint32_t lengths;  // bit n set: n digits is a valid length
  size_t cvcLength;  // 0: unknown brand, 3 or 4 accepted
};

// The length bits for lo..hi digits.
constexpr uint32_t Lengths(int lo, int hi) {
  uint32_t bits = 0;
  for (int n = lo; n <= hi; ++n) bits |= 1u << n;
  return bits;
}

constexpr Brand kVisa{"visa", Lengths(13, 13) | Lengths(16, 16) | Lengths(19, 19), 3};
constexpr Brand kMastercard{"mastercard", Lengths(16, 16), 3};
constexpr Brand kAmex{"amex", Lengths(15, 15), 4};
constexpr Brand kDiscover{"discover", Lengths(16, 19), 3};
constexpr Brand kJcb{"jcb", Lengths(16, 19), 3};
constexpr Brand kUnionPay{"unionpay", Lengths(16, 19), 3};
constexpr Brand kUnknown{"unknown", Lengths(12, 19), 0};

// The first n digits as a number (precondition: digits.size() >= n, all digits).
int Prefix(std::string_view digits, size_t n) {
  int v = 0;
  for (size_t i = 0; i < n; ++i) v = v * 10 + (digits[i] - '0');
  return v;
}

// The brand from the number's leading digits (issuer identification number).
// Precondition: `digits` holds at least 12 digits.
const Brand& BrandOf(std::string_view digits) {
  int p2 = Prefix(digits, 2), p3 = Prefix(digits, 3), p4 = Prefix(digits, 4);
  if (digits[0] == '4') return kVisa;
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return kMastercard;
  if (p2 == 34 || p2 == 37) return kAmex;
  if (p4 == 6011 || p2 == 65 || (p3 >= 644 && p3 <= 649)) return kDiscover;
  if (p4 >= 3528 && p4 <= 3589) return kJcb;
  if (p2 == 62) return kUnionPay;
  return kUnknown;
}

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Holder name: after trimming, 1..200 code points of valid UTF-8 with no
// control characters. Returns false otherwise.
bool ValidHolderName(std::string_view name) {
  auto space = [](char c) { return c == ' ' || c == '\t'; };
  while (!name.empty() && space(name.front())) name.remove_prefix(1);
  while (!name.empty() && space(name.back())) name.remove_suffix(1);
  if (name.empty()) return false;
  size_t points = 0;
  for (size_t i = 0; i < name.size(); ++points) {
    auto b = static_cast<unsigned char>(name[i]);
    size_t len = b < 0x80           ? 1
                 : (b >> 5) == 0x6  ? 2
                 : (b >> 4) == 0xE  ? 3
                 : (b >> 3) == 0x1E ? 4
                                    : 0;
    if (len == 0 || i + len > name.size()) return false;
    uint32_t cp = len == 1 ? b : b & (0x7F >> len);
    for (size_t k = 1; k < len; ++k) {
      auto c = static_cast<unsigned char>(name[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return false;  // control characters
    i += len;
  }
  return points <= 200;
}

}  // namespace

bool LuhnValid(std::string_view digits) {
  if (digits.empty() || !AllDigits(digits)) return false;
  int sum = 0;
  bool twice = false;  // every second digit from the right is doubled
  for (auto it = digits.rbegin(); it != digits.rend(); ++it, twice = !twice) {
    int d = *it - '0';
    if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 == 0;
}

// Error messages never quote the number or the CVC: they may reach a log.
Result<CardSummary> ValidateCard(const CardInput& card, Instant now) {
  std::string digits;
  digits.reserve(card.number.size());
  for (char c : card.number) {
    if (c == ' ' || c == '-') continue;
    if (c < '0' || c > '9')
      return Error::Invalid("InvalidCardNumber",
                            "The card number may contain only digits, spaces and dashes.",
                            "card.number");
    digits += c;
  }
  if (digits.size() < 12 || digits.size() > 19)
    return Error::Invalid("InvalidCardNumber", "The card number must have 12 to 19 digits.",
                          "card.number");
  const Brand& brand = BrandOf(digits);
  if ((brand.lengths & (1u << digits.size())) == 0) {
    return Error::Invalid("InvalidCardNumber",
                          "The card number has the wrong number of digits for a " +
                              std::string(brand.name) + " card.",
                          "card.number");
  }
  if (!LuhnValid(digits))
    return Error::Invalid("InvalidCardNumber", "The card number is not valid (check digit).",
                          "card.number");

  if (card.expMonth < 1 || card.expMonth > 12)
    return Error::Invalid("InvalidExpiry", "The expiry month must be 1 to 12.", "card.expMonth");
  const int this_year = ToCivil(now).year;
  if (card.expYear < 1000 || card.expYear > 9999)
    return Error::Invalid("InvalidExpiry", "The expiry year must have four digits.",
                          "card.expYear");
  // A card is valid through the last moment of its expiry month (UTC).
  CivilDate first_after =
      card.expMonth == 12 ? CivilDate{card.expYear + 1, 1, 1}
                          : CivilDate{card.expYear, static_cast<unsigned>(card.expMonth + 1), 1};
  if (now >= FromCivil(first_after))
    return Error::Invalid("CardExpired", "The card has expired.", "card.expYear");
  if (card.expYear > this_year + 50)
    return Error::Invalid("InvalidExpiry", "The expiry year is too far in the future.",
                          "card.expYear");

  bool cvc_ok =
      AllDigits(card.cvc) && (brand.cvcLength == 0 ? (card.cvc.size() == 3 || card.cvc.size() == 4)
                                                   : card.cvc.size() == brand.cvcLength);
  if (!cvc_ok) {
    std::string rule = brand.cvcLength == 4   ? "4 digits for American Express"
                       : brand.cvcLength == 3 ? "3 digits"
                                              : "3 or 4 digits";
    return Error::Invalid("InvalidCvc", "The security code (CVC) must be " + rule + ".",
                          "card.cvc");
  }

  if (!ValidHolderName(card.holderName))
    return Error::Invalid("InvalidHolderName",
                          "The cardholder name must be 1 to 200 characters, without control "
                          "characters.",
                          "card.holderName");

  CardSummary out;
  out.brand = std::string(brand.name);
  out.last4 = digits.substr(digits.size() - 4);
  out.digits = std::move(digits);
  out.expMonth = card.expMonth;
  out.expYear = card.expYear;
  return out;
}

}  // namespace ld
