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
};

struct SignupResult {
  Guid tenantId;
  Guid adminId;
  std::string domain;
  std::string adminUserPrincipalName;
};

Result<SignupResult> Signup(Context& ctx, const SignupRequest& req);

// argon2id (libsodium INTERACTIVE limits). Thread-safe; bounded concurrency
// (at most 2 hashes at once) so a burst cannot exhaust memory.
std::string HashPassword(const std::string& password);
bool VerifyPassword(const std::string& hash, const std::string& password);
// Password policy: 8..256 characters (UTF-8 bytes), not all one character.
Status CheckPasswordPolicy(const std::string& password, const std::string& target);

}  // namespace ld::app
