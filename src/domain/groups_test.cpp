#include "domain/groups.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace ld {
namespace {

// SKU ids ordered on purpose: the add-on's id sorts before its base plan's,
// so the base-plans-first rule is what puts the base plan first.
constexpr const char* kAddOnId = "10000000-0000-4000-8000-000000000001";
constexpr const char* kBasicId = "20000000-0000-4000-8000-000000000002";
constexpr const char* kPremiumId = "30000000-0000-4000-8000-000000000003";
constexpr const char* kPhoneId = "40000000-0000-4000-8000-000000000004";
constexpr const char* kSpareId = "50000000-0000-4000-8000-000000000005";

Guid G(const char* s) {
  return *Guid::Parse(s);
}

std::string SkuJson(const char* id, const char* part, bool add_on, const std::string& extra,
                    const char* plan_id, const char* plan_name) {
  return std::string(R"({"skuId": ")") + id + R"(", "skuPartNumber": ")" + part +
         R"(", "name": "n", "description": "d", "appliesTo": "User", "minQuantity": 1,
  "maxQuantity": 300, "isAddOn": )" +
         (add_on ? "true" : "false") + extra + R"(, "clouds": ["worldwide"],
  "servicePlans": [{"servicePlanId": ")" +
         plan_id + R"(", "servicePlanName": ")" + plan_name + R"(", "appliesTo": "User"}],
  "prices": {"USD": {"monthly": 100, "annual": 1000}}})";
}

// Basic and Premium exclude each other; the add-on needs Basic; Phone needs
// Basic and is sold in the US only; Spare stands alone.
const Catalog& TestCatalog() {
  static const Catalog cat = [] {
    std::string text =
        R"({"version": "t", "markets": [{"country": "US", "currency": "USD", "taxRateBp": 0,
      "clouds": ["worldwide"]}], "products": [)" +
        SkuJson(kBasicId, "BASIC", false,
                std::string(R"(, "conflictsWith": [")") + kPremiumId + "\"]",
                "a0000000-0000-4000-8000-000000000001", "P1") +
        "," +
        SkuJson(kPremiumId, "PREMIUM", false,
                std::string(R"(, "conflictsWith": [")") + kBasicId + "\"]",
                "a0000000-0000-4000-8000-000000000002", "P2") +
        "," +
        SkuJson(kAddOnId, "ADDON", true,
                std::string(R"(, "prerequisiteSkuIds": [")") + kBasicId + "\"]",
                "a0000000-0000-4000-8000-000000000003", "P3") +
        "," +
        SkuJson(kPhoneId, "PHONE", true,
                std::string(R"(, "prerequisiteSkuIds": [")") + kBasicId +
                    R"("], "usageLocations": ["US"])",
                "a0000000-0000-4000-8000-000000000004", "P4") +
        "," + SkuJson(kSpareId, "SPARE", false, "", "a0000000-0000-4000-8000-000000000005", "P5") +
        "]}";
    auto r = Catalog::Parse(text, "groups_test.json");
    if (!r.ok()) {
      ADD_FAILURE() << r.error().message;
      std::abort();
    }
    return std::move(r).value();
  }();
  return cat;
}

const Guid kGroup = G("90000000-0000-4000-8000-000000000001");
const Guid kOtherGroup = G("90000000-0000-4000-8000-000000000002");
const Guid kPlanA = G("a0000000-0000-4000-8000-00000000000a");
const Guid kPlanB = G("a0000000-0000-4000-8000-00000000000b");
const Guid kPlanC = G("a0000000-0000-4000-8000-00000000000c");

Guid UserN(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "e0000000-0000-4000-8000-%012d", n);
  return G(buf);
}

LicenseSource Direct(const char* sku, std::vector<Guid> disabled = {}) {
  return {G(sku), std::nullopt, std::move(disabled), LicenseState::kActive, LicenseError::kNone, 0};
}
LicenseSource Via(const Guid& group, const char* sku, std::vector<Guid> disabled = {},
                  LicenseError err = LicenseError::kNone) {
  return {G(sku),
          group,
          std::move(disabled),
          err == LicenseError::kNone ? LicenseState::kActive : LicenseState::kError,
          err,
          0};
}

