#include "app/commerce.h"

#include <algorithm>
#include <set>

#include "app/groups.h"
#include "app/idempotency.h"
#include "app/licensing.h"
#include "domain/subscription_state.h"

namespace ld::app {

namespace {

Result<Tenant> LoadTenant(Tx& tx, const Guid& id) {
  auto t = tx.FindTenant(id);
  if (!t) return Error::NotFound("The organization");
  return *t;
}

std::vector<CartLine> ToLines(const Context& ctx, const std::vector<CartLineInput>& in) {
  std::vector<CartLine> out;
  for (const auto& l : in) out.push_back({ctx.NewId(), l.skuId, l.quantity, l.cycle, l.autoAssign});
  return out;
}

// Validates cart lines: count, SKUs, R2 quantities, the cloud's auto-assign rule,
// prices in the market currency. Returns the pricing.
Result<PricedCart> CheckLines(const Context& ctx, const Market& market,
                              const std::vector<CartLine>& lines) {
  if (lines.size() > kMaxCartLines)
    return Error::Invalid("TooManyLineItems",
                          "A cart holds at most " + std::to_string(kMaxCartLines) + " line items.",
                          "lineItems");
  for (size_t i = 0; i < lines.size(); ++i) {
    // The sovereign clouds' flow has no auto-assign option.
    if (lines[i].autoAssign && ctx.config.cloud != Cloud::kWorldwide)
      return Error::Invalid("AutoAssignNotOffered", "autoAssign is not offered in this cloud.",
                            "lineItems[" + std::to_string(i) + "].autoAssign");
  }
  return PriceLines(lines, ctx.catalog, market, ctx.config.cloud);
}

Result<Cart> LoadOwnedCart(Tx& tx, const Actor& actor, const Guid& id) {
  auto c = tx.FindCart(actor.tenantId, id);
  // A cart belongs to the admin who made it; anyone else gets 404 (R13).
  if (!c || c->ownerId != actor.userId) return Error::NotFound("The cart " + id.str());
  return *c;
}

nlohmann::json OrderJson(const Order& o) {
  return {{"status", ToString(o.status)},
          {"payment", ToString(o.paymentStatus)},
          {"total", o.total},
          {"currency", o.currency}};
}

}  // namespace

Result<const Market*> MarketOf(const Context& ctx, const Tenant& t) {
  const Market* m = ctx.catalog.FindMarket(t.country);
  if (!m) return Error::Internal("no market for country " + t.country);
  return m;
}

Result<std::vector<Offer>> ListOffers(Context& ctx, const Actor& actor) {
  // Billing readers buy from it; directory readers need the product names.
  if (!Allows(actor.roles, Permission::kReadDirectory))
    LD_TRY(Require(actor, Permission::kReadBilling));
  Tenant t;
  std::set<Guid> owned;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    LD_ASSIGN_OR_RETURN(t, LoadTenant(tx, actor.tenantId));
    for (const auto& s : tx.ListSubscriptions(actor.tenantId))
      if (s.status != SubscriptionStatus::kDeleted) owned.insert(s.skuId);
    return Ok();
  }));
  LD_ASSIGN_OR_RETURN(const Market* m, MarketOf(ctx, t));
  std::vector<Offer> out;
  for (const Sku* sku : ctx.catalog.OffersFor(ctx.config.cloud)) {
    auto it = sku->prices.find(m->currency);
    if (it == sku->prices.end()) continue;
    out.push_back({sku, m->currency, it->second, owned.count(sku->id) > 0});
  }
  return out;
}

