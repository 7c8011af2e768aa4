#include "http/odata.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace ld::http::odata {
namespace {

constexpr std::string_view kSku = "6fd2c87f-b296-42f0-b197-1e91e994b900";
constexpr std::string_view kOtherSku = "c7df2760-2c81-4ef7-b578-5b5392b571df";

std::string Nested(int depth, std::string_view inner) {
  return std::string(static_cast<size_t>(depth), '(') + std::string(inner) +
         std::string(static_cast<size_t>(depth), ')');
}

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// ------------------------------------------------------------ valid $filter

struct ValidCase {
  std::string name;
  std::string input;
  std::string canonical;  // ToString of the parsed tree
};

class FilterParsesTest : public ::testing::TestWithParam<ValidCase> {};

TEST_P(FilterParsesTest, ParsesToCanonicalForm) {
  const ValidCase& c = GetParam();
  auto r = ParseFilter(c.input);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(ToString(*r), c.canonical);
  // The canonical text parses back to the same tree.
  auto again = ParseFilter(ToString(*r));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(*again, *r);
}

const std::string kGuidAny = "assignedLicenses/any(x:x/skuId eq " + std::string(kSku) + ")";

INSTANTIATE_TEST_SUITE_P(
    Filter, FilterParsesTest,
    ::testing::Values(
        ValidCase{"UpnEq", "userPrincipalName eq 'adele@contoso.com'",
                  "userPrincipalName eq 'adele@contoso.com'"},
        ValidCase{"DisplayNameEq", "displayName eq 'Adele Vance'", "displayName eq 'Adele Vance'"},
        ValidCase{"MailEq", "mail eq 'a@b.example'", "mail eq 'a@b.example'"},
        ValidCase{"StartsWithDisplayName", "startswith(displayName,'Ad')",
                  "startswith(displayName,'Ad')"},
        ValidCase{"StartsWithUpn", "startswith(userPrincipalName, 'adele')",
                  "startswith(userPrincipalName,'adele')"},
        ValidCase{"StartsWithMail", "startswith(mail,'a')", "startswith(mail,'a')"},
        ValidCase{"AccountEnabledTrue", "accountEnabled eq true", "accountEnabled eq true"},
        ValidCase{"AccountEnabledFalse", "accountEnabled eq false", "accountEnabled eq false"},
        ValidCase{"UsageLocation", "usageLocation eq 'TW'", "usageLocation eq 'TW'"},
        ValidCase{"AnyBareGuid", kGuidAny, kGuidAny},
        ValidCase{"AnyQuotedUpperGuidOtherVariable",
                  "assignedLicenses/any(lic:lic/skuId eq '6FD2C87F-B296-42F0-B197-1E91E994B900')",
                  kGuidAny},
        ValidCase{"AnySpacesInsideLambda",
                  "assignedLicenses/any( s : s/skuId eq " + std::string(kSku) + " )", kGuidAny},
        ValidCase{"CountEqZero", "assignedLicenses/$count eq 0", "assignedLicenses/$count eq 0"},
        ValidCase{"CountNeZero", "assignedLicenses/$count ne 0", "assignedLicenses/$count ne 0"},
        ValidCase{"CountLeadingZeros", "assignedLicenses/$count eq 007",
                  "assignedLicenses/$count eq 7"},
        ValidCase{"KeywordsAndPropertiesAnyCase", "DisplayName EQ 'x' AND AccountEnabled Eq TRUE",
                  "displayName eq 'x' and accountEnabled eq true"},
        ValidCase{"FunctionAnyCase", "StartsWith(DISPLAYNAME,'x')", "startswith(displayName,'x')"},
        ValidCase{"WhitespaceVariants", " \t displayName   eq\t'x' \r\n", "displayName eq 'x'"},
        ValidCase{"NoSpaceAroundParens", "(displayName eq 'a')or(mail eq 'b')",
                  "displayName eq 'a' or mail eq 'b'"},
        ValidCase{"EscapedQuote", "displayName eq 'O''Brien'", "displayName eq 'O''Brien'"},
        ValidCase{"OnlyEscapedQuotes", "displayName eq ''''''", "displayName eq ''''''"},
        ValidCase{"EmptyString", "mail eq ''", "mail eq ''"},
        ValidCase{"TraditionalChinese", "displayName eq '陳大文'", "displayName eq '陳大文'"},
        ValidCase{"SimplifiedChinesePrefix", "startswith(displayName,'张')",
                  "startswith(displayName,'张')"},
        ValidCase{"GermanUmlautAndEmoji", "displayName eq 'Jürgen Größe 🎉'",
                  "displayName eq 'Jürgen Größe 🎉'"},
        ValidCase{"KeywordsInsideLiteral", "displayName eq 'a and b or not (c)'",
                  "displayName eq 'a and b or not (c)'"},
        ValidCase{"AndBindsTighterThanOr", "mail eq 'a' or displayName eq 'b' and mail eq 'c'",
                  "mail eq 'a' or displayName eq 'b' and mail eq 'c'"},
        ValidCase{"ParenthesesOverridePrecedence",
                  "(mail eq 'a' or displayName eq 'b') and mail eq 'c'",
                  "(mail eq 'a' or displayName eq 'b') and mail eq 'c'"},
        ValidCase{"AndChainsFlatten", "(mail eq 'a' and mail eq 'b') and (mail eq 'c')",
                  "mail eq 'a' and mail eq 'b' and mail eq 'c'"},
        ValidCase{"NotFunction", "not startswith(displayName,'x')",
                  "not startswith(displayName,'x')"},
        ValidCase{"NotParenthesized", "not(accountEnabled eq true)", "not accountEnabled eq true"},
        ValidCase{"NotOfOr", "NOT (mail eq 'a' or mail eq 'b')",
                  "not (mail eq 'a' or mail eq 'b')"},
        ValidCase{"NotNot", "not not mail eq 'a'", "not not mail eq 'a'"},
        ValidCase{"NotEqual", "displayName ne 'x'", "displayName ne 'x'"},
        ValidCase{"GraphStyleCombination",
                  "accountEnabled eq true and assignedLicenses/$count eq 0 and usageLocation eq "
                  "'DE'",
                  "accountEnabled eq true and assignedLicenses/$count eq 0 and usageLocation eq "
                  "'DE'"},
        ValidCase{"SixteenLevelsOfParentheses", Nested(16, "mail eq 'a'"), "mail eq 'a'"},
        ValidCase{"LongFlatChain", Repeat("mail eq 'a' and ", 100) + "mail eq 'a'",
                  Repeat("mail eq 'a' and ", 100) + "mail eq 'a'"}),
    [](const ::testing::TestParamInfo<ValidCase>& info) { return info.param.name; });

// ------------------------------------------------------------ invalid $filter

struct InvalidCase {
  std::string name;
  std::string input;
  std::string code;      // Graph error code
  size_t position;       // 0-based byte offset named in the message
  std::string contains;  // a piece of the message
};

class FilterRejectsTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(FilterRejectsTest, ReportsCodePositionAndCause) {
  const InvalidCase& c = GetParam();
  auto r = ParseFilter(c.input);
  ASSERT_FALSE(r.ok()) << "parsed as: " << ToString(*r);
  EXPECT_EQ(r.error().kind, ld::ErrorKind::kInvalid);
  EXPECT_EQ(r.error().code, c.code) << r.error().message;
  EXPECT_EQ(r.error().target, "$filter");
  EXPECT_EQ(r.error().details.value("position", size_t{999999}), c.position) << r.error().message;
  EXPECT_NE(r.error().message.find("at position " + std::to_string(c.position)), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find(c.contains), std::string::npos) << r.error().message;
  EXPECT_LT(r.error().message.size(), 400u) << "messages stay short";
}

const std::string kBad = "BadRequest";
const std::string kUns = "Request_UnsupportedQuery";
const std::string kSkuStr(kSku);

INSTANTIATE_TEST_SUITE_P(
    Filter, FilterRejectsTest,
    ::testing::Values(
        InvalidCase{"Empty", "", kBad, 0, "empty"},
        InvalidCase{"OnlyWhitespace", "  \t ", kBad, 0, "empty"},
        InvalidCase{"BooleanComparedToString", "accountEnabled eq 'yes'", kBad, 18,
                    "true or false"},
        InvalidCase{"BooleanComparedToWord", "accountEnabled eq yes", kBad, 18, "true or false"},
        InvalidCase{"StringComparedToBoolean", "displayName eq true", kBad, 15,
                    "string literal in single quotes"},
        InvalidCase{"StringComparedToNumber", "displayName eq 5", kBad, 15, "string literal"},
        InvalidCase{"UnquotedString", "usageLocation eq TW", kBad, 17, "found 'TW'"},
        InvalidCase{"UnknownProperty", "jobTitle eq 'x'", kUns, 0, "property 'jobTitle'"},
        InvalidCase{"UnbalancedOpen", "(displayName eq 'x'", kBad, 19,
                    "or ')', found end of input"},
        InvalidCase{"UnbalancedClose", "displayName eq 'x')", kBad, 18, "found ')'"},
        InvalidCase{"TrailingGarbage", "displayName eq 'x' garbage", kBad, 19, "found 'garbage'"},
        InvalidCase{"DanglingAnd", "displayName eq 'x' and", kBad, 22, "end of input"},
        InvalidCase{"DoubleOperator", "mail eq 'x' and or mail eq 'y'", kBad, 16, "found 'or'"},
        InvalidCase{"UnterminatedString", "displayName eq 'abc", kBad, 15, "unterminated"},
        InvalidCase{"UnterminatedAfterEscapedQuote", "displayName eq 'abc''", kBad, 15,
                    "unterminated"},
        InvalidCase{"UnsupportedOperator", "displayName gt 'x'", kUns, 12, "operator 'gt'"},
        InvalidCase{"MissingOperator", "displayName", kBad, 11, "'eq' or 'ne'"},
        InvalidCase{"UnsupportedFunction", "endswith(mail,'@contoso.com')", kUns, 0,
                    "function 'endswith'"},
        InvalidCase{"StartsWithOnBoolean", "startswith(accountEnabled,'t')", kUns, 11,
                    "startswith is not supported on 'accountEnabled'"},
        InvalidCase{"StartsWithMissingComma", "startswith(displayName 'x')", kBad, 23,
                    "expected ','"},
        InvalidCase{"StartsWithUnquoted", "startswith(displayName,x)", kBad, 23, "string literal"},
        InvalidCase{"StartsWithUnclosed", "startswith(displayName,'x'", kBad, 26, "')'"},
        InvalidCase{"AnyNotAGuid", "assignedLicenses/any(x:x/skuId eq 1234)", kBad, 34, "GUID"},
        InvalidCase{"AnyQuotedNotAGuid", "assignedLicenses/any(x:x/skuId eq 'E3')", kBad, 34,
                    "GUID"},
        InvalidCase{"AnyWrongVariable", "assignedLicenses/any(x:y/skuId eq " + kSkuStr + ")", kBad,
                    23, "lambda variable 'x'"},
        InvalidCase{"AnyOtherMember", "assignedLicenses/any(x:x/disabledPlans eq " + kSkuStr + ")",
                    kUns, 25, "disabledPlans"},
        InvalidCase{"AnyNotEqual", "assignedLicenses/any(x:x/skuId ne " + kSkuStr + ")", kUns, 31,
                    "operator 'ne'"},
        InvalidCase{"AnyUnclosed", "assignedLicenses/any(x:x/skuId eq " + kSkuStr, kBad, 70, "')'"},
        InvalidCase{"AllLambda", "assignedLicenses/all(x:x/skuId eq " + kSkuStr + ")", kUns, 17,
                    "all"},
        InvalidCase{"AssignedLicensesWithoutMember", "assignedLicenses eq 'x'", kBad, 17, "'/'"},
        InvalidCase{"CountNegative", "assignedLicenses/$count eq -1", kBad, 27, "between 0"},
        InvalidCase{"CountAbsurd", "assignedLicenses/$count eq 99999999999999999999999", kBad, 27,
                    "between 0"},
        InvalidCase{"CountDecimal", "assignedLicenses/$count eq 1.5", kBad, 27, "malformed number"},
        InvalidCase{"CountString", "assignedLicenses/$count eq 'zero'", kBad, 27, "whole number"},
        InvalidCase{"CountGreaterThan", "assignedLicenses/$count gt 0", kUns, 24, "operator 'gt'"},
        InvalidCase{"NullLiteral", "mail eq null", kUns, 8, "null"},
        InvalidCase{"CStyleOperator", "mail eq 'x' && mail eq 'y'", kBad, 12, "unexpected '&'"},
        InvalidCase{"LiteralFirst", "'x' eq displayName", kBad, 0, "property name"},
        InvalidCase{"EmptyParentheses", "()", kBad, 1, "found ')'"},
        InvalidCase{"NotAlone", "not", kBad, 3, "end of input"},
        InvalidCase{"InvalidUtf8", "displayName eq '\xff'", kBad, 16, "invalid UTF-8"},
        InvalidCase{"OverlongUtf8", "displayName eq '\xc0\xaf'", kBad, 16, "invalid UTF-8"},
        InvalidCase{"ControlCharacter", "mail eq 'x'\x01", kBad, 11, "U+0001"},
        InvalidCase{"NonAsciiOutsideLiteral", "displayName eq 'x' 和", kBad, 19, "'和'"},
        InvalidCase{"TooLong", "mail eq '" + std::string(5000, 'a') + "'", kBad, 4096,
                    "limit is 4096"},
        InvalidCase{"SeventeenLevelsOfParentheses", Nested(17, "mail eq 'a'"), kBad, 16,
                    "deeper than 16"},
        InvalidCase{"SeventeenNots", Repeat("not ", 17) + "mail eq 'a'", kBad, 64,
                    "deeper than 16"},
        InvalidCase{"HugeNesting", Nested(2000, "mail eq 'a'"), kBad, 16, "deeper than 16"}),
    [](const ::testing::TestParamInfo<InvalidCase>& info) { return info.param.name; });

TEST(FilterTest, AcceptsExactlyTheByteLimit) {
  std::string prefix = "mail eq '";
  std::string text = prefix + std::string(kMaxFilterBytes - prefix.size() - 1, 'a') + "'";
  ASSERT_EQ(text.size(), kMaxFilterBytes);
  EXPECT_TRUE(ParseFilter(text).ok());
  text.insert(prefix.size(), "a");
  EXPECT_FALSE(ParseFilter(text).ok());
}

TEST(FilterTest, StringLiteralIsUnescaped) {
  auto r = ParseFilter("displayName eq 'It''s 陳''s'");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kind, FilterExpr::Kind::kCompare);
  EXPECT_EQ(r->property, Property::kDisplayName);
  EXPECT_EQ(r->op, CompareOp::kEq);
  EXPECT_EQ(r->text, "It's 陳's");
}