PlanMember Member(int n, int64_t seq, std::optional<std::string> loc = "US",
                  std::vector<LicenseSource> sources = {}) {
  return {UserN(n), seq, std::move(loc), std::move(sources)};
}

GroupPlanInput Input(std::vector<const char*> skus, std::vector<PlanMember> members,
                     std::map<Guid, Pool> pools) {
  GroupPlanInput in;
  in.groupId = kGroup;
  for (const char* s : skus) in.licenses.push_back({G(s), {}});
  in.members = std::move(members);
  in.pools = std::move(pools);
  in.orgCountry = "US";
  return in;
}

Pool Free(int64_t n) {
  return Pool{n, 0, 0, 0};
}

const PlanOutcome& Find(const GroupPlan& p, const Guid& user, const char* sku) {
  for (const PlanOutcome& o : p.outcomes)
    if (o.userId == user && o.skuId == G(sku)) return o;
  static PlanOutcome none;
  ADD_FAILURE() << "no outcome for " << user.str() << " / " << sku;
  return none;
}

// ---- names ----

TEST(GroupsNames, StatesErrorsAndProcessingStatesRoundTrip) {
  for (auto s : {LicenseState::kActive, LicenseState::kActiveWithError, LicenseState::kDisabled,
                 LicenseState::kError})
    EXPECT_EQ(ParseLicenseState(ToString(s)), s);
  for (auto e : {LicenseError::kNone, LicenseError::kCountViolation,
                 LicenseError::kMutuallyExclusiveViolation, LicenseError::kDependencyViolation,
                 LicenseError::kProhibitedInUsageLocationViolation, LicenseError::kOther})
    EXPECT_EQ(ParseLicenseError(ToString(e)), e);
  for (auto p : {GroupProcessingState::kQueued, GroupProcessingState::kInProgress,
                 GroupProcessingState::kComplete})
    EXPECT_EQ(ParseGroupProcessingState(ToString(p)), p);
  // Graph's spellings, exactly.
  EXPECT_EQ(ToString(LicenseState::kActiveWithError), "ActiveWithError");
  EXPECT_EQ(ToString(LicenseError::kProhibitedInUsageLocationViolation),
            "ProhibitedInUsageLocationViolation");
  EXPECT_EQ(ToString(LicenseError::kNone), "None");
  EXPECT_EQ(ToString(GroupProcessingState::kQueued), "QueuedForProcessing");
  EXPECT_EQ(ToString(GroupProcessingState::kInProgress), "ProcessingInProgress");
  EXPECT_EQ(ToString(GroupProcessingState::kComplete), "ProcessingComplete");
  EXPECT_FALSE(ParseLicenseState("active"));
  EXPECT_FALSE(ParseLicenseError("countViolation"));
  EXPECT_FALSE(ParseGroupProcessingState(""));
}

// ---- input ----

TEST(GroupsInput, DisplayNameIsOneTo256Characters) {
  EXPECT_TRUE(ValidateGroupDisplayName("Sales").ok());
  EXPECT_TRUE(ValidateGroupDisplayName(std::string(256, 'a')).ok());
  std::string cjk;
  for (int i = 0; i < 256; ++i) cjk += "業";  // 768 bytes, 256 characters
  EXPECT_TRUE(ValidateGroupDisplayName(cjk).ok());
  for (const std::string& bad : std::vector<std::string>{
           std::string(), std::string(257, 'a'), cjk + "a", std::string("  \t"),
           std::string("\xff\xfe"), std::string("ab\xe6\xa5")}) {
    auto st = ValidateGroupDisplayName(bad);
    ASSERT_FALSE(st.ok()) << bad;
    EXPECT_EQ(st.error().code, "InvalidDisplayName");
    EXPECT_EQ(st.error().target, "displayName");
    EXPECT_EQ(st.error().kind, ErrorKind::kInvalid);
  }
}

