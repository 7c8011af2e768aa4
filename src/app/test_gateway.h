// The built-in test payment gateway. It behaves like the common test cards:
// 4242 4242 4242 4242 and 5555 5555 5555 4444 succeed; 4000 0000 0000 0002 is
// declined and 4000 0000 0000 9995 has insufficient funds when charged (both
// can be saved); any other valid card succeeds. Optionally keeps its ledger
// in an append-only file (fsync'd per entry), so crash tests can check every
// charge against the orders after a kill -9. Thread-safe.
#pragma once

#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "app/gateway.h"

namespace ld::app {

class TestGateway final : public PaymentGateway {
 public:
  // `ledger_path` empty: in memory only.
  explicit TestGateway(std::string ledger_path = {});
  ~TestGateway() override;

  Result<std::string> SaveCard(const CardSummary& card, const std::string& cvc) override;
  ChargeOutcome Charge(const std::string& token, const Money& amount,
                       const std::string& key) override;
  Status Void(const std::string& charge_id) override;
  Status Refund(const std::string& token, const Money& amount, const std::string& key) override;
  std::optional<ChargeOutcome> FindCharge(const std::string& key) override;

  struct ChargeRecord {
    std::string key;
    std::string chargeId;
    Money amount;
    bool captured = false;
    bool voided = false;
  };
  // Inspection for tests and crash checks.
  std::vector<ChargeRecord> Charges() const;
  int64_t RefundedTotal(const std::string& currency) const;
  int chargeCalls() const;

  // Fault injection: called before each Charge; returning false makes the
  // gateway fail with kError (as if the network failed) without charging.
  void SetChargeFault(std::function<bool(const std::string& key)> allow);

 private:
  void Append(const std::string& line);
  void Load();

  mutable std::mutex mu_;
  std::string path_;
  std::FILE* file_ = nullptr;
  std::map<std::string, ChargeRecord> by_key_;
  std::map<std::string, std::string> key_of_charge_;
  std::map<std::string, Money> refunds_;  // refund key -> amount
  int charge_calls_ = 0;
  uint64_t next_ = 1;
  std::function<bool(const std::string&)> fault_;
};

}  // namespace ld::app
