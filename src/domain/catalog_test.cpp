#include "domain/catalog.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "support/temp_dir.h"

namespace ld {
namespace {

using json = nlohmann::json;

constexpr const char* kBasic = "6f1c2b9e-0d4a-4c7e-9b1a-3e5f7a9c1d01";
constexpr const char* kE3 = "6f1c2b9e-0d4a-4c7e-9b1a-3e5f7a9c1d02";
constexpr const char* kAddOn = "6f1c2b9e-0d4a-4c7e-9b1a-3e5f7a9c1d03";
constexpr const char* kPlanMail = "0a6b1c7d-2e3f-4a5b-8c9d-0e1f2a3b4c01";
constexpr const char* kPlanFiles = "0a6b1c7d-2e3f-4a5b-8c9d-0e1f2a3b4c02";
constexpr const char* kPlanAudio = "0a6b1c7d-2e3f-4a5b-8c9d-0e1f2a3b4c03";

json Prices(std::initializer_list<const char*> currencies) {
  json p = json::object();
  for (const char* c : currencies) p[c] = {{"monthly", 720}, {"annual", 7200}};
  return p;
}

json Plan(const char* id, const char* name) {
  return {{"servicePlanId", id}, {"servicePlanName", name}, {"appliesTo", "User"}};
}

// A small valid catalog: a base plan in every cloud, an enterprise plan in
// worldwide and germany (so it needs no CNY price), and an add-on of it.
json ValidCatalog() {
  json markets = json::array({
      {{"country", "US"}, {"currency", "USD"}, {"taxRateBp", 0}, {"clouds", {"worldwide"}}},
      {{"country", "DE"}, {"currency", "EUR"}, {"taxRateBp", 1900}, {"clouds", {"germany"}}},
      {{"country", "AT"}, {"currency", "EUR"}, {"taxRateBp", 2000}, {"clouds", {"germany"}}},
      {{"country", "CN"}, {"currency", "CNY"}, {"taxRateBp", 600}, {"clouds", {"china"}}},
  });
  json basic = {
      {"skuId", kBasic},
      {"skuPartNumber", "BASIC"},
      {"name", "Basic"},
      {"description", "Mail and files."},
      {"localizedNames", {{"zh-TW", "基本版"}, {"de-DE", "Basis"}, {"zh-CN", "基础版"}}},
      {"localizedDescriptions",
       {{"zh-TW", "郵件和檔案。"}, {"de-DE", "E-Mail und Dateien."}, {"zh-CN", "邮件和文件。"}}},
      {"appliesTo", "User"},
      {"minQuantity", 1},
      {"maxQuantity", 300},
      {"isAddOn", false},
      {"prerequisiteSkuIds", json::array()},
      {"conflictsWith", {kE3}},
      {"clouds", {"worldwide", "germany", "china"}},
      {"servicePlans", {Plan(kPlanMail, "MAIL_S"), Plan(kPlanFiles, "FILES_S")}},
      {"prices", Prices({"USD", "EUR", "CNY"})}};
  json e3 = {{"skuId", kE3},
             {"skuPartNumber", "E3"},
             {"name", "E3"},
             {"description", "Everything."},
             {"appliesTo", "User"},
             {"minQuantity", 1},
             {"maxQuantity", 500000},
             {"isAddOn", false},
             {"conflictsWith", {kBasic}},
             {"clouds", {"worldwide", "germany"}},
             {"servicePlans", {Plan(kPlanMail, "MAIL_S")}},
             {"prices", Prices({"USD", "EUR"})}};
  json addon = {{"skuId", kAddOn},
                {"skuPartNumber", "AUDIO"},
                {"name", "Audio"},
                {"description", "Dial-in."},
                {"appliesTo", "User"},
                {"minQuantity", 1},
                {"maxQuantity", 300},
                {"isAddOn", true},
                {"prerequisiteSkuIds", {kE3}},
                {"clouds", {"worldwide"}},
                {"usageLocations", {"US", "GB"}},
                {"servicePlans", {Plan(kPlanAudio, "AUDIO_S")}},
                {"prices", Prices({"USD"})}};
  return {{"version", "2026-11-01"}, {"markets", markets}, {"products", {basic, e3, addon}}};
}

Result<Catalog> ParseJson(const json& j) {
  return Catalog::Parse(j.dump(2), "test.json");
}

// The line number in "<file>:<line>: ..." (0 when the message has another shape).
int LineOf(const std::string& message) {
  size_t a = message.find(':');
  size_t b = message.find(':', a + 1);
  if (a == std::string::npos || b == std::string::npos) return 0;
  return std::atoi(message.substr(a + 1, b - a - 1).c_str());
}

std::string LineText(const std::string& text, int line) {
  std::istringstream in(text);
  std::string s;
  for (int i = 0; i < line && std::getline(in, s); ++i) {
  }
  return s;
}

TEST(CatalogParse, AcceptsTheValidFixture) {
  auto cat = ParseJson(ValidCatalog());
  ASSERT_TRUE(cat.ok()) << cat.error().message;
  EXPECT_EQ(cat->version(), "2026-11-01");
  ASSERT_EQ(cat->skus().size(), 3u);
  ASSERT_EQ(cat->markets().size(), 4u);
  const Sku& basic = cat->skus()[0];
  EXPECT_EQ(basic.id, *Guid::Parse(kBasic));
  EXPECT_EQ(basic.partNumber, "BASIC");
  EXPECT_EQ(basic.localizedNames.at("de-DE"), "Basis");
  EXPECT_EQ(basic.localizedDescriptions.at("de-DE"), "E-Mail und Dateien.");
  EXPECT_EQ(basic.localizedDescriptions.at("zh-TW"), "郵件和檔案。");
  EXPECT_EQ(basic.localizedDescriptions.size(), 3u);
  EXPECT_EQ(basic.servicePlans.size(), 2u);
  EXPECT_EQ(basic.servicePlans[1].name, "FILES_S");
  EXPECT_EQ(basic.servicePlans[1].appliesTo, "User");
  EXPECT_EQ(basic.clouds.size(), 3u);
  EXPECT_EQ(cat->skus()[1].maxQuantity, 500000);
  EXPECT_TRUE(cat->skus()[1].prerequisiteSkuIds.empty());     // optional field
  EXPECT_TRUE(cat->skus()[1].localizedNames.empty());         // optional field
  EXPECT_TRUE(cat->skus()[1].localizedDescriptions.empty());  // optional field
  EXPECT_TRUE(cat->skus()[2].isAddOn);
  EXPECT_EQ(cat->skus()[2].prerequisiteSkuIds, std::vector<Guid>{*Guid::Parse(kE3)});
  EXPECT_EQ(cat->markets()[1].taxRateBp, 1900);
}

// Issue 16: conflicts (MutuallyExclusiveViolation) go both ways; a SKU with
// usageLocations is sold only there (ProhibitedInUsageLocationViolation),
// one without them everywhere.
TEST(CatalogParse, ReadsConflictsAndUsageLocations) {
  auto cat = ParseJson(ValidCatalog());
  ASSERT_TRUE(cat.ok()) << cat.error().message;
  const Sku& basic = cat->skus()[0];
  const Sku& e3 = cat->skus()[1];
  const Sku& audio = cat->skus()[2];
  EXPECT_EQ(basic.conflictsWith, std::vector<Guid>{e3.id});
  EXPECT_TRUE(basic.ConflictsWith(e3.id));
  EXPECT_TRUE(e3.ConflictsWith(basic.id));
  EXPECT_FALSE(audio.ConflictsWith(e3.id));
  EXPECT_FALSE(basic.ConflictsWith(basic.id));
  EXPECT_EQ(audio.usageLocations, (std::vector<std::string>{"US", "GB"}));
  EXPECT_TRUE(audio.SoldIn("US"));
  EXPECT_TRUE(audio.SoldIn("GB"));
  EXPECT_FALSE(audio.SoldIn("TW"));
  EXPECT_FALSE(audio.SoldIn("us"));
  EXPECT_TRUE(basic.usageLocations.empty());  // optional field
  EXPECT_TRUE(basic.SoldIn("TW"));
  EXPECT_TRUE(basic.SoldIn("KP"));
}

struct RuleCase {
  const char* rule;
  std::function<void(json&)> mutate;
  std::string path;  // the field the error names
  std::string what;  // a fragment of the explanation
};

json& P(json& j, int i) {
  return j["products"][i];
}

// One row per validation rule: each row breaks exactly that rule in the valid
// fixture, so a rule that stops being enforced makes its row fail.
const std::vector<RuleCase>& RuleCases() {
  static const std::vector<RuleCase> cases = {
      {"root must be an object", [](json& j) { j = json::array(); }, "(root)", "must be an object"},
      {"unknown root field", [](json& j) { j["versoin"] = "x"; }, "versoin", "unknown field"},
      {"version required", [](json& j) { j.erase("version"); }, "version", "is required"},
      {"version a string", [](json& j) { j["version"] = 5; }, "version", "non-empty string"},
      {"markets non-empty", [](json& j) { j["markets"] = json::array(); }, "markets",
       "non-empty array"},
      {"markets an array", [](json& j) { j["markets"] = json::object(); }, "markets",
       "non-empty array"},
      {"unknown market field", [](json& j) { j["markets"][0]["tax"] = 1; }, "markets[0].tax",
       "unknown field"},
      {"market country required", [](json& j) { j["markets"][0].erase("country"); },
       "markets[0].country", "is required"},
      {"market country alpha-2", [](json& j) { j["markets"][0]["country"] = "us"; },
       "markets[0].country", "ISO 3166 alpha-2"},
      {"market currency known", [](json& j) { j["markets"][0]["currency"] = "XYZ"; },
       "markets[0].currency", "ISO 4217"},
      {"tax at most 10000", [](json& j) { j["markets"][0]["taxRateBp"] = 10001; },
       "markets[0].taxRateBp", "between 0 and 10000"},
      {"tax not negative", [](json& j) { j["markets"][0]["taxRateBp"] = -1; },
       "markets[0].taxRateBp", "between 0 and 10000"},
      {"tax not a float", [](json& j) { j["markets"][0]["taxRateBp"] = 500.0; },
       "markets[0].taxRateBp", "between 0 and 10000"},
      {"tax not a string", [](json& j) { j["markets"][0]["taxRateBp"] = "500"; },
       "markets[0].taxRateBp", "between 0 and 10000"},
      {"market country unique", [](json& j) { j["markets"][2]["country"] = "DE"; },
       "markets[2].country", "duplicate country (also markets[1])"},
      {"market cloud known", [](json& j) { j["markets"][0]["clouds"] = {"mars"}; },
       "markets[0].clouds[0]", "unknown cloud"},
      {"market clouds non-empty", [](json& j) { j["markets"][0]["clouds"] = json::array(); },
       "markets[0].clouds", "non-empty array"},
      {"products required", [](json& j) { j.erase("products"); }, "products", "is required"},
      {"products non-empty", [](json& j) { j["products"] = json::array(); }, "products",
       "non-empty array"},
      {"product an object", [](json& j) { P(j, 0) = "BASIC"; }, "products[0]", "must be an object"},
      {"unknown product field",
       [](json& j) {
         P(j, 0)["minQty"] = 1;
       },
       "products[0].minQty", "unknown field"},
      {"skuId required", [](json& j) { P(j, 0).erase("skuId"); }, "products[0].skuId",
       "is required"},
      {"skuId a GUID",
       [](json& j) {
         P(j, 0)["skuId"] = "6f1c2b9e-0d4a-4c7e-9b1a";
       },
       "products[0].skuId", "must be a GUID"},
      {"skuId not nil",
       [](json& j) {
         P(j, 0)["skuId"] = "00000000-0000-0000-0000-000000000000";
       },
       "products[0].skuId", "nil GUID"},
      {"skuId unique (case-insensitive)",
       [](json& j) {
         P(j, 1)["skuId"] = "6F1C2B9E-0D4A-4C7E-9B1A-3E5F7A9C1D01";
       },
       "products[1].skuId", "duplicate skuId (also products[0])"},
      {"skuPartNumber unique",
       [](json& j) {
         P(j, 1)["skuPartNumber"] = "BASIC";
       },
       "products[1].skuPartNumber", "duplicate skuPartNumber (also products[0])"},
      {"skuPartNumber syntax",
       [](json& j) {
         P(j, 0)["skuPartNumber"] = "basic plan";
       },
       "products[0].skuPartNumber", "A-Z, 0-9 and _"},
      {"name non-empty",
       [](json& j) {
         P(j, 0)["name"] = "";
       },
       "products[0].name", "non-empty string"},
      {"description required", [](json& j) { P(j, 0).erase("description"); },
       "products[0].description", "is required"},
      {"localized name locale known",
       [](json& j) {
         P(j, 0)["localizedNames"]["fr-FR"] = "x";
       },
       "products[0].localizedNames.fr-FR", "unknown field"},
      {"localized name non-empty",
       [](json& j) {
         P(j, 0)["localizedNames"]["zh-TW"] = "";
       },
       "products[0].localizedNames.zh-TW", "non-empty string"},
      {"localized description locale known",
       [](json& j) {
         P(j, 0)["localizedDescriptions"]["fr-FR"] = "x";
       },
       "products[0].localizedDescriptions.fr-FR", "unknown field"},
      {"localized description en-US is the description field",
       [](json& j) {
         P(j, 0)["localizedDescriptions"]["en-US"] = "Mail and files.";
       },
       "products[0].localizedDescriptions.en-US", "expected one of: zh-TW, de-DE, zh-CN"},
      {"localized description in every locale",
       [](json& j) {
         P(j, 0)["localizedDescriptions"].erase("de-DE");
       },
       "products[0].localizedDescriptions.de-DE", "is required (a description for each of"},
      {"localized description non-empty",
       [](json& j) {
         P(j, 0)["localizedDescriptions"]["zh-CN"] = "";
       },
       "products[0].localizedDescriptions.zh-CN", "non-empty string"},
      {"localized descriptions an object",
       [](json& j) {
         P(j, 0)["localizedDescriptions"] = "Mail and files.";
       },
       "products[0].localizedDescriptions", "must be an object"},
      {"appliesTo User",
       [](json& j) {
         P(j, 0)["appliesTo"] = "Company";
       },
       "products[0].appliesTo", "must be \"User\""},
      {"minQuantity at least 1",
       [](json& j) {
         P(j, 0)["minQuantity"] = 0;
       },
       "products[0].minQuantity", "must be an integer >= 1 (got 0)"},
      {"minQuantity an integer",
       [](json& j) {
         P(j, 0)["minQuantity"] = 1.5;
       },
       "products[0].minQuantity", "must be an integer >= 1 (got 1.5)"},
      {"maxQuantity at least min",
       [](json& j) {
         P(j, 0)["minQuantity"] = 10;
         P(j, 0)["maxQuantity"] = 9;
       },
       "products[0].maxQuantity", "must be an integer >= minQuantity (10)"},
      {"maxQuantity bounded",
       [](json& j) {
         P(j, 0)["maxQuantity"] = 1'000'000'000'000LL;
       },
       "products[0].maxQuantity", "<= 10000000"},
      {"isAddOn a boolean",
       [](json& j) {
         P(j, 0)["isAddOn"] = "no";
       },
       "products[0].isAddOn", "true or false"},
      {"add-on needs a prerequisite",
       [](json& j) {
         P(j, 2)["prerequisiteSkuIds"] = json::array();
       },
       "products[2].prerequisiteSkuIds", "needs at least one prerequisite"},
      {"base plan has no prerequisites",
       [](json& j) {
         P(j, 1)["prerequisiteSkuIds"] = {kBasic};
       },
       "products[1].prerequisiteSkuIds", "only add-ons"},
      {"prerequisite a GUID",
       [](json& j) {
         P(j, 2)["prerequisiteSkuIds"] = {"E3"};
       },
       "products[2].prerequisiteSkuIds[0]", "must be a GUID"},
      {"prerequisite exists",
       [](json& j) {
         P(j, 2)["prerequisiteSkuIds"] = {"11111111-2222-4333-8444-555555555555"};
       },
       "products[2].prerequisiteSkuIds[0]", "no SKU in this catalog"},
      {"prerequisite listed once",
       [](json& j) {
         P(j, 2)["prerequisiteSkuIds"] = {kE3, kE3};
       },
       "products[2].prerequisiteSkuIds[1]", "duplicate prerequisite"},
      {"prerequisite not an add-on",
       [](json& j) {
         json second = P(j, 2);
         second["skuId"] = "6f1c2b9e-0d4a-4c7e-9b1a-3e5f7a9c1d04";
         second["skuPartNumber"] = "AUDIO_PLUS";
         second["prerequisiteSkuIds"] = {kE3, kAddOn};
         j["products"].push_back(second);
       },
       "products[3].prerequisiteSkuIds[1]", "prerequisites must be base plans"},
      {"conflictsWith an array",
       [](json& j) {
         P(j, 0)["conflictsWith"] = kE3;
       },
       "products[0].conflictsWith", "must be an array of skuIds"},
      {"conflict a GUID",
       [](json& j) {
         P(j, 0)["conflictsWith"] = {"E3"};
       },
       "products[0].conflictsWith[0]", "must be a GUID"},
      {"conflict exists",
       [](json& j) {
         P(j, 0)["conflictsWith"] = {kE3, "11111111-2222-4333-8444-555555555555"};
       },
       "products[0].conflictsWith[1]", "no SKU in this catalog has this skuId"},
      {"conflict not with itself",
       [](json& j) {
         P(j, 0)["conflictsWith"] = {kE3, kBasic};
       },
       "products[0].conflictsWith[1]", "cannot conflict with itself"},
      {"conflict listed once",
       [](json& j) {
         P(j, 0)["conflictsWith"] = {kE3, kE3};
       },
       "products[0].conflictsWith[1]", "duplicate conflict"},
      {"conflicts symmetric", [](json& j) { P(j, 1).erase("conflictsWith"); },
       "products[0].conflictsWith[0]",
       "conflicts with E3, whose conflictsWith does not list BASIC"},
      {"conflicts symmetric from the other side",
       [](json& j) {
         P(j, 1)["conflictsWith"] = {kBasic};
         P(j, 2)["conflictsWith"] = {kBasic};
       },
       "products[2].conflictsWith[0]",
       "conflicts with BASIC, whose conflictsWith does not list AUDIO"},
      {"usageLocations an array",
       [](json& j) {
         P(j, 2)["usageLocations"] = "US";
       },
       "products[2].usageLocations", "non-empty array of ISO 3166 alpha-2 codes"},
      {"usageLocations non-empty",
       [](json& j) {
         P(j, 2)["usageLocations"] = json::array();
       },
       "products[2].usageLocations", "non-empty array of ISO 3166 alpha-2 codes"},
      {"usage location alpha-2 upper case",
       [](json& j) {
         P(j, 2)["usageLocations"] = {"US", "gb"};
       },
       "products[2].usageLocations[1]", "ISO 3166 alpha-2"},
      {"usage location two letters",
       [](json& j) {
         P(j, 2)["usageLocations"] = {"USA"};
       },
       "products[2].usageLocations[0]", "ISO 3166 alpha-2"},
      {"usage location a string",
       [](json& j) {
         P(j, 2)["usageLocations"] = {840};
       },
       "products[2].usageLocations[0]", "ISO 3166 alpha-2"},
      {"usage location listed once",
       [](json& j) {
         P(j, 2)["usageLocations"] = {"US", "GB", "US"};
       },
       "products[2].usageLocations[2]", "duplicate country"},
      {"add-on buyable in each of its clouds",
       [](json& j) {
         P(j, 2)["clouds"] = {"worldwide", "china"};
         P(j, 2)["prices"]["CNY"] = {{"monthly", 1}, {"annual", 10}};
       },
       "products[2].clouds", "china where none of its prerequisites is offered"},
      {"sku cloud known",
       [](json& j) {
         P(j, 0)["clouds"] = {"worldwide", "moon"};
       },
       "products[0].clouds[1]", "unknown cloud"},
      {"sku cloud listed once",
       [](json& j) {
         P(j, 0)["clouds"] = {"china", "china"};
       },
       "products[0].clouds[1]", "duplicate cloud"},
      {"service plans non-empty",
       [](json& j) {
         P(j, 0)["servicePlans"] = json::array();
       },
       "products[0].servicePlans", "non-empty array"},
      {"unknown service plan field",
       [](json& j) {
         P(j, 0)["servicePlans"][0]["state"] = "on";
       },
       "products[0].servicePlans[0].state", "unknown field"},
      {"servicePlanId a GUID",
       [](json& j) {
         P(j, 0)["servicePlans"][0]["servicePlanId"] = "not-a-guid";
       },
       "products[0].servicePlans[0].servicePlanId", "must be a GUID"},
      {"servicePlanId unique in a SKU",
       [](json& j) {
         P(j, 0)["servicePlans"][1]["servicePlanId"] = kPlanMail;
       },
       "products[0].servicePlans[1].servicePlanId", "duplicate servicePlanId"},
      {"servicePlanName unique in a SKU",
       [](json& j) {
         P(j, 0)["servicePlans"][1]["servicePlanName"] = "MAIL_S";
       },
       "products[0].servicePlans[1].servicePlanName", "duplicate servicePlanName"},
      {"servicePlanName syntax",
       [](json& j) {
         P(j, 0)["servicePlans"][0]["servicePlanName"] = "mail";
       },
       "products[0].servicePlans[0].servicePlanName", "A-Z, 0-9 and _"},
      {"service plan appliesTo User",
       [](json& j) {
         P(j, 0)["servicePlans"][0]["appliesTo"] = "Device";
       },
       "products[0].servicePlans[0].appliesTo", "must be \"User\""},
      {"one name per servicePlanId",
       [](json& j) {
         P(j, 1)["servicePlans"][0]["servicePlanName"] = "MAIL_PLUS_S";
       },
       "products[1].servicePlans[0].servicePlanName", "is named MAIL_S in another SKU"},
      {"one servicePlanId per name",
       [](json& j) {
         P(j, 2)["servicePlans"][0]["servicePlanName"] = "FILES_S";
       },
       "products[2].servicePlans[0].servicePlanId", "FILES_S has servicePlanId"},
      {"prices an object",
       [](json& j) {
         P(j, 0)["prices"] = json::array();
       },
       "products[0].prices", "must be an object"},
      {"price currency known",
       [](json& j) {
         P(j, 0)["prices"]["XYZ"] = {{"monthly", 1}, {"annual", 1}};
       },
       "products[0].prices.XYZ", "unknown currency"},
      {"price not negative",
       [](json& j) {
         P(j, 0)["prices"]["USD"]["monthly"] = -1;
       },
       "products[0].prices.USD.monthly", "non-negative integer"},
      {"price not a float",
       [](json& j) {
         P(j, 0)["prices"]["USD"]["annual"] = 72.0;
       },
       "products[0].prices.USD.annual", "non-negative integer"},
      {"price fits int64",
       [](json& j) {
         P(j, 0)["prices"]["USD"]["annual"] = 18446744073709551615ULL;
       },
       "products[0].prices.USD.annual", "non-negative integer"},
      {"price per cycle required",
       [](json& j) {
         P(j, 0)["prices"]["USD"].erase("annual");
       },
       "products[0].prices.USD.annual", "is required"},
      {"price cycles known",
       [](json& j) {
         P(j, 0)["prices"]["USD"]["yearly"] = 1;
       },
       "products[0].prices.USD.yearly", "unknown field"},
      {"price for each market currency of each cloud",
       [](json& j) {
         P(j, 0)["prices"].erase("CNY");
       },
       "products[0].prices.CNY", "market CN of cloud china pays in CNY"},
      {"price for a market added to a cloud",
       [](json& j) {
         j["markets"].push_back({{"country", "JP"},
                                 {"currency", "JPY"},
                                 {"taxRateBp", 1000},
                                 {"clouds", {"worldwide"}}});
       },
       "products[0].prices.JPY", "market JP of cloud worldwide pays in JPY"},
  };
  return cases;
}

// A test name from a rule's description: "tax at most 10000" -> "tax_at_most_10000".
std::string TestName(std::string_view text) {
  std::string out;
  for (char ch : text) out += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return out;
}

void PrintTo(const RuleCase& c, std::ostream* os) {
  *os << c.rule;
}

class CatalogRule : public ::testing::TestWithParam<RuleCase> {};

TEST_P(CatalogRule, IsEnforcedNamingFileLineAndField) {
  const RuleCase& c = GetParam();
  json j = ValidCatalog();
  c.mutate(j);
  std::string text = j.dump(2);
  auto r = Catalog::Parse(text, "test.json");
  ASSERT_FALSE(r.ok());
  const Error& e = r.error();
  EXPECT_EQ(e.kind, ErrorKind::kInvalid);
  EXPECT_EQ(e.code, "InvalidCatalog");
  EXPECT_EQ(e.target, c.path);
  EXPECT_EQ(e.message.rfind("test.json:", 0), 0u) << e.message;
  EXPECT_NE(e.message.find(": " + c.path + ": "), std::string::npos) << e.message;
  EXPECT_NE(e.message.find(c.what), std::string::npos) << e.message;
  // The line is the field's own when the field is in the text.
  int line = LineOf(e.message);
  EXPECT_GE(line, 1) << e.message;
  size_t dot = c.path.rfind('.');
  std::string key = dot == std::string::npos ? c.path : c.path.substr(dot + 1);
  bool key_in_text = text.find("\"" + key + "\":") != std::string::npos;
  if (key_in_text && c.what.find("is required") == std::string::npos) {
    EXPECT_NE(LineText(text, line).find("\"" + key + "\""), std::string::npos)
        << e.message << "\nline " << line << ": " << LineText(text, line);
  }
}

INSTANTIATE_TEST_SUITE_P(EachRule, CatalogRule, ::testing::ValuesIn(RuleCases()),
                         [](const auto& info) { return TestName(info.param.rule); });

// Hand-written text, so the expected lines are plain to see.
constexpr const char* kSmallCatalog = R"({
  "version": "v1",
  "markets": [
    {"country": "US", "currency": "USD", "taxRateBp": 0, "clouds": ["worldwide"]}
  ],
  "products": [
    {
      "skuId": "6f1c2b9e-0d4a-4c7e-9b1a-3e5f7a9c1d01",
      "skuPartNumber": "BASIC",
      "name": "Basic \"quoted\" {brace} [bracket], \\ backslash",
      "description": "line\nbreak \u007b escaped",
      "appliesTo": "User",
      "minQuantity": 1,
      "maxQuantity": 300,
      "isAddOn": false,
      "clouds": ["worldwide"],
      "servicePlans": [
        {"servicePlanId": "0a6b1c7d-2e3f-4a5b-8c9d-0e1f2a3b4c01", "servicePlanName": "MAIL_S",
         "appliesTo": "User"}
      ],
      "prices": {"USD": {"monthly": 720, "annual": 7200}}
    }
  ]
}
)";

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::string ErrorOf(const std::string& text) {
  auto r = Catalog::Parse(text, "catalog.json");
  return r.ok() ? "(accepted)" : r.error().message;
}

