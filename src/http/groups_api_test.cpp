// Groups and group-based licensing end to end (issue 16): the real server on a
// loopback port, a real SQLite file (or PostgreSQL with LD_TEST_BACKEND), the
// background processing of `serve` doing the licensing.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "support/server.h"

namespace {

namespace lt = ld::testing;
using lt::Json;
using namespace std::chrono_literals;

std::string AppCode(const lt::Response& r) {
  if (!r.json.is_object() || !r.json.contains("error")) return {};
  const Json& e = r.json["error"];
  if (e.contains("innerError") && e["innerError"].contains("code")) return e["innerError"]["code"];
  return e.value("code", "");
}

std::string Ref(const lt::ServerProcess& srv, const std::string& user) {
  return "http://127.0.0.1:" + std::to_string(srv.port()) + "/v1.0/directoryObjects/" + user;
}

std::string CreateGroup(lt::Client& c, const std::string& name) {
  auto r = c.Post("/v1.0/groups", {{"displayName", name},
                                   {"mailNickname", "g" + std::to_string(name.size())},
                                   {"mailEnabled", false},
                                   {"securityEnabled", true}});
  if (r.status != 201) throw std::runtime_error("create group: " + r.body);
  return r.json["id"];
}

// Polls the group until its licenses are processed (or `limit`).
Json WaitProcessed(lt::Client& c, const std::string& group,
                   std::chrono::seconds limit = std::chrono::seconds(20)) {
  auto until = std::chrono::steady_clock::now() + limit;
  Json g;
  while (std::chrono::steady_clock::now() < until) {
    auto r = c.Get("/v1.0/groups/" + group);
    g = r.json;
    if (r.status == 200 && g["licenseProcessingState"]["state"] == "ProcessingComplete") return g;
    std::this_thread::sleep_for(20ms);
  }
  ADD_FAILURE() << "the group was not processed in " << limit.count() << " s: " << g.dump();
  return g;
}

std::set<std::string> Skus(const Json& user) {
  std::set<std::string> out;
  for (const auto& l : user["assignedLicenses"]) out.insert(l["skuId"].get<std::string>());
  return out;
}

// The assignLicense body that adds `sku` with no plan disabled.
Json AddSku(const std::string& sku) {
  return {{"addLicenses", {{{"skuId", sku}, {"disabledPlans", Json::array()}}}},
          {"removeLicenses", Json::array()}};
}

// `n` new users (nicknames prefix0, prefix1, ...) added to `group` by
// members/$ref; their ids.
std::vector<std::string> AddNewMembers(lt::Client& c, const lt::ServerProcess& srv,
                                       const lt::Org& org, const std::string& group,
                                       const std::string& prefix, int n) {
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    ids.push_back(lt::CreateUser(c, org.domain, prefix + std::to_string(i)));
    auto r =
        c.Post("/v1.0/groups/" + group + "/members/$ref", {{"@odata.id", Ref(srv, ids.back())}});
    if (r.status != 204) throw std::runtime_error("add a member: " + r.body);
  }
  return ids;
}

