#include "app/subscriptions.h"

#include <algorithm>
#include <iostream>

#include "app/auth.h"
#include "app/groups.h"
#include "app/idempotency.h"
#include "app/licensing.h"
#include "domain/lifecycle.h"
#include "domain/subscription_state.h"

namespace ld::app {

namespace {

// Attributes the pool's consumed units to the SKU's live subscriptions,
// oldest first, each up to its quantity.
std::vector<SubscriptionView> Views(Tx& tx, const Guid& tenant, std::vector<Subscription> subs) {
  std::vector<SubscriptionView> out;
  std::map<Guid, int64_t> left;
  for (auto& s : subs) {
    if (!left.count(s.skuId)) left[s.skuId] = tx.GetPool(tenant, s.skuId).consumed;
    int64_t mine = 0;
    if (s.status != SubscriptionStatus::kDeleted) {
      mine = std::min(left[s.skuId], s.quantity);
      left[s.skuId] -= mine;
    }
    out.push_back({std::move(s), mine});
  }
  return out;
}

Result<SubscriptionView> ViewOf(Tx& tx, const Guid& tenant, const Guid& id) {
  auto all = Views(tx, tenant, tx.ListSubscriptions(tenant));
  for (auto& v : all)
    if (v.sub.id == id) return v;
  return Error::NotFound("The subscription " + id.str());
}

nlohmann::json SubJson(const Subscription& s) {
  return {{"quantity", s.quantity},
          {"status", ToString(s.status)},
          {"autoRenew", s.autoRenew},
          {"currentPeriodEnd", FormatRfc3339(s.currentPeriodEnd)}};
}

Result<Tenant> LoadTenant(Tx& tx, const Guid& id) {
  auto t = tx.FindTenant(id);
  if (!t) return Error::NotFound("The organization");
  return *t;
}

// Charges `amount` (plus tax) to the subscription's payment method.
// Returns the outcome; invoice payment methods are always "captured" as due.
struct Payment {
  bool ok = false;
  bool invoice = false;
  bool unknown = false;  // the gateway did not answer: it may have charged
  std::string chargeId;
  std::string token;
  std::string message;
};
Payment Pay(Context& ctx, const PaymentMethod& pm, int64_t total, const std::string& currency,
            const std::string& key) {
  Payment p;
  p.token = pm.gatewayToken;
  if (pm.type == PaymentMethodType::kInvoice) {
    p.ok = p.invoice = true;
    return p;
  }
  if (total <= 0) {
    p.ok = true;
    return p;
  }
  auto c = ctx.gateway.Charge(pm.gatewayToken, {total, currency}, key);
  p.ok = c.status == ChargeOutcome::Status::kCaptured;
  p.unknown = c.status == ChargeOutcome::Status::kError;
  p.chargeId = c.chargeId;
  p.message = c.message;
  return p;
}

Error LostRace() {
  return Error::Concurrent("ConcurrentChange",
                           "The subscription changed meanwhile; nothing was charged. Read it again "
                           "and send the change with a new Idempotency-Key.");
}

Error Declined(const std::string& message) {
  return {ErrorKind::kPaymentFailed,
          "PaymentDeclined",
          message.empty() ? "The payment was declined." : message,
          {},
          nullptr};
}

}  // namespace

Result<std::vector<SubscriptionView>> ListSubscriptions(Context& ctx, const Actor& actor) {
  LD_TRY(Require(actor, Permission::kReadBilling));
  std::vector<SubscriptionView> out;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    out = Views(tx, actor.tenantId, tx.ListSubscriptions(actor.tenantId));
    return Ok();
  }));
  return out;
}

Result<Page<SubscriptionView>> ListSubscriptionsPage(Context& ctx, const Actor& actor,
                                                     std::optional<PageCursor> after, int limit) {
  LD_TRY(Require(actor, Permission::kReadBilling));
  limit = std::clamp(limit, 1, 1000);
  Page<SubscriptionView> out;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    // A view's assigned licenses depend on every older subscription of its
    // SKU, so the views are built over the whole list (one query) and the
    // page is cut from it.
    auto all = Views(tx, actor.tenantId, tx.ListSubscriptions(actor.tenantId));
    size_t i = 0;
    if (after) {
      while (i < all.size() &&
             std::pair(all[i].sub.createdAt, all[i].sub.id) <= std::pair(after->key, after->id))
        ++i;
    }
    for (; i < all.size() && static_cast<int>(out.items.size()) < limit; ++i)
      out.items.push_back(std::move(all[i]));
    if (i < all.size())
      out.next = PageCursor{out.items.back().sub.createdAt, out.items.back().sub.id};
    return Ok();
  }));
  return out;
}