TEST(CatalogParse, HandWrittenTextIsAccepted) {
  auto r = Catalog::Parse(kSmallCatalog, "catalog.json");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->skus()[0].name, "Basic \"quoted\" {brace} [bracket], \\ backslash");
  EXPECT_EQ(r->skus()[0].description, "line\nbreak { escaped");
}

TEST(CatalogParse, NamesTheLineOfTheFieldAfterTrickyStrings) {
  // Quotes, braces and escapes in the strings above must not shift the lines.
  EXPECT_EQ(ErrorOf(Replace(kSmallCatalog, "\"minQuantity\": 1", "\"minQuantity\": 0")),
            "catalog.json:13: products[0].minQuantity: must be an integer >= 1 (got 0)");
  EXPECT_EQ(ErrorOf(Replace(kSmallCatalog, "\"monthly\": 720", "\"monthly\": 7.2")),
            "catalog.json:21: products[0].prices.USD.monthly: must be a non-negative integer in "
            "minor units (cents; yen and won have none) (got 7.2)");
  EXPECT_EQ(
      ErrorOf(Replace(kSmallCatalog, "\"appliesTo\": \"User\"}", "\"appliesTo\": \"Usr\"}")),
      "catalog.json:19: products[0].servicePlans[0].appliesTo: must be \"User\" (got \"Usr\")");
}

