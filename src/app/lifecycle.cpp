#include "app/lifecycle.h"

#include <algorithm>
#include <mutex>
#include <set>

#include "app/commerce.h"
#include "app/invoices.h"
#include "app/licensing.h"
#include "domain/lifecycle.h"
#include "domain/pricing.h"
#include "domain/subscription_state.h"

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
    // The step the state machine takes at `due` (R11).
    SubscriptionEvent what;
    if (paid)
      what = SubscriptionEvent::kRenewed;
    else if (s.status == SubscriptionStatus::kActive)
      what = charge_needed ? SubscriptionEvent::kRenewalFailed : SubscriptionEvent::kNotRenewed;
    else if (s.status == SubscriptionStatus::kExpired && charge_needed)
      what = SubscriptionEvent::kRenewalRetryFailed;
    else if (s.status == SubscriptionStatus::kExpired && s.retryAt == due)
      what = SubscriptionEvent::kRetriesStopped;  // recurring billing was turned off meanwhile
    else if (s.status == SubscriptionStatus::kExpired)
      what = SubscriptionEvent::kGraceEnded;
    else if (s.status == SubscriptionStatus::kDisabled)
      what = SubscriptionEvent::kDisabledEnded;
    else
      return Ok();
    LD_ASSIGN_OR_RETURN(SubscriptionStep step, Transition(s, what, due));
    s = step.sub;
    tx.UpdateSubscription(s);
    switch (what) {
      case SubscriptionEvent::kRenewed: {
        // Renewed (or recovered by a retry): the next period starts where the
        // paid-for one ended, on the anchor day.
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
        break;
      }
      case SubscriptionEvent::kRenewalFailed:
      case SubscriptionEvent::kNotRenewed:
        // Period end without a successful renewal: expired (grace, users keep access).
        event(charge_needed ? "renewalFailed" : "expired");
        AuditAt(tx, ctx, due, s, charge_needed ? "renewalFailed" : "expire",
                {{"status", "expired"}});
        break;
      case SubscriptionEvent::kRenewalRetryFailed:
        event("renewalRetryFailed");
        AuditAt(tx, ctx, due, s, "renewalRetryFailed", {{"attempt", s.renewalAttempts}});
        break;
      case SubscriptionEvent::kGraceEnded:
        event("disabled");
        AuditAt(tx, ctx, due, s, "disable", {{"status", "disabled"}});
        break;
      case SubscriptionEvent::kDisabledEnded:
        event("deleted");
        AuditAt(tx, ctx, due, s, "delete", {{"status", "deleted"}});
        for (const Guid& u : ReconcilePool(tx, ctx, s.tenantId, s.skuId)) {
          auto* e = event("licenseRemoved");
          e->userId = u;
        }
        break;
      default:  // kRetriesStopped: no event, no audit
        break;
    }
    return Ok();
  });
  // A failed write keeps its renewal charge: the error may come after COMMIT
  // (the renewal is then durable and paid by it), and if it does not, the
  // next run takes the same step with the same gateway key and so completes
  // it with this very charge (voiding it would renew for free: a gateway
  // replays a key's first outcome even once voided).
  if (!st.ok()) return st;
  for (auto& e : events) out->events.push_back(std::move(e));
  return Ok();
}

