// The use cases under database faults at a chosen step (tests/support/fault_store.h):
// each money- or capacity-moving use case is hit at each of its writes with
// each fault (the write fails, times out, or commits and loses its answer),
// then retried the way a client or the server would (the same
// Idempotency-Key, RecoverPendingOrders, a lifecycle rerun), and the
// invariants of the crash test must hold:
// - no order is left half-made (pending, or completed without its
//   subscriptions and invoice);
// - every captured, unvoided charge belongs to a completed order of its amount
//   or to one captured invoice of its amount, and every captured invoice has
//   its charge (nothing is given away, nothing is charged for nothing);
// - refunds equal the credit notes;
// - invoice numbers are 1..N without a gap;
// - every pool's consumed count equals its assignments and fits its capacity;
// - a retry with the same Idempotency-Key never charges twice.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "app/commerce.h"
#include "app/licensing.h"
#include "app/lifecycle.h"
#include "app/subscriptions.h"
#include "support/app_fixture.h"
#include "support/fault_store.h"

namespace ld::app {
namespace {

using namespace ld::testing;

// The application over the fixture's real store, seen through a FaultStore.
struct World {
  AppFixture f;
  FaultStore store{*f.store};
  World() {
    app::Config cfg = f.ctx->config;
    f.ctx = std::make_unique<Context>(Context{store, f.clock, f.gateway, RepoCatalog(), cfg});
  }
  // Hits the first write whose function leaves `when` true.
  void Arm(Fault fault, std::function<bool(Tx&)> when) {
    FaultPlan p;
    p.fault = fault;
    p.when = std::move(when);
    // A plain failure is reported as a database error (500); the others as
    // the database being unavailable (503).
    p.kind = fault == Fault::kFail ? StoreError::Kind::kFailure : StoreError::Kind::kUnavailable;
    store.Arm(std::move(p));
  }
};

std::function<bool(Tx&)> OrderIn(const Guid& tenant, OrderStatus status) {
  return [tenant, status](Tx& tx) {
    auto orders = tx.ListOrders(tenant);
    return std::any_of(orders.begin(), orders.end(),
                       [&](const Order& o) { return o.status == status; });
  };
}

std::function<bool(Tx&)> QuantityIs(const Guid& tenant, const Guid& sub, int64_t q) {
  return [=](Tx& tx) {
    auto s = tx.FindSubscription(tenant, sub);
    return s && s->quantity == q;
  };
}

int LiveCharges(const AppFixture& f) {
  int n = 0;
  for (const auto& c : f.gateway.Charges()) n += c.captured && !c.voided;
  return n;
}

void ExpectErrorFrom(Fault fault, const Error& e) {
  // The caller learns that the database failed, never a business answer.
  EXPECT_EQ(e.kind, fault == Fault::kFail ? ErrorKind::kInternal : ErrorKind::kUnavailable)
      << e.code << ": " << e.message;
}

void ExpectInvariants(World& w, const std::vector<Actor>& orgs) {
  SCOPED_TRACE("invariants");
  AppFixture& f = w.f;
  std::vector<Order> orders;
  std::vector<Invoice> invoices;
  std::vector<Subscription> subs;
  struct Pool {
    Guid sku;
    PoolCounts counts;
    size_t holders = 0;
  };
  std::vector<Pool> pools;
  // Through the real store: the checks are not subject to faults.
  ASSERT_TRUE(f.store
                  ->Read([&](Tx& tx) -> Status {
                    for (const auto& a : orgs) {
                      for (auto& o : tx.ListOrders(a.tenantId)) orders.push_back(o);
                      for (auto& i : tx.ListInvoices(a.tenantId)) invoices.push_back(i);
                      for (auto& s : tx.ListSubscriptions(a.tenantId)) subs.push_back(s);
                      for (auto& [sku, c] : tx.ListPools(a.tenantId))
                        pools.push_back({sku, c, tx.ListHolders(a.tenantId, sku).size()});
                    }
                    return Ok();
                  })
                  .ok());

  // 1. No order half-made.
  std::map<std::string, const Order*> order_by_id;
  for (const auto& o : orders) {
    order_by_id[o.id.str()] = &o;
    EXPECT_NE(o.status, OrderStatus::kPending) << "order " << o.id.str() << " left pending";
    int subs_of_order = static_cast<int>(std::count_if(
        subs.begin(), subs.end(), [&](const Subscription& s) { return s.orderId == o.id; }));
    int invoices_of_order = static_cast<int>(std::count_if(
        invoices.begin(), invoices.end(), [&](const Invoice& i) { return i.orderId == o.id; }));
    if (o.status == OrderStatus::kCompleted) {
      EXPECT_EQ(subs_of_order, static_cast<int>(o.lines.size()));
      for (const auto& l : o.lines) EXPECT_TRUE(l.subscriptionId.has_value());
      EXPECT_EQ(invoices_of_order, 1);
    } else {
      EXPECT_EQ(subs_of_order, 0) << "failed order " << o.id.str() << " has subscriptions";
      EXPECT_EQ(invoices_of_order, 0) << "failed order " << o.id.str() << " has an invoice";
    }
  }

  // 2. Money: every live charge has its order or its invoice, and back.
  std::vector<bool> claimed(invoices.size(), false);
  std::map<std::string, int> live_by_order;
  for (const auto& c : f.gateway.Charges()) {
    if (!c.captured || c.voided) continue;
    auto it = order_by_id.find(c.key);
    if (it != order_by_id.end()) {
      EXPECT_EQ(it->second->status, OrderStatus::kCompleted)
          << "live charge " << c.chargeId << " for an order that is not completed";
      EXPECT_EQ(it->second->total, c.amount.amount);
      ++live_by_order[c.key];
      continue;
    }
    // A renewal or a license change: one captured invoice of the same amount.
    bool found = false;
    for (size_t i = 0; i < invoices.size() && !found; ++i) {
      const Invoice& inv = invoices[i];
      if (claimed[i] || inv.orderId || inv.kind != InvoiceKind::kInvoice ||
          inv.paymentStatus != PaymentStatus::kCaptured || inv.total != c.amount.amount ||
          inv.currency != c.amount.currency)
        continue;
      claimed[i] = found = true;
    }
    EXPECT_TRUE(found) << "live charge " << c.key << " (" << c.amount.amount
                       << ") matches no captured invoice: charged for nothing";
  }
  for (size_t i = 0; i < invoices.size(); ++i) {
    const Invoice& inv = invoices[i];
    if (inv.orderId || inv.kind != InvoiceKind::kInvoice ||
        inv.paymentStatus != PaymentStatus::kCaptured || inv.total <= 0)
      continue;
    EXPECT_TRUE(claimed[i]) << "invoice " << inv.number << " is captured but no charge paid it";
  }
  for (const auto& o : orders) {
    if (o.status != OrderStatus::kCompleted || o.paymentStatus != PaymentStatus::kCaptured ||
        o.total <= 0)
      continue;
    EXPECT_EQ(live_by_order[o.id.str()], 1)
        << "completed order " << o.id.str() << " has no live charge: given away";
  }
  std::map<std::string, int64_t> credited;
  for (const auto& inv : invoices)
    if (inv.kind == InvoiceKind::kCreditNote) credited[inv.currency] -= inv.total;
  for (const auto& [currency, total] : credited)
    EXPECT_EQ(f.gateway.RefundedTotal(currency), total) << "refunds differ from credit notes";

  // 3. Invoice numbers 1..N (one deployment, these organizations only).
  std::vector<int64_t> numbers;
  for (const auto& inv : invoices) numbers.push_back(inv.number);
  std::sort(numbers.begin(), numbers.end());
  for (size_t i = 0; i < numbers.size(); ++i)
    EXPECT_EQ(numbers[i], static_cast<int64_t>(i) + 1) << "invoice numbers have a gap";

  // 4. Pools.
  for (const auto& p : pools) {
    EXPECT_EQ(p.counts.consumed, static_cast<int64_t>(p.holders)) << p.sku.str();
    EXPECT_LE(p.counts.consumed, p.counts.enabled + p.counts.warning) << p.sku.str();
  }
}

class StoreFaults : public ::testing::TestWithParam<Fault> {};

// Checkout's Tx1 (pending order, key in flight) is hit.
TEST_P(StoreFaults, CheckoutTx1ThenRetryWithTheSameKey) {
  World w;
  AppFixture& f = w.f;
  Actor a = f.Org("contoso");
  Guid card = f.Card(a);
  auto cart = CreateCart(*f.ctx, a, {{kBusinessBasic, 3, BillingCycle::kMonthly, false}});
  ASSERT_TRUE(cart.ok());
  IdempotencyInput key{"key-1", "hash-1"};

  w.Arm(GetParam(), OrderIn(a.tenantId, OrderStatus::kPending));
  auto r = Checkout(*f.ctx, a, cart->cart.id, card, key);
  ASSERT_FALSE(r.ok());
  ExpectErrorFrom(GetParam(), r.error());
  EXPECT_EQ(w.store.injected(), 1);
  EXPECT_EQ(f.gateway.chargeCalls(), 0) << "charged although Tx1 failed";

  auto retry = Checkout(*f.ctx, a, cart->cart.id, card, key);
  if (GetParam() == Fault::kLoseAnswer) {
    // Tx1 is durable: the key stays in flight until recovery settles the order.
    ASSERT_FALSE(retry.ok());
    EXPECT_EQ(retry.error().code, "RequestInProgress");
    auto n = RecoverPendingOrders(*f.ctx, f.clock.Now() + 1);
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(*n, 1);
    retry = Checkout(*f.ctx, a, cart->cart.id, card, key);
  }
  ASSERT_TRUE(retry.ok()) << retry.error().message;
  EXPECT_FALSE(retry->declined);
  EXPECT_FALSE(retry->replayed);
  auto replay = Checkout(*f.ctx, a, cart->cart.id, card, key);
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(replay->replayed);
  EXPECT_EQ(replay->order.id, retry->order.id);
  EXPECT_EQ(LiveCharges(f), 1);
  ExpectInvariants(w, {a});
}

// Checkout's Tx2 (FinishCheckout: subscriptions, invoice, order completed) is hit
// after the card was charged.
TEST_P(StoreFaults, CheckoutTx2ThenRetryWithTheSameKey) {
  World w;
  AppFixture& f = w.f;
  Actor a = f.Org("contoso");
  Guid card = f.Card(a);
  auto cart = CreateCart(*f.ctx, a, {{kBusinessBasic, 3, BillingCycle::kMonthly, true}});
  ASSERT_TRUE(cart.ok());
  f.Users(a, 2);
  IdempotencyInput key{"key-2", "hash-2"};

  w.Arm(GetParam(), OrderIn(a.tenantId, OrderStatus::kCompleted));
  auto r = Checkout(*f.ctx, a, cart->cart.id, card, key);
  EXPECT_EQ(w.store.injected(), 1);
  ASSERT_EQ(f.gateway.Charges().size(), 1u);
  if (GetParam() == Fault::kLoseAnswer) {
    // Tx2 committed: the checkout succeeded and keeps its charge.
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_FALSE(r->declined);
    EXPECT_EQ(r->order.status, OrderStatus::kCompleted);
    EXPECT_EQ(LiveCharges(f), 1);
  } else {
    ASSERT_FALSE(r.ok());
    ExpectErrorFrom(GetParam(), r.error());
    EXPECT_EQ(LiveCharges(f), 0) << "the charge of a failed Tx2 must be voided";
    auto orders = ListOrders(*f.ctx, a);
    ASSERT_EQ(orders->size(), 1u);
    EXPECT_EQ((*orders)[0].status, OrderStatus::kFailed);
    EXPECT_EQ((*orders)[0].paymentStatus, PaymentStatus::kVoided);
  }

  auto retry = Checkout(*f.ctx, a, cart->cart.id, card, key);
  ASSERT_TRUE(retry.ok()) << retry.error().message;
  EXPECT_FALSE(retry->declined);
  EXPECT_EQ(retry->replayed, GetParam() == Fault::kLoseAnswer);
  if (GetParam() == Fault::kLoseAnswer) {
    EXPECT_EQ(retry->order.id, r->order.id);
  }
  auto again = Checkout(*f.ctx, a, cart->cart.id, card, key);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->order.id, retry->order.id);
  auto n = RecoverPendingOrders(*f.ctx, f.clock.Now() + 1);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  EXPECT_EQ(LiveCharges(f), 1) << "one purchase, one live charge";
  EXPECT_EQ(ListSubscriptions(*f.ctx, a)->size(), 1u);
  ExpectInvariants(w, {a});
}

// Tx2 is hit and the database stays down: the follow-up write and the read
// that would tell what happened fail too. The order waits for recovery.
TEST_P(StoreFaults, CheckoutTx2WhileTheDatabaseStaysDown) {
  World w;
  AppFixture& f = w.f;
  Actor a = f.Org("contoso");
  Guid card = f.Card(a);
  auto cart = CreateCart(*f.ctx, a, {{kBusinessPremium, 2, BillingCycle::kAnnual, false}});
  ASSERT_TRUE(cart.ok());
  IdempotencyInput key{"key-3", "hash-3"};

  FaultPlan plan;
  plan.fault = GetParam();
  plan.nth = 2;    // Tx1 passes; Tx2 and every write after it fail
  plan.times = 5;  // (a lost answer only for Tx2: a lost answer is a commit)
  if (GetParam() == Fault::kLoseAnswer) plan.times = 1;
  w.store.Arm(plan);
  w.store.FailReads(1);
  auto r = Checkout(*f.ctx, a, cart->cart.id, card, key);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kUnavailable);
  w.store.Disarm();
  w.store.FailReads(0);