TEST(CatalogParse, NamesTheLineOfAValueOnTheLineAfterItsKey) {
  std::string text = Replace(kSmallCatalog, "\"maxQuantity\": 300", "\"maxQuantity\":\n  0");
  EXPECT_EQ(LineOf(ErrorOf(text)), 15) << ErrorOf(text);
}

TEST(CatalogParse, MissingFieldNamesTheLineOfItsObject) {
  std::string text = Replace(kSmallCatalog, "      \"isAddOn\": false,\n", "");
  EXPECT_EQ(ErrorOf(text), "catalog.json:7: products[0].isAddOn: is required");
}

TEST(CatalogParse, EscapedKeysAreMatchedDecoded) {
  // "min\u0051uantity" is "minQuantity": the scanner must decode keys as nlohmann does.
  std::string text = Replace(kSmallCatalog, "\"minQuantity\": 1", "\"min\\u0051uantity\": 0");
  EXPECT_EQ(ErrorOf(text),
            "catalog.json:13: products[0].minQuantity: must be an integer >= 1 (got 0)");
}

TEST(CatalogParse, SyntaxErrorsNameTheLine) {
  // A missing comma at the end of line 9 is found at the start of line 10.
  std::string text = Replace(kSmallCatalog, "\"BASIC\",", "\"BASIC\"");
  std::string msg = ErrorOf(text);
  EXPECT_EQ(msg.rfind("catalog.json:10: syntax error", 0), 0u) << msg;
  EXPECT_EQ(msg.find("json.exception"), std::string::npos) << msg;

  msg = ErrorOf("{\n  \"version\": \"v1\",\n  \"markets\": [1, 2,]\n}");
  EXPECT_EQ(msg.rfind("catalog.json:3: syntax error", 0), 0u) << msg;

  msg = ErrorOf("{\n  \"version\": \"v1\",\n  \"markets\": [\n");
  EXPECT_EQ(msg.rfind("catalog.json:4: syntax error", 0), 0u) << msg;  // end of input

  // A raw line break inside a string is refused at the break: still line 2.
  msg = ErrorOf("{\n  \"version\": \"v1\n\"\n}");
  EXPECT_EQ(msg.rfind("catalog.json:2: syntax error", 0), 0u) << msg;

  msg = ErrorOf("");
  EXPECT_EQ(msg.rfind("catalog.json:1: syntax error", 0), 0u) << msg;
}