Result<CartView> CreateCart(Context& ctx, const Actor& actor,
                            const std::vector<CartLineInput>& in) {
  LD_TRY(Require(actor, Permission::kManageBilling));
  CartView out;
  Instant now = ctx.Now();
  LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
    LD_ASSIGN_OR_RETURN(Tenant t, LoadTenant(tx, actor.tenantId));
    LD_ASSIGN_OR_RETURN(const Market* m, MarketOf(ctx, t));
    Cart c;
    c.tenantId = actor.tenantId;
    c.id = ctx.NewId();
    c.ownerId = actor.userId;
    c.lines = ToLines(ctx, in);
    c.createdAt = c.updatedAt = now;
    c.expiresAt = now + kCartLifetimeMs;
    LD_ASSIGN_OR_RETURN(out.priced, CheckLines(ctx, *m, c.lines));
    tx.InsertCart(c);
    Audit(tx, ctx, actor.userId, actor.tenantId, "cart.create", "cart", c.id.str(), "",
          nlohmann::json{{"lines", c.lines.size()}}.dump());
    out.cart = std::move(c);
    return Ok();
  }));
  return out;
}

Result<CartView> ReplaceCart(Context& ctx, const Actor& actor, const Guid& id,
                             const std::vector<CartLineInput>& in) {
  LD_TRY(Require(actor, Permission::kManageBilling));
  CartView out;
  Instant now = ctx.Now();
  LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
    tx.LockCart(actor.tenantId, id);
    LD_ASSIGN_OR_RETURN(Cart c, LoadOwnedCart(tx, actor, id));
    if (c.status != CartStatus::kActive)
      return Error::Conflict("CartAlreadyOrdered", "This cart has been checked out already.");
    if (tx.FindLiveOrderForCart(actor.tenantId, id))
      return Error::Concurrent("CheckoutInProgress", "This cart is being checked out.");
    if (c.expiresAt <= now)
      return Error::Conflict("CartExpired", "This cart expired after 7 days without use.");
    LD_ASSIGN_OR_RETURN(Tenant t, LoadTenant(tx, actor.tenantId));
    LD_ASSIGN_OR_RETURN(const Market* m, MarketOf(ctx, t));
    c.lines = ToLines(ctx, in);
    LD_ASSIGN_OR_RETURN(out.priced, CheckLines(ctx, *m, c.lines));
    c.updatedAt = now;
    c.expiresAt = now + kCartLifetimeMs;
    tx.UpdateCart(c);
    Audit(tx, ctx, actor.userId, actor.tenantId, "cart.update", "cart", c.id.str(), "",
          nlohmann::json{{"lines", c.lines.size()}}.dump());
    out.cart = std::move(c);
    return Ok();
  }));
  return out;
}

Result<CartView> GetCart(Context& ctx, const Actor& actor, const Guid& id) {
  LD_TRY(Require(actor, Permission::kReadBilling));
  CartView out;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    LD_ASSIGN_OR_RETURN(out.cart, LoadOwnedCart(tx, actor, id));
    LD_ASSIGN_OR_RETURN(Tenant t, LoadTenant(tx, actor.tenantId));
    LD_ASSIGN_OR_RETURN(const Market* m, MarketOf(ctx, t));
    auto priced = PriceLines(out.cart.lines, ctx.catalog, *m, ctx.config.cloud);
    if (priced.ok()) out.priced = std::move(priced).value();
    return Ok();
  }));
  return out;
}

Result<std::vector<CartView>> ListCarts(Context& ctx, const Actor& actor,
                                        std::optional<CartStatus> status) {
  LD_TRY(Require(actor, Permission::kReadBilling));
  std::vector<CartView> out;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    LD_ASSIGN_OR_RETURN(Tenant t, LoadTenant(tx, actor.tenantId));
    LD_ASSIGN_OR_RETURN(const Market* m, MarketOf(ctx, t));
    for (auto& c : tx.ListCarts(actor.tenantId, actor.userId, status, ctx.Now())) {
      CartView v;
      auto priced = PriceLines(c.lines, ctx.catalog, *m, ctx.config.cloud);
      if (priced.ok()) v.priced = std::move(priced).value();
      v.cart = std::move(c);
      out.push_back(std::move(v));
    }
    return Ok();
  }));
  return out;
}