  auto retry = Checkout(*f.ctx, a, cart->cart.id, card, key);
  if (GetParam() == Fault::kLoseAnswer) {
    // Tx2 had committed: the retry replays the completed order.
    ASSERT_TRUE(retry.ok()) << retry.error().message;
    EXPECT_TRUE(retry->replayed);
    EXPECT_FALSE(retry->declined);
  } else {
    // The outcome was unknown to the server: the key is still in flight.
    ASSERT_FALSE(retry.ok());
    EXPECT_EQ(retry.error().code, "RequestInProgress");
    auto n = RecoverPendingOrders(*f.ctx, f.clock.Now() + 1);
    ASSERT_TRUE(n.ok()) << n.error().message;
    EXPECT_EQ(*n, 1);
    EXPECT_EQ(LiveCharges(f), 0) << "recovery voids the charge of the pending order";
    retry = Checkout(*f.ctx, a, cart->cart.id, card, key);
    ASSERT_TRUE(retry.ok()) << retry.error().message;
    EXPECT_FALSE(retry->declined);
    EXPECT_FALSE(retry->replayed);
  }
  EXPECT_EQ(LiveCharges(f), 1);
  ExpectInvariants(w, {a});
}

// R9: more licenses, charged prorated; the write is hit after the charge.
void MoreLicenses(Fault fault, bool with_key) {
  World w;
  AppFixture& f = w.f;
  Actor a = f.Org("contoso");
  Guid sub = *f.Buy(a, kBusinessBasic, 2).lines[0].subscriptionId;
  f.clock.Advance(3 * kMsPerDay);
  std::optional<IdempotencyInput> key;
  if (with_key) key = IdempotencyInput{"more-1", "hash-more-1"};

  w.Arm(fault, QuantityIs(a.tenantId, sub, 5));
  auto r = ChangeSubscription(*f.ctx, a, sub, {.quantity = 5}, key);
  EXPECT_EQ(w.store.injected(), 1);
  if (fault == Fault::kLoseAnswer) {
    // The change is durable: the caller gets it, and the charge stays.
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->sub.quantity, 5);
  } else {
    ASSERT_FALSE(r.ok());
    ExpectErrorFrom(fault, r.error());
    EXPECT_EQ(GetSubscription(*f.ctx, a, sub)->sub.quantity, 2);
    auto retry = ChangeSubscription(*f.ctx, a, sub, {.quantity = 5}, key);
    ASSERT_TRUE(retry.ok()) << retry.error().message;
  }
  if (key) {
    auto replay = ChangeSubscription(*f.ctx, a, sub, {.quantity = 5}, key);
    ASSERT_TRUE(replay.ok());
  }
  EXPECT_EQ(GetSubscription(*f.ctx, a, sub)->sub.quantity, 5);
  EXPECT_EQ(LiveCharges(f), 2) << "the purchase and one charge for the added licenses";
  ExpectInvariants(w, {a});
}

