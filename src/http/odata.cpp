#include "http/odata.h"

#include "domain/time.h"

#include <algorithm>
#include <array>
#include <limits>
#include <set>
#include <utility>

namespace ld::http::odata {
namespace {

constexpr std::string_view kBadRequest = "BadRequest";
constexpr std::string_view kUnsupported = "Request_UnsupportedQuery";

char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// ASCII case-insensitive equality; other bytes compare exactly.
bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  return true;
}

bool IStartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && IEquals(s.substr(0, prefix.size()), prefix);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

// Returns the offset of the first byte that is not part of well-formed UTF-8
// (no overlongs, no surrogates, nothing above U+10FFFF), or nullopt.
std::optional<size_t> FindInvalidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      len = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      len = 3;
      if (b0 == 0xE0) lo = 0xA0;  // overlong
      if (b0 == 0xED) hi = 0x9F;  // surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      len = 4;
      if (b0 == 0xF0) lo = 0x90;  // overlong
      if (b0 == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return i;
    }
    if (i + len > s.size()) return i;
    const auto b1 = static_cast<unsigned char>(s[i + 1]);
    if (b1 < lo || b1 > hi) return i;
    for (size_t k = 2; k < len; ++k) {
      const auto bk = static_cast<unsigned char>(s[i + k]);
      if (bk < 0x80 || bk > 0xBF) return i;
    }
    i += len;
  }
  return std::nullopt;
}

// Shortens text quoted back to the caller, so a 4 KiB literal does not make
// a 4 KiB error message. Cuts at a UTF-8 character boundary.
std::string Excerpt(std::string_view s, size_t max = 40) {
  if (s.size() <= max) return std::string(s);
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + "...";
}

ld::Error OptionError(std::string_view code, std::string message, std::string_view option) {
  return ld::Error::Invalid(std::string(code), std::move(message), std::string(option));
}

ld::Error FilterError(std::string_view code, size_t pos, const std::string& what) {
  ld::Error e = OptionError(
      code, "Invalid $filter at position " + std::to_string(pos) + ": " + what, "$filter");
  e.details = {{"position", pos}};
  return e;
}

// ---------------------------------------------------------------- lexer

enum class Tok {
  kIdent,
  kString,
  kNumber,
  kGuid,
  kDateTime,
  kLParen,
  kRParen,
  kComma,
  kSlash,
  kColon,
  kEnd
};

// YYYY-MM-DDT...: an Edm.DateTimeOffset literal starts here.
bool StartsWithDateTime(std::string_view s) {
  if (s.size() < 11) return false;
  for (size_t k : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
    if (s[k] < '0' || s[k] > '9') return false;
  return s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == 't');
}

struct Token {
  Tok kind = Tok::kEnd;
  size_t pos = 0;        // byte offset in the input
  std::string_view raw;  // the token's text as written
  std::string value;     // kString: the unescaped literal
};

bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}
bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsIdentChar(char c) {
  return IsIdentStart(c) || IsDigit(c);
}
bool IsHex(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// True when s starts with 8-4-4-4-12 hex digits not followed by an identifier character.
bool StartsWithGuid(std::string_view s) {
  constexpr size_t kLen = 36;
  if (s.size() < kLen) return false;
  for (size_t i = 0; i < kLen; ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !IsHex(s[i])) return false;
  }
  return s.size() == kLen || !(IsIdentChar(s[kLen]) || s[kLen] == '-');
}

// Describes the character at `pos` for an error message (precondition: the
// input is valid UTF-8).
std::string DescribeChar(std::string_view s, size_t pos) {
  const auto c = static_cast<unsigned char>(s[pos]);
  if (c < 0x20 || c == 0x7F) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    return std::string("control character U+00") + kHex[c >> 4] + kHex[c & 0xF];
  }
  size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  return "'" + std::string(s.substr(pos, len)) + "'";
}