TEST(FilterTest, TreeShapeForSqlTranslation) {
  auto r = ParseFilter("accountEnabled eq false or (usageLocation eq 'DE' and " + kGuidAny + ")");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->kind, FilterExpr::Kind::kOr);
  ASSERT_EQ(r->children.size(), 2u);
  EXPECT_EQ(r->children[0].kind, FilterExpr::Kind::kCompare);
  EXPECT_EQ(r->children[0].property, Property::kAccountEnabled);
  EXPECT_FALSE(r->children[0].flag);
  const FilterExpr& both = r->children[1];
  ASSERT_EQ(both.kind, FilterExpr::Kind::kAnd);
  ASSERT_EQ(both.children.size(), 2u);
  EXPECT_EQ(both.children[0].text, "DE");
  EXPECT_EQ(both.children[1].kind, FilterExpr::Kind::kHasLicense);
  EXPECT_EQ(both.children[1].sku.str(), kSku);
}

TEST(FilterTest, AdvancedQueryDetection) {
  EXPECT_FALSE(RequiresAdvancedQuery(*ParseFilter("startswith(displayName,'a')")));
  EXPECT_FALSE(RequiresAdvancedQuery(*ParseFilter(kGuidAny + " and accountEnabled eq true")));
  EXPECT_TRUE(RequiresAdvancedQuery(*ParseFilter("assignedLicenses/$count eq 0")));
  EXPECT_TRUE(RequiresAdvancedQuery(*ParseFilter("mail eq 'a' or displayName ne 'b'")));
  EXPECT_TRUE(RequiresAdvancedQuery(*ParseFilter("not startswith(mail,'a')")));
}