TEST_P(StoreFaults, MoreLicensesWithAnIdempotencyKey) {
  MoreLicenses(GetParam(), true);
}
TEST_P(StoreFaults, MoreLicensesWithoutAKey) {
  MoreLicenses(GetParam(), false);
}

// R9: fewer licenses within 7 days, refunded prorated after the write.
TEST_P(StoreFaults, FewerLicensesRefundOnce) {
  World w;
  AppFixture& f = w.f;
  Actor a = f.Org("contoso");
  Guid sub = *f.Buy(a, kBusinessStandard, 6).lines[0].subscriptionId;
  f.clock.Advance(2 * kMsPerDay);

  w.Arm(GetParam(), QuantityIs(a.tenantId, sub, 4));
  auto r = ChangeSubscription(*f.ctx, a, sub, {.quantity = 4}, std::nullopt);
  EXPECT_EQ(w.store.injected(), 1);
  if (GetParam() == Fault::kLoseAnswer) {
    ASSERT_TRUE(r.ok()) << r.error().message;
  } else {
    ASSERT_FALSE(r.ok());
    ExpectErrorFrom(GetParam(), r.error());
    EXPECT_EQ(f.gateway.RefundedTotal("USD"), 0) << "refunded a change that did not happen";
    ASSERT_TRUE(ChangeSubscription(*f.ctx, a, sub, {.quantity = 4}, std::nullopt).ok());
  }
  EXPECT_GT(f.gateway.RefundedTotal("USD"), 0);
  EXPECT_EQ(GetSubscription(*f.ctx, a, sub)->sub.quantity, 4);
  ExpectInvariants(w, {a});
}

