#include "app/commerce.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "support/app_fixture.h"

namespace ld::app {
namespace {

using namespace ld::testing;

int64_t CountSubs(AppFixture& f, const Actor& a) {
  auto s = ListSubscriptions(*f.ctx, a);
  return s.ok() ? static_cast<int64_t>(s->size()) : -1;
}

TEST(Offers, MarketCurrencyAndPurchasedMarker) {
  AppFixture f;
  Actor a = f.Org("contoso", "TW");
  auto offers = ListOffers(*f.ctx, a);
  ASSERT_TRUE(offers.ok());
  ASSERT_GE(offers->size(), 9u);
  for (const auto& o : *offers) {
    EXPECT_EQ(o.currency, "TWD");
    EXPECT_FALSE(o.purchased);
  }
  f.Buy(a, kBusinessBasic, 2);
  offers = ListOffers(*f.ctx, a);
  for (const auto& o : *offers) EXPECT_EQ(o.purchased, o.sku->id == kBusinessBasic);
}

TEST(Offers, SovereignCloudOffersOnlyItsSkus) {
  AppFixture f(Cloud::kGermany);
  Actor a = f.Org("fabrikam", "DE");
  auto offers = ListOffers(*f.ctx, a);
  ASSERT_TRUE(offers.ok());
  for (const auto& o : *offers) {
    EXPECT_EQ(o.currency, "EUR");
    EXPECT_TRUE(o.sku->OfferedIn(Cloud::kGermany));
  }
  // The germany flow has no auto-assign option.
  auto cart = CreateCart(*f.ctx, a, {{kBusinessBasic, 1, BillingCycle::kMonthly, true}});
  ASSERT_FALSE(cart.ok());
  EXPECT_EQ(cart.error().code, "AutoAssignNotOffered");
}

TEST(Cart, BadLinesAreRefusedAndNothingIsStored) {
  AppFixture f;
  Actor a = f.Org("contoso");
  struct Case {
    CartLineInput line;
    std::string code;
  } cases[] = {
      {{kBusinessBasic, 0, BillingCycle::kMonthly, false}, "QuantityOutOfRange"},
      {{kBusinessBasic, -3, BillingCycle::kMonthly, false}, "QuantityOutOfRange"},
      {{kBusinessBasic, 301, BillingCycle::kAnnual, false}, "QuantityOutOfRange"},
      {{Guid::NewV7(1), 1, BillingCycle::kMonthly, false}, "UnknownSku"},
  };
  for (const auto& c : cases) {
    auto r = CreateCart(*f.ctx, a, {c.line});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, c.code);
    EXPECT_EQ(r.error().kind, ErrorKind::kInvalid);
  }
  std::vector<CartLineInput> many(21, {kBusinessBasic, 1, BillingCycle::kMonthly, false});
  EXPECT_EQ(CreateCart(*f.ctx, a, many).error().code, "TooManyLineItems");
  auto carts = ListCarts(*f.ctx, a, std::nullopt);
  ASSERT_TRUE(carts.ok());
  EXPECT_TRUE(carts->empty());
}

TEST(Cart, KeptOnServerNewestFirstAndOwnedByItsAdmin) {
  AppFixture f;
  Actor a = f.Org("contoso");
  Actor other_admin = f.Member(a, "billing", {Role::kBillingAdmin});
  auto c1 = CreateCart(*f.ctx, a, {{kBusinessBasic, 1, BillingCycle::kMonthly, false}});
  f.clock.Advance(1000);
  auto c2 = CreateCart(*f.ctx, a, {{kBusinessPremium, 2, BillingCycle::kAnnual, true}});
  auto open = ListCarts(*f.ctx, a, CartStatus::kActive);
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ((*open)[0].cart.id, c2->cart.id);  // the admin center reopens the newest
  // Each listed cart carries its own lines (read for all carts in one query).
  ASSERT_EQ((*open)[0].cart.lines.size(), 1u);
  EXPECT_EQ((*open)[0].cart.lines[0].skuId, kBusinessPremium);
  EXPECT_EQ((*open)[0].cart.lines[0].quantity, 2);
  ASSERT_EQ((*open)[1].cart.lines.size(), 1u);
  EXPECT_EQ((*open)[1].cart.lines[0].skuId, kBusinessBasic);
  f.clock.Advance(1000);  // ids within one millisecond are not ordered
  auto c3 = CreateCart(*f.ctx, a,
                       {{kBusinessStandard, 3, BillingCycle::kMonthly, false},
                        {kBusinessBasic, 5, BillingCycle::kAnnual, false}});
  ASSERT_TRUE(c3.ok());
  auto three = ListCarts(*f.ctx, a, std::nullopt);
  ASSERT_EQ(three->size(), 3u);
  ASSERT_EQ((*three)[0].cart.lines.size(), 2u);
  EXPECT_EQ((*three)[0].cart.lines[0].quantity, 3);
  EXPECT_EQ((*three)[0].cart.lines[1].quantity, 5);
  // Another admin of the same organization does not see it.
  EXPECT_EQ(GetCart(*f.ctx, other_admin, c1->cart.id).error().kind, ErrorKind::kNotFound);
  EXPECT_TRUE(ListCarts(*f.ctx, other_admin, CartStatus::kActive)->empty());
  // Replace the lines.
  auto r =
      ReplaceCart(*f.ctx, a, c1->cart.id, {{kBusinessStandard, 4, BillingCycle::kAnnual, false}});
  ASSERT_TRUE(r.ok());
  auto again = GetCart(*f.ctx, a, c1->cart.id);
  ASSERT_EQ(again->cart.lines.size(), 1u);
  EXPECT_EQ(again->cart.lines[0].quantity, 4);
  // Carts expire after 7 days unused.
  f.clock.Advance(8 * kMsPerDay);
  EXPECT_TRUE(ListCarts(*f.ctx, a, CartStatus::kActive)->empty());
}

TEST(Checkout, R3R4CompletesOrderSubscriptionsAndInvoice) {
  AppFixture f;
  Actor a = f.Org("contoso", "GB");
  auto cart = CreateCart(*f.ctx, a,
                         {{kBusinessBasic, 3, BillingCycle::kMonthly, false},
                          {kBusinessPremium, 2, BillingCycle::kAnnual, false}});
  ASSERT_TRUE(cart.ok());
  Guid card = f.Card(a);
  auto r = Checkout(*f.ctx, a, cart->cart.id, card, std::nullopt);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->declined);
  const Order& o = r->order;
  EXPECT_EQ(o.status, OrderStatus::kCompleted);
  EXPECT_EQ(o.paymentStatus, PaymentStatus::kCaptured);
  EXPECT_EQ(o.currency, "GBP");
  EXPECT_EQ(o.total, cart->priced.total);
  EXPECT_EQ(o.tax, TaxOn(o.lines[0].amount, 2000) + TaxOn(o.lines[1].amount, 2000));
  ASSERT_EQ(o.lines.size(), 2u);
  for (const auto& l : o.lines) EXPECT_TRUE(l.subscriptionId.has_value());
  // The gateway captured exactly the total.
  auto charges = f.gateway.Charges();
  ASSERT_EQ(charges.size(), 1u);
  EXPECT_EQ(charges[0].amount.amount, o.total);
  EXPECT_EQ(charges[0].amount.currency, "GBP");
  // Subscriptions are active with their first period.
  auto subs = ListSubscriptions(*f.ctx, a);
  ASSERT_EQ(subs->size(), 2u);
  for (const auto& s : *subs) {
    EXPECT_EQ(s.sub.status, SubscriptionStatus::kActive);
    EXPECT_EQ(s.sub.currency, "GBP");
    Instant expect = PeriodEnd(f.clock.Now(), s.sub.cycle, ToCivil(f.clock.Now()).day);
    EXPECT_EQ(s.sub.currentPeriodEnd, expect);
  }
  // The cart is ordered; an invoice was issued for the total.
  EXPECT_EQ(GetCart(*f.ctx, a, cart->cart.id)->cart.status, CartStatus::kOrdered);
  auto invoices = ListInvoices(*f.ctx, a);
  ASSERT_EQ(invoices->size(), 1u);
  EXPECT_EQ((*invoices)[0].total, o.total);
  EXPECT_EQ((*invoices)[0].number, 1);
}