// ------------------------------------------------------------ Matches

struct MatchCase {
  std::string filter;
  std::vector<std::string> expected;  // displayNames of the matching users, in order
};

std::vector<UserView> Users() {
  return {
      {"adele@contoso.com", "Adele Vance", "adele@contoso.com", true, "US", {std::string(kSku)}},
      {"chen@contoso.com", "陳大文", "", true, "TW", {}},
      {"juergen@contoso.com",
       "Jürgen O'Brien",
       "j@contoso.com",
       false,
       "DE",
       {"6FD2C87F-B296-42F0-B197-1E91E994B900", std::string(kOtherSku)}},
      {"zhang@contoso.com", "张伟", "zhang@contoso.com", true, "", {"not-a-guid"}},
  };
}

class MatchesTest : public ::testing::TestWithParam<MatchCase> {};

TEST_P(MatchesTest, SelectsTheExpectedUsers) {
  auto f = ParseFilter(GetParam().filter);
  ASSERT_TRUE(f.ok()) << f.error().message;
  std::vector<std::string> got;
  for (const UserView& u : Users())
    if (Matches(*f, u)) got.push_back(u.displayName);
  EXPECT_EQ(got, GetParam().expected) << GetParam().filter;
}

INSTANTIATE_TEST_SUITE_P(
    Filter, MatchesTest,
    ::testing::Values(
        MatchCase{"userPrincipalName eq 'ADELE@contoso.com'", {"Adele Vance"}},
        MatchCase{"displayName eq 'jürgen o''brien'", {"Jürgen O'Brien"}},
        MatchCase{"displayName eq 'JÜRGEN O''BRIEN'", {}},  // non-ASCII compares exactly
        MatchCase{"mail eq ''", {"陳大文"}}, MatchCase{"startswith(displayName,'陳')", {"陳大文"}},
        MatchCase{"startswith(userPrincipalName,'')",
                  {"Adele Vance", "陳大文", "Jürgen O'Brien", "张伟"}},
        MatchCase{"startswith(mail,'J@')", {"Jürgen O'Brien"}},
        MatchCase{"accountEnabled eq false", {"Jürgen O'Brien"}},
        MatchCase{"accountEnabled ne false", {"Adele Vance", "陳大文", "张伟"}},
        MatchCase{"usageLocation eq 'tw'", {"陳大文"}}, MatchCase{"usageLocation eq ''", {"张伟"}},
        MatchCase{kGuidAny, {"Adele Vance", "Jürgen O'Brien"}},
        MatchCase{"assignedLicenses/any(x:x/skuId eq " + std::string(kOtherSku) + ")",
                  {"Jürgen O'Brien"}},
        MatchCase{"assignedLicenses/$count eq 0", {"陳大文"}},
        MatchCase{"assignedLicenses/$count ne 0", {"Adele Vance", "Jürgen O'Brien", "张伟"}},
        MatchCase{"assignedLicenses/$count eq 2", {"Jürgen O'Brien"}},
        MatchCase{"accountEnabled eq true and assignedLicenses/$count eq 0", {"陳大文"}},
        MatchCase{"usageLocation eq 'US' or usageLocation eq 'DE'",
                  {"Adele Vance", "Jürgen O'Brien"}},
        MatchCase{"not (usageLocation eq 'US' or usageLocation eq 'DE')", {"陳大文", "张伟"}},
        MatchCase{"not " + kGuidAny, {"陳大文", "张伟"}}));