// Graph assignLicense (R7): the assignment write is hit, then retried.
TEST_P(StoreFaults, AssignLicenseThenRetry) {
  World w;
  AppFixture& f = w.f;
  Actor a = f.Org("contoso");
  f.Buy(a, kBusinessBasic, 2);
  auto users = f.Users(a, 3);
  Guid t = a.tenantId, u0 = users[0].id;

  w.Arm(GetParam(), [t, u0](Tx& tx) { return !tx.ListAssignments(t, u0).empty(); });
  auto r = AssignLicense(*f.ctx, a, u0.str(), {{kBusinessBasic, {}}}, {});
  ASSERT_FALSE(r.ok());
  ExpectErrorFrom(GetParam(), r.error());
  EXPECT_EQ(w.store.injected(), 1);
  auto held = LicenseDetails(*f.ctx, a, u0.str());
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(held->size(), GetParam() == Fault::kLoseAnswer ? 1u : 0u);

  // The client retries: the same request is harmless when it had landed.
  auto retry = AssignLicense(*f.ctx, a, u0.str(), {{kBusinessBasic, {}}}, {});
  ASSERT_TRUE(retry.ok()) << retry.error().message;
  ASSERT_TRUE(AssignLicense(*f.ctx, a, users[1].id.str(), {{kBusinessBasic, {}}}, {}).ok());
  auto full = AssignLicense(*f.ctx, a, users[2].id.str(), {{kBusinessBasic, {}}}, {});
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, "InsufficientLicenses");
  auto pool = GetSubscribedSku(*f.ctx, a, kBusinessBasic);
  ASSERT_TRUE(pool.ok());
  EXPECT_EQ(pool->counts.consumed, 2);
  ExpectInvariants(w, {a});
}