TEST(CatalogParse, NumberOverflowNamesTheLine) {
  std::string text = Replace(kSmallCatalog, "\"annual\": 7200", "\"annual\": 1e999");
  std::string msg = ErrorOf(text);
  EXPECT_EQ(msg.rfind("catalog.json:21: number overflow", 0), 0u) << msg;
}

TEST(CatalogParse, DuplicateKeysAreRefused) {
  // nlohmann keeps the last of two equal keys; a catalog must not hide one.
  std::string text =
      Replace(kSmallCatalog, "\"maxQuantity\": 300,", "\"maxQuantity\": 300,\n\"maxQuantity\": 5,");
  EXPECT_EQ(ErrorOf(text), "catalog.json:15: products[0].maxQuantity: duplicate key");
}

TEST(CatalogParse, DeepNestingIsRefused) {
  std::string arrays = "{\"version\": " + std::string(200, '[') + std::string(200, ']') + "}";
  EXPECT_NE(ErrorOf(arrays).find("nesting is too deep"), std::string::npos) << ErrorOf(arrays);
  std::string objects;
  for (int i = 0; i < 200; ++i) objects += "{\"a\": ";
  objects += "1" + std::string(200, '}');
  EXPECT_NE(ErrorOf(objects).find("nesting is too deep"), std::string::npos) << ErrorOf(objects);
}