TEST(GroupsInput, MemberRefMustBeADirectoryObjectsUrl) {
  const std::string id = "6f1c2b9e-0d4a-4c7e-9b1a-3e5f7a9c1d01";
  for (const std::string& ok : std::vector<std::string>{
           "https://graph.microsoft.com/v1.0/directoryObjects/" + id,
           "http://127.0.0.1:8080/v1.0/directoryObjects/" + id,
           "https://admin.example.com/licensedesk/v1.0/directoryObjects/" + id,
           "https://h/V1.0/DirectoryObjects/" + id,
           "https://h/v1.0/directoryObjects/6F1C2B9E-0D4A-4C7E-9B1A-3E5F7A9C1D01"}) {
    auto g = ParseDirectoryObjectRef(ok);
    ASSERT_TRUE(g.ok()) << ok << ": " << g.error().message;
    EXPECT_EQ(g->str(), id) << ok;
  }
  for (const std::string& bad : std::vector<std::string>{
           id,                                                // a bare id
           "/v1.0/directoryObjects/" + id,                    // relative
           "https://h/v1.0/users/" + id,                      // not directoryObjects
           "https://h/v1.0/groups/" + id,                     // a group: not a member ref
           "https://h/beta/directoryObjects/" + id,           // another version
           "https://h/directoryObjects/" + id,                // no version
           "https://h/v1.0/directoryObjects/",                // no id
           "https://h/v1.0/directoryObjects/" + id + "/",     // trailing slash
           "https://h/v1.0/directoryObjects/not-a-guid",      // not an id
           "https://h/v1.0/directoryObjects/" + id + "?x=1",  // a query
           "https://h/v1.0/directoryObjects/" + id + "#f",    // a fragment
           "ftp://h/v1.0/directoryObjects/" + id,             // not http(s)
           "https:///v1.0/directoryObjects/" + id,            // no host
           "https://h/v1.0/directoryObjects/00000000-0000-0000-0000-000000000000",
           std::string(),
       }) {
    auto g = ParseDirectoryObjectRef(bad);
    ASSERT_FALSE(g.ok()) << bad;
    EXPECT_EQ(g.error().code, "InvalidReference") << bad;
    EXPECT_EQ(g.error().target, "@odata.id") << bad;
  }
}

TEST(GroupsInput, MoreThanTwentyBindsIsAnErrorWhateverTheyName) {
  auto url = [](int n) { return "https://h/v1.0/directoryObjects/" + UserN(n).str(); };
  std::vector<std::string> twenty;
  for (int i = 0; i < 20; ++i) twenty.push_back(url(i));
  auto ok = ParseMemberBinds(twenty);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  ASSERT_EQ(ok->size(), 20u);
  EXPECT_EQ((*ok)[7], UserN(7));  // in request order

  auto valid21 = twenty;
  valid21.push_back(url(20));
  std::vector<std::string> junk21(21, "not a url");
  for (const auto& list : {valid21, junk21}) {
    auto r = ParseMemberBinds(list);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "TooManyReferences");
  }
  auto bad = ParseMemberBinds({url(1), "https://h/v1.0/users/" + UserN(2).str()});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "InvalidReference");
  auto twice = ParseMemberBinds({url(1), url(2), url(1)});
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, "DuplicateMember");
  EXPECT_EQ(twice.error().message, kDuplicateMemberMessage);
  EXPECT_TRUE(ParseMemberBinds({}).ok());
}

// ---- R16 ----

TEST(GroupsR16, EffectiveLicenseIsTheUnionOfItsSources) {
  Guid basic = G(kBasicId);
  EXPECT_FALSE(Effective(basic, {}).held);
  EXPECT_FALSE(Effective(basic, {Direct(kPremiumId)}).held);
  EXPECT_TRUE(Effective(basic, {Direct(kBasicId)}).held);
  EXPECT_TRUE(Effective(basic, {Via(kGroup, kBasicId)}).held);
  // A source in error gives nothing.
  EXPECT_FALSE(Effective(basic, {Via(kGroup, kBasicId, {}, LicenseError::kCountViolation)}).held);
  EXPECT_TRUE(
      Effective(basic, {Via(kGroup, kBasicId, {}, LicenseError::kCountViolation), Direct(kBasicId)})
          .held);
}