// ------------------------------------------------------------ $select, $top, $count, $skiptoken

constexpr std::string_view kSelectable[] = {"id",
                                            "displayName",
                                            "userPrincipalName",
                                            "mail",
                                            "accountEnabled",
                                            "usageLocation",
                                            "assignedLicenses"};

TEST(SelectTest, ReturnsCanonicalNamesInOrderWithoutDuplicates) {
  auto r = ParseSelect(" DisplayName ,id,assignedLicenses,displayname", kSelectable);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, (std::vector<std::string>{"displayName", "id", "assignedLicenses"}));
}

TEST(SelectTest, RejectsUnknownAndEmptyNames) {
  for (std::string_view bad : {"", "id,", ",id", "id,,mail", "id,jobTitle", "id;mail", "\xff"}) {
    auto r = ParseSelect(bad, kSelectable);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "BadRequest");
    EXPECT_EQ(r.error().target, "$select");
  }
  auto r = ParseSelect("id,jobTitle", kSelectable);
  EXPECT_EQ(r.error().message,
            "Could not find a property named 'jobTitle' on type 'microsoft.graph.user'.");
}

TEST(TopTest, DefaultsAndBounds) {
  EXPECT_EQ(*ParseTop(std::nullopt), 100);
  EXPECT_EQ(*ParseTop("1"), 1);
  EXPECT_EQ(*ParseTop("999"), 999);
  EXPECT_EQ(*ParseTop("0050"), 50);
  EXPECT_EQ(*ParseTop(std::nullopt, {.min = 1, .max = 50, .fallback = 20}), 20);
  EXPECT_EQ(*ParseTop("50", {.min = 1, .max = 50, .fallback = 20}), 50);

  for (std::string_view out_of_range : {"0", "1000", "000", "99999999999999999999999999"}) {
    auto r = ParseTop(out_of_range);
    ASSERT_FALSE(r.ok()) << out_of_range;
    EXPECT_EQ(r.error().code, "Request_UnsupportedQuery");
    EXPECT_NE(r.error().message.find("Must be between 1 and 999 inclusive"), std::string::npos);
  }
  for (std::string_view malformed : {"", "-1", "+5", "1e3", "ten", " 5", "5 ", "٣"}) {
    auto r = ParseTop(malformed);
    ASSERT_FALSE(r.ok()) << malformed;
    EXPECT_EQ(r.error().code, "BadRequest");
    EXPECT_EQ(r.error().target, "$top");
  }
}

