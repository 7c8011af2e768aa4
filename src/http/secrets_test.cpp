// Secrets never leave the places they belong: a full run's logs and database
// hold no password, card number, CVC, token or session id; a session id an
// attacker plants before sign-in is never adopted (session fixation).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/server.h"

namespace {

namespace lt = ld::testing;
using lt::Json;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Secrets, NeverInLogsOrDatabase) {
  lt::ServerProcess srv;
  auto org = srv.SignUp("secrets");  // admin password Test-Password-1
  auto c = srv.NewClient(org.token);
  const std::string good = "4242424242424242", declined = "4000000000000002", cvc = "987";
  auto card = c.Post("/api/v1/paymentMethods", {{"type", "card"},
                                                {"card",
                                                 {{"number", good},
                                                  {"expMonth", 12},
                                                  {"expYear", 2031},
                                                  {"cvc", cvc},
                                                  {"holderName", "Pat"}}}});
  ASSERT_EQ(card.status, 201) << card;
  auto bad = c.Post("/api/v1/paymentMethods", {{"type", "card"},
                                               {"card",
                                                {{"number", declined},
                                                 {"expMonth", 12},
                                                 {"expYear", 2031},
                                                 {"cvc", cvc},
                                                 {"holderName", "Pat"}}}});
  ASSERT_EQ(bad.status, 201) << bad;
  // A refused card number (bad Luhn) must not be echoed either.
  auto refused = c.Post("/api/v1/paymentMethods", {{"type", "card"},
                                                   {"card",
                                                    {{"number", "4242424242424241"},
                                                     {"expMonth", 12},
                                                     {"expYear", 2031},
                                                     {"cvc", cvc},
                                                     {"holderName", "Pat"}}}});
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(refused.body.find("4242424242424241"), std::string::npos);
  std::string sku = lt::SkuIdOf(c, "BUSINESS_BASIC");
  lt::Buy(c, sku, 2, card.json["id"]);
  lt::CreateUser(c, org.domain, "pat", "US", "Another-Secret-9");
  std::string user_token = srv.Token("pat@" + org.domain, "Another-Secret-9");
  ASSERT_FALSE(user_token.empty());
  auto anon = srv.NewClient();
  auto session = anon.Post("/api/v1/auth/session",
                           {{"userPrincipalName", org.adminUpn}, {"password", org.password}});
  ASSERT_EQ(session.status, 200);
  std::string cookie = session.Header("Set-Cookie");
  std::string session_id = cookie.substr(11, cookie.find(';') - 11);
  (void)anon.Post("/api/v1/auth/token",
                  {{"userPrincipalName", org.adminUpn}, {"password", "Wrong-Guess-123"}});
  srv.Stop();

  std::string logs = srv.Stdout() + srv.Stderr();
  std::string db = ReadFile(srv.dbPath()) + ReadFile(srv.dbPath() + "-wal");
  ASSERT_FALSE(logs.empty());
  for (const std::string& secret :
       {good, declined, std::string("4242424242424241"), org.password,
        std::string("Another-Secret-9"), std::string("Wrong-Guess-123"), org.token, user_token,
        session_id, session.json["csrfToken"].get<std::string>()}) {
    EXPECT_EQ(logs.find(secret), std::string::npos) << "a secret is in the logs";
    EXPECT_EQ(db.find(secret), std::string::npos) << "a secret is in the database";
  }
  EXPECT_EQ(db.find("\"cvc\""), std::string::npos);
}

TEST(Secrets, APlantedSessionIdIsNeverAdopted) {
  lt::ServerProcess srv;
  auto org = srv.SignUp("fixation");
  auto browser = srv.NewClient();
  const std::string planted = "attacker-chosen-session-id-0123456789abcdef";
  browser.SetHeader("Cookie", "ld_session=" + planted);
  EXPECT_EQ(browser.Get("/v1.0/me").status, 401);
  auto s = browser.Post("/api/v1/auth/session",
                        {{"userPrincipalName", org.adminUpn}, {"password", org.password}});
  ASSERT_EQ(s.status, 200) << s;
  std::string cookie = s.Header("Set-Cookie");
  EXPECT_EQ(cookie.find(planted), std::string::npos);
  // The planted id still opens nothing.
  auto attacker = srv.NewClient();
  attacker.SetHeader("Cookie", "ld_session=" + planted);
  EXPECT_EQ(attacker.Get("/v1.0/me").status, 401);
}

}  // namespace