TEST(GroupsR16, APlanIsDisabledOnlyIfEverySourceDisablesIt) {
  Guid basic = G(kBasicId);
  auto one = Effective(basic, {Direct(kBasicId, {kPlanB, kPlanA})});
  EXPECT_EQ(one.disabledPlans, (std::vector<Guid>{kPlanA, kPlanB}));  // sorted
  auto both = Effective(
      basic, {Direct(kBasicId, {kPlanA, kPlanB}), Via(kGroup, kBasicId, {kPlanB, kPlanC})});
  EXPECT_EQ(both.disabledPlans, std::vector<Guid>{kPlanB});
  // A source that disables nothing enables everything.
  auto open = Effective(basic, {Direct(kBasicId, {kPlanA}), Via(kGroup, kBasicId, {})});
  EXPECT_TRUE(open.disabledPlans.empty());
  // A source in error has no say.
  auto err = Effective(basic, {Direct(kBasicId, {kPlanA}),
                               Via(kGroup, kBasicId, {}, LicenseError::kCountViolation)});
  EXPECT_EQ(err.disabledPlans, std::vector<Guid>{kPlanA});
  // Sources of other SKUs have no say either.
  auto other = Effective(basic, {Direct(kBasicId, {kPlanA}), Direct(kSpareId, {})});
  EXPECT_EQ(other.disabledPlans, std::vector<Guid>{kPlanA});
}

TEST(GroupsR16, ConsumedUnitsCountsUsersNotSources) {
  std::map<Guid, std::vector<LicenseSource>> s;
  s[UserN(1)] = {Direct(kBasicId), Via(kGroup, kBasicId), Via(kOtherGroup, kBasicId)};
  s[UserN(2)] = {Via(kGroup, kBasicId)};
  s[UserN(3)] = {Via(kGroup, kBasicId, {}, LicenseError::kCountViolation)};
  s[UserN(4)] = {Direct(kSpareId)};
  EXPECT_EQ(ConsumedUnits(G(kBasicId), s), 2);
  EXPECT_EQ(ConsumedUnits(G(kSpareId), s), 1);
  EXPECT_EQ(ConsumedUnits(G(kPremiumId), s), 0);
}

// ---- R17 ----

TEST(GroupsR17, MembersPastCapacityGetCountViolationOldestFirstAndTheRestGoOn) {
  // Given out of order: the plan goes by membership seq.
  auto in = Input({kBasicId, kSpareId},
                  {Member(5, 50), Member(1, 10), Member(4, 40), Member(2, 20), Member(3, 30)},
                  {{G(kBasicId), Pool{2, 1, 7, 1}}, {G(kSpareId), Free(10)}});
  auto plan = PlanGroupLicenses(in, TestCatalog());
  // Basic: enabled 2 + warning 1 - consumed 1 = 2 seats (suspended never counts).
  for (int n : {1, 2}) EXPECT_EQ(Find(plan, UserN(n), kBasicId).action, PlanAction::kAssign) << n;
  for (int n : {3, 4, 5}) {
    EXPECT_EQ(Find(plan, UserN(n), kBasicId).action, PlanAction::kFail) << n;
    EXPECT_EQ(Find(plan, UserN(n), kBasicId).error, LicenseError::kCountViolation) << n;
  }
  // The members past Basic's capacity still get Spare.
  for (int n = 1; n <= 5; ++n)
    EXPECT_EQ(Find(plan, UserN(n), kSpareId).action, PlanAction::kAssign) << n;
  EXPECT_EQ(plan.seatsTaken.at(G(kBasicId)), 2);
  EXPECT_EQ(plan.seatsTaken.at(G(kSpareId)), 5);
  EXPECT_EQ(plan.Count(LicenseError::kCountViolation), 3);
  ASSERT_EQ(plan.outcomes.size(), 10u);
  EXPECT_EQ(plan.outcomes[0].userId, UserN(1));  // oldest first
  EXPECT_EQ(plan.outcomes[9].userId, UserN(5));
}