TEST(Checkout, R4DeclinedCardLeavesCartActiveAndCreatesNothing) {
  AppFixture f;
  Actor a = f.Org("contoso");
  auto cart = CreateCart(*f.ctx, a, {{kBusinessBasic, 5, BillingCycle::kMonthly, true}});
  f.Users(a, 3);
  for (const char* number : {"4000000000000002", "4000000000009995"}) {
    Guid card = f.Card(a, number);
    auto r = Checkout(*f.ctx, a, cart->cart.id, card, std::nullopt);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->declined);
    EXPECT_EQ(r->order.status, OrderStatus::kFailed);
    EXPECT_EQ(r->order.paymentStatus, PaymentStatus::kDeclined);
  }
  EXPECT_EQ(GetCart(*f.ctx, a, cart->cart.id)->cart.status, CartStatus::kActive);
  EXPECT_EQ(CountSubs(f, a), 0);
  EXPECT_TRUE(ListInvoices(*f.ctx, a)->empty());
  auto u = GetUser(*f.ctx, a, "user0@contoso.licensedesk.test");
  EXPECT_TRUE(u->licenses.empty());
  // A good card afterwards completes the same cart.
  auto ok = Checkout(*f.ctx, a, cart->cart.id, f.Card(a), std::nullopt);
  ASSERT_TRUE(ok.ok());
  EXPECT_FALSE(ok->declined);
}

