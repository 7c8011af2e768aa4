// Offers, carts, checkout, orders and payment methods (R1-R6).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/context.h"
#include "app/idempotency.h"
#include "domain/pricing.h"

namespace ld::app {

struct Offer {
  const Sku* sku;
  std::string currency;
  CyclePrices prices;
  bool purchased = false;
};
Result<std::vector<Offer>> ListOffers(Context& ctx, const Actor& actor);

// The market of an organization in this deployment's cloud.
Result<const Market*> MarketOf(const Context& ctx, const Tenant& t);

struct CartLineInput {
  Guid skuId;
  int64_t quantity = 0;
  BillingCycle cycle = BillingCycle::kMonthly;
  bool autoAssign = false;
};

struct CartView {
  Cart cart;
  PricedCart priced;  // prices as of now, in the organization's currency
};

constexpr size_t kMaxCartLines = 20;

Result<CartView> CreateCart(Context& ctx, const Actor& actor,
                            const std::vector<CartLineInput>& lines);
// Replaces the lines of an active cart the actor owns.
Result<CartView> ReplaceCart(Context& ctx, const Actor& actor, const Guid& cart_id,
                             const std::vector<CartLineInput>& lines);
Result<CartView> GetCart(Context& ctx, const Actor& actor, const Guid& cart_id);
// The actor's carts, newest first.
Result<std::vector<CartView>> ListCarts(Context& ctx, const Actor& actor,
                                        std::optional<CartStatus> status);

struct CheckoutResult {
  Order order;
  bool declined = false;  // the payment was declined: the order failed, the cart is still active
  bool replayed = false;
};

// R3, R4, R5, R6. Errors: CartAlreadyOrdered (409), CheckoutInProgress (409),
// IdempotencyKeyReused (422), RequestInProgress (409), EmptyCart, CartExpired,
// InvalidPaymentMethod, PrerequisiteMissing (400), InvoiceNotAllowed (403).
// A declined payment is not an error: `declined` with the failed order.
Result<CheckoutResult> Checkout(Context& ctx, const Actor& actor, const Guid& cart_id,
                                const Guid& payment_method_id,
                                const std::optional<IdempotencyInput>& idem);

Result<Order> GetOrder(Context& ctx, const Actor& actor, const Guid& id);
Result<std::vector<Order>> ListOrders(Context& ctx, const Actor& actor);
// One page of the orders, newest first; `limit` is clamped to 1..1000.
Result<Page<Order>> ListOrdersPage(Context& ctx, const Actor& actor,
                                   std::optional<PageCursor> after, int limit);

// R15: settles orders left pending by a crash (older than `older_than`):
// voids any charge made for them and marks them failed; their carts stay
// active and their idempotency keys are forgotten so a retry runs again.
Result<int> RecoverPendingOrders(Context& ctx, Instant older_than);

struct PaymentMethodInput {
  PaymentMethodType type = PaymentMethodType::kCard;
  CardInput card;
};
Result<PaymentMethod> AddPaymentMethod(Context& ctx, const Actor& actor,
                                       const PaymentMethodInput& in);
Result<std::vector<PaymentMethod>> ListPaymentMethods(Context& ctx, const Actor& actor);
Status DeletePaymentMethod(Context& ctx, const Actor& actor, const Guid& id);

// Issues an invoice (or credit note) in the caller's Tx with the next gapless number.
Invoice IssueInvoice(Tx& tx, const Context& ctx, const Tenant& tenant, InvoiceKind kind,
                     std::optional<Guid> order, std::optional<Guid> subscription,
                     const std::string& currency, TaxRateBp rate, std::vector<InvoiceLine> lines,
                     PaymentStatus payment, Instant due);

}  // namespace ld::app