TEST(GroupsR17, NoPoolOrAFullPoolMeansCountViolation) {
  auto plan = PlanGroupLicenses(Input({kBasicId, kSpareId}, {Member(1, 1)},
                                      {{G(kSpareId), Pool{3, 0, 0, 5}}}),  // over capacity
                                TestCatalog());
  EXPECT_EQ(Find(plan, UserN(1), kBasicId).error, LicenseError::kCountViolation);
  EXPECT_EQ(Find(plan, UserN(1), kSpareId).error, LicenseError::kCountViolation);
  EXPECT_TRUE(plan.seatsTaken.empty());
}

TEST(GroupsR17, AHolderFromAnotherSourceGetsTheSourceWithoutASeat) {
  // One seat left: the direct holder and the other group's member need none.
  auto in = Input({kBasicId},
                  {Member(1, 1, "US", {Direct(kBasicId)}),
                   Member(2, 2, "US", {Via(kOtherGroup, kBasicId)}), Member(3, 3), Member(4, 4)},
                  {{G(kBasicId), Pool{3, 0, 0, 2}}});
  auto plan = PlanGroupLicenses(in, TestCatalog());
  EXPECT_EQ(Find(plan, UserN(1), kBasicId).action, PlanAction::kAddSource);
  EXPECT_EQ(Find(plan, UserN(2), kBasicId).action, PlanAction::kAddSource);
  EXPECT_EQ(Find(plan, UserN(3), kBasicId).action, PlanAction::kAssign);
  EXPECT_EQ(Find(plan, UserN(4), kBasicId).error, LicenseError::kCountViolation);
  EXPECT_EQ(plan.seatsTaken.at(G(kBasicId)), 1);
}

TEST(GroupsR17, AHolderFromThisGroupIsUnchangedAndAFailedSourceIsRetried) {
  auto in = Input({kBasicId},
                  {Member(1, 1, "US", {Via(kGroup, kBasicId)}),
                   Member(2, 2, "US", {Via(kGroup, kBasicId, {}, LicenseError::kCountViolation)})},
                  {{G(kBasicId), Free(1)}});
  auto plan = PlanGroupLicenses(in, TestCatalog());
  EXPECT_EQ(Find(plan, UserN(1), kBasicId).action, PlanAction::kUnchanged);
  EXPECT_EQ(Find(plan, UserN(2), kBasicId).action, PlanAction::kAssign);
  EXPECT_EQ(plan.seatsTaken.at(G(kBasicId)), 1);
}

TEST(GroupsR17, AConflictWithAHeldSkuIsMutuallyExclusiveViolation) {
  auto in = Input({kPremiumId}, {Member(1, 1, "US", {Direct(kBasicId)}), Member(2, 2)},
                  {{G(kPremiumId), Free(5)}});
  auto plan = PlanGroupLicenses(in, TestCatalog());
  EXPECT_EQ(Find(plan, UserN(1), kPremiumId).error, LicenseError::kMutuallyExclusiveViolation);
  EXPECT_EQ(Find(plan, UserN(2), kPremiumId).action, PlanAction::kAssign);
  // A failed source of the conflicting SKU does not count as holding it.
  auto in2 =
      Input({kPremiumId},
            {Member(1, 1, "US", {Via(kOtherGroup, kBasicId, {}, LicenseError::kCountViolation)})},
            {{G(kPremiumId), Free(5)}});
  EXPECT_EQ(Find(PlanGroupLicenses(in2, TestCatalog()), UserN(1), kPremiumId).action,
            PlanAction::kAssign);
}

TEST(GroupsR17, TwoConflictingSkusOfOneGroupGiveTheFirstOnly) {
  auto in = Input({kPremiumId, kBasicId}, {Member(1, 1)},
                  {{G(kBasicId), Free(5)}, {G(kPremiumId), Free(5)}});
  auto plan = PlanGroupLicenses(in, TestCatalog());
  EXPECT_EQ(Find(plan, UserN(1), kBasicId).action, PlanAction::kAssign);  // smaller skuId
  EXPECT_EQ(Find(plan, UserN(1), kPremiumId).error, LicenseError::kMutuallyExclusiveViolation);
  EXPECT_EQ(plan.seatsTaken.count(G(kPremiumId)), 0u);
}