TEST(ApiGroups, CreateListReadUpdateDeleteAndMembers) {
  lt::ServerProcess srv;
  auto org = srv.SignUp("groups");
  auto c = srv.NewClient(org.token);
  std::string a = lt::CreateUser(c, org.domain, "a");
  std::string b = lt::CreateUser(c, org.domain, "b");

  auto made = c.Post("/v1.0/groups", {{"displayName", "Sales"},
                                      {"mailNickname", "sales"},
                                      {"mailEnabled", false},
                                      {"securityEnabled", true},
                                      {"description", "The sales team"},
                                      {"members@odata.bind", {Ref(srv, a)}}});
  ASSERT_EQ(made.status, 201) << made;
  std::string g = made.json["id"];
  EXPECT_EQ(made.json["displayName"], "Sales");
  EXPECT_EQ(made.json["licenseProcessingState"]["state"], "ProcessingComplete");
  EXPECT_TRUE(made.json["assignedLicenses"].empty());

  // The name is unique, case-insensitively; nothing is written.
  auto dup = c.Post("/v1.0/groups", {{"displayName", "sales"},
                                     {"mailNickname", "sales2"},
                                     {"mailEnabled", false},
                                     {"securityEnabled", true}});
  EXPECT_EQ(dup.status, 400) << dup;
  EXPECT_EQ(AppCode(dup), "DisplayNameTaken");
  auto longname = c.Post("/v1.0/groups", {{"displayName", std::string(257, 'x')},
                                          {"mailNickname", "x"},
                                          {"mailEnabled", false},
                                          {"securityEnabled", true}});
  EXPECT_EQ(longname.status, 400) << longname;

  // Members: $ref add, a duplicate, a bad reference, an unknown user.
  EXPECT_EQ(c.Post("/v1.0/groups/" + g + "/members/$ref", {{"@odata.id", Ref(srv, b)}}).status,
            204);
  auto again = c.Post("/v1.0/groups/" + g + "/members/$ref", {{"@odata.id", Ref(srv, b)}});
  EXPECT_EQ(again.status, 400) << again;
  EXPECT_NE(again.body.find("One or more added object references already exist"),
            std::string::npos);
  auto bad_ref =
      c.Post("/v1.0/groups/" + g + "/members/$ref", {{"@odata.id", "http://x/v1.0/users/" + b}});
  EXPECT_EQ(bad_ref.status, 400) << bad_ref;
  auto nobody = c.Post("/v1.0/groups/" + g + "/members/$ref",
                       {{"@odata.id", Ref(srv, "00000000-0000-7000-8000-000000000001")}});
  EXPECT_EQ(nobody.status, 404) << nobody;

  auto members = c.Get("/v1.0/groups/" + g + "/members");
  ASSERT_EQ(members.status, 200) << members;
  ASSERT_EQ(members.json["value"].size(), 2u);
  EXPECT_EQ(members.json["value"][0]["@odata.type"], "#microsoft.graph.user");
  auto member_of = c.Get("/v1.0/users/" + b + "/memberOf");
  ASSERT_EQ(member_of.status, 200) << member_of;
  ASSERT_EQ(member_of.json["value"].size(), 1u);
  EXPECT_EQ(member_of.json["value"][0]["id"], g);

  // 21 binds are refused whatever they name; nothing changes.
  Json binds = Json::array();
  for (int i = 0; i < 21; ++i) binds.push_back(Ref(srv, a));
  auto many = c.Patch("/v1.0/groups/" + g, {{"members@odata.bind", binds}});
  EXPECT_EQ(many.status, 400) << many;

  EXPECT_EQ(c.Patch("/v1.0/groups/" + g, {{"description", "Sales, all of it"}}).status, 204);
  EXPECT_EQ(c.Get("/v1.0/groups/" + g).json["description"], "Sales, all of it");
  auto sel = c.Get("/v1.0/groups/" + g + "?$select=displayName");
  EXPECT_FALSE(sel.json.contains("mailNickname")) << sel;

  EXPECT_EQ(c.Delete("/v1.0/groups/" + g + "/members/" + b + "/$ref").status, 204);
  EXPECT_EQ(c.Get("/v1.0/groups/" + g + "/members").json["value"].size(), 1u);
  EXPECT_EQ(c.Delete("/v1.0/groups/" + g + "/members/" + b + "/$ref").status, 404);

  // Another organization sees none of it.
  auto other = srv.SignUp("othergroups");
  auto o = srv.NewClient(other.token);
  EXPECT_EQ(o.Get("/v1.0/groups/" + g).status, 404);
  EXPECT_TRUE(o.Get("/v1.0/groups").json["value"].empty());
  EXPECT_EQ(o.Post("/v1.0/groups/" + g + "/members/$ref", {{"@odata.id", Ref(srv, a)}}).status,
            404);

  EXPECT_EQ(c.Delete("/v1.0/groups/" + g).status, 204);
  EXPECT_EQ(c.Get("/v1.0/groups/" + g).status, 404);
  EXPECT_TRUE(c.Get("/v1.0/users/" + a + "/memberOf").json["value"].empty());
}