// R11: the renewal write is hit after the renewal was charged; the lifecycle
// runs again (as the background job does).
TEST_P(StoreFaults, RenewalThenLifecycleRerun) {
  World w;
  AppFixture& f = w.f;
  Actor a = f.Org("contoso");
  Guid sub = *f.Buy(a, kBusinessBasic, 3).lines[0].subscriptionId;
  Instant end = GetSubscription(*f.ctx, a, sub)->sub.currentPeriodEnd;
  Instant until = end + 3600 * 1000;
  f.clock.Set(until);
  Guid t = a.tenantId;

  w.Arm(GetParam(), [t, sub, end](Tx& tx) {
    auto s = tx.FindSubscription(t, sub);
    return s && s->currentPeriodEnd > end;
  });
  auto r = RunLifecycle(*f.ctx, until);
  ASSERT_FALSE(r.ok());
  ExpectErrorFrom(GetParam(), r.error());
  EXPECT_EQ(w.store.injected(), 1);

  auto rerun = RunLifecycle(*f.ctx, until);
  ASSERT_TRUE(rerun.ok()) << rerun.error().message;
  EXPECT_EQ(rerun->size(), GetParam() == Fault::kLoseAnswer ? 0u : 1u);
  EXPECT_TRUE(RunLifecycle(*f.ctx, until)->empty());
  Subscription s = GetSubscription(*f.ctx, a, sub)->sub;
  EXPECT_EQ(s.status, SubscriptionStatus::kActive);
  EXPECT_GT(s.currentPeriodEnd, end);
  EXPECT_EQ(ListInvoices(*f.ctx, a)->size(), 2u) << "the purchase and one renewal";
  EXPECT_EQ(LiveCharges(f), 2) << "the purchase and one renewal charge";
  ExpectInvariants(w, {a});
}