TEST(CatalogParse, AcceptsAByteOrderMark) {
  auto r = Catalog::Parse("\xEF\xBB\xBF" + std::string(kSmallCatalog), "catalog.json");
  ASSERT_TRUE(r.ok()) << r.error().message;
  std::string text =
      "\xEF\xBB\xBF" + Replace(kSmallCatalog, "\"minQuantity\": 1", "\"minQuantity\": 0");
  EXPECT_EQ(LineOf(ErrorOf(text)), 13);
}

TEST(CatalogNames, RoundTrip) {
  for (BillingCycle c : {BillingCycle::kMonthly, BillingCycle::kAnnual})
    EXPECT_EQ(ParseBillingCycle(ToString(c)), c);
  EXPECT_EQ(ToString(BillingCycle::kAnnual), "annual");
  EXPECT_FALSE(ParseBillingCycle("Monthly").has_value());
  EXPECT_FALSE(ParseBillingCycle("yearly").has_value());
  for (Cloud c : {Cloud::kWorldwide, Cloud::kGermany, Cloud::kChina})
    EXPECT_EQ(ParseCloud(ToString(c)), c);
  EXPECT_EQ(ToString(Cloud::kChina), "china");
  EXPECT_FALSE(ParseCloud("").has_value());
  EXPECT_FALSE(ParseCloud("Germany").has_value());
  EXPECT_EQ(DefaultLocale(Cloud::kWorldwide), "en-US");
  EXPECT_EQ(DefaultLocale(Cloud::kGermany), "de-DE");
  EXPECT_EQ(DefaultLocale(Cloud::kChina), "zh-CN");
}