TEST(Checkout, R4GatewayFailureFailsOrderWithoutSubscriptions) {
  AppFixture f;
  Actor a = f.Org("contoso");
  auto cart = CreateCart(*f.ctx, a, {{kBusinessBasic, 1, BillingCycle::kMonthly, false}});
  Guid card = f.Card(a);
  f.gateway.SetChargeFault([](const std::string&) { return false; });
  auto r = Checkout(*f.ctx, a, cart->cart.id, card, std::nullopt);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->declined);
  EXPECT_EQ(r->order.failureCode, "GatewayError");
  EXPECT_EQ(CountSubs(f, a), 0);
}

TEST(Checkout, R5SecondCheckoutIs409AndIdempotentRetryReplays) {
  AppFixture f;
  Actor a = f.Org("contoso");
  auto cart = CreateCart(*f.ctx, a, {{kBusinessBasic, 2, BillingCycle::kMonthly, false}});
  Guid card = f.Card(a);
  IdempotencyInput key{"key-1", "hash-a"};
  auto first = Checkout(*f.ctx, a, cart->cart.id, card, key);
  ASSERT_TRUE(first.ok());
  auto replay = Checkout(*f.ctx, a, cart->cart.id, card, key);
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(replay->replayed);
  EXPECT_EQ(replay->order.id, first->order.id);
  EXPECT_FALSE(replay->declined);
  EXPECT_EQ(f.gateway.Charges().size(), 1u);  // no second charge
  auto reused = Checkout(*f.ctx, a, cart->cart.id, card, IdempotencyInput{"key-1", "hash-b"});
  ASSERT_FALSE(reused.ok());
  EXPECT_EQ(reused.error().code, "IdempotencyKeyReused");
  EXPECT_EQ(reused.error().kind, ErrorKind::kUnprocessable);
  auto second = Checkout(*f.ctx, a, cart->cart.id, card, IdempotencyInput{"key-2", "hash-a"});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, "CartAlreadyOrdered");
  EXPECT_EQ(second.error().kind, ErrorKind::kConflict);
  auto plain = Checkout(*f.ctx, a, cart->cart.id, card, std::nullopt);
  EXPECT_EQ(plain.error().code, "CartAlreadyOrdered");
  EXPECT_EQ(CountSubs(f, a), 1);
}