// Reactivating an expired subscription charges a new period; the write is hit.
TEST_P(StoreFaults, ReactivateThenRetry) {
  World w;
  AppFixture& f = w.f;
  Actor a = f.Org("contoso");
  Guid sub = *f.Buy(a, kBusinessBasic, 2).lines[0].subscriptionId;
  ASSERT_TRUE(ChangeSubscription(*f.ctx, a, sub, {.autoRenew = false}, std::nullopt).ok());
  f.clock.Set(GetSubscription(*f.ctx, a, sub)->sub.currentPeriodEnd + 3600 * 1000);
  ASSERT_TRUE(RunLifecycle(*f.ctx, f.clock.Now()).ok());
  ASSERT_EQ(GetSubscription(*f.ctx, a, sub)->sub.status, SubscriptionStatus::kExpired);
  Guid t = a.tenantId;

  w.Arm(GetParam(), [t, sub](Tx& tx) {
    auto s = tx.FindSubscription(t, sub);
    return s && s->status == SubscriptionStatus::kActive;
  });
  auto r = ReactivateSubscription(*f.ctx, a, sub);
  EXPECT_EQ(w.store.injected(), 1);
  if (GetParam() == Fault::kLoseAnswer) {
    ASSERT_TRUE(r.ok()) << r.error().message;
  } else {
    ASSERT_FALSE(r.ok());
    ExpectErrorFrom(GetParam(), r.error());
    EXPECT_EQ(GetSubscription(*f.ctx, a, sub)->sub.status, SubscriptionStatus::kExpired);
    auto retry = ReactivateSubscription(*f.ctx, a, sub);
    ASSERT_TRUE(retry.ok()) << retry.error().message;
  }
  EXPECT_EQ(GetSubscription(*f.ctx, a, sub)->sub.status, SubscriptionStatus::kActive);
  EXPECT_EQ(LiveCharges(f), 2) << "the purchase and one reactivation";
  ExpectInvariants(w, {a});
}

INSTANTIATE_TEST_SUITE_P(Each, StoreFaults,
                         ::testing::Values(Fault::kFail, Fault::kTimeout, Fault::kLoseAnswer),
                         [](const ::testing::TestParamInfo<Fault>& i) {
                           return std::string(ToString(i.param));
                         });

// The decorator itself: what each fault does to the data.
TEST(FaultStore, EachFaultAppliesOrNotAsDocumented) {
  AppFixture f;
  FaultStore store(*f.store);
  auto set = [&](const std::string& v) {
    return store.Write([&](Tx& tx) -> Status {
      tx.SetSetting("fault-probe", v);
      return Ok();
    });
  };
  auto get = [&] {
    std::optional<std::string> v;
    EXPECT_TRUE(f.store
                    ->Read([&](Tx& tx) -> Status {
                      v = tx.GetSetting("fault-probe");
                      return Ok();
                    })
                    .ok());
    return v.value_or("");
  };
  ASSERT_TRUE(set("a").ok());
  store.Arm({.fault = Fault::kFail, .kind = StoreError::Kind::kFailure});
  EXPECT_EQ(set("b").error().kind, ErrorKind::kInternal);
  EXPECT_EQ(get(), "a");
  store.Arm({.fault = Fault::kTimeout, .delay = std::chrono::milliseconds(5)});
  EXPECT_EQ(set("c").error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(get(), "a");
  store.Arm({.fault = Fault::kLoseAnswer});
  EXPECT_EQ(set("d").error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(get(), "d");
  // nth and times: the 2nd and 3rd writes after Arm fail, the others pass.
  store.Arm({.fault = Fault::kFail, .nth = 2, .times = 2});
  EXPECT_TRUE(set("e").ok());
  EXPECT_FALSE(set("f").ok());
  EXPECT_FALSE(set("g").ok());
  EXPECT_TRUE(set("h").ok());
  EXPECT_EQ(get(), "h");
  // A write whose function fails is not counted and keeps its own error.
  store.Arm({.fault = Fault::kFail});
  EXPECT_EQ(store.Write([](Tx&) -> Status { return Error::Invalid("Nope", "no"); }).error().code,
            "Nope");
  EXPECT_FALSE(set("i").ok());
  EXPECT_EQ(store.injected(), 6);
  store.FailReads(1);
  EXPECT_FALSE(store.Read([](Tx&) -> Status { return Ok(); }).ok());
  EXPECT_TRUE(store.Read([](Tx&) -> Status { return Ok(); }).ok());
}

}  // namespace
}  // namespace ld::app
