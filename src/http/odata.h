// OData system query options for the Graph subset of GET /v1.0/users:
// $filter (parsed to a small public AST and evaluated in memory), $select,
// $top, $count and $skiptoken. Pure parsing: no I/O, no other http/ headers.
//
// Errors are ld::Error values of kind kInvalid (HTTP 400) whose `target` is the
// query option ("$filter", "$top", ...) and whose code follows Graph:
//   - "BadRequest": the text is malformed (syntax, bad literal, out of range,
//     too long, too deep, invalid UTF-8);
//   - "Request_UnsupportedQuery": well-formed OData outside the supported subset
//     (unknown property, operator, function or query option), and, as Graph
//     answers it, a $top outside its bounds.
// $filter errors name the 0-based byte offset in the message ("at position 17")
// and carry it as details {"position": 17}.
//
// Thread-safety: every function here is pure and reentrant.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/guid.h"
#include "domain/result.h"

namespace ld::http::odata {

// Limits that keep hostile input cheap (R14).
constexpr size_t kMaxFilterBytes = 4096;  // longer $filter text is refused
constexpr int kMaxFilterDepth = 16;       // nesting of '(' groups and 'not'
constexpr size_t kMaxSkipTokenBytes = 2048;

// The user properties a $filter may name. Names match case-insensitively.
enum class Property {
  kUserPrincipalName,  // Edm.String
  kDisplayName,        // Edm.String
  kMail,               // Edm.String
  kUsageLocation,      // Edm.String
  kAccountEnabled,     // Edm.Boolean
};
// The canonical (Graph) spelling: "userPrincipalName", ...
std::string_view PropertyName(Property p);

enum class CompareOp { kEq, kNe };
// signInActivity/lastSignInDateTime comparisons (Graph supports le and ge;
// lt, gt and eq are accepted too).
enum class RangeOp { kLe, kGe, kLt, kGt, kEq };

// A $filter expression tree. One struct for every node; `kind` says which
// fields are meaningful (the others keep their defaults):
//
//   kind            meaning                                   fields
//   kCompare        property eq|ne literal                    property, op, text | flag
//                     (text for Edm.String properties, flag for accountEnabled)
//   kStartsWith     startswith(property,'prefix')             property, text
//                     (userPrincipalName, displayName, mail only)
//   kHasLicense     assignedLicenses/any(x:x/skuId eq <guid>) sku
//   kLicenseCount   assignedLicenses/$count eq|ne n           op, count
//   kLastSignIn     signInActivity/lastSignInDateTime         range, at
//                     le|ge|lt|gt|eq <RFC 3339 date-time>
//   kAnd, kOr       all / any of children (n-ary, >= 2)       children
//   kNot            negation of children[0]                   children (exactly 1)
//
// The parser flattens chains ("a and b and c" is one kAnd with three
// children; "(a and b) and c" too), so the tree is never deeper than the
// input's nesting (<= kMaxFilterDepth + 2 levels).
//
// Matching semantics (shared by Matches() and any SQL translation): string
// equality and startswith compare ASCII letters case-insensitively and every
// other byte exactly (like SQLite's NOCASE); an empty prefix matches all.
struct FilterExpr {
  enum class Kind {
    kCompare,
    kStartsWith,
    kHasLicense,
    kLicenseCount,
    kAnd,
    kOr,
    kNot,
    kLastSignIn
  };

  Kind kind = Kind::kCompare;
  Property property = Property::kUserPrincipalName;
  CompareOp op = CompareOp::kEq;
  std::string text;  // the unescaped string literal (UTF-8)
  bool flag = false;
  ld::Guid sku;
  int64_t count = 0;  // 0 <= count <= kMaxLicenseCount
  RangeOp range = RangeOp::kLe;
  int64_t at = 0;  // kLastSignIn: ms since the epoch
  std::vector<FilterExpr> children;

  static constexpr int64_t kMaxLicenseCount = 1'000'000;

  bool operator==(const FilterExpr&) const = default;
};

// Parses a $filter value (already URL-decoded). Keywords, function names and
// property names are case-insensitive; string literals use single quotes with
// '' for a quote; GUIDs may be bare or quoted. Grammar (loosest first):
//   or-expr   := and-expr { "or" and-expr }
//   and-expr  := unary { "and" unary }
//   unary     := "not" unary | primary
//   primary   := "(" or-expr ")" | startswith(...) | assignedLicenses/... |
//                property ("eq"|"ne") literal
// `not` applies to the whole comparison that follows it ("not a eq 'x'" is
// "not (a eq 'x')"). Never recurses deeper than kMaxFilterDepth.
ld::Result<FilterExpr> ParseFilter(std::string_view text);

// The canonical text of an expression; ParseFilter(ToString(e)) == e.
std::string ToString(const FilterExpr& e);

// True when the expression needs Graph's advanced query capabilities
// (ConsistencyLevel: eventual with $count=true): assignedLicenses/$count,
// ne, or not.
bool RequiresAdvancedQuery(const FilterExpr& e);

// What Matches() sees of a user.
struct UserView {
  std::string userPrincipalName;
  std::string displayName;
  std::string mail;
  bool accountEnabled = true;
  std::string usageLocation;
  std::vector<std::string> skuIds;    // GUID text, any case; unparsable entries never match
  std::optional<int64_t> lastSignIn;  // ms; never signed in: no kLastSignIn matches
};

// Evaluates a parsed expression against one user.
// Precondition: `e` is well-formed as described above (ParseFilter's output is).
bool Matches(const FilterExpr& e, const UserView& user);

// $select: comma-separated property names, each one of `allowed`
// (case-insensitive). Returns the names in `allowed`'s spelling, in request
// order, without duplicates. Whitespace around names is ignored.
ld::Result<std::vector<std::string>> ParseSelect(std::string_view text,
                                                 std::span<const std::string_view> allowed);

// $top bounds: a missing $top means `fallback`.
struct TopBounds {
  int64_t min = 1;
  int64_t max = 999;
  int64_t fallback = 100;
};
// Parses $top: decimal digits only, within [bounds.min, bounds.max].
ld::Result<int64_t> ParseTop(std::optional<std::string_view> text, TopBounds bounds = {});

// Parses $count: "true" or "false" (case-insensitive); missing means false.
ld::Result<bool> ParseCount(std::optional<std::string_view> text);

// Passes $skiptoken through: opaque to this layer, but non-empty and at most
// kMaxSkipTokenBytes.
ld::Result<std::string> ParseSkipToken(std::string_view text);

// Every option of a GET /v1.0/users request, parsed together.
struct UsersQuery {
  std::optional<FilterExpr> filter;
  std::vector<std::string> select;  // empty: the default property set
  int64_t top = 100;
  bool count = false;
  std::optional<std::string> skipToken;
};
struct UsersQueryRules {
  std::span<const std::string_view> selectable;  // the properties $select may name
  TopBounds top;
};
// Parses the query options from URL-decoded parameters (HttpRequest's
// params is this multimap). Parameters without a leading '$' are ignored;
// a repeated option, or a system option other than $filter, $select, $top,
// $count and $skiptoken (e.g. $orderby, $expand, $search), is an error.
// Option names are case-insensitive.
ld::Result<UsersQuery> ParseUsersQuery(const std::multimap<std::string, std::string>& params,
                                       const UsersQueryRules& rules);

}  // namespace ld::http::odata