TEST(GroupsR17, AnAddOnNeedsAPrerequisiteHeldOrGivenInTheSameRun) {
  auto alone = Input({kAddOnId}, {Member(1, 1), Member(2, 2, "US", {Direct(kBasicId)})},
                     {{G(kAddOnId), Free(5)}});
  auto plan = PlanGroupLicenses(alone, TestCatalog());
  EXPECT_EQ(Find(plan, UserN(1), kAddOnId).error, LicenseError::kDependencyViolation);
  EXPECT_EQ(Find(plan, UserN(2), kAddOnId).action, PlanAction::kAssign);
  // With its base plan in the same group (whose id sorts after it): base first.
  auto with_base =
      Input({kAddOnId, kBasicId}, {Member(1, 1)}, {{G(kAddOnId), Free(5)}, {G(kBasicId), Free(5)}});
  auto p2 = PlanGroupLicenses(with_base, TestCatalog());
  EXPECT_EQ(Find(p2, UserN(1), kAddOnId).action, PlanAction::kAssign);
  ASSERT_EQ(p2.outcomes.size(), 2u);
  EXPECT_EQ(p2.outcomes[0].skuId, G(kBasicId));
  // But not when the base plan could not be given (no seat).
  auto no_base = Input({kAddOnId, kBasicId}, {Member(1, 1)}, {{G(kAddOnId), Free(5)}});
  auto p3 = PlanGroupLicenses(no_base, TestCatalog());
  EXPECT_EQ(Find(p3, UserN(1), kBasicId).error, LicenseError::kCountViolation);
  EXPECT_EQ(Find(p3, UserN(1), kAddOnId).error, LicenseError::kDependencyViolation);
}

TEST(GroupsR17, ASkuNotSoldInTheUsageLocationIsProhibited) {
  auto in = Input({kPhoneId},
                  {Member(1, 1, "TW", {Direct(kBasicId)}), Member(2, 2, "US", {Direct(kBasicId)}),
                   Member(3, 3, std::nullopt, {Direct(kBasicId)})},
                  {{G(kPhoneId), Free(5)}});
  auto plan = PlanGroupLicenses(in, TestCatalog());
  EXPECT_EQ(Find(plan, UserN(1), kPhoneId).error,
            LicenseError::kProhibitedInUsageLocationViolation);
  EXPECT_EQ(Find(plan, UserN(2), kPhoneId).action, PlanAction::kAssign);
  EXPECT_FALSE(Find(plan, UserN(2), kPhoneId).setUsageLocation);
  // Without a usage location: the organization's country, written to the user.
  EXPECT_EQ(Find(plan, UserN(3), kPhoneId).action, PlanAction::kAssign);
  EXPECT_EQ(Find(plan, UserN(3), kPhoneId).setUsageLocation, "US");
  in.orgCountry = "TW";
  auto tw = PlanGroupLicenses(in, TestCatalog());
  EXPECT_EQ(Find(tw, UserN(3), kPhoneId).error, LicenseError::kProhibitedInUsageLocationViolation);
  EXPECT_FALSE(Find(tw, UserN(3), kPhoneId).setUsageLocation);
}

TEST(GroupsR17, AnUnknownSkuIsOther) {
  auto in = Input({"77777777-0000-4000-8000-000000000007"}, {Member(1, 1)}, {});
  auto plan = PlanGroupLicenses(in, TestCatalog());
  ASSERT_EQ(plan.outcomes.size(), 1u);
  EXPECT_EQ(plan.outcomes[0].error, LicenseError::kOther);
}

TEST(GroupsR17, TheGroupsDisabledPlansGoWithEachOutcome) {
  auto in = Input({kSpareId}, {Member(1, 1)}, {{G(kSpareId), Free(1)}});
  in.licenses[0].disabledPlans = {kPlanA};
  auto plan = PlanGroupLicenses(in, TestCatalog());
  EXPECT_EQ(plan.outcomes.at(0).disabledPlans, std::vector<Guid>{kPlanA});
}

