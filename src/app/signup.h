// Signup: a new organization with a unique initial domain and its first
// Global Administrator (admin@<prefix>.<deployment domain>).
#pragma once

#include "app/context.h"

namespace ld::app {

struct SignupRequest {
  std::string organizationName;  // 1..256 characters
  std::string domainPrefix;      // [a-z0-9-], 2..63, not starting or ending with '-'
  std::string countryCode;       // a market of this deployment's cloud
  std::string adminDisplayName;  // 1..256
  std::string adminPassword;     // 8..256
  std::optional<std::string> preferredLanguage;
  bool invoiceEligible = false;  // operator decision (demo, CLI); not settable over HTTP
  // Over HTTP: the client's address, admitted per address and overall
  // (app/throttle.h, 429 TooManySignups). Unset: the operator's signup (CLI,
  // demo), not throttled.
  std::optional<std::string> remoteAddress;
};

struct SignupResult {
  Guid tenantId;
  Guid adminId;
  std::string domain;
  std::string adminUserPrincipalName;
};

Result<SignupResult> Signup(Context& ctx, const SignupRequest& req);

// argon2id (libsodium INTERACTIVE limits). Thread-safe; bounded concurrency
// (at most kHashSlots hashes at once) so a burst cannot exhaust memory.
constexpr int kHashSlots = 2;

// One of the kHashSlots, held for the argon2id computations of one request.
// Never waits: a request that finds every slot taken is refused at once
// (ServerBusy()) instead of holding its HTTP worker.
class HashSlot {
 public:
  static std::optional<HashSlot> TryAcquire();
  HashSlot(HashSlot&& o) noexcept : held_(o.held_) { o.held_ = false; }
  HashSlot& operator=(HashSlot&&) = delete;
  ~HashSlot();

 private:
  HashSlot() = default;
  bool held_ = false;
};
// 429 ServerBusy (retryAfterSeconds 1): every hash slot was taken.
Error ServerBusy();

// With a slot held by the caller.
std::string HashPassword(const HashSlot& slot, const std::string& password);
bool VerifyPassword(const HashSlot& slot, const std::string& hash, const std::string& password);
// Verifies against a hash of a random password with the same parameters
// (always false): the cost of a real verification, for sign-ins of unknown,
// disabled or password-less accounts, so timing does not tell them apart.
bool VerifyDummyPassword(const HashSlot& slot, const std::string& password);
// How many argon2id verifications ran in this process (tests).
uint64_t PasswordVerifications();

// Waiting for a slot (operator paths and admin user management; the HTTP
// sign-in and signup use the non-waiting forms above).
std::string HashPassword(const std::string& password);
bool VerifyPassword(const std::string& hash, const std::string& password);
// The password policy of domain/password.h (8..256 bytes, not one character
// repeated, not a common password) as a 400 naming `target`.
Status CheckPasswordPolicy(const std::string& password, const std::string& target);

}  // namespace ld::app