Result<SubscriptionView> GetSubscription(Context& ctx, const Actor& actor, const Guid& id) {
  LD_TRY(Require(actor, Permission::kReadBilling));
  std::optional<SubscriptionView> out;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    LD_ASSIGN_OR_RETURN(out, ViewOf(tx, actor.tenantId, id));
    return Ok();
  }));
  return *out;
}

Result<SubscriptionView> ChangeSubscription(Context& ctx, const Actor& actor, const Guid& id,
                                            const SubscriptionChange& change,
                                            const std::optional<IdempotencyInput>& idem_in,
                                            bool* replayed) {
  LD_TRY(Require(actor, Permission::kManageBilling));
  if (replayed) *replayed = false;
  if (!change.quantity && !change.autoRenew)
    return Error::Invalid("EmptyChange", "Give quantity or autoRenew.", "quantity");
  LD_ASSIGN_OR_RETURN(const std::optional<IdempotencyInput> idem, ScopeKey(actor, idem_in));
  Instant now = ctx.Now();

  // Read and validate; compute the money to move.
  Subscription sub;
  PaymentMethod pm;
  Tenant tenant;
  int64_t delta = 0, amount = 0;
  bool replay = false;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    if (idem) {
      LD_ASSIGN_OR_RETURN(KeyClaim claim, PeekKey(tx, actor.tenantId, *idem));
      if (claim.replay) {
        // A change refused for losing a race replays its refusal.
        if (claim.outcome == KeyOutcome::kRefused) return LostRace();
        replay = true;
        return Ok();
      }
    }
    auto s = tx.FindSubscription(actor.tenantId, id);
    if (!s) return Error::NotFound("The subscription " + id.str());
    sub = *s;
    LD_ASSIGN_OR_RETURN(tenant, LoadTenant(tx, actor.tenantId));
    if (change.quantity) {
      if (sub.status != SubscriptionStatus::kActive)
        return Error::Conflict("SubscriptionNotActive",
                               "Licenses can be bought or removed only on an active subscription.");
      const Sku* sku = ctx.catalog.FindSku(sub.skuId);
      if (!sku) return Error::Internal("SKU missing from the catalog");
      LD_TRY(CheckQuantity(*sku, *change.quantity, "quantity"));
      delta = *change.quantity - sub.quantity;
      if (delta < 0) {
        // R9: never below the licenses in use.
        Pool p = ToPool(tx.GetPool(actor.tenantId, sub.skuId));
        if (!CanShrinkBy(p, -delta)) {
          int64_t n = UnassignFirst(p, -delta);
          Error e = Error::Invalid("LicensesInUse",
                                   "Unassign " + std::to_string(n) + " license(s) first: " +
                                       std::to_string(p.consumed) + " are in use.",
                                   "quantity");
          e.details = nlohmann::json{{"unassignFirst", n}};
          return e;
        }
        if (!WithinCancelWindow(sub, now))
          return Error::Conflict("CancellationWindowPassed",
                                 "Licenses can be removed within 7 days of purchase or renewal. "
                                 "Turn recurring billing off instead, or remove them then.");
        amount = -UnusedRefund(sub.unitPrice, -delta, sub.periodStart, sub.currentPeriodEnd, now);
      } else if (delta > 0) {
        amount = ProratedCharge(sub.unitPrice, delta, sub.periodStart, sub.currentPeriodEnd, now);
      }
      auto p = tx.FindPaymentMethod(actor.tenantId, sub.paymentMethodId);
      if (!p) return Error::Internal("payment method missing");
      pm = *p;
    }
    return Ok();
  }));
  if (replay) {
    if (replayed) *replayed = true;
    return GetSubscription(ctx, actor, id);
  }

  int64_t tax = TaxOn(amount, sub.taxRateBp);
  // A change that charges a card claims the subscription first (as a checkout
  // claims its cart): of two concurrent changes the loser is refused before
  // any money moves. The claim names a fresh gateway key, so a key is charged
  // exactly once, for the one amount this attempt decided (issue 13 #2).
  const bool charges_card = change.quantity && amount > 0 && pm.type != PaymentMethodType::kInvoice;
  const std::string key = "sub:" + id.str() + ":" + ctx.NewId().str();
  const std::string idem_key = idem ? idem->key : std::string();
  auto same_terms = [&](const Subscription& cur) {
    return cur.quantity == sub.quantity && cur.status == sub.status &&
           cur.periodStart == sub.periodStart && cur.currentPeriodEnd == sub.currentPeriodEnd;
  };
  // Keeps a refusal for losing the race, so that a retry with the key replays
  // the 409 rather than running a change decided on stale figures.
  auto keep_refusal = [&] {
    if (!idem) return;
    Status kept = ctx.store.Write([&](Tx& tx) -> Status {
      FinishKey(tx, actor.tenantId, *idem, KeyOutcome::kRefused, "subscription", id.str(), now);
      return Ok();
    });
    // Not kept: the key stays in flight (or absent) and runs afresh later.
    if (!kept.ok())
      std::cerr << "licensedesk: keeping a refusal failed: " << kept.error().message << "\n";
  };
  // Gives the claim back (the change did not happen): the key may run again.
  auto release = [&](bool forget_key) {
    return ctx.store.Write([&](Tx& tx) -> Status {
      tx.LockSubscription(actor.tenantId, id);
      auto pc = tx.FindPendingChange(actor.tenantId, id);
      if (pc && pc->gatewayKey == key) tx.DeletePendingChange(actor.tenantId, id);
      if (idem && forget_key) ForgetKey(tx, actor.tenantId, idem->key);
      return Ok();
    });
  };

  if (charges_card) {
    bool lost = false;
    Status claimed = ctx.store.Write([&](Tx& tx) -> Status {
      lost = false;
      tx.LockSubscription(actor.tenantId, id);
      if (idem) {
        // Looked at in the read above; another request may have taken it since.
        LD_ASSIGN_OR_RETURN(KeyClaim claim,
                            ClaimKey(tx, actor.tenantId, *idem, "subscription", id.str(), now));
        if (claim.replay) return KeyInProgress();
      }
      auto cur = tx.FindSubscription(actor.tenantId, id);
      if (!cur) return Error::NotFound("The subscription " + id.str());
      if (tx.FindPendingChange(actor.tenantId, id) || !same_terms(*cur)) {
        lost = true;
        return LostRace();
      }
      tx.InsertPendingChange({actor.tenantId, id, key, idem_key, "open", now});
      return Ok();
    });
    if (!claimed.ok()) {
      if (lost) keep_refusal();
      return claimed.error();
    }
  }

  Payment pay;
  if (charges_card) {
    pay = Pay(ctx, pm, amount + tax, sub.currency, key);
    if (!pay.ok) {
      // Declined: nothing was charged, the claim goes. An unknown outcome (the
      // gateway did not answer) keeps the claim: recovery asks the gateway
      // about this key and gives back whatever it charged.
      if (!pay.unknown) (void)release(true);
      return pay.unknown ? Error::Unavailable("The payment gateway did not answer; retry later.")
                         : Declined(pay.message);
    }
  } else if (change.quantity && amount > 0) {
    pay.ok = pay.invoice = true;
  }

  std::optional<SubscriptionView> out;
  bool lost_race = false;  // refused under the writer: certainly not applied
  bool requeued = false;
  Status st = ctx.store.Write([&](Tx& tx) -> Status {
    lost_race = false;
    requeued = false;
    tx.LockSubscription(actor.tenantId, id);
    auto cur = tx.FindSubscription(actor.tenantId, id);
    if (!cur) return Error::NotFound("The subscription " + id.str());
    if (change.quantity) {
      auto pc = tx.FindPendingChange(actor.tenantId, id);
      bool ours = pc && pc->gatewayKey == key && pc->state == "open";
      if (charges_card ? !ours : pc.has_value()) {
        lost_race = true;
        return LostRace();
      }
      if (!same_terms(*cur)) {
        lost_race = true;
        return LostRace();
      }
    }
    Subscription before = *cur;
    if (change.autoRenew) cur->autoRenew = *change.autoRenew;
    if (change.quantity && delta != 0) {
      if (delta < 0) {
        // Re-check R9 under the writer (or the pool lock on PostgreSQL).
        tx.LockPool(actor.tenantId, cur->skuId);
        if (!CanShrinkBy(ToPool(tx.GetPool(actor.tenantId, cur->skuId)), -delta)) {
          lost_race = true;
          return Error::Concurrent("ConcurrentChange", "Licenses were assigned meanwhile; retry.");
        }
      }
      cur->quantity = *change.quantity;
      const Sku* sku = ctx.catalog.FindSku(cur->skuId);
      std::string what = (sku ? sku->name : cur->skuId.str()) +
                         (delta > 0 ? " (licenses added)" : " (licenses removed)");
      if (amount != 0) {
        IssueInvoice(
            tx, ctx, tenant, amount > 0 ? InvoiceKind::kInvoice : InvoiceKind::kCreditNote,
            std::nullopt, cur->id, cur->currency, cur->taxRateBp,
            {{what, cur->skuId, delta, cur->unitPrice, amount, 0, now, cur->currentPeriodEnd}},
            amount > 0 ? (pay.invoice ? PaymentStatus::kDue : PaymentStatus::kCaptured)
                       : PaymentStatus::kRefunded,
            pay.invoice ? now + 30 * kMsPerDay : now);
      }
    }
    if (charges_card) tx.DeletePendingChange(actor.tenantId, id);
    tx.UpdateSubscription(*cur);
    Audit(tx, ctx, actor.userId, actor.tenantId, "subscription.update", "subscription",
          cur->id.str(), SubJson(before).dump(), SubJson(*cur).dump());
    if (idem)
      FinishKey(tx, actor.tenantId, *idem, KeyOutcome::kCompleted, "subscription", id.str(), now);
    // More licenses: members of groups short of a seat get another turn.
    if (change.quantity && delta > 0)
      requeued = RequeueGroupsWithLicenseErrors(tx, ctx, actor.tenantId);
    LD_ASSIGN_OR_RETURN(out, ViewOf(tx, actor.tenantId, id));
    return Ok();
  });
  if (st.ok() && requeued) ctx.WorkEnqueued();
  if (!st.ok() && lost_race) {
    // Refused under the writer after the charge (only the lifecycle can move
    // a claimed subscription): the charge is given back, the claim released.
    if (!pay.chargeId.empty()) (void)ctx.gateway.Void(pay.chargeId);
    if (charges_card) (void)release(false);
    keep_refusal();
    return st.error();
  }
  if (!st.ok()) {
    // An error does not prove the write was not applied (the connection may
    // have died after its COMMIT): read back before touching the money.
    bool applied = false;
    Status seen = ctx.store.Read([&](Tx& tx) -> Status {
      if (charges_card) {
        // The claim goes only with the applied change (or with recovery,
        // which never takes an open claim younger than its age).
        auto pc = tx.FindPendingChange(actor.tenantId, id);
        applied = !(pc && pc->gatewayKey == key);
      } else if (idem) {
        auto rec = tx.FindIdempotency(actor.tenantId, idem->key);
        applied = rec && rec->state == "done" && rec->requestHash == idem->requestHash &&
                  rec->outcome == static_cast<int>(KeyOutcome::kCompleted);
      } else if (change.quantity && delta != 0) {
        auto cur = tx.FindSubscription(actor.tenantId, id);
        applied = cur && cur->quantity == *change.quantity;
      }
      if (applied) {
        LD_ASSIGN_OR_RETURN(out, ViewOf(tx, actor.tenantId, id));
      }
      return Ok();
    });
    if (!seen.ok() || !applied) {
      // Not applied (or not known): the charge is given back and the claim
      // released, so that a retry with the same key runs afresh. When even
      // that cannot be written, the claim stays and recovery finishes it.
      if (charges_card && seen.ok()) {
        if (!pay.chargeId.empty()) (void)ctx.gateway.Void(pay.chargeId);
        (void)release(true);
      }
      return st.error();
    }
  }
  // The refund goes after the durable change: a crash here loses no money of
  // the customer's that the credit note does not record.
  if (amount < 0 && pm.type == PaymentMethodType::kCard)
    (void)ctx.gateway.Refund(pm.gatewayToken, {-(amount + tax), sub.currency}, key + ":refund");
  return *out;
}