TEST(GroupsR17, ThePlanIsDeterministicWhateverTheInputOrder) {
  std::vector<PlanMember> members;
  for (int i = 0; i < 40; ++i)
    members.push_back(Member(
        i, i % 7 == 0 ? 3 : i,  // ties broken by user id
        i % 5 == 0 ? std::optional<std::string>("TW") : "US",
        i % 3 == 0 ? std::vector<LicenseSource>{Direct(kBasicId)} : std::vector<LicenseSource>{}));
  auto in = Input({kPhoneId, kBasicId, kPremiumId, kAddOnId}, members,
                  {{G(kBasicId), Free(9)}, {G(kPhoneId), Free(4)}, {G(kAddOnId), Free(11)}});
  auto first = PlanGroupLicenses(in, TestCatalog());
  std::mt19937 rng(16);
  for (int round = 0; round < 5; ++round) {
    std::shuffle(in.members.begin(), in.members.end(), rng);
    std::shuffle(in.licenses.begin(), in.licenses.end(), rng);
    auto again = PlanGroupLicenses(in, TestCatalog());
    ASSERT_EQ(again.outcomes.size(), first.outcomes.size());
    for (size_t i = 0; i < first.outcomes.size(); ++i) {
      EXPECT_EQ(again.outcomes[i].userId, first.outcomes[i].userId) << i;
      EXPECT_EQ(again.outcomes[i].skuId, first.outcomes[i].skuId) << i;
      EXPECT_EQ(again.outcomes[i].action, first.outcomes[i].action) << i;
      EXPECT_EQ(again.outcomes[i].error, first.outcomes[i].error) << i;
    }
    EXPECT_EQ(again.seatsTaken, first.seatsTaken);
  }
  // R7 whatever the mix: no SKU takes more seats than it had free.
  EXPECT_LE(first.seatsTaken[G(kBasicId)], 9);
  EXPECT_LE(first.seatsTaken[G(kPhoneId)], 4);
  EXPECT_EQ(first.seatsTaken.count(G(kPremiumId)), 0u);
}

// ---- removal ----

TEST(GroupsRemoval, TheSeatIsFreedOnlyWhenNoSourceRemains) {
  std::vector<PlanMember> members = {
      Member(1, 1, "US", {Via(kGroup, kBasicId)}),                    // only this group
      Member(2, 2, "US", {Via(kGroup, kBasicId), Direct(kBasicId)}),  // and direct
      Member(3, 3, "US", {Via(kGroup, kBasicId), Via(kOtherGroup, kBasicId)}),
      Member(4, 4, "US", {Via(kGroup, kBasicId, {}, LicenseError::kCountViolation)}),
      Member(5, 5, "US", {Via(kOtherGroup, kBasicId)}),  // not from this group
      Member(
          6, 6, "US",
          {Via(kGroup, kBasicId), Via(kOtherGroup, kBasicId, {}, LicenseError::kCountViolation)}),
      Member(7, 7, "US", {Via(kGroup, kSpareId)}),  // a SKU the group keeps
  };
  auto out = PlanSourceRemoval(kGroup, {G(kBasicId)}, members);
  ASSERT_EQ(out.size(), 5u);
  std::map<Guid, bool> frees;
  for (const auto& r : out) {
    EXPECT_EQ(r.skuId, G(kBasicId));
    frees[r.userId] = r.freesSeat;
  }
  EXPECT_TRUE(frees.at(UserN(1)));
  EXPECT_FALSE(frees.at(UserN(2)));
  EXPECT_FALSE(frees.at(UserN(3)));
  EXPECT_FALSE(frees.at(UserN(4)));  // it never held a seat
  EXPECT_EQ(frees.count(UserN(5)), 0u);
  EXPECT_TRUE(frees.at(UserN(6)));  // the other source is in error: nothing remains
  EXPECT_EQ(frees.count(UserN(7)), 0u);
  // A member leaving: every SKU of the group.
  auto leaving = PlanSourceRemoval(kGroup, {G(kBasicId), G(kSpareId)}, {members[6]});
  ASSERT_EQ(leaving.size(), 1u);
  EXPECT_TRUE(leaving[0].freesSeat);
}

}  // namespace
}  // namespace ld