TEST(CountTest, TrueFalseOnly) {
  EXPECT_FALSE(*ParseCount(std::nullopt));
  EXPECT_TRUE(*ParseCount("true"));
  EXPECT_TRUE(*ParseCount("TRUE"));
  EXPECT_FALSE(*ParseCount("false"));
  for (std::string_view bad : {"", "1", "yes", "truee"}) EXPECT_FALSE(ParseCount(bad).ok()) << bad;
}

TEST(SkipTokenTest, PassesThroughOpaqueText) {
  EXPECT_EQ(*ParseSkipToken("X'4453...'=="), "X'4453...'==");
  EXPECT_FALSE(ParseSkipToken("").ok());
  EXPECT_FALSE(ParseSkipToken(std::string(kMaxSkipTokenBytes + 1, 'a')).ok());
  EXPECT_TRUE(ParseSkipToken(std::string(kMaxSkipTokenBytes, 'a')).ok());
}

// ------------------------------------------------------------ all options together

UsersQueryRules Rules() {
  return {kSelectable, {}};
}

TEST(UsersQueryTest, ParsesEveryOption) {
  std::multimap<std::string, std::string> params{
      {"$filter", "assignedLicenses/$count eq 0"},
      {"$select", "id,displayName"},
      {"$top", "5"},
      {"$count", "true"},
      {"$skiptoken", "abc"},
      {"api-version", "ignored"},
  };
  auto r = ParseUsersQuery(params, Rules());
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->filter.has_value());
  EXPECT_EQ(r->filter->kind, FilterExpr::Kind::kLicenseCount);
  EXPECT_EQ(r->select, (std::vector<std::string>{"id", "displayName"}));
  EXPECT_EQ(r->top, 5);
  EXPECT_TRUE(r->count);
  EXPECT_EQ(r->skipToken, "abc");
}