Invoice IssueInvoice(Tx& tx, const Context& ctx, const Tenant& tenant, InvoiceKind kind,
                     std::optional<Guid> order, std::optional<Guid> subscription,
                     const std::string& currency, TaxRateBp rate, std::vector<InvoiceLine> lines,
                     PaymentStatus payment, Instant due) {
  Invoice inv;
  inv.tenantId = tenant.id;
  inv.id = ctx.NewId();
  inv.number = tx.NextInvoiceNumber();
  inv.kind = kind;
  inv.orderId = order;
  inv.subscriptionId = subscription;
  inv.currency = currency;
  for (auto& l : lines) {
    l.tax = TaxOn(l.amount, rate);
    inv.subtotal += l.amount;
    inv.tax += l.tax;
  }
  inv.total = inv.subtotal + inv.tax;
  inv.lines = std::move(lines);
  inv.paymentStatus = payment;
  inv.issuedAt = ctx.Now();
  inv.dueAt = due;
  tx.InsertInvoice(inv);
  return inv;
}

namespace {

// Tx2 of a checkout: completes the order after a captured (or invoiced)
// payment — subscriptions, auto-assign, invoice, cart ordered — or fails it.
Status FinishCheckout(Tx& tx, const Context& ctx, const Actor& actor, Order& order,
                      const ChargeOutcome& charge, bool invoice_payment,
                      const std::optional<IdempotencyInput>& idem, CheckoutResult* out) {
  auto current = tx.FindOrderStatus(actor.tenantId, order.id);
  if (current != OrderStatus::kPending)
    return Error::Concurrent("CheckoutInProgress", "This checkout was settled elsewhere.");
  LD_ASSIGN_OR_RETURN(Tenant t, LoadTenant(tx, actor.tenantId));
  LD_ASSIGN_OR_RETURN(const Market* m, MarketOf(ctx, t));
  Instant now = ctx.Now();
  bool paid = invoice_payment || charge.status == ChargeOutcome::Status::kCaptured;
  if (!paid) {
    order.status = OrderStatus::kFailed;
    order.paymentStatus = PaymentStatus::kDeclined;
    order.failureCode = charge.status == ChargeOutcome::Status::kInsufficientFunds
                            ? "InsufficientFunds"
                        : charge.status == ChargeOutcome::Status::kError ? "GatewayError"
                                                                         : "CardDeclined";
    tx.UpdateOrder(order);
    Audit(tx, ctx, actor.userId, actor.tenantId, "order.failed", "order", order.id.str(), "",
          OrderJson(order).dump());
    out->declined = true;
  } else {
    order.status = OrderStatus::kCompleted;
    order.paymentStatus = invoice_payment ? PaymentStatus::kDue : PaymentStatus::kCaptured;
    order.chargeId = charge.chargeId;
    std::vector<InvoiceLine> inv_lines;
    for (auto& line : order.lines) {
      const Sku* sku = ctx.catalog.FindSku(line.skuId);
      Subscription s;
      s.tenantId = actor.tenantId;
      s.id = ctx.NewId();
      s.skuId = line.skuId;
      s.quantity = line.quantity;
      s.cycle = line.cycle;
      s.createdAt = now;
      s.orderId = order.id;
      s.paymentMethodId = order.paymentMethodId;
      s.currency = order.currency;
      s.unitPrice = line.unitPrice;  // locked until renewal
      s.taxRateBp = m->taxRateBp;
      // Active, its first period from now, recurring billing on.
      LD_ASSIGN_OR_RETURN(SubscriptionStep started,
                          Transition(s, SubscriptionEvent::kPurchased, now));
      s = started.sub;
      tx.InsertSubscription(s);
      line.subscriptionId = s.id;
      Audit(tx, ctx, actor.userId, actor.tenantId, "subscription.create", "subscription",
            s.id.str(), "",
            nlohmann::json{{"skuId", s.skuId.str()},
                           {"quantity", s.quantity},
                           {"billingCycle", ToString(s.cycle)}}
                .dump());
      if (line.autoAssign) {
        // R6, R7: never more than the pool's free licenses.
        tx.LockPool(actor.tenantId, line.skuId);
        int64_t free = Assignable(ToPool(tx.GetPool(actor.tenantId, line.skuId)));
        int64_t limit = std::min(line.quantity, free);
        auto done = tx.AutoAssign(actor.tenantId, line.skuId, limit, now, t.country);
        line.licensesAutoAssigned = done.assigned;
        // One entry for the whole set (docs/decisions.md): the users are the
        // holders of the SKU with seq firstSeq..lastSeq.
        if (done.assigned > 0)
          Audit(tx, ctx, actor.userId, actor.tenantId, "license.autoAssign", "subscription",
                s.id.str(), "",
                nlohmann::json{{"skuId", line.skuId.str()},
                               {"orderId", order.id.str()},
                               {"assigned", done.assigned},
                               {"firstSeq", done.firstSeq},
                               {"lastSeq", done.firstSeq + done.assigned - 1},
                               {"usageLocation", t.country},
                               {"usageLocationsSet", done.usageLocationsSet}}
                    .dump());
      }
      inv_lines.push_back({sku ? sku->name : line.skuId.str(), line.skuId, line.quantity,
                           line.unitPrice, line.amount, 0, s.periodStart, s.currentPeriodEnd});
    }
    tx.UpdateOrder(order);
    if (!tx.MarkCartOrdered(actor.tenantId, order.cartId, now))
      return Error::Internal("the cart of a pending order is gone");
    IssueInvoice(tx, ctx, t, InvoiceKind::kInvoice, order.id, std::nullopt, order.currency,
                 m->taxRateBp, std::move(inv_lines), order.paymentStatus,
                 invoice_payment ? now + 30 * kMsPerDay : now);
    Audit(tx, ctx, actor.userId, actor.tenantId, "order.completed", "order", order.id.str(), "",
          OrderJson(order).dump());
    out->declined = false;
  }
  if (idem)
    FinishKey(tx, actor.tenantId, *idem,
              out->declined ? KeyOutcome::kDeclined : KeyOutcome::kCompleted, "order",
              order.id.str(), now);
  out->order = order;
  return Ok();
}

}  // namespace

