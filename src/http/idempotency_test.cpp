// End-to-end: Idempotency-Key on the routes that move money (R5).
#include <gtest/gtest.h>

#include <thread>

#include "support/server.h"

namespace {

namespace lt = ld::testing;
using lt::Json;

TEST(ApiIdempotency, CheckoutReplayAndReuse) {
  lt::ServerProcess srv;
  auto org = srv.SignUp("idem");
  auto c = srv.NewClient(org.token);
  std::string sku = lt::SkuIdOf(c, "BUSINESS_BASIC");
  std::string card = lt::AddCard(c);
  std::string other_card = lt::AddCard(c, "5555555555554444");
  std::string cart = lt::CreateCart(c, sku, 4);
  httplib::Headers key{{"Idempotency-Key", "order-2026-0001"}};

  auto first = c.Post("/api/v1/carts/" + cart + "/checkout", {{"paymentMethodId", card}}, key);
  ASSERT_EQ(first.status, 201) << first;
  EXPECT_TRUE(first.Header("Idempotent-Replayed").empty());
  auto replay = c.Post("/api/v1/carts/" + cart + "/checkout", {{"paymentMethodId", card}}, key);
  ASSERT_EQ(replay.status, 201) << replay;
  EXPECT_EQ(replay.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(replay.json, first.json);
  // Same key, another body: 422; no key: the cart is ordered (409).
  auto reused =
      c.Post("/api/v1/carts/" + cart + "/checkout", {{"paymentMethodId", other_card}}, key);
  EXPECT_EQ(reused.status, 422) << reused;
  EXPECT_EQ(reused.json["error"]["code"], "IdempotencyKeyReused");
  auto nokey = c.Post("/api/v1/carts/" + cart + "/checkout", {{"paymentMethodId", card}});
  EXPECT_EQ(nokey.status, 409) << nokey;

  // One order, one subscription, one invoice: no second charge.
  EXPECT_EQ(c.Get("/api/v1/orders").json["value"].size(), 1u);
  EXPECT_EQ(c.Get("/api/v1/subscriptions").json["value"].size(), 1u);
  EXPECT_EQ(c.Get("/api/v1/invoices").json["value"].size(), 1u);
  auto metrics = c.Get("/metrics").body;
  EXPECT_NE(metrics.find("ld_checkouts_total{outcome=\"replayed\"} 1"), std::string::npos)
      << metrics;
}

TEST(ApiIdempotency, ConcurrentTwinsChargeOnce) {
  lt::ServerProcess srv;
  auto org = srv.SignUp("twins");
  auto setup = srv.NewClient(org.token);
  std::string sku = lt::SkuIdOf(setup, "BUSINESS_BASIC");
  std::string card = lt::AddCard(setup);
  std::string cart = lt::CreateCart(setup, sku, 2);
  std::vector<lt::Response> results(6);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i)
    threads.emplace_back([&, i] {
      auto c = srv.NewClient(org.token);
      results[i] = c.Post("/api/v1/carts/" + cart + "/checkout", {{"paymentMethodId", card}},
                          {{"Idempotency-Key", "twin-key"}});
    });
  for (auto& t : threads) t.join();
  int created = 0;
  std::string order_id;
  for (const auto& r : results) {
    // The first, its replays (201), or "a twin is still running" (409).
    ASSERT_TRUE(r.status == 201 || r.status == 409) << r;
    if (r.status == 201) {
      ++created;
      if (order_id.empty()) order_id = r.json["id"];
      EXPECT_EQ(r.json["id"], order_id);
    } else {
      EXPECT_EQ(r.json["error"]["code"], "RequestInProgress") << r;
    }
  }
  EXPECT_GE(created, 1);
  EXPECT_EQ(setup.Get("/api/v1/orders").json["value"].size(), 1u);
  EXPECT_EQ(setup.Get("/api/v1/invoices").json["value"].size(), 1u);
}

TEST(ApiIdempotency, SubscriptionChangeCancelAndReactivate) {
  lt::ServerProcess srv;
  auto org = srv.SignUp("idemsub");
  auto c = srv.NewClient(org.token);
  std::string sku = lt::SkuIdOf(c, "BUSINESS_BASIC");
  auto order = lt::Buy(c, sku, 2, lt::AddCard(c));
  std::string sub = order["lineItems"][0]["subscriptionId"];
  std::string path = "/api/v1/subscriptions/" + sub;

  auto up = c.Patch(path, {{"quantity", 5}}, {{"Idempotency-Key", "more-licenses"}});
  ASSERT_EQ(up.status, 200) << up;
  EXPECT_EQ(up.json["quantity"], 5);
  size_t invoices = c.Get("/api/v1/invoices").json["value"].size();
  auto again = c.Patch(path, {{"quantity", 5}}, {{"Idempotency-Key", "more-licenses"}});
  ASSERT_EQ(again.status, 200) << again;
  EXPECT_EQ(again.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(again.json["quantity"], 5);
  EXPECT_EQ(c.Get("/api/v1/invoices").json["value"].size(), invoices);  // charged once
  auto other = c.Patch(path, {{"quantity", 6}}, {{"Idempotency-Key", "more-licenses"}});
  EXPECT_EQ(other.status, 422) << other;

  auto cancel = c.Post(path + "/cancel", Json::object(), {{"Idempotency-Key", "cancel-1"}});
  ASSERT_EQ(cancel.status, 200) << cancel;
  EXPECT_EQ(cancel.json["status"], "disabled");
  auto cancel2 = c.Post(path + "/cancel", Json::object(), {{"Idempotency-Key", "cancel-1"}});
  ASSERT_EQ(cancel2.status, 200) << cancel2;
  EXPECT_EQ(cancel2.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(cancel2.json, cancel.json);
  // The key belongs to the cancel: using it to reactivate is another request.
  auto wrong = c.Post(path + "/reactivate", Json::object(), {{"Idempotency-Key", "cancel-1"}});
  EXPECT_EQ(wrong.status, 422) << wrong;
  auto react = c.Post(path + "/reactivate", Json::object(), {{"Idempotency-Key", "react-1"}});
  ASSERT_EQ(react.status, 200) << react;
  size_t after_react = c.Get("/api/v1/invoices").json["value"].size();
  auto react2 = c.Post(path + "/reactivate", Json::object(), {{"Idempotency-Key", "react-1"}});
  EXPECT_EQ(react2.status, 200);
  EXPECT_EQ(react2.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(c.Get("/api/v1/invoices").json["value"].size(), after_react);
  // A refused request is not kept: the same key runs again once it can succeed.
  auto refused = c.Post(path + "/reactivate", Json::object(), {{"Idempotency-Key", "react-2"}});
  EXPECT_EQ(refused.status, 409) << refused;  // already active
}

// Issue 13 finding 12: a key is the caller's. A Billing Administrator sending
// a Global Administrator's key and body on that admin's cart is a fresh
// request (404: not their cart), as it is without the key; it never gets the
// admin's order back.
TEST(ApiIdempotency, KeysAreScopedToTheCaller) {
  lt::ServerProcess srv;
  auto org = srv.SignUp("idemscope");
  auto admin = srv.NewClient(org.token);
  std::string sku = lt::SkuIdOf(admin, "BUSINESS_BASIC");
  std::string card = lt::AddCard(admin);
  std::string cart = lt::CreateCart(admin, sku, 3);
  std::string id = lt::CreateUser(admin, org.domain, "billing", "US", "Billing-Pass-123");
  ASSERT_EQ(
      admin.Put("/api/v1/users/" + id + "/roles", {{"roles", {"Billing Administrator"}}}).status,
      200);
  auto billing = srv.NewClient(srv.Token("billing@" + org.domain, "Billing-Pass-123"));
  httplib::Headers key{{"Idempotency-Key", "shared-key-1"}};
  const std::string path = "/api/v1/carts/" + cart + "/checkout";
  auto first = admin.Post(path, {{"paymentMethodId", card}}, key);
  ASSERT_EQ(first.status, 201) << first;
  auto theirs = billing.Post(path, {{"paymentMethodId", card}}, key);
  EXPECT_EQ(theirs.status, 404) << theirs;
  EXPECT_TRUE(theirs.Header("Idempotent-Replayed").empty());
  EXPECT_EQ(billing.Post(path, {{"paymentMethodId", card}}).status, 404);
  // The same on a route kept by the HTTP layer (cancel): the other caller's
  // key runs afresh rather than replaying the first answer.
  std::string sub = first.json["lineItems"][0]["subscriptionId"];
  auto cancel = admin.Post("/api/v1/subscriptions/" + sub + "/cancel", Json::object(),
                           {{"Idempotency-Key", "cancel-shared"}});
  ASSERT_EQ(cancel.status, 200) << cancel;
  auto cancel2 = billing.Post("/api/v1/subscriptions/" + sub + "/cancel", Json::object(),
                              {{"Idempotency-Key", "cancel-shared"}});
  EXPECT_EQ(cancel2.status, 409) << cancel2;  // already canceled: not a replay of the 200
  auto mine = admin.Post(path, {{"paymentMethodId", card}}, key);
  EXPECT_EQ(mine.status, 201) << mine;
  EXPECT_EQ(mine.Header("Idempotent-Replayed"), "true");
}

// Issue 13 finding 2, end to end: two concurrent quantity changes, each with
// its own key; the loser is 409 and moves no money; its retry replays the 409.
TEST(ApiIdempotency, ConcurrentQuantityChangesLoserMovesNoMoney) {
  lt::ServerProcess srv;
  auto org = srv.SignUp("idemrace");
  auto c = srv.NewClient(org.token);
  std::string sku = lt::SkuIdOf(c, "BUSINESS_BASIC");
  std::string card = lt::AddCard(c);
  for (int round = 0; round < 5; ++round) {
    auto order = lt::Buy(c, sku, 5, card);
    std::string path =
        "/api/v1/subscriptions/" + std::string(order["lineItems"][0]["subscriptionId"]);
    size_t invoices = c.Get("/api/v1/invoices").json["value"].size();
    lt::Response r6, r7;
    const std::string k6 = "race-" + std::to_string(round) + "-6";
    const std::string k7 = "race-" + std::to_string(round) + "-7";
    std::thread t6([&] {
      auto cl = srv.NewClient(org.token);
      r6 = cl.Patch(path, {{"quantity", 6}}, {{"Idempotency-Key", k6}});
    });
    std::thread t7([&] {
      auto cl = srv.NewClient(org.token);
      r7 = cl.Patch(path, {{"quantity", 7}}, {{"Idempotency-Key", k7}});
    });
    t6.join();
    t7.join();
    int ok = (r6.status == 200) + (r7.status == 200);
    ASSERT_GE(ok, 1) << r6 << r7;
    for (auto* r : {&r6, &r7})
      if (r->status != 200) {
        EXPECT_EQ(r->json["error"]["code"], "ConcurrentChange") << *r;
      }
    EXPECT_EQ(c.Get("/api/v1/invoices").json["value"].size(), invoices + static_cast<size_t>(ok));
    if (r6.status != 200) {
      EXPECT_EQ(c.Patch(path, {{"quantity", 6}}, {{"Idempotency-Key", k6}}).status, 409);
    }
    if (r7.status != 200) {
      EXPECT_EQ(c.Patch(path, {{"quantity", 7}}, {{"Idempotency-Key", k7}}).status, 409);
    }
    EXPECT_EQ(c.Get("/api/v1/invoices").json["value"].size(), invoices + static_cast<size_t>(ok));
  }
}

}  // namespace