Result<int> RecoverPendingChanges(Context& ctx, Instant started_before) {
  std::vector<PendingChange> claims;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    claims = tx.ListPendingChanges(started_before, 1000);
    return Ok();
  }));
  int n = 0;
  for (const auto& c : claims) {
    // Take the claim over first: a change still completing then refuses
    // (its claim is no longer open) instead of recording a voided charge.
    bool ours = false;
    LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
      tx.LockSubscription(c.tenantId, c.subscriptionId);
      auto cur = tx.FindPendingChange(c.tenantId, c.subscriptionId);
      ours = cur && cur->gatewayKey == c.gatewayKey;
      if (ours) tx.SetPendingChangeState(c.tenantId, c.subscriptionId, "abandoned");
      return Ok();
    }));
    if (!ours) continue;
    if (auto charge = ctx.gateway.FindCharge(c.gatewayKey);
        charge && charge->status == ChargeOutcome::Status::kCaptured)
      LD_TRY(ctx.gateway.Void(charge->chargeId));
    LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
      auto cur = tx.FindPendingChange(c.tenantId, c.subscriptionId);
      if (cur && cur->gatewayKey == c.gatewayKey)
        tx.DeletePendingChange(c.tenantId, c.subscriptionId);
      if (!c.idemKey.empty()) ForgetKey(tx, c.tenantId, c.idemKey);
      return Ok();
    }));
    ++n;
  }
  return n;
}