namespace ld {
namespace {

// ---- the catalog's rules for direct changes ----

std::optional<LicenseRuleViolation> Check(std::set<Guid> before, std::set<Guid> after,
                                          const char* location = "US") {
  return CheckLicenseChange(TestCatalog(), before, after, location);
}

TEST(GroupsDirectRules, AConflictingPlanIsRefusedAndAMoveBetweenThemIsNot) {
  auto v = Check({G(kBasicId)}, {G(kBasicId), G(kPremiumId)});
  ASSERT_TRUE(v);
  EXPECT_EQ(v->error, LicenseError::kMutuallyExclusiveViolation);
  EXPECT_EQ(v->skuId, G(kPremiumId));
  EXPECT_EQ(v->other, G(kBasicId));
  // Basic removed and Premium added in one change: a move.
  EXPECT_FALSE(Check({G(kBasicId)}, {G(kPremiumId)}));
  EXPECT_FALSE(Check({G(kBasicId)}, {G(kBasicId), G(kSpareId)}));
}

TEST(GroupsDirectRules, AnAddOnNeedsItsBaseAndKeepsIt) {
  auto alone = Check({}, {G(kAddOnId)});
  ASSERT_TRUE(alone);
  EXPECT_EQ(alone->error, LicenseError::kDependencyViolation);
  EXPECT_FALSE(alone->other);
  // With its base in the same change, or held already: fine.
  EXPECT_FALSE(Check({}, {G(kBasicId), G(kAddOnId)}));
  EXPECT_FALSE(Check({G(kBasicId)}, {G(kBasicId), G(kAddOnId)}));
  // The base removed while the add-on stays: refused, naming the base.
  auto orphan = Check({G(kBasicId), G(kAddOnId)}, {G(kAddOnId)});
  ASSERT_TRUE(orphan);
  EXPECT_EQ(orphan->error, LicenseError::kDependencyViolation);
  EXPECT_EQ(orphan->skuId, G(kAddOnId));
  EXPECT_EQ(orphan->other, G(kBasicId));
  // Both removed together: fine. An add-on already without a base (an older
  // state) does not block other changes.
  EXPECT_FALSE(Check({G(kBasicId), G(kAddOnId)}, {}));
  EXPECT_FALSE(Check({G(kAddOnId)}, {G(kAddOnId), G(kSpareId)}));
}

TEST(GroupsDirectRules, ASkuNotSoldInTheUsageLocationIsRefused) {
  auto v = Check({G(kBasicId)}, {G(kBasicId), G(kPhoneId)}, "DE");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->error, LicenseError::kProhibitedInUsageLocationViolation);
  EXPECT_EQ(v->skuId, G(kPhoneId));
  EXPECT_FALSE(Check({G(kBasicId)}, {G(kBasicId), G(kPhoneId)}, "US"));
  // Held already (the location changed since): kept.
  EXPECT_FALSE(Check({G(kBasicId), G(kPhoneId)}, {G(kBasicId), G(kPhoneId)}, "DE"));
}

TEST(GroupsDirectRules, PoolsToLockCoverConflictsAndPrerequisitesSorted) {
  auto locks = PoolsToLock(TestCatalog(), {G(kPremiumId)});
  EXPECT_EQ(locks, (std::vector<Guid>{G(kBasicId), G(kPremiumId)}));
  auto add_on = PoolsToLock(TestCatalog(), {G(kPhoneId), G(kSpareId)});
  EXPECT_EQ(add_on, (std::vector<Guid>{G(kBasicId), G(kPhoneId), G(kSpareId)}));
  EXPECT_TRUE(std::is_sorted(add_on.begin(), add_on.end()));
}

}  // namespace
}  // namespace ld
