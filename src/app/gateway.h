// The payment gateway port. The built-in TestGateway (app/test_gateway.h)
// behaves like the common test cards; a real deployment plugs its provider in
// here. Implementations must be thread-safe. Calls may block on the network,
// so the use cases never call them from inside a Store::Write.
#pragma once

#include <optional>
#include <string>

#include "domain/card.h"
#include "domain/money.h"
#include "domain/result.h"

namespace ld::app {

struct ChargeOutcome {
  enum class Status { kCaptured, kDeclined, kInsufficientFunds, kError };
  Status status = Status::kError;
  std::string chargeId;  // set when captured
  std::string message;   // why, when not captured (never the card number)
};

class PaymentGateway {
 public:
  virtual ~PaymentGateway() = default;
  // Saves a validated card; returns the gateway's token for it.
  virtual Result<std::string> SaveCard(const CardSummary& card, const std::string& cvc) = 0;
  // Charges a saved card. `key` makes the call idempotent: the same key
  // returns the first outcome and never charges twice.
  virtual ChargeOutcome Charge(const std::string& token, const Money& amount,
                               const std::string& key) = 0;
  // Voids (fully refunds) a captured charge. Idempotent.
  virtual Status Void(const std::string& charge_id) = 0;
  // Refunds part of what was charged to a saved card, to that card. Idempotent per key.
  virtual Status Refund(const std::string& token, const Money& amount, const std::string& key) = 0;
  // The charge made with `key`, if any (recovery after a crash).
  virtual std::optional<ChargeOutcome> FindCharge(const std::string& key) = 0;
};

}  // namespace ld::app