Result<CheckoutResult> Checkout(Context& ctx, const Actor& actor, const Guid& cart_id,
                                const Guid& payment_method_id,
                                const std::optional<IdempotencyInput>& idem_in) {
  LD_TRY(Require(actor, Permission::kManageBilling));
  LD_ASSIGN_OR_RETURN(const std::optional<IdempotencyInput> idem, ScopeKey(actor, idem_in));
  CheckoutResult out;
  Order order;
  PaymentMethod pm;
  std::optional<Guid> replay_order;
  Instant now = ctx.Now();

  // Tx1: claim the cart with a pending order (R5), record the key in flight.
  LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
    // The cart's lock first, then the key: on PostgreSQL a twin with the
    // same key waits here and then sees the first one's key (in flight, or
    // finished), not its cart alone.
    tx.LockCart(actor.tenantId, cart_id);
    if (idem) {
      LD_ASSIGN_OR_RETURN(KeyClaim claim, PeekKey(tx, actor.tenantId, *idem));
      if (claim.replay) {
        replay_order = Guid::Parse(claim.resourceId);
        out.declined = claim.outcome == KeyOutcome::kDeclined;
        return Ok();
      }
    }
    LD_ASSIGN_OR_RETURN(Cart cart, LoadOwnedCart(tx, actor, cart_id));
    if (cart.status == CartStatus::kOrdered)
      return Error::Conflict("CartAlreadyOrdered", "This cart has been checked out already.");
    if (auto live = tx.FindLiveOrderForCart(actor.tenantId, cart_id)) {
      return live->status == OrderStatus::kPending
                 ? Error::Concurrent("CheckoutInProgress", "This cart is being checked out.")
                 : Error::Conflict("CartAlreadyOrdered", "This cart has been checked out already.");
    }
    if (cart.expiresAt <= now)
      return Error::Conflict("CartExpired", "This cart expired after 7 days without use.");
    if (cart.lines.empty())
      return Error::Invalid("EmptyCart", "The cart has no line items.", "lineItems");
    // Auto-assign assigns licenses: it needs a role that may (R12), checked
    // before anything is ordered or charged.
    if (!Allows(actor.roles, Permission::kManageLicenses))
      for (size_t i = 0; i < cart.lines.size(); ++i)
        if (cart.lines[i].autoAssign)
          return Error{ErrorKind::kForbidden, "AutoAssignNotAllowed",
                       "autoAssign assigns licenses, which your role may not do: turn autoAssign "
                       "off for this line, or ask an administrator who may assign licenses.",
                       "lineItems[" + std::to_string(i) + "].autoAssign", nullptr};
    auto found = tx.FindPaymentMethod(actor.tenantId, payment_method_id);
    if (!found || found->deleted)
      return Error::Invalid("InvalidPaymentMethod", "The payment method was not found.",
                            "paymentMethodId");
    pm = *found;
    LD_ASSIGN_OR_RETURN(Tenant t, LoadTenant(tx, actor.tenantId));
    if (pm.type == PaymentMethodType::kInvoice && !t.invoiceEligible)
      return Error::Forbidden("This organization cannot pay by invoice.");
    LD_ASSIGN_OR_RETURN(const Market* m, MarketOf(ctx, t));
    LD_ASSIGN_OR_RETURN(PricedCart priced, CheckLines(ctx, *m, cart.lines));
    // Add-ons need a base plan: owned already, or bought in this cart.
    // Only a cart with an add-on reads the subscriptions (an organization may
    // have many; checkout runs on the single writer).
    bool has_add_on = std::any_of(cart.lines.begin(), cart.lines.end(), [&](const CartLine& l) {
      const Sku* sku = ctx.catalog.FindSku(l.skuId);
      return sku && sku->isAddOn && !sku->prerequisiteSkuIds.empty();
    });
    std::set<Guid> have;
    if (has_add_on)
      for (const auto& s : tx.ListSubscriptions(actor.tenantId))
        if (s.status != SubscriptionStatus::kDeleted) have.insert(s.skuId);
    for (const auto& l : cart.lines) have.insert(l.skuId);
    for (size_t i = 0; i < cart.lines.size(); ++i) {
      const Sku* sku = ctx.catalog.FindSku(cart.lines[i].skuId);
      if (!sku->isAddOn || sku->prerequisiteSkuIds.empty()) continue;
      bool ok = std::any_of(sku->prerequisiteSkuIds.begin(), sku->prerequisiteSkuIds.end(),
                            [&](const Guid& g) { return have.count(g) > 0; });
      if (!ok)
        return Error::Invalid("PrerequisiteMissing",
                              sku->partNumber + " is an add-on: buy one of its base plans first.",
                              "lineItems[" + std::to_string(i) + "].skuId");
    }
    order.tenantId = actor.tenantId;
    order.id = ctx.NewId();
    order.cartId = cart_id;
    order.createdBy = actor.userId;
    order.status = OrderStatus::kPending;
    order.currency = priced.currency;
    order.subtotal = priced.subtotal;
    order.tax = priced.tax;
    order.total = priced.total;
    order.paymentMethodId = pm.id;
    order.paymentStatus = PaymentStatus::kPending;
    order.brand = pm.brand;
    order.last4 = pm.last4;
    order.createdAt = now;
    for (size_t i = 0; i < cart.lines.size(); ++i) {
      const auto& l = cart.lines[i];
      const auto& p = priced.lines[i];
      order.lines.push_back(
          {l.skuId, l.quantity, l.cycle, l.autoAssign, p.unitPrice, p.amount, p.tax, {}, 0});
    }
    tx.InsertOrder(order);
    if (idem) {
      LD_ASSIGN_OR_RETURN(KeyClaim claim,
                          ClaimKey(tx, actor.tenantId, *idem, "order", order.id.str(), now));
      (void)claim;  // looked at above, under the same transaction: new
    }
    return Ok();
  }));

  if (replay_order) {
    LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
      auto o = tx.FindOrder(actor.tenantId, *replay_order);
      if (!o) return Error::NotFound("The order");
      out.order = *o;
      return Ok();
    }));
    out.replayed = true;
    return out;
  }

  // The payment, outside any transaction; the order id is the gateway's key,
  // so a retry after a crash can find (and void) this very charge.
  bool invoice_payment = pm.type == PaymentMethodType::kInvoice;
  ChargeOutcome charge{ChargeOutcome::Status::kCaptured, "", ""};
  if (!invoice_payment && order.total > 0)
    charge = ctx.gateway.Charge(pm.gatewayToken, {order.total, order.currency}, order.id.str());

  // Tx2: complete or fail the order (R4).
  bool requeued = false;
  Status st = ctx.store.Write([&](Tx& tx) -> Status {
    requeued = false;
    Status done = FinishCheckout(tx, ctx, actor, order, charge, invoice_payment, idem, &out);
    // New licenses: members of groups short of a seat get another turn.
    if (done.ok() && !out.declined)
      requeued = RequeueGroupsWithLicenseErrors(tx, ctx, actor.tenantId);
    return done;
  });
  if (st.ok() && requeued) ctx.WorkEnqueued();
  if (!st.ok()) {
    // An error does not prove Tx2 was not applied: the connection may have
    // died after its COMMIT. Read the order back before touching the money.
    std::optional<Order> settled;
    Status seen = ctx.store.Read([&](Tx& tx) -> Status {
      settled = tx.FindOrder(actor.tenantId, order.id);
      return Ok();
    });
    // Unknown outcome: leave the order pending; RecoverPendingOrders voids the
    // charge only if Tx2 did not complete it.
    if (!seen.ok()) return st.error();
    if (settled && settled->status != OrderStatus::kPending) {
      // Tx2 is durable: answer what it recorded (completed, or declined).
      const std::string& code = settled->failureCode;
      bool declined =
          code == "CardDeclined" || code == "InsufficientFunds" || code == "GatewayError";
      if (settled->status != OrderStatus::kCompleted && !declined) return st.error();
      out.order = *settled;
      out.declined = settled->status != OrderStatus::kCompleted;
      return out;
    }
    // Nothing of Tx2 is durable: give the money back and fail the order.
    if (!charge.chargeId.empty()) (void)ctx.gateway.Void(charge.chargeId);
    (void)ctx.store.Write([&](Tx& tx) -> Status {
      auto o = tx.FindOrder(actor.tenantId, order.id);
      if (!o || o->status != OrderStatus::kPending) return Ok();
      o->status = OrderStatus::kFailed;
      o->paymentStatus =
          charge.chargeId.empty() ? PaymentStatus::kDeclined : PaymentStatus::kVoided;
      o->failureCode = "InternalError";
      tx.UpdateOrder(*o);
      ForgetKeysFor(tx, actor.tenantId, order.id.str());
      return Ok();
    });
    return st.error();
  }
  return out;
}