ld::Result<std::vector<Token>> Lex(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (true) {
    while (i < s.size() && IsSpace(s[i])) ++i;
    Token t;
    t.pos = i;
    if (i == s.size()) {
      t.kind = Tok::kEnd;
      out.push_back(std::move(t));
      return out;
    }
    const char c = s[i];
    size_t end = i + 1;
    if (StartsWithGuid(s.substr(i))) {
      t.kind = Tok::kGuid;
      end = i + 36;
    } else if (StartsWithDateTime(s.substr(i))) {
      t.kind = Tok::kDateTime;
      end = i + 10;
      while (end < s.size() &&
             (IsDigit(s[end]) || s[end] == ':' || s[end] == '.' || s[end] == 'T' || s[end] == 't' ||
              s[end] == 'Z' || s[end] == 'z' || s[end] == '+' || s[end] == '-'))
        ++end;
    } else if (IsIdentStart(c)) {
      t.kind = Tok::kIdent;
      while (end < s.size() && IsIdentChar(s[end])) ++end;
    } else if (IsDigit(c) || (c == '-' && i + 1 < s.size() && IsDigit(s[i + 1]))) {
      t.kind = Tok::kNumber;
      while (end < s.size() && IsDigit(s[end])) ++end;
      if (end < s.size() && (IsIdentChar(s[end]) || s[end] == '.'))
        return FilterError(kBadRequest, i, "malformed number; only whole numbers are supported");
    } else if (c == '\'') {
      t.kind = Tok::kString;
      // OData string literal: '' inside is one quote.
      while (true) {
        if (end == s.size()) return FilterError(kBadRequest, i, "unterminated string literal");
        if (s[end] == '\'') {
          if (end + 1 < s.size() && s[end + 1] == '\'') {
            t.value += '\'';
            end += 2;
            continue;
          }
          ++end;
          break;
        }
        t.value += s[end++];
      }
    } else {
      switch (c) {
        case '(':
          t.kind = Tok::kLParen;
          break;
        case ')':
          t.kind = Tok::kRParen;
          break;
        case ',':
          t.kind = Tok::kComma;
          break;
        case '/':
          t.kind = Tok::kSlash;
          break;
        case ':':
          t.kind = Tok::kColon;
          break;
        default:
          return FilterError(kBadRequest, i, "unexpected " + DescribeChar(s, i));
      }
    }
    t.raw = s.substr(i, end - i);
    i = end;
    out.push_back(std::move(t));
  }
}

std::string Describe(const Token& t) {
  switch (t.kind) {
    case Tok::kEnd:
      return "end of input";
    case Tok::kString:
      return "string literal '" + Excerpt(t.value) + "'";
    case Tok::kNumber:
      return "number " + Excerpt(t.raw);
    case Tok::kGuid:
      return "GUID " + std::string(t.raw);
    default:
      return "'" + Excerpt(t.raw) + "'";
  }
}

// ---------------------------------------------------------------- properties

struct PropertyInfo {
  Property property;
  std::string_view name;
  bool boolean;     // Edm.Boolean, else Edm.String
  bool startswith;  // allowed in startswith()
};

constexpr std::array<PropertyInfo, 5> kProperties{{
    {Property::kUserPrincipalName, "userPrincipalName", false, true},
    {Property::kDisplayName, "displayName", false, true},
    {Property::kMail, "mail", false, true},
    {Property::kUsageLocation, "usageLocation", false, false},
    {Property::kAccountEnabled, "accountEnabled", true, false},
}};

const PropertyInfo* FindProperty(std::string_view name) {
  for (const auto& p : kProperties)
    if (IEquals(p.name, name)) return &p;
  return nullptr;
}

const PropertyInfo& Info(Property p) {
  for (const auto& info : kProperties)
    if (info.property == p) return info;
  return kProperties[0];  // unreachable for valid enum values
}

// Operators OData defines that this subset does not support.
bool IsOtherODataOperator(std::string_view word) {
  static constexpr std::array<std::string_view, 7> kOps{"gt", "ge", "lt", "le", "has", "in", "add"};
  return std::any_of(kOps.begin(), kOps.end(),
                     [&](std::string_view op) { return IEquals(op, word); });
}

