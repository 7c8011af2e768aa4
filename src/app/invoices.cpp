#include "app/invoices.h"

#include <map>

#include "app/commerce.h"
#include "domain/lifecycle.h"
#include "domain/pricing.h"
#include "domain/subscription_state.h"

namespace ld::app {

namespace {

constexpr int kOverdueScan = 100000;  // an organization's overdue invoices: few

// No control characters, valid UTF-8.
bool PrintableUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return false;
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    i += n;
  }
  return true;
}

// True while an overdue invoice's hold on `s` still stands: it is still
// expired since the overdue step, or disabled at the end of that grace.
bool HeldForNonPayment(Tx& tx, const Subscription& s) {
  for (const auto& h : tx.ListSubscriptionHolds(s.tenantId, s.id)) {
    if (s.status == SubscriptionStatus::kExpired && s.statusChangedAt == h.since) return true;
    if (s.status == SubscriptionStatus::kDisabled &&
        s.statusChangedAt == h.since + kGraceDays * kMsPerDay)
      return true;
  }
  return false;
}

bool OtherOverdue(Tx& tx, const Subscription& s, const Guid& paid) {
  for (const auto& inv :
       tx.ListInvoicesWithStatus(s.tenantId, PaymentStatus::kOverdue, kOverdueScan))
    if (inv.id != paid && Bills(inv, s)) return true;
  return false;
}

nlohmann::json SubJson(const Subscription& s) {
  return {{"status", ToString(s.status)},
          {"periodStart", FormatRfc3339(s.periodStart)},
          {"currentPeriodEnd", FormatRfc3339(s.currentPeriodEnd)}};
}

// Brings `s` back to active at `now` after its last overdue invoice was paid.
// Returns false when it stays as it is.
bool Recover(Tx& tx, const Context& ctx, const Tenant& tenant, Subscription& s, const Invoice& paid,
             Instant now, InvoicePaymentResult* out) {
  Subscription before = s;
  const Sku* sku = ctx.catalog.FindSku(s.skuId);
  std::string name = sku ? sku->name : s.skuId.str();
  int64_t amount = s.unitPrice * s.quantity;
  // While its period runs it is just active again; with recurring billing off
  // and the period over it stays where it is (it would have expired at its
  // period end anyway). Expired (paid within the grace, users kept access):
  // like a successful renewal retry, the next periods run from the old end,
  // no gap. Disabled (no access since the grace ended): like a reactivation,
  // a new period starts now.
  auto step = Transition(s, SubscriptionEvent::kInvoicePaid, now);
  if (!step.ok()) return false;
  std::string what =
      before.status == SubscriptionStatus::kExpired ? " (renewal)" : " (reactivated)";
  s = step->sub;
  for (const Period& p : step->bill)
    out->issued.push_back(IssueInvoice(
        tx, ctx, tenant, InvoiceKind::kInvoice, std::nullopt, s.id, s.currency, s.taxRateBp,
        {{name + what, s.skuId, s.quantity, s.unitPrice, amount, 0, p.start, p.end}},
        PaymentStatus::kDue, now + 30 * kMsPerDay));
  tx.UpdateSubscription(s);
  tx.DeleteSubscriptionHolds(s.tenantId, s.id);
  nlohmann::json after = SubJson(s);
  after["invoice"] = paid.number;
  Audit(tx, ctx, std::nullopt, s.tenantId, "subscription.invoicePaid", "subscription", s.id.str(),
        SubJson(before).dump(), after.dump());
  out->recovered.push_back(s);
  return true;
}

}  // namespace

std::vector<Guid> SubscriptionsOf(Tx& tx, const Invoice& inv) {
  if (inv.subscriptionId) return {*inv.subscriptionId};
  std::vector<Guid> out;
  if (!inv.orderId) return out;
  if (auto o = tx.FindOrder(inv.tenantId, *inv.orderId))
    for (const auto& l : o->lines)
      if (l.subscriptionId) out.push_back(*l.subscriptionId);
  return out;
}

bool Bills(const Invoice& inv, const Subscription& s) {
  if (inv.tenantId != s.tenantId) return false;
  if (inv.subscriptionId) return *inv.subscriptionId == s.id;
  return inv.orderId && *inv.orderId == s.orderId;
}

