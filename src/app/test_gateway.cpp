#include "app/test_gateway.h"

#include <sodium.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace ld::app {

namespace {
// The behaviour is part of the token, so saved cards survive a restart.
std::string Behaviour(const std::string& digits) {
  if (digits == "4000000000000002") return "decline";
  if (digits == "4000000000009995") return "nofunds";
  return "ok";
}
std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), bytes);
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()), bytes);
  hex.pop_back();
  return hex;
}
}  // namespace

TestGateway::TestGateway(std::string ledger_path) : path_(std::move(ledger_path)) {
  if (!path_.empty()) {
    Load();
    file_ = std::fopen(path_.c_str(), "a");
  }
}

TestGateway::~TestGateway() {
  if (file_) std::fclose(file_);
}

void TestGateway::Load() {
  std::ifstream in(path_);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream s(line);
    std::string op;
    s >> op;
    if (op == "charge") {
      ChargeRecord r;
      int captured = 0;
      s >> r.key >> r.chargeId >> r.amount.amount >> r.amount.currency >> captured;
      r.captured = captured != 0;
      key_of_charge_[r.chargeId] = r.key;
      by_key_[r.key] = r;
    } else if (op == "void") {
      std::string id;
      s >> id;
      auto it = key_of_charge_.find(id);
      if (it != key_of_charge_.end()) by_key_[it->second].voided = true;
    } else if (op == "refund") {
      std::string key;
      Money m;
      s >> key >> m.amount >> m.currency;
      refunds_[key] = m;
    }
  }
}

void TestGateway::Append(const std::string& line) {
  if (!file_) return;
  std::fputs((line + "\n").c_str(), file_);
  std::fflush(file_);
  fsync(fileno(file_));
}

Result<std::string> TestGateway::SaveCard(const CardSummary& card, const std::string&) {
  return "tok_" + Behaviour(card.digits) + "_" + card.brand + "_" + card.last4 + "_" + RandomHex(8);
}

ChargeOutcome TestGateway::Charge(const std::string& token, const Money& amount,
                                  const std::string& key) {
  std::lock_guard<std::mutex> l(mu_);
  ++charge_calls_;
  auto it = by_key_.find(key);
  if (it != by_key_.end()) {
    const ChargeRecord& r = it->second;
    if (r.captured) return {ChargeOutcome::Status::kCaptured, r.chargeId, ""};
    return {ChargeOutcome::Status::kDeclined, "", "Your card was declined."};
  }
  if (fault_ && !fault_(key)) return {ChargeOutcome::Status::kError, "", "gateway unreachable"};
  ChargeRecord r;
  r.key = key;
  r.amount = amount;
  ChargeOutcome out;
  if (token.rfind("tok_decline_", 0) == 0) {
    out = {ChargeOutcome::Status::kDeclined, "", "Your card was declined."};
  } else if (token.rfind("tok_nofunds_", 0) == 0) {
    out = {ChargeOutcome::Status::kInsufficientFunds, "", "Your card has insufficient funds."};
  } else if (token.rfind("tok_ok_", 0) == 0) {
    r.captured = true;
    r.chargeId = "ch_" + std::to_string(next_++) + "_" + RandomHex(6);
    out = {ChargeOutcome::Status::kCaptured, r.chargeId, ""};
  } else {
    return {ChargeOutcome::Status::kDeclined, "", "Unknown payment method."};
  }
  Append("charge " + key + " " + (r.chargeId.empty() ? "-" : r.chargeId) + " " +
         std::to_string(amount.amount) + " " + amount.currency + " " + (r.captured ? "1" : "0"));
  if (!r.chargeId.empty()) key_of_charge_[r.chargeId] = key;
  by_key_[key] = r;
  return out;
}

Status TestGateway::Void(const std::string& charge_id) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = key_of_charge_.find(charge_id);
  if (it == key_of_charge_.end()) return Error::NotFound("The charge " + charge_id);
  ChargeRecord& r = by_key_[it->second];
  if (!r.voided) {
    r.voided = true;
    Append("void " + charge_id);
  }
  return Ok();
}

Status TestGateway::Refund(const std::string& token, const Money& amount, const std::string& key) {
  std::lock_guard<std::mutex> l(mu_);
  if (token.rfind("tok_", 0) != 0) return Error::Invalid("InvalidToken", "unknown card token");
  if (refunds_.count(key)) return Ok();
  refunds_[key] = amount;
  Append("refund " + key + " " + std::to_string(amount.amount) + " " + amount.currency);
  return Ok();
}

std::optional<ChargeOutcome> TestGateway::FindCharge(const std::string& key) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return std::nullopt;
  if (it->second.captured)
    return ChargeOutcome{ChargeOutcome::Status::kCaptured, it->second.chargeId, ""};
  return ChargeOutcome{ChargeOutcome::Status::kDeclined, "", "declined"};
}

std::vector<TestGateway::ChargeRecord> TestGateway::Charges() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<ChargeRecord> out;
  for (const auto& [_, r] : by_key_) out.push_back(r);
  return out;
}

int64_t TestGateway::RefundedTotal(const std::string& currency) const {
  std::lock_guard<std::mutex> l(mu_);
  int64_t total = 0;
  for (const auto& [_, m] : refunds_)
    if (m.currency == currency) total += m.amount;
  return total;
}

int TestGateway::chargeCalls() const {
  std::lock_guard<std::mutex> l(mu_);
  return charge_calls_;
}

void TestGateway::SetChargeFault(std::function<bool(const std::string&)> allow) {
  std::lock_guard<std::mutex> l(mu_);
  fault_ = std::move(allow);
}

}  // namespace ld::app