Result<SubscriptionView> CancelSubscription(Context& ctx, const Actor& actor, const Guid& id) {
  LD_TRY(Require(actor, Permission::kManageBilling));
  Instant now = ctx.Now();
  std::optional<SubscriptionView> out;
  int64_t refund = 0;
  Subscription sub;
  PaymentMethod pm;
  LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
    auto cur = tx.FindSubscription(actor.tenantId, id);
    if (!cur) return Error::NotFound("The subscription " + id.str());
    // R10: only an active one, within 7 days of purchase or renewal.
    LD_ASSIGN_OR_RETURN(SubscriptionStep canceled,
                        Transition(*cur, SubscriptionEvent::kCanceled, now));
    LD_ASSIGN_OR_RETURN(Tenant tenant, LoadTenant(tx, actor.tenantId));
    Subscription before = *cur;
    refund =
        UnusedRefund(cur->unitPrice, cur->quantity, cur->periodStart, cur->currentPeriodEnd, now);
    auto p = tx.FindPaymentMethod(actor.tenantId, cur->paymentMethodId);
    if (p) pm = *p;
    if (refund > 0) {
      const Sku* sku = ctx.catalog.FindSku(cur->skuId);
      IssueInvoice(tx, ctx, tenant, InvoiceKind::kCreditNote, std::nullopt, cur->id, cur->currency,
                   cur->taxRateBp,
                   {{(sku ? sku->name : cur->skuId.str()) + " (canceled, unused days)", cur->skuId,
                     cur->quantity, cur->unitPrice, -refund, 0, now, cur->currentPeriodEnd}},
                   PaymentStatus::kRefunded, now);
    }
    *cur = canceled.sub;  // disabled, recurring billing off
    tx.UpdateSubscription(*cur);
    sub = *cur;
    Audit(tx, ctx, actor.userId, actor.tenantId, "subscription.cancel", "subscription",
          cur->id.str(), SubJson(before).dump(), SubJson(*cur).dump());
    ReconcilePool(tx, ctx, actor.tenantId, cur->skuId);
    LD_ASSIGN_OR_RETURN(out, ViewOf(tx, actor.tenantId, id));
    return Ok();
  }));
  if (refund > 0 && pm.type == PaymentMethodType::kCard)
    (void)ctx.gateway.Refund(pm.gatewayToken, {refund + TaxOn(refund, sub.taxRateBp), sub.currency},
                             "cancel:" + id.str() + ":" + std::to_string(sub.periodStart));
  return *out;
}

