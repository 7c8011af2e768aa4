// What every use case needs, built once in the composition root (cli) and
// passed by reference. Holds no mutable state of its own; thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "app/gateway.h"
#include "app/store.h"
#include "app/throttle.h"
#include "domain/catalog.h"
#include "domain/roles.h"
#include "domain/time.h"

namespace ld::app {

struct Config {
  Cloud cloud = Cloud::kWorldwide;
  std::string deploymentDomain = "licensedesk.test";
  bool signupEnabled = true;
  bool testClock = false;
  // `serve --operator-token`: the deployment operator's bearer secret, for the
  // operator's acts (moving the test clock). Empty: no operator routes.
  std::string operatorToken;
  // `serve --sso-allow-http`: single sign-on issuers may be http:// (tests
  // and on-premises providers); otherwise https only (app/sso.h).
  bool ssoAllowHttp = false;
  std::string sellerName = "licensedesk";
  std::string sellerAddress = "";
};

struct Context {
  Store& store;
  const Clock& clock;
  PaymentGateway& gateway;
  const Catalog& catalog;
  Config config;
  std::shared_ptr<SignInThrottle> throttle = std::make_shared<SignInThrottle>();
  // The real clock for security times (token and session expiry, sign-in
  // throttling). The test clock (`clock`) moves billing time only; when this
  // is null (unit tests with one settable clock) security follows `clock`.
  const Clock* securityClock = nullptr;
  // Signup admission per address and overall (app/throttle.h).
  std::shared_ptr<SignupThrottle> signupThrottle = std::make_shared<SignupThrottle>();

  // Called after a use case committed durable work items (app/work.h) that
  // should run soon (group licensing): serve wakes its WorkQueue, so an item
  // waits for no idle interval. Unset: the queue finds it on its next turn.
  std::function<void()> workEnqueued;

  void WorkEnqueued() const {
    if (workEnqueued) workEnqueued();
  }

  Guid NewId() const { return Guid::NewV7(clock.Now()); }
  // Billing time: renewals, periods, dunning, invoices, audit times.
  Instant Now() const { return clock.Now(); }
  // Security time: never moved by the test clock.
  Instant SecurityNow() const { return securityClock ? securityClock->Now() : clock.Now(); }
};

// The authenticated caller of a use case.
struct Actor {
  Guid tenantId;
  Guid userId;
  RoleSet roles;
};

// R12: fails with 403 when the actor's roles do not allow `p`.
Status Require(const Actor& a, Permission p);

// The operator's acts (not any organization's): ok when `secret` is the
// configured operator token (compared in constant time), else 403.
Status RequireOperator(const Context& ctx, std::string_view secret);

// Appends an audit entry in the caller's transaction.
void Audit(Tx& tx, const Context& ctx, const std::optional<Guid>& actor, const Guid& tenant,
           std::string action, std::string target_type, std::string target_id,
           std::string before = {}, std::string after = {});

}  // namespace ld::app