TEST(Checkout, R5ConcurrentCheckoutsOfOneCartMakeOneOrderAndOneCharge) {
  AppFixture f;
  Actor a = f.Org("contoso");
  auto cart = CreateCart(*f.ctx, a, {{kBusinessBasic, 2, BillingCycle::kMonthly, false}});
  Guid card = f.Card(a);
  std::atomic<int> created{0}, conflicts{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < 16; ++i) {
    ts.emplace_back([&, i] {
      auto r = Checkout(*f.ctx, a, cart->cart.id, card,
                        i % 2 ? std::optional<IdempotencyInput>()
                              : IdempotencyInput{"k" + std::to_string(i), "h"});
      if (r.ok() && !r->declined && !r->replayed) ++created;
      // A loser is told the cart is ordered (final) or being checked out
      // (it may retry and then reads the order).
      if (!r.ok() &&
          (r.error().kind == ErrorKind::kConflict || r.error().kind == ErrorKind::kConcurrent))
        ++conflicts;
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(conflicts.load(), 15);
  EXPECT_EQ(f.gateway.Charges().size(), 1u);
  EXPECT_EQ(ListOrders(*f.ctx, a)->size(), 1u);
  EXPECT_EQ(CountSubs(f, a), 1);
}

// Issue 13 finding 11: auto-assign assigns licenses, so it needs a role that
// may; a Billing Administrator is refused before anything is ordered or
// charged, and checks out the same cart without autoAssign.
TEST(Checkout, AutoAssignNeedsARoleThatMayAssignLicenses) {
  AppFixture f;
  Actor a = f.Org("contoso");
  Actor billing = f.Member(a, "billing", {Role::kBillingAdmin});
  f.Users(a, 3, true);
  Guid card = f.Card(billing);
  auto cart = CreateCart(*f.ctx, billing, {{kBusinessBasic, 2, BillingCycle::kMonthly, true}});
  ASSERT_TRUE(cart.ok()) << cart.error().message;
  auto r = Checkout(*f.ctx, billing, cart->cart.id, card, IdempotencyInput{"k", "h"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kForbidden);
  EXPECT_EQ(r.error().code, "AutoAssignNotAllowed");
  EXPECT_NE(r.error().message.find("autoAssign"), std::string::npos);
  EXPECT_EQ(f.gateway.Charges().size(), 0u);
  EXPECT_EQ(ListOrders(*f.ctx, a)->size(), 0u);
  EXPECT_EQ(CountSubs(f, a), 0);
  EXPECT_EQ(GetCart(*f.ctx, billing, cart->cart.id)->cart.status, CartStatus::kActive);
  // Without autoAssign the Billing Administrator checks out.
  ASSERT_TRUE(ReplaceCart(*f.ctx, billing, cart->cart.id,
                          {{kBusinessBasic, 2, BillingCycle::kMonthly, false}})
                  .ok());
  auto ok = Checkout(*f.ctx, billing, cart->cart.id, card, IdempotencyInput{"k2", "h"});
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_FALSE(ok->declined);
  EXPECT_EQ(ok->order.lines[0].licensesAutoAssigned, 0);
  EXPECT_EQ(GetSubscribedSku(*f.ctx, a, kBusinessBasic)->counts.consumed, 0);
}

// Issue 13 finding 12: an Idempotency-Key is the caller's: another admin of
// the organization sending the same key and body is a fresh request (here:
// the cart is not theirs), never the first caller's order.
TEST(Checkout, IdempotencyKeyIsScopedToTheCaller) {
  AppFixture f;
  Actor a = f.Org("contoso");
  Actor billing = f.Member(a, "billing", {Role::kBillingAdmin});
  auto cart = CreateCart(*f.ctx, a, {{kBusinessBasic, 2, BillingCycle::kMonthly, false}});
  Guid card = f.Card(a);
  IdempotencyInput key{"shared-key", "same-hash"};
  auto first = Checkout(*f.ctx, a, cart->cart.id, card, key);
  ASSERT_TRUE(first.ok());
  auto other = Checkout(*f.ctx, billing, cart->cart.id, card, key);
  ASSERT_FALSE(other.ok()) << "replayed the other admin's order";
  EXPECT_EQ(other.error().kind, ErrorKind::kNotFound);
  auto mine = Checkout(*f.ctx, a, cart->cart.id, card, key);
  ASSERT_TRUE(mine.ok());
  EXPECT_TRUE(mine->replayed);
  EXPECT_EQ(mine->order.id, first->order.id);
}

TEST(Checkout, R6AutoAssignsOldestUnlicensedUsersFirstWithCountryDefault) {
  AppFixture f;
  Actor a = f.Org("contoso", "TW");
  // The admin (oldest account) has a usage location; users 0..5 have none.
  auto users = f.Users(a, 6, false);
  // user0 already holds a license: not eligible.
  f.Buy(a, kBusinessBasic, 1);
  ASSERT_TRUE(
      UpdateUser(*f.ctx, a, users[0].id.str(), {.usageLocation = std::optional<std::string>("TW")})
          .ok());
  ASSERT_TRUE(AssignLicense(*f.ctx, a, users[0].id.str(), {{kBusinessBasic, {}}}, {}).ok());
  Order o = f.Buy(a, kBusinessPremium, 3, BillingCycle::kMonthly, true);
  ASSERT_EQ(o.lines.size(), 1u);
  EXPECT_EQ(o.lines[0].licensesAutoAssigned, 3);
  // Admin (oldest), then user1, user2; user3..5 stay unlicensed.
  auto admin = GetUser(*f.ctx, a, a.userId.str());
  ASSERT_EQ(admin->licenses.size(), 1u);
  EXPECT_EQ(admin->licenses[0].skuId, kBusinessPremium);
  for (int i = 1; i <= 5; ++i) {
    auto u = GetUser(*f.ctx, a, users[static_cast<size_t>(i)].id.str());
    if (i <= 2) {
      ASSERT_EQ(u->licenses.size(), 1u) << i;
      EXPECT_EQ(u->user.usageLocation, "TW");  // the organization's country
    } else {
      EXPECT_TRUE(u->licenses.empty()) << i;
      EXPECT_FALSE(u->user.usageLocation.has_value());
    }
  }
  auto pool = GetSubscribedSku(*f.ctx, a, kBusinessPremium);
  EXPECT_EQ(pool->counts.consumed, 3);
  EXPECT_EQ(pool->counts.enabled, 3);
  // One audit entry names the set: the SKU's holders with seq firstSeq..lastSeq.
  auto audit = ListAudit(*f.ctx, a, std::nullopt, 100);
  std::vector<AuditEntry> auto_entries;
  for (const auto& e : audit->entries)
    if (e.action == "license.autoAssign") auto_entries.push_back(e);
  ASSERT_EQ(auto_entries.size(), 1u);
  EXPECT_EQ(auto_entries[0].actorId, a.userId);
  EXPECT_EQ(auto_entries[0].targetType, "subscription");
  EXPECT_EQ(auto_entries[0].targetId, o.lines[0].subscriptionId->str());
  auto after = nlohmann::json::parse(auto_entries[0].after);
  EXPECT_EQ(after["orderId"], o.id.str());
  EXPECT_EQ(after["skuId"], kBusinessPremium.str());
  EXPECT_EQ(after["assigned"], 3);
  EXPECT_EQ(after["usageLocation"], "TW");
  EXPECT_EQ(after["usageLocationsSet"], 2);  // user1 and user2; the admin had one
  int64_t first = after["firstSeq"], last = after["lastSeq"];
  EXPECT_EQ(last - first + 1, 3);
  std::set<int64_t> seqs;
  for (const Guid& id : {a.userId, users[1].id, users[2].id}) {
    auto u = GetUser(*f.ctx, a, id.str());
    ASSERT_EQ(u->licenses.size(), 1u);
    seqs.insert(u->licenses[0].seq);
  }
  EXPECT_EQ(seqs, (std::set<int64_t>{first, first + 1, last}));
  // A later removal names the seq, so the trail of each user stays complete.
  int64_t seq1 = GetUser(*f.ctx, a, users[1].id.str())->licenses[0].seq;
  ASSERT_TRUE(AssignLicense(*f.ctx, a, users[1].id.str(), {}, {kBusinessPremium}).ok());
  std::vector<AuditEntry> removals;
  auto later = ListAudit(*f.ctx, a, std::nullopt, 100);
  for (const auto& e : later->entries)
    if (e.action == "license.remove") removals.push_back(e);
  ASSERT_EQ(removals.size(), 1u);
  const AuditEntry& removal = removals[0];
  EXPECT_EQ(removal.targetId, users[1].id.str());
  EXPECT_EQ(nlohmann::json::parse(removal.before)["seq"], seq1);
}

TEST(Checkout, R6AutoAssignStopsAtThePurchasedQuantityAndAtUsers) {
  AppFixture f;
  Actor a = f.Org("contoso");
  f.Users(a, 2);
  Order o = f.Buy(a, kBusinessBasic, 10, BillingCycle::kAnnual, true);
  EXPECT_EQ(o.lines[0].licensesAutoAssigned, 3);  // admin + 2 users
  EXPECT_EQ(GetSubscribedSku(*f.ctx, a, kBusinessBasic)->counts.consumed, 3);
}

TEST(Checkout, AddOnNeedsABasePlan) {
  AppFixture f;
  Actor a = f.Org("contoso");
  auto cart = CreateCart(*f.ctx, a, {{kAudioConferencing, 1, BillingCycle::kMonthly, false}});
  ASSERT_TRUE(cart.ok());
  auto r = Checkout(*f.ctx, a, cart->cart.id, f.Card(a), std::nullopt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "PrerequisiteMissing");
  const Sku* addon = RepoCatalog().FindSku(kAudioConferencing);
  f.Buy(a, addon->prerequisiteSkuIds[0], 1);
  auto ok = Checkout(*f.ctx, a, cart->cart.id, f.Card(a), std::nullopt);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
}

TEST(Checkout, InvoicePaymentOnlyForEligibleOrganizations) {
  AppFixture f;
  Actor no = f.Org("contoso");
  PaymentMethodInput inv;
  inv.type = PaymentMethodType::kInvoice;
  EXPECT_EQ(AddPaymentMethod(*f.ctx, no, inv).error().kind, ErrorKind::kForbidden);
  Actor yes = f.Org("fabrikam", "US", true);
  auto pm = AddPaymentMethod(*f.ctx, yes, inv);
  ASSERT_TRUE(pm.ok());
  auto cart = CreateCart(*f.ctx, yes, {{kBusinessBasic, 2, BillingCycle::kMonthly, false}});
  auto r = Checkout(*f.ctx, yes, cart->cart.id, pm->id, std::nullopt);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->order.status, OrderStatus::kCompleted);
  EXPECT_EQ(r->order.paymentStatus, PaymentStatus::kDue);
  EXPECT_TRUE(f.gateway.Charges().empty());
  auto invoices = ListInvoices(*f.ctx, yes);
  EXPECT_EQ((*invoices)[0].dueAt, f.clock.Now() + 30 * kMsPerDay);
}

TEST(PaymentMethods, MalformedCardsAreRefusedAndNeverStored) {
  AppFixture f;
  Actor a = f.Org("contoso");
  struct Case {
    CardInput card;
    std::string code;
  } cases[] = {
      {{"4242424242424241", 12, 2030, "123", "A"}, "InvalidCardNumber"},
      {{"4242", 12, 2030, "123", "A"}, "InvalidCardNumber"},
      {{"4242abcd42424242", 12, 2030, "123", "A"}, "InvalidCardNumber"},
      {{"4242424242424242", 12, 2030, "12", "A"}, "InvalidCvc"},
      {{"4242424242424242", 12, 2025, "123", "A"}, "CardExpired"},
      {{"4242424242424242", 13, 2030, "123", "A"}, "InvalidExpiry"},
      {{"4242424242424242", 12, 2030, "123", ""}, "InvalidHolderName"},
  };
  for (const auto& c : cases) {
    PaymentMethodInput in;
    in.card = c.card;
    auto r = AddPaymentMethod(*f.ctx, a, in);
    ASSERT_FALSE(r.ok()) << c.code;
    EXPECT_EQ(r.error().code, c.code);
    EXPECT_EQ(r.error().message.find(c.card.number), std::string::npos);
  }
  EXPECT_TRUE(ListPaymentMethods(*f.ctx, a)->empty());
  Guid id = f.Card(a, "5555 5555 5555 4444");
  auto list = ListPaymentMethods(*f.ctx, a);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].brand, "mastercard");
  EXPECT_EQ((*list)[0].last4, "4444");
  EXPECT_EQ((*list)[0].gatewayToken.find("5555555555554444"), std::string::npos);
  EXPECT_TRUE(DeletePaymentMethod(*f.ctx, a, id).ok());
  EXPECT_TRUE(ListPaymentMethods(*f.ctx, a)->empty());
}

TEST(Recovery, R15PendingOrderAfterCrashIsFailedAndItsChargeVoided) {
  AppFixture f;
  Actor a = f.Org("contoso");
  auto cart = CreateCart(*f.ctx, a, {{kBusinessBasic, 2, BillingCycle::kMonthly, false}});
  Guid card = f.Card(a);
  // Simulate a crash between the charge and Tx2: make Tx2 impossible by
  // charging through the gateway directly and leaving the order pending.
  Order pending;
  ASSERT_TRUE(f.store
                  ->Write([&](Tx& tx) -> Status {
                    pending.tenantId = a.tenantId;
                    pending.id = f.ctx->NewId();
                    pending.cartId = cart->cart.id;
                    pending.createdBy = a.userId;
                    pending.currency = "USD";
                    pending.total = 1440;
                    pending.paymentMethodId = card;
                    pending.createdAt = f.clock.Now();
                    tx.InsertOrder(pending);
                    tx.InsertIdempotency(
                        a.tenantId, {"k", "h", "in_flight", 0, "order", pending.id.str(), "", 0});
                    return Ok();
                  })
                  .ok());
  auto pm = ListPaymentMethods(*f.ctx, a);
  auto charged = f.gateway.Charge((*pm)[0].gatewayToken, {1440, "USD"}, pending.id.str());
  ASSERT_EQ(charged.status, ChargeOutcome::Status::kCaptured);
  // The cart cannot be checked out while the order is pending.
  EXPECT_EQ(Checkout(*f.ctx, a, cart->cart.id, card, std::nullopt).error().code,
            "CheckoutInProgress");
  auto n = RecoverPendingOrders(*f.ctx, f.clock.Now());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  auto o = GetOrder(*f.ctx, a, pending.id);
  EXPECT_EQ(o->status, OrderStatus::kFailed);
  EXPECT_EQ(o->paymentStatus, PaymentStatus::kVoided);
  for (const auto& c : f.gateway.Charges()) EXPECT_TRUE(c.voided);
  // The retry with the same key runs again and completes.
  auto retry = Checkout(*f.ctx, a, cart->cart.id, card, IdempotencyInput{"k", "h"});
  ASSERT_TRUE(retry.ok()) << retry.error().message;
  EXPECT_FALSE(retry->declined);
  EXPECT_FALSE(retry->replayed);
}

}  // namespace
}  // namespace ld::app