TEST(ApiGroups, ListingPagesPastAThousandAndFilters) {
  lt::ServerProcess srv;
  auto org = srv.SignUp("grouppages");
  auto c = srv.NewClient(org.token);
  const int n = 1005;
  for (int i = 0; i < n; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "Team %04d", i);
    CreateGroup(c, name);
  }
  std::set<std::string> seen;
  std::string path = "/v1.0/groups?$top=999&$count=true";
  int pages = 0;
  while (!path.empty()) {
    auto r = c.Get(path, {{"ConsistencyLevel", "eventual"}});
    ASSERT_EQ(r.status, 200) << r;
    if (pages == 0) {
      EXPECT_EQ(r.json["@odata.count"], n);
    }
    for (const auto& g : r.json["value"]) EXPECT_TRUE(seen.insert(g["id"]).second);
    ++pages;
    path.clear();
    if (r.json.contains("@odata.nextLink")) {
      std::string next = r.json["@odata.nextLink"];
      path = next.substr(next.find("/v1.0/"));
    }
  }
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(seen.size(), static_cast<size_t>(n));

  auto eq = c.Get("/v1.0/groups?$filter=displayName%20eq%20'team%200007'");
  ASSERT_EQ(eq.status, 200) << eq;
  ASSERT_EQ(eq.json["value"].size(), 1u);
  EXPECT_EQ(eq.json["value"][0]["displayName"], "Team 0007");
  auto sw = c.Get("/v1.0/groups?$filter=startswith(displayName,'Team%20100')");
  ASSERT_EQ(sw.status, 200) << sw;
  EXPECT_EQ(sw.json["value"].size(), 5u);
  auto bad = c.Get("/v1.0/groups?$filter=mail%20eq%20'x'");
  EXPECT_EQ(bad.status, 400) << bad;
  auto errors = c.Get("/v1.0/groups?$filter=hasMembersWithLicenseErrors%20eq%20true");
  ASSERT_EQ(errors.status, 200) << errors;
  EXPECT_TRUE(errors.json["value"].empty());
}

// Follows @odata.nextLink from `path`; every id once, and the number of pages.
std::pair<std::set<std::string>, int> PageAll(lt::Client& c, std::string path) {
  std::set<std::string> seen;
  int pages = 0;
  while (!path.empty()) {
    auto r = c.Get(path);
    if (r.status != 200) {
      ADD_FAILURE() << r;
      break;
    }
    for (const auto& v : r.json["value"]) EXPECT_TRUE(seen.insert(v["id"]).second) << v["id"];
    ++pages;
    path.clear();
    if (r.json.contains("@odata.nextLink")) {
      std::string next = r.json["@odata.nextLink"];
      path = next.substr(next.find("/v1.0/"));
    }
  }
  return {seen, pages};
}

TEST(ApiGroups, MembersAndMemberOfPagePastAThousand) {
  lt::ServerProcess srv;
  auto org = srv.SignUp("memberpages");
  auto c = srv.NewClient(org.token);
  const int n = 1005;
  // One group of 1,005 members (added 20 at a time by members@odata.bind)...
  std::string big = CreateGroup(c, "Everyone");
  std::set<std::string> users;
  Json binds = Json::array();
  for (int i = 0; i < n; ++i) {
    std::string id = lt::CreateUser(c, org.domain, "p" + std::to_string(i));
    users.insert(id);
    binds.push_back(Ref(srv, id));
    if (binds.size() == 20 || i == n - 1) {
      auto r = c.Patch("/v1.0/groups/" + big, {{"members@odata.bind", binds}});
      ASSERT_EQ(r.status, 204) << r;
      binds = Json::array();
    }
  }
  // ...and one user in 1,005 groups.
  const std::string joiner = *users.begin();
  std::set<std::string> groups{big};
  for (int i = 1; i < n; ++i) {
    auto r = c.Post("/v1.0/groups", {{"displayName", "Team " + std::to_string(i)},
                                     {"mailNickname", "t" + std::to_string(i)},
                                     {"mailEnabled", false},
                                     {"securityEnabled", true},
                                     {"members@odata.bind", {Ref(srv, joiner)}}});
    ASSERT_EQ(r.status, 201) << r;
    groups.insert(r.json["id"].get<std::string>());
  }

  auto [members, member_pages] = PageAll(c, "/v1.0/groups/" + big + "/members");
  EXPECT_EQ(members, users);
  EXPECT_GE(member_pages, 2);
  auto [of, of_pages] = PageAll(c, "/v1.0/users/" + joiner + "/memberOf?$top=500");
  EXPECT_EQ(of, groups);
  EXPECT_EQ(of_pages, 3);
  // A member's memberOf is the one group; a foreign token sees nothing.
  auto [one, one_pages] = PageAll(c, "/v1.0/users/" + *users.rbegin() + "/memberOf");
  EXPECT_EQ(one, std::set<std::string>{big});
  auto other = srv.NewClient(srv.SignUp("memberpages2").token);
  EXPECT_EQ(other.Get("/v1.0/users/" + joiner + "/memberOf").status, 404);
  EXPECT_EQ(c.Get("/v1.0/users/" + joiner + "/memberOf?$skiptoken=nope").status, 400);
}