TEST(CatalogLookups, FindOffersMarketsAndPrices) {
  json j = ValidCatalog();
  j["products"][0]["prices"]["USD"] = {{"monthly", 720}, {"annual", 7000}};
  auto cat = ParseJson(j);
  ASSERT_TRUE(cat.ok()) << cat.error().message;

  const Sku* basic = cat->FindSku(*Guid::Parse(kBasic));
  ASSERT_NE(basic, nullptr);
  EXPECT_EQ(basic->partNumber, "BASIC");
  EXPECT_EQ(cat->FindSku(*Guid::Parse("11111111-2222-4333-8444-555555555555")), nullptr);
  EXPECT_EQ(basic->UnitPrice("USD", BillingCycle::kMonthly), 720);
  EXPECT_EQ(basic->UnitPrice("USD", BillingCycle::kAnnual), 7000);
  EXPECT_FALSE(basic->UnitPrice("JPY", BillingCycle::kMonthly).has_value());
  EXPECT_TRUE(basic->OfferedIn(Cloud::kChina));
  EXPECT_FALSE(cat->skus()[2].OfferedIn(Cloud::kGermany));

  ASSERT_NE(cat->FindMarket("AT"), nullptr);
  EXPECT_EQ(cat->FindMarket("AT")->taxRateBp, 2000);
  EXPECT_EQ(cat->FindMarket("at"), nullptr);

  auto names = [](const std::vector<const Sku*>& skus) {
    std::vector<std::string> out;
    for (const Sku* s : skus) out.push_back(s->partNumber);
    return out;
  };
  EXPECT_EQ(names(cat->OffersFor(Cloud::kWorldwide)),
            (std::vector<std::string>{"BASIC", "E3", "AUDIO"}));
  EXPECT_EQ(names(cat->OffersFor(Cloud::kGermany)), (std::vector<std::string>{"BASIC", "E3"}));
  EXPECT_EQ(names(cat->OffersFor(Cloud::kChina)), (std::vector<std::string>{"BASIC"}));

  std::vector<std::string> germany;
  for (const Market* m : cat->MarketsFor(Cloud::kGermany)) germany.push_back(m->country);
  EXPECT_EQ(germany, (std::vector<std::string>{"DE", "AT"}));
  ASSERT_EQ(cat->MarketsFor(Cloud::kChina).size(), 1u);
  EXPECT_EQ(cat->MarketsFor(Cloud::kChina)[0]->currency, "CNY");
}