// Words that cannot start an operand: a syntax error rather than an unknown property.
bool IsReservedWord(std::string_view word) {
  static constexpr std::array<std::string_view, 7> kWords{"and",  "or",    "eq",  "ne",
                                                          "true", "false", "null"};
  return std::any_of(kWords.begin(), kWords.end(),
                     [&](std::string_view w) { return IEquals(w, word); });
}

// ---------------------------------------------------------------- parser

FilterExpr Combine(FilterExpr::Kind kind, FilterExpr a, FilterExpr b) {
  FilterExpr out;
  out.kind = kind;
  for (FilterExpr* side : {&a, &b}) {
    if (side->kind == kind) {
      for (auto& c : side->children) out.children.push_back(std::move(c));
    } else {
      out.children.push_back(std::move(*side));
    }
  }
  return out;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : toks_(std::move(tokens)) {}

  ld::Result<FilterExpr> ParseAll() {
    LD_ASSIGN_OR_RETURN(FilterExpr e, ParseOr());
    if (Peek().kind != Tok::kEnd)
      return FilterError(
          kBadRequest, Peek().pos,
          "expected 'and', 'or' or the end of the expression, found " + Describe(Peek()));
    return e;
  }

 private:
  // Counts one level of nesting for the lifetime of the guard.
  class DepthGuard {
   public:
    explicit DepthGuard(int* depth) : depth_(depth) { ++*depth_; }
    ~DepthGuard() { --*depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

   private:
    int* depth_;
  };

  const Token& Peek() const { return toks_[i_]; }
  const Token& Next() {
    const Token& t = toks_[i_];
    if (t.kind != Tok::kEnd) ++i_;
    return t;
  }
  bool PeekWord(std::string_view word) const {
    return Peek().kind == Tok::kIdent && IEquals(Peek().raw, word);
  }

  ld::Error Expected(std::string_view what) const {
    return FilterError(kBadRequest, Peek().pos,
                       "expected " + std::string(what) + ", found " + Describe(Peek()));
  }

  ld::Status Expect(Tok kind, std::string_view what) {
    if (Peek().kind != kind) return Expected(what);
    Next();
    return ld::Ok();
  }

  ld::Status Enter() {
    if (depth_ >= kMaxFilterDepth)
      return FilterError(
          kBadRequest, Peek().pos,
          "the expression is nested deeper than " + std::to_string(kMaxFilterDepth) + " levels");
    return ld::Ok();
  }

  ld::Result<FilterExpr> ParseOr() {
    LD_ASSIGN_OR_RETURN(FilterExpr left, ParseAnd());
    while (PeekWord("or")) {
      Next();
      LD_ASSIGN_OR_RETURN(FilterExpr right, ParseAnd());
      left = Combine(FilterExpr::Kind::kOr, std::move(left), std::move(right));
    }
    return left;
  }

  ld::Result<FilterExpr> ParseAnd() {
    LD_ASSIGN_OR_RETURN(FilterExpr left, ParseUnary());
    while (PeekWord("and")) {
      Next();
      LD_ASSIGN_OR_RETURN(FilterExpr right, ParseUnary());
      left = Combine(FilterExpr::Kind::kAnd, std::move(left), std::move(right));
    }
    return left;
  }

  ld::Result<FilterExpr> ParseUnary() {
    if (!PeekWord("not")) return ParsePrimary();
    LD_TRY(Enter());
    DepthGuard guard(&depth_);
    Next();
    LD_ASSIGN_OR_RETURN(FilterExpr inner, ParseUnary());
    FilterExpr e;
    e.kind = FilterExpr::Kind::kNot;
    e.children.push_back(std::move(inner));
    return e;
  }

  ld::Result<FilterExpr> ParsePrimary() {
    const Token& t = Peek();
    if (t.kind == Tok::kLParen) {
      LD_TRY(Enter());
      DepthGuard guard(&depth_);
      Next();
      LD_ASSIGN_OR_RETURN(FilterExpr inner, ParseOr());
      LD_TRY(Expect(Tok::kRParen, "'and', 'or' or ')'"));
      return inner;
    }
    if (t.kind != Tok::kIdent || IsReservedWord(t.raw))
      return Expected("a property name, a function or '('");

    if (toks_[i_ + 1].kind == Tok::kLParen) {
      if (IEquals(t.raw, "startswith")) return ParseStartsWith();
      return FilterError(kUnsupported, t.pos,
                         "the function '" + Excerpt(t.raw) +
                             "' is not supported; the supported function is startswith");
    }
    if (IEquals(t.raw, "assignedLicenses")) return ParseAssignedLicenses();
    if (IEquals(t.raw, "signInActivity")) return ParseSignInActivity();
    return ParseComparison();
  }

  // signInActivity/lastSignInDateTime (le|ge|lt|gt|eq) <date-time>
  ld::Result<FilterExpr> ParseSignInActivity() {
    Next();  // signInActivity
    LD_TRY(Expect(Tok::kSlash, "'/' after 'signInActivity'"));
    const Token& prop = Peek();
    if (prop.kind != Tok::kIdent || !IEquals(prop.raw, "lastSignInDateTime"))
      return FilterError(kUnsupported, prop.pos,
                         "filtering signInActivity by '" + Excerpt(prop.raw) +
                             "' is not supported; use lastSignInDateTime");
    Next();
    FilterExpr e;
    e.kind = FilterExpr::Kind::kLastSignIn;
    const Token& op = Peek();
    static constexpr std::pair<std::string_view, RangeOp> kOps[] = {{"le", RangeOp::kLe},
                                                                    {"ge", RangeOp::kGe},
                                                                    {"lt", RangeOp::kLt},
                                                                    {"gt", RangeOp::kGt},
                                                                    {"eq", RangeOp::kEq}};
    bool found = false;
    if (op.kind == Tok::kIdent)
      for (const auto& o : kOps)
        if (IEquals(op.raw, o.first)) {
          e.range = o.second;
          found = true;
        }
    if (!found) return Expected("'le', 'ge', 'lt', 'gt' or 'eq' after 'lastSignInDateTime'");
    Next();
    const Token& lit = Peek();
    if (lit.kind != Tok::kDateTime)
      return Expected("a date and time (2025-01-31T00:00:00Z) for 'lastSignInDateTime'");
    auto when = ld::ParseRfc3339(lit.raw);
    if (!when)
      return FilterError(kBadRequest, lit.pos,
                         "'" + Excerpt(lit.raw) + "' is not an RFC 3339 date and time");
    e.at = *when;
    Next();
    return e;
  }

  // property ("eq"|"ne") literal
  ld::Result<FilterExpr> ParseComparison() {
    const Token& name = Next();
    const PropertyInfo* info = FindProperty(name.raw);
    if (!info)
      return FilterError(kUnsupported, name.pos,
                         "the property '" + Excerpt(name.raw) +
                             "' is not supported in $filter; supported: userPrincipalName, "
                             "displayName, mail, usageLocation, accountEnabled, "
                             "assignedLicenses");
    FilterExpr e;
    e.kind = FilterExpr::Kind::kCompare;
    e.property = info->property;
    LD_ASSIGN_OR_RETURN(e.op, ParseOperator(info->name));

    const Token& lit = Peek();
    if (lit.kind == Tok::kIdent && IEquals(lit.raw, "null"))
      return FilterError(kUnsupported, lit.pos, "comparisons with null are not supported");
    if (info->boolean) {
      if (lit.kind == Tok::kIdent && (IEquals(lit.raw, "true") || IEquals(lit.raw, "false"))) {
        e.flag = IEquals(lit.raw, "true");
        Next();
        return e;
      }
      return Expected("true or false for '" + std::string(info->name) + "' (Edm.Boolean)");
    }
    if (lit.kind != Tok::kString)
      return Expected("a string literal in single quotes for '" + std::string(info->name) +
                      "' (Edm.String)");
    e.text = Next().value;
    return e;
  }

  ld::Result<CompareOp> ParseOperator(std::string_view subject) {
    const Token& op = Peek();
    if (op.kind == Tok::kIdent) {
      if (IEquals(op.raw, "eq")) {
        Next();
        return CompareOp::kEq;
      }
      if (IEquals(op.raw, "ne")) {
        Next();
        return CompareOp::kNe;
      }
      if (IsOtherODataOperator(op.raw))
        return FilterError(kUnsupported, op.pos,
                           "the operator '" + std::string(op.raw) + "' is not supported for '" +
                               std::string(subject) + "'; use eq or ne");
    }
    return Expected("'eq' or 'ne' after '" + std::string(subject) + "'");
  }

  // startswith(property,'prefix')
  ld::Result<FilterExpr> ParseStartsWith() {
    Next();  // startswith
    Next();  // (
    const Token& name = Peek();
    if (name.kind != Tok::kIdent) return Expected("a property name");
    const PropertyInfo* info = FindProperty(name.raw);
    if (!info || !info->startswith)
      return FilterError(kUnsupported, name.pos,
                         "startswith is not supported on '" + Excerpt(name.raw) +
                             "'; supported: userPrincipalName, displayName, mail");
    Next();
    LD_TRY(Expect(Tok::kComma, "','"));
    if (Peek().kind != Tok::kString) return Expected("a string literal in single quotes");
    FilterExpr e;
    e.kind = FilterExpr::Kind::kStartsWith;
    e.property = info->property;
    e.text = Next().value;
    LD_TRY(Expect(Tok::kRParen, "')'"));
    return e;
  }

  // assignedLicenses/any(x:x/skuId eq <guid>) | assignedLicenses/$count (eq|ne) n
  ld::Result<FilterExpr> ParseAssignedLicenses() {
    Next();  // assignedLicenses
    LD_TRY(Expect(Tok::kSlash, "'/' after 'assignedLicenses'"));
    const Token& member = Peek();
    if (member.kind == Tok::kIdent && IEquals(member.raw, "any")) {
      Next();
      return ParseAnySku();
    }
    if (member.kind == Tok::kIdent && IEquals(member.raw, "$count")) {
      Next();
      FilterExpr e;
      e.kind = FilterExpr::Kind::kLicenseCount;
      LD_ASSIGN_OR_RETURN(e.op, ParseOperator("assignedLicenses/$count"));
      const Token& num = Peek();
      if (num.kind != Tok::kNumber) return Expected("a whole number");
      // At most 7 digits keeps the value far from overflow.
      std::string_view digits = num.raw;
      if (digits.front() == '-' || digits.size() > 7 ||
          std::stoll(std::string(digits)) > FilterExpr::kMaxLicenseCount)
        return FilterError(kBadRequest, num.pos,
                           "the license count must be between 0 and " +
                               std::to_string(FilterExpr::kMaxLicenseCount));
      e.count = std::stoll(std::string(digits));
      Next();
      return e;
    }
    if (member.kind == Tok::kIdent && IEquals(member.raw, "all"))
      return FilterError(kUnsupported, member.pos,
                         "assignedLicenses/all is not supported; use assignedLicenses/any");
    return Expected("'any' or '$count' after 'assignedLicenses/'");
  }

  // (x:x/skuId eq <guid>) after "any"
  ld::Result<FilterExpr> ParseAnySku() {
    LD_TRY(Expect(Tok::kLParen, "'(' after 'any'"));
    const Token& var = Peek();
    if (var.kind != Tok::kIdent) return Expected("a lambda variable name");
    const std::string_view name = var.raw;
    Next();
    LD_TRY(Expect(Tok::kColon, "':' after the lambda variable"));
    const Token& ref = Peek();
    if (ref.kind != Tok::kIdent || ref.raw != name)
      return Expected("the lambda variable '" + Excerpt(name) + "'");
    Next();
    LD_TRY(Expect(Tok::kSlash, "'/' after the lambda variable"));
    const Token& prop = Peek();
    if (prop.kind != Tok::kIdent) return Expected("'skuId'");
    if (!IEquals(prop.raw, "skuId"))
      return FilterError(
          kUnsupported, prop.pos,
          "filtering assignedLicenses by '" + Excerpt(prop.raw) + "' is not supported; use skuId");
    Next();
    const Token& op = Peek();
    if (op.kind != Tok::kIdent || !IEquals(op.raw, "eq")) {
      if (op.kind == Tok::kIdent && (IEquals(op.raw, "ne") || IsOtherODataOperator(op.raw)))
        return FilterError(
            kUnsupported, op.pos,
            "the operator '" + std::string(op.raw) + "' is not supported for 'skuId'; use eq");
      return Expected("'eq' after 'skuId'");
    }
    Next();
    const Token& lit = Peek();
    std::optional<ld::Guid> guid;
    if (lit.kind == Tok::kGuid) guid = ld::Guid::Parse(lit.raw);
    if (lit.kind == Tok::kString) guid = ld::Guid::Parse(lit.value);
    if (!guid) return Expected("a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
    Next();
    LD_TRY(Expect(Tok::kRParen, "')' to close 'any('"));
    FilterExpr e;
    e.kind = FilterExpr::Kind::kHasLicense;
    e.sku = *guid;
    return e;
  }

  std::vector<Token> toks_;  // always ends with one kEnd
  size_t i_ = 0;
  int depth_ = 0;
};

// ---------------------------------------------------------------- printing

std::string Quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string_view OpName(CompareOp op) {
  return op == CompareOp::kEq ? "eq" : "ne";
}

void Print(const FilterExpr& e, std::string* out) {
  using K = FilterExpr::Kind;
  switch (e.kind) {
    case K::kCompare:
      *out += PropertyName(e.property);
      *out += ' ';
      *out += OpName(e.op);
      *out += ' ';
      *out += Info(e.property).boolean ? (e.flag ? "true" : "false") : Quote(e.text);
      return;
    case K::kStartsWith:
      *out += "startswith(";
      *out += PropertyName(e.property);
      *out += ',' + Quote(e.text) + ')';
      return;
    case K::kHasLicense:
      *out += "assignedLicenses/any(x:x/skuId eq " + e.sku.str() + ')';
      return;
    case K::kLicenseCount:
      *out += "assignedLicenses/$count ";
      *out += OpName(e.op);
      *out += ' ' + std::to_string(e.count);
      return;
    case K::kLastSignIn: {
      static constexpr std::string_view kNames[] = {"le", "ge", "lt", "gt", "eq"};
      *out += "signInActivity/lastSignInDateTime ";
      *out += kNames[static_cast<int>(e.range)];
      *out += ' ' + ld::FormatRfc3339(e.at);
      return;
    }
    case K::kAnd:
    case K::kOr:
      for (size_t i = 0; i < e.children.size(); ++i) {
        if (i > 0) *out += e.kind == K::kAnd ? " and " : " or ";
        const FilterExpr& c = e.children[i];
        // 'and' binds tighter than 'or': only an 'or' inside an 'and' needs parentheses.
        const bool parens = e.kind == K::kAnd && (c.kind == K::kOr || c.kind == K::kAnd);
        if (parens) *out += '(';
        Print(c, out);
        if (parens) *out += ')';
      }
      return;
    case K::kNot: {
      *out += "not ";
      const FilterExpr& c = e.children.at(0);
      const bool parens = c.kind == K::kAnd || c.kind == K::kOr;
      if (parens) *out += '(';
      Print(c, out);
      if (parens) *out += ')';
      return;
    }
  }
}

// The value of a string property (precondition: p is not kAccountEnabled).
const std::string& UserString(const UserView& u, Property p) {
  switch (p) {
    case Property::kUserPrincipalName:
      return u.userPrincipalName;
    case Property::kDisplayName:
      return u.displayName;
    case Property::kMail:
      return u.mail;
    case Property::kUsageLocation:
      return u.usageLocation;
    case Property::kAccountEnabled:
      break;
  }
  static const std::string kEmpty;
  return kEmpty;
}

}  // namespace

std::string_view PropertyName(Property p) {
  return Info(p).name;
}

ld::Result<FilterExpr> ParseFilter(std::string_view text) {
  if (text.size() > kMaxFilterBytes)
    return FilterError(kBadRequest, kMaxFilterBytes,
                       "the expression is " + std::to_string(text.size()) +
                           " bytes long; the limit is " + std::to_string(kMaxFilterBytes));
  if (auto bad = FindInvalidUtf8(text)) return FilterError(kBadRequest, *bad, "invalid UTF-8");
  if (std::all_of(text.begin(), text.end(), IsSpace))
    return FilterError(kBadRequest, 0, "the expression is empty");
  LD_ASSIGN_OR_RETURN(std::vector<Token> tokens, Lex(text));
  return Parser(std::move(tokens)).ParseAll();
}

std::string ToString(const FilterExpr& e) {
  std::string out;
  Print(e, &out);
  return out;
}

bool RequiresAdvancedQuery(const FilterExpr& e) {
  using K = FilterExpr::Kind;
  if (e.kind == K::kLicenseCount || e.kind == K::kNot) return true;
  if (e.kind == K::kCompare && e.op == CompareOp::kNe) return true;
  return std::any_of(e.children.begin(), e.children.end(),
                     [](const FilterExpr& c) { return RequiresAdvancedQuery(c); });
}

bool Matches(const FilterExpr& e, const UserView& u) {
  using K = FilterExpr::Kind;
  switch (e.kind) {
    case K::kCompare: {
      bool equal = e.property == Property::kAccountEnabled
                       ? u.accountEnabled == e.flag
                       : IEquals(UserString(u, e.property), e.text);
      return e.op == CompareOp::kEq ? equal : !equal;
    }
    case K::kStartsWith:
      return IStartsWith(UserString(u, e.property), e.text);
    case K::kHasLicense:
      return std::any_of(u.skuIds.begin(), u.skuIds.end(), [&](const std::string& id) {
        auto g = ld::Guid::Parse(id);
        return g && *g == e.sku;
      });
    case K::kLicenseCount: {
      bool equal = static_cast<int64_t>(u.skuIds.size()) == e.count;
      return e.op == CompareOp::kEq ? equal : !equal;
    }
    case K::kAnd:
      return std::all_of(e.children.begin(), e.children.end(),
                         [&](const FilterExpr& c) { return Matches(c, u); });
    case K::kOr:
      return std::any_of(e.children.begin(), e.children.end(),
                         [&](const FilterExpr& c) { return Matches(c, u); });
    case K::kNot:
      return !e.children.empty() && !Matches(e.children.front(), u);
    case K::kLastSignIn: {
      if (!u.lastSignIn) return false;
      const int64_t t = *u.lastSignIn;
      switch (e.range) {
        case RangeOp::kLe:
          return t <= e.at;
        case RangeOp::kGe:
          return t >= e.at;
        case RangeOp::kLt:
          return t < e.at;
        case RangeOp::kGt:
          return t > e.at;
        case RangeOp::kEq:
          return t == e.at;
      }
      return false;
    }
  }
  return false;
}

ld::Result<std::vector<std::string>> ParseSelect(std::string_view text,
                                                 std::span<const std::string_view> allowed) {
  if (text.size() > kMaxFilterBytes)
    return OptionError(kBadRequest, "The $select value is too long.", "$select");
  if (FindInvalidUtf8(text))
    return OptionError(kBadRequest, "Invalid UTF-8 in $select.", "$select");
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    std::string_view item =
        text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    while (!item.empty() && IsSpace(item.front())) item.remove_prefix(1);
    while (!item.empty() && IsSpace(item.back())) item.remove_suffix(1);
    if (item.empty())
      return OptionError(
          kBadRequest,
          "Invalid $select: empty property name at position " + std::to_string(start) + ".",
          "$select");
    auto it = std::find_if(allowed.begin(), allowed.end(),
                           [&](std::string_view a) { return IEquals(a, item); });
    if (it == allowed.end())
      return OptionError(
          kBadRequest,
          "Could not find a property named '" + Excerpt(item) + "' on type 'microsoft.graph.user'.",
          "$select");
    if (std::find(out.begin(), out.end(), *it) == out.end()) out.emplace_back(*it);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

ld::Result<int64_t> ParseTop(std::optional<std::string_view> text, TopBounds bounds) {
  if (!text) return bounds.fallback;
  const std::string_view t = *text;
  if (t.empty() || !std::all_of(t.begin(), t.end(), IsDigit))
    return OptionError(kBadRequest,
                       "Invalid value '" + Excerpt(t) +
                           "' for $top; expected a whole number between " +
                           std::to_string(bounds.min) + " and " + std::to_string(bounds.max) + ".",
                       "$top");
  // Leading zeros are harmless; more than 18 significant digits is out of range anyway.
  std::string_view digits = t.substr(std::min(t.find_first_not_of('0'), t.size()));
  const int64_t value = digits.size() > 18 ? std::numeric_limits<int64_t>::max()
                        : digits.empty()   ? 0
                                           : std::stoll(std::string(digits));
  if (value < bounds.min || value > bounds.max)
    return OptionError(kUnsupported,
                       "Invalid page size specified: '" + Excerpt(t) + "'. Must be between " +
                           std::to_string(bounds.min) + " and " + std::to_string(bounds.max) +
                           " inclusive.",
                       "$top");
  return value;
}

ld::Result<bool> ParseCount(std::optional<std::string_view> text) {
  if (!text) return false;
  if (IEquals(*text, "true")) return true;
  if (IEquals(*text, "false")) return false;
  return OptionError(kBadRequest,
                     "Invalid value '" + Excerpt(*text) + "' for $count; expected true or false.",
                     "$count");
}

ld::Result<std::string> ParseSkipToken(std::string_view text) {
  if (text.empty()) return OptionError(kBadRequest, "The $skiptoken value is empty.", "$skiptoken");
  if (text.size() > kMaxSkipTokenBytes)
    return OptionError(kBadRequest, "The $skiptoken value is too long.", "$skiptoken");
  return std::string(text);
}

ld::Result<UsersQuery> ParseUsersQuery(const std::multimap<std::string, std::string>& params,
                                       const UsersQueryRules& rules) {
  UsersQuery q;
  q.top = rules.top.fallback;
  std::set<std::string> seen;
  for (const auto& [key, value] : params) {
    if (key.empty() || key.front() != '$') continue;
    const std::string name = Lower(key);
    if (!seen.insert(name).second)
      return OptionError(
          kBadRequest, "Query option '" + Excerpt(name) + "' was specified more than once.", name);
    if (name == "$filter") {
      LD_ASSIGN_OR_RETURN(q.filter, ParseFilter(value));
    } else if (name == "$select") {
      LD_ASSIGN_OR_RETURN(q.select, ParseSelect(value, rules.selectable));
    } else if (name == "$top") {
      LD_ASSIGN_OR_RETURN(q.top, ParseTop(value, rules.top));
    } else if (name == "$count") {
      LD_ASSIGN_OR_RETURN(q.count, ParseCount(value));
    } else if (name == "$skiptoken") {
      LD_ASSIGN_OR_RETURN(q.skipToken, ParseSkipToken(value));
    } else {
      return OptionError(kUnsupported, "The query option '" + Excerpt(key) + "' is not supported.",
                         key);
    }
  }
  return q;
}

}  // namespace ld::http::odata