// A direct assignLicense obeys the rules group processing records as errors:
// conflicting plans, an add-on's base, where a SKU is sold. Each refusal
// changes nothing.
TEST(ApiGroups, DirectAssignmentsObeyTheCatalogsRules) {
  lt::ServerProcess srv;
  auto org = srv.SignUp("directrules");
  auto c = srv.NewClient(org.token);
  std::string card = lt::AddCard(c);
  std::string basic = lt::SkuIdOf(c, "BUSINESS_BASIC");
  std::string standard = lt::SkuIdOf(c, "BUSINESS_STANDARD");
  std::string audio = lt::SkuIdOf(c, "AUDIO_CONFERENCING");
  std::string phone = lt::SkuIdOf(c, "PHONE_SYSTEM");
  lt::Buy(c, basic, 2, card);
  lt::Buy(c, standard, 2, card);
  lt::Buy(c, audio, 2, card);
  lt::Buy(c, phone, 2, card);
  std::string a = lt::CreateUser(c, org.domain, "rulesa", "US");
  std::string de = lt::CreateUser(c, org.domain, "rulesde", "DE");
  auto change = [&](const std::string& user, std::vector<std::string> add,
                    std::vector<std::string> remove) {
    Json adds = Json::array();
    for (const auto& s : add) adds.push_back({{"skuId", s}, {"disabledPlans", Json::array()}});
    return c.Post("/v1.0/users/" + user + "/assignLicense",
                  {{"addLicenses", adds}, {"removeLicenses", remove}});
  };
  auto consumed = [&]() {
    std::map<std::string, int> out;
    auto r = c.Get("/v1.0/subscribedSkus");
    for (const auto& s : r.json["value"]) out[s["skuId"]] = s["consumedUnits"];
    return out;
  };

  auto alone = change(a, {audio}, {});
  EXPECT_EQ(alone.status, 400) << alone;
  EXPECT_EQ(AppCode(alone), "DependencyViolation") << alone;
  ASSERT_EQ(change(a, {basic}, {}).status, 200);
  auto before = consumed();
  auto both = change(a, {standard}, {});
  EXPECT_EQ(both.status, 400) << both;
  EXPECT_EQ(AppCode(both), "MutuallyExclusiveViolation") << both;
  EXPECT_NE(both.body.find("BUSINESS_BASIC"), std::string::npos) << both;
  EXPECT_EQ(consumed(), before);
  // A move between conflicting plans is one change, allowed.
  auto move = change(a, {standard}, {basic});
  ASSERT_EQ(move.status, 200) << move;
  ASSERT_EQ(change(a, {audio}, {}).status, 200);
  before = consumed();
  auto orphan = change(a, {}, {standard});
  EXPECT_EQ(orphan.status, 400) << orphan;
  EXPECT_EQ(AppCode(orphan), "DependencyViolation") << orphan;
  EXPECT_EQ(consumed(), before);
  auto u = c.Get("/v1.0/users/" + a);
  EXPECT_EQ(u.json["assignedLicenses"].size(), 2u) << u;
  ASSERT_EQ(change(a, {}, {standard, audio}).status, 200);

  // Phone System is sold in six countries, not in Germany.
  ASSERT_EQ(change(de, {basic}, {}).status, 200);
  before = consumed();
  auto where = change(de, {phone}, {});
  EXPECT_EQ(where.status, 400) << where;
  EXPECT_EQ(AppCode(where), "ProhibitedInUsageLocationViolation") << where;
  EXPECT_EQ(consumed(), before);
  ASSERT_EQ(change(a, {basic, phone}, {}).status, 200);
}