// The operator's real catalog: valid, and shaped as product.md section 4 says.
class RealCatalog : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string path = ld::testing::SourceDir() + "/catalog/catalog.json";
    std::ifstream in(path, std::ios::binary);
    ASSERT_TRUE(in) << "cannot read " << path;
    std::stringstream text;
    text << in.rdbuf();
    auto r = Catalog::Parse(text.str(), "catalog.json");
    ASSERT_TRUE(r.ok()) << r.error().message;
    catalog_ = new Catalog(std::move(r).value());
  }
  static void TearDownTestSuite() {
    delete catalog_;
    catalog_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(catalog_, nullptr); }

  static const Sku& ByPart(const std::string& part) {
    for (const Sku& s : catalog_->skus())
      if (s.partNumber == part) return s;
    ADD_FAILURE() << "no SKU " << part;
    return catalog_->skus().front();
  }

  static inline Catalog* catalog_ = nullptr;
};

TEST_F(RealCatalog, HasTheMarketsOfEachCloud) {
  EXPECT_FALSE(catalog_->version().empty());
  struct Want {
    const char* country;
    const char* currency;
    TaxRateBp tax;
    Cloud cloud;
  };
  for (const Want& w : std::vector<Want>{{"US", "USD", 0, Cloud::kWorldwide},
                                         {"TW", "TWD", 500, Cloud::kWorldwide},
                                         {"GB", "GBP", 2000, Cloud::kWorldwide},
                                         {"JP", "JPY", 1000, Cloud::kWorldwide},
                                         {"DE", "EUR", 1900, Cloud::kGermany},
                                         {"AT", "EUR", 2000, Cloud::kGermany},
                                         {"CN", "CNY", 600, Cloud::kChina}}) {
    SCOPED_TRACE(w.country);
    const Market* m = catalog_->FindMarket(w.country);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->currency, w.currency);
    EXPECT_EQ(m->taxRateBp, w.tax);
    EXPECT_EQ(m->clouds, std::vector<Cloud>{w.cloud});
  }
  EXPECT_GT(catalog_->MarketsFor(Cloud::kWorldwide).size(), 4u);
  EXPECT_EQ(catalog_->MarketsFor(Cloud::kGermany).size(), 2u);
  EXPECT_EQ(catalog_->MarketsFor(Cloud::kChina).size(), 1u);
}