// An invoice paid by transfer still `due` at its due date: `overdue`, and each
// active subscription it bills is expired at that instant, as after a failed
// renewal charge but without retries (there is no card to retry): 30 days of
// grace, then disabled, then deleted, unless the invoice is paid
// (MarkInvoicePaid). `*wait` when a subscription it bills was stepped earlier
// in this batch: the caller lists again first.
Status RunInvoiceStep(Context& ctx, const Invoice& seen, std::set<Guid>* touched, bool* wait,
                      Step* out) {
  Instant due = seen.dueAt;
  std::vector<Guid> billed;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    billed = SubscriptionsOf(tx, seen);
    return Ok();
  }));
  for (const Guid& id : billed)
    if (touched->count(id)) {
      *wait = true;
      return Ok();
    }
  std::vector<LifecycleEvent> events;
  LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
    events.clear();
    auto cur = tx.FindInvoice(seen.tenantId, seen.id);
    // Paid meanwhile, or taken by another run (a second server, a rerun).
    if (!cur || cur->kind != InvoiceKind::kInvoice || cur->paymentStatus != PaymentStatus::kDue)
      return Ok();
    if (!tx.UpdateInvoiceStatusIf(cur->tenantId, cur->id, PaymentStatus::kDue,
                                  PaymentStatus::kOverdue))
      return Ok();  // a twin took it between the read and the write
    Invoice inv = *cur;
    inv.paymentStatus = PaymentStatus::kOverdue;
    if (inv.orderId) {
      auto o = tx.FindOrder(inv.tenantId, *inv.orderId);
      if (o && o->paymentStatus == PaymentStatus::kDue) {
        o->paymentStatus = PaymentStatus::kOverdue;
        tx.UpdateOrder(*o);
      }
    }
    AuditEntry a;
    a.tenantId = inv.tenantId;
    a.id = Guid::NewV7(due);
    a.at = due;
    a.action = "invoice.overdue";
    a.targetType = "invoice";
    a.targetId = inv.id.str();
    a.before = nlohmann::json{{"number", inv.number}, {"status", "due"}}.dump();
    a.after = nlohmann::json{{"number", inv.number}, {"status", "overdue"}}.dump();
    tx.InsertAudit(a);
    auto event = [&](const Guid& sub, SubscriptionStatus status) {
      LifecycleEvent e;
      e.at = due;
      e.tenantId = inv.tenantId;
      e.subscriptionId = sub;
      e.type = "invoiceOverdue";
      e.status = std::string(ToString(status));
      e.amount = inv.total;
      e.currency = inv.currency;
      e.invoiceId = inv.id;
      events.push_back(e);
    };
    std::vector<Guid> ids = SubscriptionsOf(tx, inv);
    for (const Guid& id : ids) {
      auto s = tx.FindSubscription(inv.tenantId, id);
      if (!s) continue;
      // Only an active subscription is expired by it.
      if (auto step = Transition(*s, SubscriptionEvent::kInvoiceOverdue, due); step.ok()) {
        *s = step->sub;
        tx.UpdateSubscription(*s);
        tx.InsertSubscriptionHold(s->tenantId, s->id, {inv.id, due});
        AuditAt(tx, ctx, due, *s, "invoiceOverdue",
                {{"status", "expired"}, {"invoice", inv.number}});
      }
      event(s->id, s->status);
    }
    if (events.empty()) {  // it bills no subscription (any more)
      event(Guid(), SubscriptionStatus::kDeleted);
      events.back().status.clear();
    }
    return Ok();
  }));
  for (const Guid& id : billed) touched->insert(id);
  for (auto& e : events) out->events.push_back(std::move(e));
  return Ok();
}

}  // namespace

Result<std::vector<LifecycleEvent>> RunLifecycle(Context& ctx, Instant until, int max_steps) {
  constexpr int kBatch = 200;
  Step out;
  int steps = 0;
  while (steps < max_steps) {
    std::vector<Subscription> subs;
    std::vector<Invoice> invs;
    LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
      subs = tx.ListSubscriptionsDue(until, kBatch);
      invs = tx.ListInvoicesOverdue(until, kBatch);
      return Ok();
    }));
    if (subs.empty() && invs.empty()) break;
    // One time line: a full batch may hide steps after its last instant.
    Instant horizon = until;
    if (subs.size() == kBatch) horizon = std::min(horizon, NextActionAt(subs.back()));
    if (invs.size() == kBatch) horizon = std::min(horizon, invs.back().dueAt);
    struct Item {
      Instant at;
      bool invoice;
      size_t index;
    };
    std::vector<Item> items;
    for (size_t i = 0; i < subs.size(); ++i)
      if (Instant at = NextActionAt(subs[i]); at <= horizon) items.push_back({at, false, i});
    for (size_t i = 0; i < invs.size(); ++i)
      if (invs[i].dueAt <= horizon) items.push_back({invs[i].dueAt, true, i});
    // In time order; at one instant an invoice falls overdue before its
    // subscription's own step.
    std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
      return a.at != b.at ? a.at < b.at : a.invoice > b.invoice;
    });
    // Subscriptions stepped in this batch: their next step may come before a
    // later item of the batch, so an invoice of one of them waits for the next
    // listing (and so do their subscription steps, which re-read anyway).
    std::set<Guid> touched;
    for (const Item& it : items) {
      if (it.invoice) {
        bool wait = false;
        LD_TRY(RunInvoiceStep(ctx, invs[it.index], &touched, &wait, &out));
        if (wait) break;
      } else {
        const Subscription& s = subs[it.index];
        if (touched.count(s.id)) continue;
        LD_TRY(RunStep(ctx, s, until, &out));
        touched.insert(s.id);
      }
      if (++steps >= max_steps) break;
    }
  }
  return std::move(out.events);
}

Result<std::vector<LifecycleEvent>> AdvanceTestClock(Context& ctx, SettableClock& clock,
                                                     std::string_view operator_secret, Instant to) {
  if (!ctx.config.testClock) return Error::NotFound("The test clock");
  LD_TRY(RequireOperator(ctx, operator_secret));
  if (to > kLatestClockInstant)
    return Error::Invalid("DateOutOfRange",
                          "The test clock goes up to " + FormatRfc3339(kLatestClockInstant) +
                              ", so that every period, grace and due date it derives ends by "
                              "9999-12-31.",
                          "to");
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
