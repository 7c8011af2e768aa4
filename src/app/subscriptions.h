// Subscriptions after the purchase: quantity (R9), recurring billing, cancel
// (R10), reactivate (R11). The lifecycle clock lives in app/lifecycle.h.
#pragma once

#include <optional>
#include <vector>

#include "app/commerce.h"
#include "app/context.h"

namespace ld::app {

struct SubscriptionView {
  Subscription sub;
  int64_t assignedLicenses = 0;  // the pool's consumed units attributed to it
};

Result<std::vector<SubscriptionView>> ListSubscriptions(Context& ctx, const Actor& actor);
// One page of the subscriptions, oldest first by (createdAt, id); `limit` is
// clamped to 1..1000.
Result<Page<SubscriptionView>> ListSubscriptionsPage(Context& ctx, const Actor& actor,
                                                     std::optional<PageCursor> after, int limit);
Result<SubscriptionView> GetSubscription(Context& ctx, const Actor& actor, const Guid& id);

struct SubscriptionChange {
  std::optional<int64_t> quantity;
  std::optional<bool> autoRenew;
};
// R9: more licenses charge the prorated rest of the period; fewer are allowed
// within 7 days of purchase or renewal (prorated refund) and never below the
// licenses in use (LicensesInUse says how many to unassign first). With an
// Idempotency-Key already finished for this request, answers as then and sets
// *replayed.
Result<SubscriptionView> ChangeSubscription(Context& ctx, const Actor& actor, const Guid& id,
                                            const SubscriptionChange& change,
                                            const std::optional<IdempotencyInput>& idem,
                                            bool* replayed = nullptr);
// Finishes the card-charging quantity changes that a crash (or a lost
// gateway answer) left claimed since `started_before`: gives back whatever the
// gateway charged under the claim's key, releases the claim and forgets the
// unfinished Idempotency-Key so that a retry runs afresh. Returns how many.
Result<int> RecoverPendingChanges(Context& ctx, Instant started_before);
// R10: within 7 days of the period start, refunds the unused days and disables;
// later, CancellationWindowPassed with the hint to turn recurring billing off.
Result<SubscriptionView> CancelSubscription(Context& ctx, const Actor& actor, const Guid& id);
// From expired or disabled: charges a new period and makes it active.
Result<SubscriptionView> ReactivateSubscription(Context& ctx, const Actor& actor, const Guid& id);

Result<std::vector<Invoice>> ListInvoices(Context& ctx, const Actor& actor);
// One page of the invoices, newest number first (the cursor's key is the
// number); `limit` is clamped to 1..1000.
Result<Page<Invoice>> ListInvoicesPage(Context& ctx, const Actor& actor,
                                       std::optional<PageCursor> after, int limit);
Result<Invoice> GetInvoice(Context& ctx, const Actor& actor, const Guid& id);

}  // namespace ld::app