TEST_F(RealCatalog, HasUserPlansEnterprisePlansAndAddOns) {
  ASSERT_GE(catalog_->skus().size(), 9u);
  for (const char* part : {"BUSINESS_BASIC", "BUSINESS_STANDARD", "BUSINESS_PREMIUM"}) {
    const Sku& s = ByPart(part);
    EXPECT_FALSE(s.isAddOn) << part;
    EXPECT_EQ(s.minQuantity, 1) << part;
    EXPECT_EQ(s.maxQuantity, 300) << part;
    EXPECT_EQ(s.clouds.size(), 3u) << part;
  }
  for (const char* part : {"ENTERPRISE_E3", "ENTERPRISE_E5"}) {
    const Sku& s = ByPart(part);
    EXPECT_FALSE(s.isAddOn) << part;
    EXPECT_EQ(s.maxQuantity, 500000) << part;
    EXPECT_EQ(s.clouds.size(), 3u) << part;
  }
  int add_ons = 0, base_plans = 0;
  for (const Sku& s : catalog_->skus()) {
    SCOPED_TRACE(s.partNumber);
    (s.isAddOn ? add_ons : base_plans)++;
    EXPECT_EQ(s.isAddOn, !s.prerequisiteSkuIds.empty());
    for (const Guid& g : s.prerequisiteSkuIds) {
      ASSERT_NE(catalog_->FindSku(g), nullptr);
      EXPECT_FALSE(catalog_->FindSku(g)->isAddOn);
    }
    EXPECT_FALSE(s.servicePlans.empty());
    EXPECT_EQ(s.appliesTo, "User");
    for (const char* locale : {"zh-TW", "de-DE", "zh-CN"}) {
      EXPECT_EQ(s.localizedNames.count(locale), 1u) << locale;
      // Every offer card reads in the admin's language: a description per
      // locale, and a translated one (not the English text copied).
      ASSERT_EQ(s.localizedDescriptions.count(locale), 1u) << locale;
      EXPECT_NE(s.localizedDescriptions.at(locale), s.description) << locale;
    }
  }
  EXPECT_EQ(base_plans, 5);
  EXPECT_GE(add_ons, 3);
  for (const char* part : {"AUDIO_CONFERENCING", "ADVANCED_SECURITY", "PHONE_SYSTEM"})
    EXPECT_TRUE(ByPart(part).isAddOn) << part;
  // Some offers are worldwide only.
  EXPECT_LT(catalog_->OffersFor(Cloud::kChina).size(),
            catalog_->OffersFor(Cloud::kWorldwide).size());
  EXPECT_EQ(catalog_->OffersFor(Cloud::kWorldwide).size(), catalog_->skus().size());
}

// Issue 16: the Business plans exclude each other, as do E3 and E5; Phone
// System (PSTN calling) is sold in a list of countries (docs/decisions.md).
TEST_F(RealCatalog, ExclusivePlansAndACountryLimitedAddOn) {
  const std::vector<std::vector<std::string>> families = {
      {"BUSINESS_BASIC", "BUSINESS_STANDARD", "BUSINESS_PREMIUM"},
      {"ENTERPRISE_E3", "ENTERPRISE_E5"}};
  for (const auto& family : families) {
    for (const auto& a : family) {
      for (const auto& b : family) {
        if (a == b) continue;
        EXPECT_TRUE(ByPart(a).ConflictsWith(ByPart(b).id)) << a << " vs " << b;
      }
      EXPECT_EQ(ByPart(a).conflictsWith.size(), family.size() - 1) << a;
    }
  }
  EXPECT_FALSE(ByPart("BUSINESS_PREMIUM").ConflictsWith(ByPart("ENTERPRISE_E3").id));
  EXPECT_TRUE(ByPart("AUDIO_CONFERENCING").conflictsWith.empty());
  const Sku& phone = ByPart("PHONE_SYSTEM");
  EXPECT_TRUE(phone.SoldIn("US"));
  EXPECT_FALSE(phone.SoldIn("TW"));
  EXPECT_FALSE(phone.SoldIn("KR"));
  int limited = 0;
  for (const Sku& s : catalog_->skus()) limited += s.usageLocations.empty() ? 0 : 1;
  EXPECT_EQ(limited, 1);
}

TEST_F(RealCatalog, PricesEveryOfferInEveryMarketCurrencyAnnualCheaperPerMonth) {
  std::set<std::string> currencies;
  for (const Sku& s : catalog_->skus()) {
    for (Cloud c : s.clouds) {
      for (const Market* m : catalog_->MarketsFor(c)) {
        SCOPED_TRACE(s.partNumber + " in " + m->country);
        currencies.insert(m->currency);
        auto monthly = s.UnitPrice(m->currency, BillingCycle::kMonthly);
        auto annual = s.UnitPrice(m->currency, BillingCycle::kAnnual);
        ASSERT_TRUE(monthly && annual);
        EXPECT_GT(*monthly, 0);
        EXPECT_LT(*annual, 12 * *monthly);
        EXPECT_GT(*annual, 6 * *monthly);
      }
    }
  }
  EXPECT_EQ(currencies,
            (std::set<std::string>{"USD", "TWD", "GBP", "JPY", "EUR", "CNY", "CAD", "AUD", "KRW"}));
}

}  // namespace
}  // namespace ld