Result<InvoicePaymentResult> MarkInvoicePaid(Context& ctx, int64_t number,
                                             const std::string& reference) {
  if (reference.size() > kMaxPaymentReference)
    return Error::Invalid("ReferenceTooLong",
                          "The payment reference has at most " +
                              std::to_string(kMaxPaymentReference) + " characters.",
                          "reference");
  if (!PrintableUtf8(reference))
    return Error::Invalid("InvalidReference",
                          "The payment reference must be UTF-8 text without control characters.",
                          "reference");
  // As the admin center and the PDF show it: INV-000042.
  std::string digits = std::to_string(number);
  std::string label =
      "Invoice INV-" + std::string(digits.size() < 6 ? 6 - digits.size() : 0, '0') + digits;
  Instant now = ctx.Now();
  InvoicePaymentResult out;
  LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
    out = {};
    auto inv = number > 0 ? tx.FindInvoiceByNumber(number) : std::nullopt;
    if (!inv) return Error::NotFound(label);
    if (inv->kind == InvoiceKind::kCreditNote)
      return Error::Conflict("CreditNoteNotPayable",
                             label + " is a credit note: there is nothing to pay.");
    if (inv->paymentStatus == PaymentStatus::kPaid) {
      auto p = tx.FindInvoicePayment(inv->tenantId, inv->id);
      if (p && p->reference == reference) {
        out.invoice = *inv;
        out.paidAt = p->paidAt;
        out.reference = p->reference;
        out.changed = false;
        return Ok();
      }
      return Error::Conflict(
          "InvoiceAlreadyPaid",
          label + " was marked paid on " + (p ? FormatRfc3339(p->paidAt) : std::string("?")) +
              (p && !p->reference.empty() ? " with the reference \"" + p->reference + "\""
                                          : std::string(" without a reference")) +
              ".");
    }
    if (inv->paymentStatus != PaymentStatus::kDue && inv->paymentStatus != PaymentStatus::kOverdue)
      return Error::Conflict("InvoiceNotPayable",
                             label + " is " + std::string(ToString(inv->paymentStatus)) +
                                 ": only an invoice to be paid by transfer (due or overdue) can "
                                 "be marked paid.");
    auto tenant = tx.FindTenant(inv->tenantId);
    if (!tenant) return Error::Internal("the organization of invoice " + std::to_string(number));
    // Compare and set, so a concurrent twin (or the lifecycle making it
    // overdue meanwhile) is seen rather than overwritten.
    PaymentStatus was = PaymentStatus::kOverdue;
    if (!tx.UpdateInvoiceStatusIf(inv->tenantId, inv->id, was, PaymentStatus::kPaid)) {
      was = PaymentStatus::kDue;
      if (!tx.UpdateInvoiceStatusIf(inv->tenantId, inv->id, was, PaymentStatus::kPaid))
        return Error::Concurrent("ConcurrentChange",
                                 label + " changed meanwhile; run the command again.");
    }
    inv->paymentStatus = PaymentStatus::kPaid;
    tx.InsertInvoicePayment(inv->tenantId, inv->id, {now, reference});
    if (inv->orderId) {
      auto o = tx.FindOrder(inv->tenantId, *inv->orderId);
      if (o && (o->paymentStatus == PaymentStatus::kDue ||
                o->paymentStatus == PaymentStatus::kOverdue)) {
        o->paymentStatus = PaymentStatus::kPaid;
        tx.UpdateOrder(*o);
      }
    }
    Audit(tx, ctx, std::nullopt, inv->tenantId, "invoice.paid", "invoice", inv->id.str(),
          nlohmann::json{{"number", inv->number}, {"status", ToString(was)}}.dump(),
          nlohmann::json{{"number", inv->number},
                         {"status", "paid"},
                         {"by", "operator"},
                         {"reference", reference}}
              .dump());
    out.invoice = *inv;
    out.paidAt = now;
    out.reference = reference;
    for (const Guid& id : SubscriptionsOf(tx, *inv)) {
      auto s = tx.FindSubscription(inv->tenantId, id);
      if (!s || !HeldForNonPayment(tx, *s) || OtherOverdue(tx, *s, inv->id)) continue;
      Recover(tx, ctx, *tenant, *s, *inv, now, &out);
    }
    return Ok();
  }));
  return out;
}

Result<std::vector<OperatorInvoice>> ListInvoicesForOperator(Context& ctx, PaymentStatus status,
                                                             int limit) {
  std::vector<OperatorInvoice> out;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    std::map<Guid, std::string> names;
    for (auto& inv : tx.ListInvoicesWithStatus(std::nullopt, status, limit)) {
      auto it = names.find(inv.tenantId);
      if (it == names.end()) {
        auto t = tx.FindTenant(inv.tenantId);
        it = names.emplace(inv.tenantId, t ? t->initialDomain : inv.tenantId.str()).first;
      }
      out.push_back({std::move(inv), it->second});
    }
    return Ok();
  }));
  return out;
}

}  // namespace ld::app