TEST(ApiGroups, GroupLicensesReachMembersAndCountViolationsPastCapacity) {
  lt::ServerProcess srv;
  auto org = srv.SignUp("grouplic");
  auto c = srv.NewClient(org.token);
  std::string sku = lt::SkuIdOf(c, "BUSINESS_BASIC");
  lt::Buy(c, sku, 3, lt::AddCard(c));
  std::vector<std::string> users;
  for (int i = 0; i < 5; ++i)
    users.push_back(lt::CreateUser(c, org.domain, "m" + std::to_string(i)));
  // One of them holds the SKU directly already: it gets the group's source
  // without a second seat (R16).
  Json add = AddSku(sku);
  ASSERT_EQ(c.Post("/v1.0/users/" + users[0] + "/assignLicense", add).status, 200);

  std::string g = CreateGroup(c, "Everyone");
  for (const auto& u : users)
    ASSERT_EQ(c.Post("/v1.0/groups/" + g + "/members/$ref", {{"@odata.id", Ref(srv, u)}}).status,
              204);

  auto unknown = c.Post("/v1.0/groups/" + g + "/assignLicense",
                        {{"addLicenses", {{{"skuId", "00000000-0000-0000-0000-000000000001"}}}},
                         {"removeLicenses", Json::array()}});
  EXPECT_EQ(unknown.status, 400) << unknown;

  auto queued = c.Post("/v1.0/groups/" + g + "/assignLicense", add);
  ASSERT_EQ(queued.status, 202) << queued;
  EXPECT_EQ(queued.json["licenseProcessingState"]["state"], "QueuedForProcessing");
  Json done = WaitProcessed(c, g);
  EXPECT_EQ(done["assignedLicenses"].size(), 1u);

  // 3 seats: the direct holder plus the two oldest other members; the last
  // two are CountViolation (R17, oldest membership first).
  int holders = 0;
  for (size_t i = 0; i < users.size(); ++i) {
    auto u = c.Get("/v1.0/users/" + users[i]);
    if (Skus(u.json).count(sku)) ++holders;
    EXPECT_EQ(Skus(u.json).count(sku) == 1, i < 3) << i;
  }
  EXPECT_EQ(holders, 3);
  auto pools = c.Get("/v1.0/subscribedSkus");
  for (const auto& p : pools.json["value"])
    if (p["skuId"] == sku) {
      EXPECT_EQ(p["consumedUnits"], 3);
    }
  auto errs = c.Get("/v1.0/groups/" + g + "/membersWithLicenseErrors");
  ASSERT_EQ(errs.status, 200) << errs;
  EXPECT_EQ(errs.json["value"].size(), 2u);
  auto with_errors = c.Get("/v1.0/groups?$filter=hasMembersWithLicenseErrors%20eq%20true");
  ASSERT_EQ(with_errors.json["value"].size(), 1u);
  // Members are users: the same $select, licenseAssignmentStates read for
  // the page, kept in the nextLink; an unknown property is a 400.
  auto states = c.Get("/v1.0/groups/" + g +
                      "/membersWithLicenseErrors?$top=1&$select=id,licenseAssignmentStates");
  ASSERT_EQ(states.status, 200) << states;
  ASSERT_EQ(states.json["value"].size(), 1u);
  const Json& first = states.json["value"][0];
  EXPECT_FALSE(first.contains("displayName")) << first;
  ASSERT_EQ(first["licenseAssignmentStates"].size(), 1u) << first;
  EXPECT_EQ(first["licenseAssignmentStates"][0]["assignedByGroup"], g);
  EXPECT_EQ(first["licenseAssignmentStates"][0]["error"], "CountViolation");
  std::string next = states.json.value("@odata.nextLink", "");
  EXPECT_NE(next.find("$select=id%2ClicenseAssignmentStates"), std::string::npos) << next;
  EXPECT_EQ(c.Get("/v1.0/groups/" + g + "/members?$select=nope").status, 400);

  // A member who joins the licensed group later gets the license (while
  // seats last: none now, so CountViolation).
  std::string late = lt::CreateUser(c, org.domain, "late");
  ASSERT_EQ(c.Post("/v1.0/groups/" + g + "/members/$ref", {{"@odata.id", Ref(srv, late)}}).status,
            204);
  {
    auto until = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < until &&
           c.Get("/v1.0/groups/" + g + "/membersWithLicenseErrors").json["value"].size() < 3)
      std::this_thread::sleep_for(20ms);
    EXPECT_EQ(c.Get("/v1.0/groups/" + g + "/membersWithLicenseErrors").json["value"].size(), 3u);
  }
  // Removing the inherited license directly is refused (the holder from the
  // group only); the user with both keeps it when the direct one goes.
  Json remove{{"addLicenses", Json::array()}, {"removeLicenses", {sku}}};
  auto refused = c.Post("/v1.0/users/" + users[1] + "/assignLicense", remove);
  EXPECT_EQ(refused.status, 400) << refused;
  EXPECT_NE(refused.body.find("inherited from a group membership"), std::string::npos);
  EXPECT_EQ(c.Post("/v1.0/users/" + users[0] + "/assignLicense", remove).status, 200);
  EXPECT_EQ(Skus(c.Get("/v1.0/users/" + users[0]).json).count(sku), 1u);

  // Buying more seats processes the members in CountViolation again.
  lt::Buy(c, sku, 3, lt::AddCard(c, "5555555555554444"));
  auto until = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < until &&
         !c.Get("/v1.0/groups/" + g + "/membersWithLicenseErrors").json["value"].empty())
    std::this_thread::sleep_for(50ms);
  EXPECT_TRUE(c.Get("/v1.0/groups/" + g + "/membersWithLicenseErrors").json["value"].empty());
  EXPECT_EQ(Skus(c.Get("/v1.0/users/" + users[4]).json).count(sku), 1u);

  // A group that still gives licenses cannot be deleted.
  auto del = c.Delete("/v1.0/groups/" + g);
  EXPECT_EQ(del.status, 400) << del;
  // A member that leaves loses the inherited license, and its seat.
  EXPECT_EQ(c.Delete("/v1.0/groups/" + g + "/members/" + users[4] + "/$ref").status, 204);
  until = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < until &&
         Skus(c.Get("/v1.0/users/" + users[4]).json).count(sku))
    std::this_thread::sleep_for(50ms);
  EXPECT_EQ(Skus(c.Get("/v1.0/users/" + users[4]).json).count(sku), 0u);
  // The group's licenses removed: every inherited license goes, the direct
  // ones stay; then the group can be deleted.
  ASSERT_EQ(c.Post("/v1.0/groups/" + g + "/assignLicense", remove).status, 202);
  WaitProcessed(c, g);
  for (size_t i = 1; i < users.size(); ++i)
    EXPECT_EQ(Skus(c.Get("/v1.0/users/" + users[i]).json).count(sku), 0u) << i;
  EXPECT_EQ(c.Delete("/v1.0/groups/" + g).status, 204);
}

}  // namespace