Result<Order> GetOrder(Context& ctx, const Actor& actor, const Guid& id) {
  LD_TRY(Require(actor, Permission::kReadBilling));
  std::optional<Order> o;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    o = tx.FindOrder(actor.tenantId, id);
    return Ok();
  }));
  if (!o) return Error::NotFound("The order " + id.str());
  return *o;
}

Result<std::vector<Order>> ListOrders(Context& ctx, const Actor& actor) {
  LD_TRY(Require(actor, Permission::kReadBilling));
  std::vector<Order> out;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    out = tx.ListOrders(actor.tenantId);
    return Ok();
  }));
  return out;
}

Result<Page<Order>> ListOrdersPage(Context& ctx, const Actor& actor,
                                   std::optional<PageCursor> after, int limit) {
  LD_TRY(Require(actor, Permission::kReadBilling));
  limit = std::clamp(limit, 1, 1000);
  Page<Order> out;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    out.items = tx.ListOrdersPage(actor.tenantId, after, limit + 1);
    if (static_cast<int>(out.items.size()) > limit) {
      out.items.resize(static_cast<size_t>(limit));
      out.next = PageCursor{out.items.back().createdAt, out.items.back().id};
    }
    return Ok();
  }));
  return out;
}

Result<int> RecoverPendingOrders(Context& ctx, Instant older_than) {
  std::vector<Order> pending;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    pending = tx.ListPendingOrders(older_than);
    return Ok();
  }));
  int n = 0;
  for (auto& o : pending) {
    // Any charge made for the order is voided before the order is failed.
    auto charge = ctx.gateway.FindCharge(o.id.str());
    bool voided = false;
    if (charge && charge->status == ChargeOutcome::Status::kCaptured) {
      LD_TRY(ctx.gateway.Void(charge->chargeId));
      voided = true;
    }
    LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
      auto cur = tx.FindOrder(o.tenantId, o.id);
      if (!cur || cur->status != OrderStatus::kPending) return Ok();
      cur->status = OrderStatus::kFailed;
      cur->paymentStatus = voided ? PaymentStatus::kVoided : PaymentStatus::kDeclined;
      cur->failureCode = "Interrupted";
      if (charge) cur->chargeId = charge->chargeId;
      tx.UpdateOrder(*cur);
      ForgetKeysFor(tx, o.tenantId, o.id.str());
      Audit(tx, ctx, std::nullopt, o.tenantId, "order.recovered", "order", o.id.str(), "",
            OrderJson(*cur).dump());
      ++n;
      return Ok();
    }));
  }
  return n;
}