Result<SubscriptionView> ReactivateSubscription(Context& ctx, const Actor& actor, const Guid& id) {
  LD_TRY(Require(actor, Permission::kManageBilling));
  Instant now = ctx.Now();
  Subscription sub;
  PaymentMethod pm;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    auto cur = tx.FindSubscription(actor.tenantId, id);
    if (!cur) return Error::NotFound("The subscription " + id.str());
    // Only an expired or disabled one (R11).
    LD_TRY(Transition(*cur, SubscriptionEvent::kReactivated, now));
    sub = *cur;
    auto p = tx.FindPaymentMethod(actor.tenantId, cur->paymentMethodId);
    if (!p || p->deleted)
      return Error::Invalid("InvalidPaymentMethod",
                            "The subscription's payment method is gone; add one first.",
                            "paymentMethodId");
    pm = *p;
    return Ok();
  }));
  int64_t amount = sub.unitPrice * sub.quantity;
  int64_t tax = TaxOn(amount, sub.taxRateBp);
  Payment pay = Pay(ctx, pm, amount + tax, sub.currency,
                    "reactivate:" + id.str() + ":" + std::to_string(sub.statusChangedAt));
  if (!pay.ok) return Declined(pay.message);
  std::optional<SubscriptionView> out;
  bool requeued = false;
  Status st = ctx.store.Write([&](Tx& tx) -> Status {
    requeued = false;
    auto cur = tx.FindSubscription(actor.tenantId, id);
    if (!cur || cur->status != sub.status || cur->statusChangedAt != sub.statusChangedAt)
      return Error::Concurrent("ConcurrentChange", "The subscription changed meanwhile; retry.");
    LD_ASSIGN_OR_RETURN(Tenant tenant, LoadTenant(tx, actor.tenantId));
    Subscription before = *cur;
    // Active, recurring billing on, a new full period from now.
    LD_ASSIGN_OR_RETURN(SubscriptionStep step,
                        Transition(*cur, SubscriptionEvent::kReactivated, now));
    *cur = step.sub;
    tx.UpdateSubscription(*cur);
    const Sku* sku = ctx.catalog.FindSku(cur->skuId);
    IssueInvoice(
        tx, ctx, tenant, InvoiceKind::kInvoice, std::nullopt, cur->id, cur->currency,
        cur->taxRateBp,
        {{(sku ? sku->name : cur->skuId.str()) + " (reactivated)", cur->skuId, cur->quantity,
          cur->unitPrice, amount, 0, cur->periodStart, cur->currentPeriodEnd}},
        pay.invoice ? PaymentStatus::kDue : PaymentStatus::kCaptured,
        pay.invoice ? now + 30 * kMsPerDay : now);
    Audit(tx, ctx, actor.userId, actor.tenantId, "subscription.reactivate", "subscription",
          cur->id.str(), SubJson(before).dump(), SubJson(*cur).dump());
    // Its licenses count again: members of groups short of a seat get a turn.
    requeued = RequeueGroupsWithLicenseErrors(tx, ctx, actor.tenantId);
    LD_ASSIGN_OR_RETURN(out, ViewOf(tx, actor.tenantId, id));
    return Ok();
  });
  if (st.ok() && requeued) ctx.WorkEnqueued();
  if (!st.ok()) {
    // The charge is kept: if the write was applied after all (an error after
    // COMMIT) it paid for it; if not, the subscription is unchanged, so a
    // retry uses the same gateway key, finds this very charge and completes
    // the reactivation with it (voiding it would make that retry free).
    bool applied = false;
    Status seen = ctx.store.Read([&](Tx& tx) -> Status {
      auto cur = tx.FindSubscription(actor.tenantId, id);
      applied = cur && cur->status == SubscriptionStatus::kActive &&
                cur->statusChangedAt != sub.statusChangedAt;
      if (applied) {
        LD_ASSIGN_OR_RETURN(out, ViewOf(tx, actor.tenantId, id));
      }
      return Ok();
    });
    if (!seen.ok() || !applied) return st.error();
  }
  return *out;
}

