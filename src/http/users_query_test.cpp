// End-to-end: GET /v1.0/users with $filter, $select, $top, $count and paging
// through @odata.nextLink.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <set>

#include "support/server.h"

namespace {

namespace lt = ld::testing;
using lt::Json;

std::string AppCode(const lt::Response& r) {
  if (!r.json.is_object() || !r.json.contains("error")) return {};
  const Json& e = r.json["error"];
  if (e.contains("innerError") && e["innerError"].contains("code")) return e["innerError"]["code"];
  return e.value("code", "");
}

// Follows @odata.nextLink until the end; returns every user seen.
std::vector<Json> All(lt::Client& c, int port, std::string path, const httplib::Headers& h = {},
                      int* pages = nullptr) {
  std::vector<Json> out;
  std::string prefix = "http://127.0.0.1:" + std::to_string(port);
  for (int i = 0; i < 100; ++i) {
    auto r = c.Get(path, h);
    EXPECT_EQ(r.status, 200) << path << " " << r;
    if (r.status != 200) break;
    for (const auto& u : r.json["value"]) out.push_back(u);
    if (pages) ++*pages;
    if (!r.json.contains("@odata.nextLink")) break;
    std::string next = r.json["@odata.nextLink"];
    EXPECT_EQ(next.rfind(prefix + "/v1.0/users?", 0), 0u) << next;
    path = next.substr(prefix.size());
  }
  return out;
}

TEST(ApiUsersQuery, PagingFilteringSelectAndCountOver250Users) {
  lt::ServerProcess srv;
  auto org = srv.SignUp("paging");
  auto c = srv.NewClient(org.token);
  std::string sku = lt::SkuIdOf(c, "BUSINESS_BASIC");
  lt::Buy(c, sku, 10, lt::AddCard(c));

  // 250 users: every 10th in DE, every 25th disabled; names "User 000".."User 249".
  for (int i = 0; i < 250; ++i) {
    Json body{{"displayName", fmt::format("User {:03d}", i)},
              {"mailNickname", fmt::format("user{:03d}", i)},
              {"userPrincipalName", fmt::format("user{:03d}@{}", i, org.domain)},
              {"usageLocation", i % 10 == 0 ? "DE" : "US"},
              {"accountEnabled", i % 25 != 0}};
    auto r = c.Post("/v1.0/users", body);
    ASSERT_EQ(r.status, 201) << r;
  }
  // Three licensed users.
  for (int i : {1, 2, 3}) {
    auto r = c.Post(fmt::format("/v1.0/users/user{:03d}@{}/assignLicense", i, org.domain),
                    {{"addLicenses", {{{"skuId", sku}}}}, {"removeLicenses", Json::array()}});
    ASSERT_EQ(r.status, 200) << r;
  }

  // Default page size 100: 251 users (with the admin) in 3 pages, no duplicates.
  int pages = 0;
  auto all = All(c, srv.port(), "/v1.0/users", {}, &pages);
  EXPECT_EQ(all.size(), 251u);
  EXPECT_EQ(pages, 3);
  std::set<std::string> ids;
  for (const auto& u : all) ids.insert(u["id"]);
  EXPECT_EQ(ids.size(), 251u);

  // $top and $select survive paging.
  pages = 0;
  auto small = All(c, srv.port(), "/v1.0/users?$top=60&$select=id,displayName", {}, &pages);
  EXPECT_EQ(small.size(), 251u);
  EXPECT_EQ(pages, 5);
  for (const auto& u : small) {
    EXPECT_EQ(u.size(), 2u) << u;
    EXPECT_TRUE(u.contains("id") && u.contains("displayName")) << u;
  }
  auto first = c.Get("/v1.0/users?$top=1&$select=displayName");
  EXPECT_EQ(first.json["@odata.context"], "http://127.0.0.1:" + std::to_string(srv.port()) +
                                              "/v1.0/$metadata#users(displayName)");

  // $count needs ConsistencyLevel: eventual.
  auto no_header = c.Get("/v1.0/users?$count=true");
  EXPECT_EQ(no_header.status, 400) << no_header;
  httplib::Headers eventual{{"ConsistencyLevel", "eventual"}};
  auto counted = c.Get("/v1.0/users?$count=true&$top=5", eventual);
  ASSERT_EQ(counted.status, 200) << counted;
  EXPECT_EQ(counted.json["@odata.count"], 251);
  EXPECT_EQ(counted.json["value"].size(), 5u);

  // Filters, each paged to the end.
  struct Case {
    std::string filter;
    size_t expected;
    bool advanced;
  };
  std::vector<Case> cases{
      {"startswith(displayName,'User 1')", 100, false},
      {"startswith(displayName,'user 24')", 10, false},
      {"userPrincipalName eq 'user007@" + org.domain + "'", 1, false},
      {"userPrincipalName eq 'USER007@" + org.domain + "'", 1, false},
      {"accountEnabled eq false", 10, false},
      {"usageLocation eq 'DE'", 25, false},
      {"usageLocation eq 'DE' and accountEnabled eq false", 5, false},
      {"assignedLicenses/any(x:x/skuId eq " + sku + ")", 3, false},
      {"assignedLicenses/$count eq 0", 248, true},
      {"displayName eq 'User 123'", 1, false},
      {"startswith(userPrincipalName,'user00')", 10, false},
  };
  for (const auto& cs : cases) {
    std::string path = "/v1.0/users?$top=7&$filter=" + cs.filter;
    auto got = All(c, srv.port(), path, cs.advanced ? eventual : httplib::Headers{});
    EXPECT_EQ(got.size(), cs.expected) << cs.filter;
    if (cs.advanced) {
      auto plain = c.Get(path);
      EXPECT_EQ(plain.status, 400) << cs.filter;
    }
  }
  auto fc = c.Get("/v1.0/users?$count=true&$top=3&$filter=usageLocation eq 'DE'", eventual);
  ASSERT_EQ(fc.status, 200) << fc;
  EXPECT_EQ(fc.json["@odata.count"], 25);

  // A nextLink's $skiptoken does not fit another query.
  auto p1 = c.Get("/v1.0/users?$top=10");
  std::string next = p1.json["@odata.nextLink"];
  std::string token = next.substr(next.find("$skiptoken=") + 11);
  auto mismatch = c.Get("/v1.0/users?$top=20&$skiptoken=" + token);
  EXPECT_EQ(mismatch.status, 400) << mismatch;
  EXPECT_EQ(AppCode(mismatch), "InvalidSkipToken");
  auto only_token = c.Get("/v1.0/users?$skiptoken=" + token);
  EXPECT_EQ(only_token.status, 200) << only_token;
  EXPECT_EQ(only_token.json["value"].size(), 10u);
}

TEST(ApiUsersQuery, UnsupportedAndMalformedOptions) {
  lt::ServerProcess srv;
  auto org = srv.SignUp("odata");
  auto c = srv.NewClient(org.token);
  struct Case {
    std::string query;
    std::string graph_code;
  };
  std::vector<Case> cases{
      {"$top=0", "Request_UnsupportedQuery"},
      {"$top=1000", "Request_UnsupportedQuery"},
      {"$top=abc", "Request_BadRequest"},
      {"$filter=displayName eq 'a' or displayName eq 'b'", "Request_UnsupportedQuery"},
      {"$filter=not(accountEnabled eq true)", "Request_UnsupportedQuery"},
      {"$filter=displayName eq", "Request_BadRequest"},
      {"$filter=jobTitle eq 'x'", "Request_UnsupportedQuery"},
      {"$select=password", "Request_BadRequest"},
      {"$orderby=displayName", "Request_UnsupportedQuery"},
      {"$skiptoken=%%%", "Request_BadRequest"},
  };
  for (const auto& cs : cases) {
    auto r = c.Get("/v1.0/users?" + cs.query);
    EXPECT_EQ(r.status, 400) << cs.query << " " << r;
    EXPECT_EQ(r.json["error"]["code"], cs.graph_code) << cs.query << " " << r;
  }
}

}  // namespace
