#include "app/signup.h"

#include <sodium.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "app/commerce.h"
#include "app/directory.h"
#include "domain/password.h"

namespace ld::app {

namespace {
// argon2id at INTERACTIVE limits takes ~64 MiB: at most kHashSlots at once.
class HashGate {
 public:
  bool TryEnter() {
    std::lock_guard<std::mutex> l(mu_);
    if (in_use_ >= kHashSlots) return false;
    ++in_use_;
    return true;
  }
  void Enter() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return in_use_ < kHashSlots; });
    ++in_use_;
  }
  void Leave() {
    {
      std::lock_guard<std::mutex> l(mu_);
      --in_use_;
    }
    cv_.notify_one();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int in_use_ = 0;
};
HashGate& Gate() {
  static HashGate g;
  return g;
}
struct GateScope {
  GateScope() { Gate().Enter(); }
  ~GateScope() { Gate().Leave(); }
};
std::atomic<uint64_t> g_verifications{0};

std::string HashUnlocked(const std::string& password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    throw std::runtime_error("out of memory hashing a password");
  }
  return out;
}
bool VerifyUnlocked(const std::string& hash, const std::string& password) {
  g_verifications.fetch_add(1, std::memory_order_relaxed);
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool ValidPrefix(const std::string& p) {
  if (p.size() < 2 || p.size() > 63 || p.front() == '-' || p.back() == '-') return false;
  for (char c : p)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}
}  // namespace

std::optional<HashSlot> HashSlot::TryAcquire() {
  if (!Gate().TryEnter()) return std::nullopt;
  HashSlot s;
  s.held_ = true;
  return s;
}

HashSlot::~HashSlot() {
  if (held_) Gate().Leave();
}

Error ServerBusy() {
  return Error::TooMany(
      "ServerBusy", "The server is busy checking other passwords. Try again in a second.", 1000);
}

std::string HashPassword(const HashSlot&, const std::string& password) {
  return HashUnlocked(password);
}

bool VerifyPassword(const HashSlot&, const std::string& hash, const std::string& password) {
  if (hash.empty()) return false;
  return VerifyUnlocked(hash, password);
}

bool VerifyDummyPassword(const HashSlot&, const std::string& password) {
  // Made once, lazily (under the caller's slot), of random bytes nobody knows.
  static const std::string dummy = [] {
    unsigned char b[32];
    randombytes_buf(b, sizeof b);
    return HashUnlocked(std::string(reinterpret_cast<const char*>(b), sizeof b));
  }();
  VerifyUnlocked(dummy, password);
  return false;
}

uint64_t PasswordVerifications() {
  return g_verifications.load(std::memory_order_relaxed);
}

std::string HashPassword(const std::string& password) {
  GateScope g;
  return HashUnlocked(password);
}

bool VerifyPassword(const std::string& hash, const std::string& password) {
  if (hash.empty()) return false;
  GateScope g;
  return VerifyUnlocked(hash, password);
}

Status CheckPasswordPolicy(const std::string& pw, const std::string& target) {
  // The one policy, a pure rule (domain/password.h).
  if (auto problem = CheckPassword(pw))
    return Error::Invalid(problem->code, problem->message, target);
  return Ok();
}

Result<SignupResult> Signup(Context& ctx, const SignupRequest& req) {
  if (!ctx.config.signupEnabled) return Error::Forbidden("Signup is turned off here.");
  if (req.organizationName.empty() || req.organizationName.size() > 256) {
    return Error::Invalid("InvalidOrganizationName",
                          "organizationName must have 1 to 256 characters.", "organizationName");
  }
  if (!ValidPrefix(req.domainPrefix)) {
    return Error::Invalid("InvalidDomainPrefix",
                          "domainPrefix must have 2 to 63 of a-z, 0-9 and '-', not at either end.",
                          "domainPrefix");
  }
  const Market* market = ctx.catalog.FindMarket(req.countryCode);
  bool served = false;
  if (market)
    for (Cloud c : market->clouds) served |= c == ctx.config.cloud;
  if (!served) {
    return Error::Invalid("UnsupportedCountry",
                          "countryCode " + req.countryCode + " is not a market of this cloud.",
                          "countryCode");
  }
  if (req.adminDisplayName.empty() || req.adminDisplayName.size() > 256) {
    return Error::Invalid("InvalidDisplayName", "admin.displayName must have 1 to 256 characters.",
                          "admin.displayName");
  }
  LD_TRY(CheckPasswordPolicy(req.adminPassword, "admin.password"));
  if (req.preferredLanguage && !IsSupportedLocale(*req.preferredLanguage)) {
    return Error::Invalid("UnsupportedLanguage", "preferredLanguage is not supported.",
                          "preferredLanguage");
  }

  SignupResult out;
  out.domain = req.domainPrefix + "." + ctx.config.deploymentDomain;
  out.adminUserPrincipalName = "admin@" + out.domain;
  out.tenantId = ctx.NewId();
  out.adminId = ctx.NewId();
  // Admission (HTTP only), then a hash slot without waiting for one.
  if (req.remoteAddress) {
    int64_t wait = ctx.signupThrottle->Admit(*req.remoteAddress, ctx.SecurityNow());
    if (wait > 0)
      return Error::TooMany(
          "TooManySignups",
          "Too many signups from this address or on this server. Try again later.", wait);
  }
  auto slot = HashSlot::TryAcquire();
  if (!slot) {
    if (req.remoteAddress) ctx.signupThrottle->Refund(*req.remoteAddress);
    return ServerBusy();
  }
  std::string hash = HashPassword(*slot, req.adminPassword);  // outside the writer
  slot.reset();
  Instant now = ctx.Now();

  LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
    if (tx.FindDomainOwner(out.domain)) {
      return Error::Conflict("DomainTaken", "The domain " + out.domain + " is already taken.");
    }
    Tenant t{out.tenantId, req.organizationName, req.countryCode,
             out.domain,   req.invoiceEligible,  now};
    tx.InsertTenant(t);
    tx.InsertDomain(t.id, {out.domain, true, true});
    User u;
    u.tenantId = t.id;
    u.id = out.adminId;
    u.userPrincipalName = out.adminUserPrincipalName;
    u.displayName = req.adminDisplayName;
    u.mailNickname = "admin";
    u.usageLocation = req.countryCode;
    u.preferredLanguage = req.preferredLanguage;
    u.accountEnabled = true;
    u.passwordHash = hash;
    u.createdAt = now;
    tx.InsertUser(u);
    tx.SetRoles(t.id, u.id, {Role::kGlobalAdmin});
    Audit(tx, ctx, u.id, t.id, "organization.signup", "organization", t.id.str(), "",
          nlohmann::json{
              {"displayName", t.displayName}, {"domain", t.initialDomain}, {"country", t.country}}
              .dump());
    return Ok();
  }));
  return out;
}

}  // namespace ld::app