TEST(UsersQueryTest, DefaultsWhenEmpty) {
  auto r = ParseUsersQuery({}, Rules());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->filter.has_value());
  EXPECT_TRUE(r->select.empty());
  EXPECT_EQ(r->top, 100);
  EXPECT_FALSE(r->count);
  EXPECT_FALSE(r->skipToken.has_value());
}

TEST(UsersQueryTest, OptionNamesAreCaseInsensitive) {
  auto r = ParseUsersQuery({{"$TOP", "7"}, {"$Filter", "mail eq 'a'"}}, Rules());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->top, 7);
  EXPECT_TRUE(r->filter.has_value());
}

TEST(UsersQueryTest, RejectsRepeatedUnsupportedAndInvalidOptions) {
  auto repeated = ParseUsersQuery({{"$top", "5"}, {"$Top", "6"}}, Rules());
  ASSERT_FALSE(repeated.ok());
  EXPECT_EQ(repeated.error().code, "BadRequest");
  EXPECT_NE(repeated.error().message.find("more than once"), std::string::npos);

  auto orderby = ParseUsersQuery({{"$orderby", "displayName"}}, Rules());
  ASSERT_FALSE(orderby.ok());
  EXPECT_EQ(orderby.error().code, "Request_UnsupportedQuery");
  EXPECT_EQ(orderby.error().target, "$orderby");

  auto filter = ParseUsersQuery({{"$filter", "accountEnabled eq 'yes'"}}, Rules());
  ASSERT_FALSE(filter.ok());
  EXPECT_EQ(filter.error().target, "$filter");
}

}  // namespace
}  // namespace ld::http::odata