Result<std::vector<Invoice>> ListInvoices(Context& ctx, const Actor& actor) {
  LD_TRY(Require(actor, Permission::kReadBilling));
  std::vector<Invoice> out;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    out = tx.ListInvoices(actor.tenantId);
    return Ok();
  }));
  return out;
}

Result<Page<Invoice>> ListInvoicesPage(Context& ctx, const Actor& actor,
                                       std::optional<PageCursor> after, int limit) {
  LD_TRY(Require(actor, Permission::kReadBilling));
  limit = std::clamp(limit, 1, 1000);
  Page<Invoice> out;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    out.items = tx.ListInvoicesPage(actor.tenantId, after, limit + 1);
    if (static_cast<int>(out.items.size()) > limit) {
      out.items.resize(static_cast<size_t>(limit));
      out.next = PageCursor{out.items.back().number, out.items.back().id};
    }
    return Ok();
  }));
  return out;
}

Result<Invoice> GetInvoice(Context& ctx, const Actor& actor, const Guid& id) {
  LD_TRY(Require(actor, Permission::kReadBilling));
  std::optional<Invoice> out;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    out = tx.FindInvoice(actor.tenantId, id);
    return Ok();
  }));
  if (!out) return Error::NotFound("The invoice " + id.str());
  return *out;
}

}  // namespace ld::app
