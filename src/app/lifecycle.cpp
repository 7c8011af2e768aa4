#include "app/lifecycle.h"

#include <mutex>

#include "app/commerce.h"
#include "app/licensing.h"
#include "domain/lifecycle.h"
#include "domain/pricing.h"

namespace ld::app {

namespace {

bool SameState(const Subscription& a, const Subscription& b) {
  return a.status == b.status && a.currentPeriodEnd == b.currentPeriodEnd &&
         a.statusChangedAt == b.statusChangedAt && a.renewalAttempts == b.renewalAttempts &&
         a.retryAt == b.retryAt && a.autoRenew == b.autoRenew;
}

void AuditAt(Tx& tx, const Context& ctx, Instant at, const Subscription& s, const std::string& what,
             const nlohmann::json& after) {
  AuditEntry e;
  e.tenantId = s.tenantId;
  e.id = Guid::NewV7(at);
  e.at = at;
  e.action = "subscription." + what;
  e.targetType = "subscription";
  e.targetId = s.id.str();
  e.after = after.dump();
  (void)ctx;
  tx.InsertAudit(e);
}

// The next period after the one ending at `end`, on the anchor day.
Instant NextPeriodEnd(const Subscription& s) {
  CivilDate start = ToCivil(s.startDate);
  int64_t ms_of_day = s.startDate - FromCivil(start);
  // Count periods from the start date so month ends never drift.
  int months_per = s.cycle == BillingCycle::kMonthly ? 1 : 12;
  for (int k = 1;; ++k) {
    Instant e = FromCivil(AddMonthsAnchored(start, k * months_per, s.anchorDay), ms_of_day);
    if (e > s.currentPeriodEnd) return e;
  }
}

struct Step {
  std::vector<LifecycleEvent> events;
};

// Charges the renewal of `s` for the period starting at its currentPeriodEnd.
ChargeOutcome ChargeRenewal(Context& ctx, const Subscription& s, const PaymentMethod* pm,
                            int attempt) {
  if (!pm || pm->deleted) return {ChargeOutcome::Status::kDeclined, "", "no payment method"};
  int64_t amount = s.unitPrice * s.quantity;
  int64_t total = amount + TaxOn(amount, s.taxRateBp);
  if (pm->type == PaymentMethodType::kInvoice || total == 0)
    return {ChargeOutcome::Status::kCaptured, "", ""};
  std::string key = "renew:" + s.id.str() + ":" + std::to_string(s.currentPeriodEnd) + ":" +
                    std::to_string(attempt);
  return ctx.gateway.Charge(pm->gatewayToken, {total, s.currency}, key);
}

Status RunStep(Context& ctx, const Subscription& seen, Instant until, Step* out) {
  Instant due = NextActionAt(seen);
  if (due > until) return Ok();
  std::optional<PaymentMethod> pm;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    pm = tx.FindPaymentMethod(seen.tenantId, seen.paymentMethodId);
    return Ok();
  }));

  bool charge_needed = false;
  int attempt = 0;
  if (seen.status == SubscriptionStatus::kActive && seen.autoRenew) {
    charge_needed = true;
  } else if (seen.status == SubscriptionStatus::kExpired && seen.autoRenew && seen.retryAt > 0 &&
             seen.retryAt == due) {
    charge_needed = true;
    attempt = seen.renewalAttempts + 1;
  }
  ChargeOutcome charge{ChargeOutcome::Status::kDeclined, "", ""};
  if (charge_needed) charge = ChargeRenewal(ctx, seen, pm ? &*pm : nullptr, attempt);
  bool paid = charge_needed && charge.status == ChargeOutcome::Status::kCaptured;
  bool invoice = pm && pm->type == PaymentMethodType::kInvoice;

  std::vector<LifecycleEvent> events;
  Status st = ctx.store.Write([&](Tx& tx) -> Status {
    events.clear();
    auto cur = tx.FindSubscription(seen.tenantId, seen.id);
    if (!cur || !SameState(*cur, seen)) return Ok();  // taken by another run
    Subscription s = *cur;
    auto event = [&](const std::string& type) {
      LifecycleEvent e;
      e.at = due;
      e.tenantId = s.tenantId;
      e.subscriptionId = s.id;
      e.type = type;
      e.status = std::string(ToString(s.status));
      e.currency = s.currency;
      events.push_back(e);
      return &events.back();
    };
    if (paid) {
      // Renewed (or recovered by a retry): the next period starts where the
      // paid-for one ended, on the anchor day.
      s.periodStart = s.currentPeriodEnd;
      s.currentPeriodEnd = NextPeriodEnd(s);
      s.status = SubscriptionStatus::kActive;
      s.statusChangedAt = due;
      s.renewalAttempts = 0;
      s.retryAt = 0;
      tx.UpdateSubscription(s);
      auto tenant = tx.FindTenant(s.tenantId);
      const Sku* sku = ctx.catalog.FindSku(s.skuId);
      int64_t amount = s.unitPrice * s.quantity;
      Invoice inv = IssueInvoice(
          tx, ctx, *tenant, InvoiceKind::kInvoice, std::nullopt, s.id, s.currency, s.taxRateBp,
          {{(sku ? sku->name : s.skuId.str()) + " (renewal)", s.skuId, s.quantity, s.unitPrice,
            amount, 0, s.periodStart, s.currentPeriodEnd}},
          invoice ? PaymentStatus::kDue : PaymentStatus::kCaptured,
          invoice ? due + 30 * kMsPerDay : due);
      auto* e = event("renewed");
      e->amount = inv.total;
      e->invoiceId = inv.id;
      AuditAt(tx, ctx, due, s, "renew",
              {{"periodEnd", FormatRfc3339(s.currentPeriodEnd)}, {"invoice", inv.number}});
    } else if (s.status == SubscriptionStatus::kActive) {
      // Period end without a successful renewal: expired (grace, users keep access).
      s.status = SubscriptionStatus::kExpired;
      s.statusChangedAt = due;
      s.renewalAttempts = 0;
      s.retryAt = charge_needed ? due + kRenewalRetryDays[0] * kMsPerDay : 0;
      tx.UpdateSubscription(s);
      event(charge_needed ? "renewalFailed" : "expired");
      AuditAt(tx, ctx, due, s, charge_needed ? "renewalFailed" : "expire", {{"status", "expired"}});
    } else if (s.status == SubscriptionStatus::kExpired && charge_needed) {
      s.renewalAttempts = attempt;
      s.retryAt = attempt < kRenewalRetries
                      ? s.currentPeriodEnd + kRenewalRetryDays[attempt] * kMsPerDay
                      : 0;
      tx.UpdateSubscription(s);
      event("renewalRetryFailed");
      AuditAt(tx, ctx, due, s, "renewalRetryFailed", {{"attempt", attempt}});
    } else if (s.status == SubscriptionStatus::kExpired && s.retryAt == due) {
      // Recurring billing was turned off meanwhile: no more retries.
      s.retryAt = 0;
      tx.UpdateSubscription(s);
    } else if (s.status == SubscriptionStatus::kExpired) {
      s.status = SubscriptionStatus::kDisabled;
      s.statusChangedAt = due;
      s.retryAt = 0;
      tx.UpdateSubscription(s);
      event("disabled");
      AuditAt(tx, ctx, due, s, "disable", {{"status", "disabled"}});
    } else if (s.status == SubscriptionStatus::kDisabled) {
      s.status = SubscriptionStatus::kDeleted;
      s.statusChangedAt = due;
      tx.UpdateSubscription(s);
      event("deleted");
      AuditAt(tx, ctx, due, s, "delete", {{"status", "deleted"}});
      for (const Guid& u : ReconcilePool(tx, ctx, s.tenantId, s.skuId)) {
        auto* e = event("licenseRemoved");
        e->userId = u;
      }
    }
    return Ok();
  });
  if (!st.ok()) {
    if (paid && !charge.chargeId.empty()) (void)ctx.gateway.Void(charge.chargeId);
    return st;
  }
  for (auto& e : events) out->events.push_back(std::move(e));
  return Ok();
}

}  // namespace

Result<std::vector<LifecycleEvent>> RunLifecycle(Context& ctx, Instant until, int max_steps) {
  Step out;
  int steps = 0;
  while (steps < max_steps) {
    std::vector<Subscription> due;
    LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
      due = tx.ListSubscriptionsDue(until, 200);
      return Ok();
    }));
    if (due.empty()) break;
    for (const auto& s : due) {
      LD_TRY(RunStep(ctx, s, until, &out));
      if (++steps >= max_steps) break;
    }
  }
  return std::move(out.events);
}

Result<std::vector<LifecycleEvent>> AdvanceTestClock(Context& ctx, SettableClock& clock,
                                                     const Actor& actor, Instant to) {
  if (!ctx.config.testClock) return Error::NotFound("The test clock");
  LD_TRY(Require(actor, Permission::kTestClock));
  static std::mutex mu;  // one advance at a time per process
  std::lock_guard<std::mutex> l(mu);
  if (to < clock.Now())
    return Error::Invalid(
        "ClockCannotGoBack",
        "The test clock moves forward only; it is at " + FormatRfc3339(clock.Now()) + ".", "to");
  clock.Set(to);
  return RunLifecycle(ctx, to);
}

}  // namespace ld::app
