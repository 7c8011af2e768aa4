// SqlTx: subscriptions (with the next lifecycle step they are due for), their
// row lock, the claims of card-charging quantity changes (pending changes),
// and the holds an overdue invoice puts on them.
#include "domain/lifecycle.h"
#include "store/sql/rows.h"
#include "store/sql_tx.h"

namespace ld::store {

using namespace rows;

void SqlTx::InsertSubscription(const Subscription& s) {
  X(c_,
    std::string("INSERT INTO subscriptions (") + kSubCols +
        ", next_action_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?)",
    s.tenantId, s.id, s.skuId, s.quantity, ToString(s.cycle), ToString(s.status), s.startDate,
    s.periodStart, s.currentPeriodEnd, s.anchorDay, s.autoRenew, s.orderId, s.paymentMethodId,
    s.currency, s.unitPrice, s.taxRateBp, s.statusChangedAt, s.createdAt, s.renewalAttempts,
    s.retryAt, NextActionAt(s));
}

void SqlTx::UpdateSubscription(const Subscription& s) {
  X(c_,
    "UPDATE subscriptions SET quantity = ?, status = ?, period_start = ?, current_period_end = ?, "
    "anchor_day = ?, auto_renew = ?, payment_method_id = ?, unit_price = ?, tax_rate_bp = ?, "
    "status_changed_at = ?, renewal_attempts = ?, retry_at = ?, next_action_at = ? WHERE "
    "tenant_id = ? AND id = ?",
    s.quantity, ToString(s.status), s.periodStart, s.currentPeriodEnd, s.anchorDay, s.autoRenew,
    s.paymentMethodId, s.unitPrice, s.taxRateBp, s.statusChangedAt, s.renewalAttempts, s.retryAt,
    NextActionAt(s), s.tenantId, s.id);
}

std::optional<Subscription> SqlTx::FindSubscription(const Guid& tenant, const Guid& id) {
  auto r = Q(
      c_, std::string("SELECT ") + kSubCols + " FROM subscriptions WHERE tenant_id = ? AND id = ?",
      tenant, id);
  if (!r->Next()) return std::nullopt;
  return ReadSub(*r);
}

std::vector<Subscription> SqlTx::ListSubscriptions(const Guid& tenant) {
  std::vector<Subscription> out;
  auto r = Q(c_,
             std::string("SELECT ") + kSubCols +
                 " FROM subscriptions WHERE tenant_id = ? ORDER BY created_at, id",
             tenant);
  while (r->Next()) out.push_back(ReadSub(*r));
  return out;
}

std::vector<Subscription> SqlTx::ListSubscriptionsDue(Instant now, int limit) {
  std::vector<Subscription> out;
  auto r = Q(c_,
             std::string("SELECT ") + kSubCols +
                 " FROM subscriptions WHERE next_action_at <= ? ORDER BY next_action_at LIMIT ?",
             now, limit);
  while (r->Next()) out.push_back(ReadSub(*r));
  return out;
}

// ---- claims of quantity changes ----

void SqlTx::LockSubscription(const Guid& tenant, const Guid& id) {
  if (!pg()) return;
  auto l =
      Q(c_, "SELECT id FROM subscriptions WHERE tenant_id = ? AND id = ? FOR UPDATE", tenant, id);
  while (l->Next()) {
  }
}

std::optional<app::PendingChange> SqlTx::FindPendingChange(const Guid& tenant,
                                                           const Guid& subscription) {
  auto r = Q(c_,
             std::string("SELECT ") + kChangeCols +
                 " FROM subscription_changes WHERE tenant_id = ? AND subscription_id = ?",
             tenant, subscription);
  if (!r->Next()) return std::nullopt;
  return ReadPendingChange(*r);
}

void SqlTx::InsertPendingChange(const app::PendingChange& x) {
  X(c_,
    "INSERT INTO subscription_changes (tenant_id, subscription_id, gateway_key, idem_key, state, "
    "started_at) VALUES (?, ?, ?, ?, ?, ?)",
    x.tenantId, x.subscriptionId, x.gatewayKey, x.idemKey, x.state, x.startedAt);
}

void SqlTx::SetPendingChangeState(const Guid& tenant, const Guid& subscription,
                                  const std::string& state) {
  X(c_, "UPDATE subscription_changes SET state = ? WHERE tenant_id = ? AND subscription_id = ?",
    state, tenant, subscription);
}

void SqlTx::DeletePendingChange(const Guid& tenant, const Guid& subscription) {
  X(c_, "DELETE FROM subscription_changes WHERE tenant_id = ? AND subscription_id = ?", tenant,
    subscription);
}

std::vector<app::PendingChange> SqlTx::ListPendingChanges(Instant started_before, int limit) {
  std::vector<app::PendingChange> out;
  auto r = Q(c_,
             std::string("SELECT ") + kChangeCols +
                 " FROM subscription_changes WHERE started_at <= ? ORDER BY started_at LIMIT ?",
             started_before, static_cast<int64_t>(limit));
  while (r->Next()) out.push_back(ReadPendingChange(*r));
  return out;
}

// ---- holds (invoices paid by transfer, issue 5) ----

void SqlTx::InsertSubscriptionHold(const Guid& tenant, const Guid& subscription,
                                   const app::SubscriptionHold& h) {
  X(c_,
    "INSERT INTO subscription_holds (tenant_id, subscription_id, invoice_id, since) VALUES (?, ?, "
    "?, ?)",
    tenant, subscription, h.invoiceId, h.since);
}

std::vector<app::SubscriptionHold> SqlTx::ListSubscriptionHolds(const Guid& tenant,
                                                                const Guid& subscription) {
  std::vector<app::SubscriptionHold> out;
  auto r = Q(c_,
             "SELECT invoice_id, since FROM subscription_holds WHERE tenant_id = ? AND "
             "subscription_id = ? ORDER BY since",
             tenant, subscription);
  while (r->Next()) out.push_back(ReadHold(*r));
  return out;
}

void SqlTx::DeleteSubscriptionHolds(const Guid& tenant, const Guid& subscription) {
  X(c_, "DELETE FROM subscription_holds WHERE tenant_id = ? AND subscription_id = ?", tenant,
    subscription);
}

}  // namespace ld::store