namespace ld::http::odata {
namespace {

// Issue 17: signInActivity/lastSignInDateTime, as Graph filters it.
TEST(FilterSignInActivity, ParsesComparesAndRoundTrips) {
  auto r = ParseFilter("signInActivity/lastSignInDateTime le 2026-01-31T00:00:00Z");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->kind, FilterExpr::Kind::kLastSignIn);
  EXPECT_EQ(r->range, RangeOp::kLe);
  auto again = ParseFilter(ToString(*r));
  ASSERT_TRUE(again.ok()) << ToString(*r);
  EXPECT_EQ(*again, *r);
  EXPECT_FALSE(RequiresAdvancedQuery(*r));
  UserView never;
  EXPECT_FALSE(Matches(*r, never));  // never signed in: not "before" anything
  UserView early;
  early.lastSignIn = r->at - 1;
  EXPECT_TRUE(Matches(*r, early));
  UserView late;
  late.lastSignIn = r->at + 1;
  EXPECT_FALSE(Matches(*r, late));
  auto both = ParseFilter(
      "signInActivity/lastSignInDateTime ge 2026-01-01T00:00:00Z and "
      "accountEnabled eq true");
  ASSERT_TRUE(both.ok()) << both.error().message;
  EXPECT_TRUE(Matches(*both, late));
}

TEST(FilterSignInActivity, RefusesWhatItCannotRead) {
  for (const char* bad :
       {"signInActivity/lastSignInDateTime le '2026-01-31'",
        "signInActivity/lastSignInDateTime ne 2026-01-31T00:00:00Z",
        "signInActivity/lastSignInDateTime le 2026-13-31T00:00:00Z",
        "signInActivity/lastSignInDateTime le 2026-01-31Tx", "signInActivity/lastSignInDateTime le",
        "signInActivity/lastSignInRequestId eq 'x'", "signInActivity le 1"}) {
    auto r = ParseFilter(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::kInvalid) << bad;
  }
}

}  // namespace
}  // namespace ld::http::odata