namespace {

int64_t Consumed(lt::Client& c, const std::string& sku) {
  auto r = c.Get("/v1.0/subscribedSkus");
  if (r.status != 200) ADD_FAILURE() << r;
  for (const auto& p : r.json["value"])
    if (p["skuId"] == sku) return p["consumedUnits"];
  return -1;
}

int64_t Holders(lt::Client& c, const std::string& sku) {
  int64_t n = 0;
  auto r = c.Get("/v1.0/users?$top=999");  // named: the loop reads into it
  for (const auto& u : r.json["value"]) n += Skus(u).count(sku);
  return n;
}

// R16, R17 under concurrency: direct assignments and removals, member adds
// and removals, and group license adds and removals on one pool with few
// seats, at once. consumedUnits always equals the users holding the SKU
// (each once) and never passes the seats bought.
TEST(ApiGroups, AStormOfDirectAndGroupChangesNeverOverAssignsAPool) {
  lt::ServerProcess srv;
  auto org = srv.SignUp("storm");
  auto c = srv.NewClient(org.token);
  std::string sku = lt::SkuIdOf(c, "BUSINESS_BASIC");
  lt::Buy(c, sku, 6, lt::AddCard(c));
  std::vector<std::string> users;
  for (int i = 0; i < 14; ++i)
    users.push_back(lt::CreateUser(c, org.domain, "s" + std::to_string(i)));
  std::string g1 = CreateGroup(c, "Storm one"), g2 = CreateGroup(c, "Storm two");
  for (int i = 0; i < 14; i += 2)
    c.Post("/v1.0/groups/" + g2 + "/members/$ref", {{"@odata.id", Ref(srv, users[i])}});
  Json add = AddSku(sku);
  Json remove{{"addLicenses", Json::array()}, {"removeLicenses", {sku}}};
  ASSERT_EQ(c.Post("/v1.0/groups/" + g1 + "/assignLicense", add).status, 202);

  std::atomic<bool> stop{false};
  std::atomic<int> over{0};
  std::vector<std::thread> ts;
  ts.emplace_back([&] {  // direct
    auto cl = srv.NewClient(org.token);
    for (int i = 0; !stop; ++i) {
      const auto& u = users[static_cast<size_t>(i) % users.size()];
      cl.Post("/v1.0/users/" + u + "/assignLicense", i % 3 == 2 ? remove : add);
    }
  });
  ts.emplace_back([&] {  // members of g1
    auto cl = srv.NewClient(org.token);
    for (int i = 0; !stop; ++i) {
      const auto& u = users[static_cast<size_t>(i * 5) % users.size()];
      if (i % 2)
        cl.Delete("/v1.0/groups/" + g1 + "/members/" + u + "/$ref");
      else
        cl.Post("/v1.0/groups/" + g1 + "/members/$ref", {{"@odata.id", Ref(srv, u)}});
    }
  });
  ts.emplace_back([&] {  // g2's license on and off
    auto cl = srv.NewClient(org.token);
    for (int i = 0; !stop; ++i) {
      cl.Post("/v1.0/groups/" + g2 + "/assignLicense", i % 2 ? remove : add);
      std::this_thread::sleep_for(5ms);
    }
  });
  ts.emplace_back([&] {  // the invariant, while it all runs
    auto cl = srv.NewClient(org.token);
    while (!stop) {
      if (Consumed(cl, sku) > 6) ++over;
      std::this_thread::sleep_for(10ms);
    }
  });
  std::this_thread::sleep_for(2500ms);
  stop = true;
  for (auto& t : ts) t.join();
  EXPECT_EQ(over.load(), 0);
  // Both groups give the license at the end; once processed, every seat
  // counts one holder.
  c.Post("/v1.0/groups/" + g2 + "/assignLicense", add);
  WaitProcessed(c, g1);
  WaitProcessed(c, g2);
  std::this_thread::sleep_for(300ms);  // member runs queued last
  int64_t consumed = Consumed(c, sku);
  EXPECT_LE(consumed, 6);
  EXPECT_EQ(consumed, Holders(c, sku));
  EXPECT_EQ(consumed, 6);  // 14 users want it from some source: every seat is taken
}

// Business Basic and Business Standard exclude each other: a direct Basic
// and a group's Standard racing for the same users never both land (on
// PostgreSQL they share the pools' locks, PoolsToLock), whatever wins.
TEST(ApiGroups, ConflictingDirectAndGroupLicensesNeverMeetUnderConcurrency) {
  lt::ServerProcess srv;
  auto org = srv.SignUp("conflictstorm");
  auto c = srv.NewClient(org.token);
  std::string card = lt::AddCard(c);
  std::string basic = lt::SkuIdOf(c, "BUSINESS_BASIC");
  std::string standard = lt::SkuIdOf(c, "BUSINESS_STANDARD");
  lt::Buy(c, basic, 12, card);
  lt::Buy(c, standard, 12, card);
  std::string g = CreateGroup(c, "Standard for all");
  std::vector<std::string> users = AddNewMembers(c, srv, org, g, "x", 12);
  Json remove_basic{{"addLicenses", Json::array()}, {"removeLicenses", {basic}}};
  Json remove_standard{{"addLicenses", Json::array()}, {"removeLicenses", {standard}}};

  std::atomic<bool> stop{false};
  std::vector<std::thread> ts;
  for (int t = 0; t < 2; ++t)
    ts.emplace_back([&, t] {  // direct Basic on and off
      auto cl = srv.NewClient(org.token);
      for (int i = t; !stop; i += 2) {
        const auto& u = users[static_cast<size_t>(i) % users.size()];
        cl.Post("/v1.0/users/" + u + "/assignLicense", (i / 12) % 2 ? remove_basic : AddSku(basic));
      }
    });
  ts.emplace_back([&] {  // the group's Standard on and off
    auto cl = srv.NewClient(org.token);
    for (int i = 0; !stop; ++i) {
      cl.Post("/v1.0/groups/" + g + "/assignLicense", i % 2 ? remove_standard : AddSku(standard));
      std::this_thread::sleep_for(5ms);
    }
  });
  std::this_thread::sleep_for(2500ms);
  stop = true;
  for (auto& t : ts) t.join();
  c.Post("/v1.0/groups/" + g + "/assignLicense", AddSku(standard));
  WaitProcessed(c, g);
  std::this_thread::sleep_for(300ms);  // member runs queued last
  int both = 0, either = 0;
  for (const auto& u : users) {
    auto skus = Skus(c.Get("/v1.0/users/" + u).json);
    both += skus.count(basic) && skus.count(standard);
    either += skus.count(basic) || skus.count(standard);
  }
  EXPECT_EQ(both, 0);
  EXPECT_EQ(either, 12);  // the group's Standard, or MutuallyExclusiveViolation beside Basic
  EXPECT_EQ(Consumed(c, basic) + Consumed(c, standard), 12);
}

// R19: a group change acknowledged with 202 is processed even when the
// server is killed right after; the next server processes it once.
TEST(ApiGroups, AKilledServerProcessesAnAcknowledgedGroupChangeOnceAfterRestart) {
  lt::ServerProcess first;
  auto org = first.SignUp("killed");
  auto c = first.NewClient(org.token);
  std::string sku = lt::SkuIdOf(c, "BUSINESS_BASIC");
  lt::Buy(c, sku, 30, lt::AddCard(c));
  std::string g = CreateGroup(c, "Everyone");
  Json binds = Json::array();
  for (int i = 0; i < 40; ++i) {
    binds.push_back(Ref(first, lt::CreateUser(c, org.domain, "k" + std::to_string(i))));
    if (binds.size() == 20) {
      ASSERT_EQ(c.Patch("/v1.0/groups/" + g, {{"members@odata.bind", binds}}).status, 204);
      binds = Json::array();
    }
  }
  auto r = c.Post("/v1.0/groups/" + g + "/assignLicense",
                  {{"addLicenses", {{{"skuId", sku}, {"disabledPlans", Json::array()}}}},
                   {"removeLicenses", Json::array()}});
  ASSERT_EQ(r.status, 202) << r;
  first.Kill();

  lt::ServerProcess second({.dbPath = first.dbPath()});
  auto c2 = second.NewClient(org.token);
  // When the kill caught the item claimed, it waits for the dead server's
  // lease (15 s) before this server takes it.
  Json done = WaitProcessed(c2, g, std::chrono::seconds(60));
  EXPECT_EQ(done["licenseProcessingState"]["state"], "ProcessingComplete");
  EXPECT_EQ(Consumed(c2, sku), 30);
  EXPECT_EQ(Holders(c2, sku), 30);
  auto errs = c2.Get("/v1.0/groups/" + g + "/membersWithLicenseErrors");
  EXPECT_EQ(errs.json["value"].size(), 10u);
}

// Seats added to a subscription (a quantity increase) reach the members a
// group could not license for want of them.
TEST(ApiGroups, AQuantityIncreaseLicensesTheMembersInCountViolation) {
  lt::ServerProcess srv;
  auto org = srv.SignUp("groupqty");
  auto c = srv.NewClient(org.token);
  std::string sku = lt::SkuIdOf(c, "BUSINESS_BASIC");
  Json order = lt::Buy(c, sku, 1, lt::AddCard(c));
  std::string sub = order["lineItems"][0]["subscriptionId"];
  std::string g = CreateGroup(c, "Two");
  AddNewMembers(c, srv, org, g, "q", 2);
  ASSERT_EQ(c.Post("/v1.0/groups/" + g + "/assignLicense", AddSku(sku)).status, 202);
  WaitProcessed(c, g);
  ASSERT_EQ(c.Get("/v1.0/groups/" + g + "/membersWithLicenseErrors").json["value"].size(), 1u);
  auto more = c.Patch("/api/v1/subscriptions/" + sub, {{"quantity", 2}});
  ASSERT_EQ(more.status, 200) << more;
  auto until = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < until &&
         !c.Get("/v1.0/groups/" + g + "/membersWithLicenseErrors").json["value"].empty())
    std::this_thread::sleep_for(50ms);
  EXPECT_TRUE(c.Get("/v1.0/groups/" + g + "/membersWithLicenseErrors").json["value"].empty());
  EXPECT_EQ(Consumed(c, sku), 2);
}

// R18: a processing run is audited once, as a summary with its counts.
TEST(ApiGroups, AProcessingRunIsAuditedOnceWithItsCounts) {
  lt::ServerProcess srv;
  auto org = srv.SignUp("groupaudit");
  auto c = srv.NewClient(org.token);
  std::string sku = lt::SkuIdOf(c, "BUSINESS_BASIC");
  lt::Buy(c, sku, 2, lt::AddCard(c));
  std::string g = CreateGroup(c, "Audited");
  AddNewMembers(c, srv, org, g, "a", 3);
  ASSERT_EQ(c.Post("/v1.0/groups/" + g + "/assignLicense", AddSku(sku)).status, 202);
  WaitProcessed(c, g);
  auto audit = c.Get("/api/v1/auditLogs?$top=100");
  ASSERT_EQ(audit.status, 200) << audit;
  int runs = 0;
  for (const auto& e : audit.json["value"]) {
    if (e["action"] != "group.assignLicense") continue;
    ++runs;
    EXPECT_EQ(e["targetId"], g);
    EXPECT_EQ(e["after"]["assigned"], 2);
    EXPECT_EQ(e["after"]["failed"], 1);
  }
  EXPECT_EQ(runs, 1);
}

}  // namespace