Result<PaymentMethod> AddPaymentMethod(Context& ctx, const Actor& actor,
                                       const PaymentMethodInput& in) {
  LD_TRY(Require(actor, Permission::kManageBilling));
  PaymentMethod pm;
  pm.tenantId = actor.tenantId;
  pm.id = ctx.NewId();
  pm.type = in.type;
  pm.createdAt = ctx.Now();
  if (in.type == PaymentMethodType::kCard) {
    LD_ASSIGN_OR_RETURN(CardSummary card, ValidateCard(in.card, ctx.Now()));
    LD_ASSIGN_OR_RETURN(pm.gatewayToken, ctx.gateway.SaveCard(card, in.card.cvc));
    pm.brand = card.brand;
    pm.last4 = card.last4;
    pm.expMonth = card.expMonth;
    pm.expYear = card.expYear;
    pm.holderName = in.card.holderName;
  }
  LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
    LD_ASSIGN_OR_RETURN(Tenant t, LoadTenant(tx, actor.tenantId));
    if (pm.type == PaymentMethodType::kInvoice && !t.invoiceEligible)
      return Error::Forbidden("This organization cannot pay by invoice.");
    tx.InsertPaymentMethod(pm);
    Audit(tx, ctx, actor.userId, actor.tenantId, "paymentMethod.add", "paymentMethod", pm.id.str(),
          "",
          nlohmann::json{{"type", ToString(pm.type)}, {"brand", pm.brand}, {"last4", pm.last4}}
              .dump());
    return Ok();
  }));
  return pm;
}

Result<std::vector<PaymentMethod>> ListPaymentMethods(Context& ctx, const Actor& actor) {
  LD_TRY(Require(actor, Permission::kReadBilling));
  std::vector<PaymentMethod> out;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    out = tx.ListPaymentMethods(actor.tenantId);
    return Ok();
  }));
  return out;
}

Status DeletePaymentMethod(Context& ctx, const Actor& actor, const Guid& id) {
  LD_TRY(Require(actor, Permission::kManageBilling));
  return ctx.store.Write([&](Tx& tx) -> Status {
    auto pm = tx.FindPaymentMethod(actor.tenantId, id);
    if (!pm || pm->deleted) return Error::NotFound("The payment method " + id.str());
    pm->deleted = true;
    tx.UpdatePaymentMethod(*pm);
    Audit(tx, ctx, actor.userId, actor.tenantId, "paymentMethod.delete", "paymentMethod", id.str(),
          nlohmann::json{{"brand", pm->brand}, {"last4", pm->last4}}.dump(), "");
    return Ok();
  });
}

}  // namespace ld::app
