// Issue 5, R11: invoices paid by bank transfer (payment method "invoice").
// They are issued `due` in 30 days; the lifecycle (lifecycle.h) makes one that
// is still due at its due date `overdue` and expires the subscriptions it
// bills, as a failed renewal charge would. The deployment operator — who
// receives the transfers, not an organization's admin — records a payment
// with MarkInvoicePaid (`licensedesk invoice pay`), which brings a subscription
// an overdue invoice expired or disabled back to `active`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/context.h"

namespace ld::app {

// The subscriptions an invoice bills: its own (renewals, added licenses,
// reactivation), or the ones its order created (a checkout's invoice).
std::vector<Guid> SubscriptionsOf(Tx& tx, const Invoice& inv);

// True when `inv` bills `s` (see SubscriptionsOf).
bool Bills(const Invoice& inv, const Subscription& s);

// The longest payment reference the operator may record.
constexpr size_t kMaxPaymentReference = 200;

struct InvoicePaymentResult {
  Invoice invoice;  // as it is now (`paid`)
  Instant paidAt = 0;
  std::string reference;
  // False when the invoice was already paid with this very reference: the
  // call is a replay and changed nothing.
  bool changed = true;
  std::vector<Subscription> recovered;  // made active again, as they are now
  std::vector<Invoice> issued;          // invoices issued for them (new periods)
};

// Records that invoice `number` (deployment-wide) was paid, with the
// operator's `reference` (e.g. the bank transfer's; may be empty, at most 200
// characters, no control characters). One write transaction:
// - 404 for an unknown number; 409 `CreditNoteNotPayable` for a credit note,
//   409 `InvoiceNotPayable` for one not paid by transfer (captured by card,
//   refunded, voided); 409 `InvoiceAlreadyPaid` when it was paid with another
//   reference — with the same reference it returns success, changed = false.
// - `due` or `overdue` → `paid`; its order's payment follows; audited
//   ("invoice.paid", actor: the system, with the reference).
// - Every subscription it bills that an overdue invoice expired (or that was
//   disabled at the end of that grace) and that no other overdue invoice
//   bills becomes `active` again at the payment instant:
//   - its paid period still runs: just active;
//   - the period ended while it was expired (users kept access): as a
//     successful renewal retry, no gap — the periods from the old end up to
//     now are renewed and invoiced (due in 30 days);
//   - the period ended and it is disabled (no access): as a reactivation, a
//     new period starts now (new anchor day), invoiced due in 30 days;
//   - recurring billing was turned off and the period ended: it stays where
//     it is (it would have expired at its period end anyway).
//   A deleted subscription is never revived.
Result<InvoicePaymentResult> MarkInvoicePaid(Context& ctx, int64_t number,
                                             const std::string& reference);

struct OperatorInvoice {
  Invoice invoice;
  std::string organization;  // the tenant's initial domain
};

// The invoices of every organization in a payment status, by number (the
// operator's `licensedesk invoice list`). At most `limit`.
Result<std::vector<OperatorInvoice>> ListInvoicesForOperator(Context& ctx, PaymentStatus status,
                                                             int limit = 1000);

}  // namespace ld::app
