// Payment card checks done before a card is saved (no I/O). The card number and
// CVC are never stored or logged: only brand, last4 and expiry leave here.
#pragma once

#include <string>
#include <string_view>

#include "domain/result.h"
#include "domain/time.h"

namespace ld {

struct CardInput {
  std::string number;  // digits, spaces or dashes allowed as separators
  int expMonth = 0;    // 1..12
  int expYear = 0;     // four digits
  std::string cvc;     // 3 digits (4 for American Express)
  std::string holderName;
};

struct CardSummary {
  std::string brand;  // "visa", "mastercard", "amex", "discover", "jcb", "unionpay", "unknown"
  std::string last4;
  std::string digits;  // the normalized number, for the gateway only; never persisted
  int expMonth = 0;
  int expYear = 0;
};

bool LuhnValid(std::string_view digits);
// Validates a card the way a gateway would before saving it: digits only (after
// removing spaces/dashes), 12-19 digits, Luhn, a known brand's CVC length,
// an expiry that is not in the past at `now`, a holder name of 1..200 chars.
// Errors are kInvalid with codes InvalidCardNumber, InvalidCvc, CardExpired,
// InvalidExpiry, InvalidHolderName and the target field ("card.number", ...).
Result<CardSummary> ValidateCard(const CardInput& card, Instant now);

}  // namespace ld
