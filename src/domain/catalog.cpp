#include "domain/catalog.h"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <set>
#include <unordered_map>
#include <utility>

#include <nlohmann/json.hpp>

namespace ld {

using json = nlohmann::json;

std::string_view ToString(BillingCycle c) {
  return c == BillingCycle::kMonthly ? "monthly" : "annual";
}

std::optional<BillingCycle> ParseBillingCycle(std::string_view s) {
  if (s == "monthly") return BillingCycle::kMonthly;
  if (s == "annual") return BillingCycle::kAnnual;
  return std::nullopt;
}

std::string_view ToString(Cloud c) {
  switch (c) {
    case Cloud::kWorldwide:
      return "worldwide";
    case Cloud::kGermany:
      return "germany";
    case Cloud::kChina:
      return "china";
  }
  return "worldwide";  // unreachable: every enumerator is handled above
}

std::optional<Cloud> ParseCloud(std::string_view s) {
  if (s == "worldwide") return Cloud::kWorldwide;
  if (s == "germany") return Cloud::kGermany;
  if (s == "china") return Cloud::kChina;
  return std::nullopt;
}

std::string_view DefaultLocale(Cloud c) {
  switch (c) {
    case Cloud::kWorldwide:
      return "en-US";
    case Cloud::kGermany:
      return "de-DE";
    case Cloud::kChina:
      return "zh-CN";
  }
  return "en-US";  // unreachable
}

bool Sku::OfferedIn(Cloud c) const {
  return std::find(clouds.begin(), clouds.end(), c) != clouds.end();
}

bool Sku::ConflictsWith(const Guid& other) const {
  return std::find(conflictsWith.begin(), conflictsWith.end(), other) != conflictsWith.end();
}

bool Sku::SoldIn(std::string_view country) const {
  return usageLocations.empty() ||
         std::find(usageLocations.begin(), usageLocations.end(), country) != usageLocations.end();
}

std::optional<int64_t> Sku::UnitPrice(std::string_view currency, BillingCycle cycle) const {
  auto it = prices.find(std::string(currency));
  if (it == prices.end()) return std::nullopt;
  return it->second.For(cycle);
}

// The lookups scan linearly: a catalog holds tens of SKUs and markets.
const Sku* Catalog::FindSku(const Guid& id) const {
  for (const Sku& s : skus_)
    if (s.id == id) return &s;
  return nullptr;
}

const Market* Catalog::FindMarket(std::string_view country) const {
  for (const Market& m : markets_)
    if (m.country == country) return &m;
  return nullptr;
}

std::vector<const Sku*> Catalog::OffersFor(Cloud cloud) const {
  std::vector<const Sku*> out;
  for (const Sku& s : skus_)
    if (s.OfferedIn(cloud)) out.push_back(&s);
  return out;
}

std::vector<const Market*> Catalog::MarketsFor(Cloud cloud) const {
  std::vector<const Market*> out;
  for (const Market& m : markets_)
    if (std::find(m.clouds.begin(), m.clouds.end(), cloud) != m.clouds.end()) out.push_back(&m);
  return out;
}

namespace {

constexpr std::string_view kRootPath = "(root)";
constexpr int kMaxDepth = 64;
// Keeps quantity * unit price far from int64 overflow for any sane price.
constexpr int64_t kMaxQuantityLimit = 10'000'000;
// The locales a SKU may carry a localized name or description for; en-US is
// the `name` and `description` fields.
constexpr std::string_view kNameLocales[] = {"zh-TW", "de-DE", "zh-CN"};

std::string ChildPath(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string p(parent);
  p += '.';
  p += key;
  return p;
}

std::string IndexPath(std::string_view parent, size_t i) {
  return std::string(parent) + "[" + std::to_string(i) + "]";
}

// 1-based line of byte `offset` in `text` (offsets past the end count as the last line).
int LineAt(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + offset, '\n'));
}

// ---------------------------------------------------------------------------
// Syntax errors with a position. nlohmann reports the byte offset only to SAX
// handlers (and not at all for some errors, such as a number overflow, through
// json::parse), so a first pass runs this do-nothing handler over the text.
class SyntaxChecker final : public nlohmann::json_sax<json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t position, const std::string&, const json::exception& ex) override {
    position_ = position;
    what_ = ex.what();
    return false;
  }

  size_t position() const { return position_; }  // chars read, so 1 past the culprit
  // The library's message without its "[json.exception...]" tag and its own
  // "at line, column" (the caller names the line).
  std::string what() const {
    std::string w = what_;
    if (size_t s = w.find("syntax error"); s != std::string::npos) return w.substr(s);
    if (!w.empty() && w[0] == '[')
      if (size_t e = w.find("] "); e != std::string::npos) return w.substr(e + 2);
    return w;
  }

 private:
  size_t position_ = 0;
  std::string what_;
};

// ---------------------------------------------------------------------------
// The position index: for each field path ("products[3].minQuantity") the
// 1-based line where its value starts. nlohmann keeps no positions, so this is
// a small scanner over the text.
//
// Precondition: `text` is syntactically valid JSON (SyntaxChecker passed), so
// the scanner only tracks structure, strings (whose escapes may hide quotes)
// and newlines. It still never reads out of bounds if that does not hold.
// It also reports what nlohmann would let pass silently: duplicate keys (the
// last one wins there) and nesting deeper than kMaxDepth.
class PositionIndex {
 public:
  struct Problem {
    std::string path;
    int line = 0;
    std::string what;
  };

  explicit PositionIndex(std::string_view text) : text_(text) {
    // nlohmann skips a UTF-8 byte order mark; so does the scanner.
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
    Value("", 0);
  }

  // The first duplicate key or over-deep nesting, if any.
  const std::optional<Problem>& problem() const { return problem_; }

  // The line of `path`, else of its nearest recorded ancestor, else 1.
  int LineOf(std::string path) const {
    while (true) {
      if (auto it = lines_.find(path); it != lines_.end()) return it->second;
      size_t cut = path.find_last_of(".[");
      if (cut == std::string::npos) break;
      path.resize(cut);
    }
    auto root = lines_.find("");
    return root != lines_.end() ? root->second : 1;
  }

 private:
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }

  void SkipSpace() {
    while (!AtEnd()) {
      char c = text_[pos_];
      if (c == '\n') {
        ++line_;
      } else if (c != ' ' && c != '\t' && c != '\r') {
        return;
      }
      ++pos_;
    }
  }

  // At an opening quote: skips the string and returns its raw token, quotes
  // included. Valid JSON strings hold no raw newline, so the line is unchanged.
  std::string_view StringToken() {
    size_t start = pos_++;
    while (!AtEnd() && text_[pos_] != '"') pos_ += text_[pos_] == '\\' ? 2 : 1;
    pos_ = std::min(pos_ + 1, text_.size());
    return text_.substr(start, pos_ - start);
  }

  // The key's decoded text, as nlohmann stores it.
  static std::string DecodeKey(std::string_view token) {
    if (token.find('\\') == std::string_view::npos)
      return std::string(token.substr(1, token.size() >= 2 ? token.size() - 2 : 0));
    json decoded = json::parse(token, nullptr, /*allow_exceptions=*/false);
    return decoded.is_string() ? decoded.get<std::string>() : std::string(token);
  }

  void Report(std::string path, std::string what) {
    if (!problem_) problem_ = Problem{path.empty() ? std::string(kRootPath) : path, line_, what};
  }

  void Value(const std::string& path, int depth) {
    SkipSpace();
    lines_.emplace(path, line_);
    switch (Peek()) {
      case '{':
        if (depth >= kMaxDepth) return Report(path, "nesting is too deep");
        return Object(path, depth + 1);
      case '[':
        if (depth >= kMaxDepth) return Report(path, "nesting is too deep");
        return Array(path, depth + 1);
      case '"':
        StringToken();
        return;
      default:  // number, true, false, null
        while (!AtEnd() &&
               std::string_view(",]} \t\r\n").find(text_[pos_]) == std::string_view::npos)
          ++pos_;
        return;
    }
  }

  void Object(const std::string& path, int depth) {
    ++pos_;  // '{'
    std::set<std::string> seen;
    while (!problem_) {
      SkipSpace();
      if (Peek() != '"') break;  // '}' of an empty object (or malformed input)
      std::string key = DecodeKey(StringToken());
      std::string child = ChildPath(path, key);
      SkipSpace();
      if (Peek() != ':') return;
      ++pos_;
      if (!seen.insert(key).second) {
        SkipSpace();
        Report(child, "duplicate key");
      }
      Value(child, depth);
      SkipSpace();
      if (Peek() != ',') break;
      ++pos_;
    }
    if (Peek() == '}') ++pos_;
  }

  void Array(const std::string& path, int depth) {
    ++pos_;  // '['
    SkipSpace();
    if (Peek() == ']') {
      ++pos_;
      return;
    }
    for (size_t i = 0; !problem_; ++i) {
      Value(IndexPath(path, i), depth);
      SkipSpace();
      if (Peek() != ',') break;
      ++pos_;
    }
    if (Peek() == ']') ++pos_;
  }

  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
  std::unordered_map<std::string, int> lines_;
  std::optional<Problem> problem_;
};

// ---------------------------------------------------------------------------
// Schema checks. Every failure is an InvalidCatalog error whose message is
// "<file>:<line>: <path>: <what>", the line coming from the position index.
class Reader {
 public:
  Reader(std::string_view file, const PositionIndex& index) : file_(file), index_(index) {}

  Error Fail(const std::string& path, std::string_view what) const {
    return FailAt(path, index_.LineOf(path), what);
  }

  Error FailAt(const std::string& path, int line, std::string_view what) const {
    std::string shown = path.empty() ? std::string(kRootPath) : path;
    std::string msg = file_ + ":" + std::to_string(line) + ": " + shown + ": " + std::string(what);
    return Error::Invalid("InvalidCatalog", std::move(msg), shown);
  }

  // `v` must be an object whose keys are all in `allowed` (typos must not pass).
  Status CheckObject(const json& v, const std::string& path,
                     std::initializer_list<std::string_view> allowed) const {
    if (!v.is_object()) return Fail(path, "must be an object" + Got(v));
    for (const auto& item : v.items()) {
      const std::string& key = item.key();
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      std::string expected;
      for (std::string_view a : allowed)
        expected += (expected.empty() ? "" : ", ") + std::string(a);
      return Fail(ChildPath(path, key), "unknown field (expected one of: " + expected + ")");
    }
    return Ok();
  }

  // The member `key` of object `obj`; an error when it is missing.
  Result<const json*> Required(const json& obj, const std::string& path,
                               std::string_view key) const {
    auto it = obj.find(key);
    if (it == obj.end()) return Fail(ChildPath(path, key), "is required");
    return &*it;
  }

  Result<std::string> NonEmptyString(const json& v, const std::string& path) const {
    if (!v.is_string() || v.get_ref<const std::string&>().empty())
      return Fail(path, "must be a non-empty string" + Got(v));
    return v.get<std::string>();
  }

  // A part or plan name: 1..64 of A-Z, 0-9 and _ (as Graph's skuPartNumber).
  Result<std::string> Identifier(const json& v, const std::string& path) const {
    static constexpr std::string_view kRule = "must be 1 to 64 characters of A-Z, 0-9 and _";
    if (!v.is_string()) return Fail(path, std::string(kRule) + Got(v));
    const auto& s = v.get_ref<const std::string&>();
    bool ok = !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
      return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (!ok) return Fail(path, std::string(kRule) + Got(v));
    return s;
  }

  // An integer in [lo, hi]. Floats (1.0, 1e3) are refused: R1 keeps money and
  // counts integral, and a float in the file is almost always a mistake.
  Result<int64_t> Integer(const json& v, const std::string& path, int64_t lo, int64_t hi,
                          std::string_view rule) const {
    bool ok = false;
    int64_t n = 0;
    if (v.is_number_unsigned()) {
      uint64_t u = v.get<uint64_t>();
      ok = u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
      n = static_cast<int64_t>(u);
    } else if (v.is_number_integer()) {
      ok = true;
      n = v.get<int64_t>();
    }
    if (!ok || n < lo || n > hi) return Fail(path, std::string(rule) + Got(v));
    return n;
  }

  Result<bool> Boolean(const json& v, const std::string& path) const {
    if (!v.is_boolean()) return Fail(path, "must be true or false" + Got(v));
    return v.get<bool>();
  }

  Result<Guid> GuidValue(const json& v, const std::string& path) const {
    std::optional<Guid> g;
    if (v.is_string()) g = Guid::Parse(v.get_ref<const std::string&>());
    if (!g) return Fail(path, "must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)" + Got(v));
    if (g->nil()) return Fail(path, "must not be the nil GUID");
    return *g;
  }

  Result<std::vector<Cloud>> Clouds(const json& v, const std::string& path) const {
    if (!v.is_array() || v.empty())
      return Fail(path, "must be a non-empty array of clouds (worldwide, germany, china)" + Got(v));
    std::vector<Cloud> out;
    for (size_t i = 0; i < v.size(); ++i) {
      std::string p = IndexPath(path, i);
      std::optional<Cloud> c;
      if (v[i].is_string()) c = ParseCloud(v[i].get_ref<const std::string&>());
      if (!c) return Fail(p, "unknown cloud (expected worldwide, germany or china)" + Got(v[i]));
      if (std::find(out.begin(), out.end(), *c) != out.end()) return Fail(p, "duplicate cloud");
      out.push_back(*c);
    }
    return out;
  }

  static bool IsAlpha2(const json& v) {
    if (!v.is_string()) return false;
    const auto& s = v.get_ref<const std::string&>();
    return s.size() == 2 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
  }

  // usageLocations: a non-empty list of distinct ISO 3166 alpha-2 codes.
  Result<std::vector<std::string>> Countries(const json& v, const std::string& path) const {
    if (!v.is_array() || v.empty())
      return Fail(path, "must be a non-empty array of ISO 3166 alpha-2 codes" + Got(v));
    std::vector<std::string> out;
    for (size_t i = 0; i < v.size(); ++i) {
      std::string p = IndexPath(path, i);
      if (!IsAlpha2(v[i]))
        return Fail(p, "must be an ISO 3166 alpha-2 code such as \"US\"" + Got(v[i]));
      std::string c = v[i].get<std::string>();
      if (std::find(out.begin(), out.end(), c) != out.end()) return Fail(p, "duplicate country");
      out.push_back(std::move(c));
    }
    return out;
  }

  Result<Market> ReadMarket(const json& v, const std::string& path) const {
    LD_TRY(CheckObject(v, path, {"country", "currency", "taxRateBp", "clouds"}));
    Market m;
    std::string p = ChildPath(path, "country");
    LD_ASSIGN_OR_RETURN(const json* country, Required(v, path, "country"));
    if (!IsAlpha2(*country))
      return Fail(p, "must be an ISO 3166 alpha-2 code such as \"US\"" + Got(*country));
    m.country = country->get<std::string>();

    p = ChildPath(path, "currency");
    LD_ASSIGN_OR_RETURN(const json* currency, Required(v, path, "currency"));
    LD_ASSIGN_OR_RETURN(m.currency, CurrencyCode(*currency, p));

    LD_ASSIGN_OR_RETURN(const json* tax, Required(v, path, "taxRateBp"));
    LD_ASSIGN_OR_RETURN(
        int64_t bp, Integer(*tax, ChildPath(path, "taxRateBp"), 0, 10000,
                            "must be an integer between 0 and 10000 (basis points: 5% is 500)"));
    m.taxRateBp = static_cast<TaxRateBp>(bp);

    LD_ASSIGN_OR_RETURN(const json* clouds, Required(v, path, "clouds"));
    LD_ASSIGN_OR_RETURN(m.clouds, Clouds(*clouds, ChildPath(path, "clouds")));
    return m;
  }

  Result<std::string> CurrencyCode(const json& v, const std::string& path) const {
    if (!v.is_string() || !FindCurrency(v.get_ref<const std::string&>()))
      return Fail(path, "must be a supported ISO 4217 currency code" + Got(v));
    return v.get<std::string>();
  }

  // One SKU, checked on its own; references to other SKUs are checked later.
  Result<Sku> ReadSku(const json& v, const std::string& path) const {
    LD_TRY(CheckObject(
        v, path,
        {"skuId", "skuPartNumber", "name", "description", "localizedNames", "localizedDescriptions",
         "appliesTo", "minQuantity", "maxQuantity", "isAddOn", "prerequisiteSkuIds",
         "conflictsWith", "clouds", "usageLocations", "servicePlans", "prices"}));
    Sku s;
    const json* f = nullptr;
    LD_ASSIGN_OR_RETURN(f, Required(v, path, "skuId"));
    LD_ASSIGN_OR_RETURN(s.id, GuidValue(*f, ChildPath(path, "skuId")));
    LD_ASSIGN_OR_RETURN(f, Required(v, path, "skuPartNumber"));
    LD_ASSIGN_OR_RETURN(s.partNumber, Identifier(*f, ChildPath(path, "skuPartNumber")));
    LD_ASSIGN_OR_RETURN(f, Required(v, path, "name"));
    LD_ASSIGN_OR_RETURN(s.name, NonEmptyString(*f, ChildPath(path, "name")));
    LD_ASSIGN_OR_RETURN(f, Required(v, path, "description"));
    LD_ASSIGN_OR_RETURN(s.description, NonEmptyString(*f, ChildPath(path, "description")));

    if (auto it = v.find("localizedNames"); it != v.end()) {
      std::string p = ChildPath(path, "localizedNames");
      LD_TRY(CheckObject(*it, p, {kNameLocales[0], kNameLocales[1], kNameLocales[2]}));
      for (const auto& [locale, name] : it->items()) {
        LD_ASSIGN_OR_RETURN(s.localizedNames[locale], NonEmptyString(name, ChildPath(p, locale)));
      }
    }
    // Descriptions are all or none: an offer card must not fall back to
    // English in one locale only.
    if (auto it = v.find("localizedDescriptions"); it != v.end()) {
      std::string p = ChildPath(path, "localizedDescriptions");
      LD_TRY(CheckObject(*it, p, {kNameLocales[0], kNameLocales[1], kNameLocales[2]}));
      for (std::string_view locale : kNameLocales) {
        auto d = it->find(locale);
        if (d == it->end())
          return Fail(ChildPath(p, locale),
                      "is required (a description for each of zh-TW, de-DE "
                      "and zh-CN; en-US is the description field)");
        LD_ASSIGN_OR_RETURN(s.localizedDescriptions[std::string(locale)],
                            NonEmptyString(*d, ChildPath(p, locale)));
      }
    }

    LD_ASSIGN_OR_RETURN(f, Required(v, path, "appliesTo"));
    LD_TRY(AppliesToUser(*f, ChildPath(path, "appliesTo")));

    LD_ASSIGN_OR_RETURN(f, Required(v, path, "minQuantity"));
    LD_ASSIGN_OR_RETURN(s.minQuantity, Integer(*f, ChildPath(path, "minQuantity"), 1,
                                               kMaxQuantityLimit, "must be an integer >= 1"));
    LD_ASSIGN_OR_RETURN(f, Required(v, path, "maxQuantity"));
    LD_ASSIGN_OR_RETURN(
        s.maxQuantity,
        Integer(*f, ChildPath(path, "maxQuantity"), s.minQuantity, kMaxQuantityLimit,
                "must be an integer >= minQuantity (" + std::to_string(s.minQuantity) +
                    ") and <= " + std::to_string(kMaxQuantityLimit)));

    LD_ASSIGN_OR_RETURN(f, Required(v, path, "isAddOn"));
    LD_ASSIGN_OR_RETURN(s.isAddOn, Boolean(*f, ChildPath(path, "isAddOn")));

    if (auto it = v.find("prerequisiteSkuIds"); it != v.end()) {
      std::string p = ChildPath(path, "prerequisiteSkuIds");
      if (!it->is_array()) return Fail(p, "must be an array of skuIds" + Got(*it));
      for (size_t i = 0; i < it->size(); ++i) {
        LD_ASSIGN_OR_RETURN(Guid g, GuidValue((*it)[i], IndexPath(p, i)));
        if (std::find(s.prerequisiteSkuIds.begin(), s.prerequisiteSkuIds.end(), g) !=
            s.prerequisiteSkuIds.end())
          return Fail(IndexPath(p, i), "duplicate prerequisite");
        s.prerequisiteSkuIds.push_back(g);
      }
    }
    // An add-on is bought on top of a base plan and a base plan needs none.
    if (s.isAddOn && s.prerequisiteSkuIds.empty())
      return Fail(ChildPath(path, "prerequisiteSkuIds"),
                  "an add-on (isAddOn true) needs at least one prerequisite SKU");
    if (!s.isAddOn && !s.prerequisiteSkuIds.empty())
      return Fail(ChildPath(path, "prerequisiteSkuIds"),
                  "only add-ons (isAddOn true) may have prerequisites");

    // Conflicts: other SKUs' ids, each once; that they exist and list this
    // SKU back is checked once every SKU is read.
    if (auto it = v.find("conflictsWith"); it != v.end()) {
      std::string p = ChildPath(path, "conflictsWith");
      if (!it->is_array()) return Fail(p, "must be an array of skuIds" + Got(*it));
      for (size_t i = 0; i < it->size(); ++i) {
        LD_ASSIGN_OR_RETURN(Guid g, GuidValue((*it)[i], IndexPath(p, i)));
        if (s.ConflictsWith(g)) return Fail(IndexPath(p, i), "duplicate conflict");
        s.conflictsWith.push_back(g);
      }
    }

    LD_ASSIGN_OR_RETURN(f, Required(v, path, "clouds"));
    LD_ASSIGN_OR_RETURN(s.clouds, Clouds(*f, ChildPath(path, "clouds")));

    if (auto it = v.find("usageLocations"); it != v.end()) {
      LD_ASSIGN_OR_RETURN(s.usageLocations, Countries(*it, ChildPath(path, "usageLocations")));
    }

    LD_ASSIGN_OR_RETURN(f, Required(v, path, "servicePlans"));
    LD_ASSIGN_OR_RETURN(s.servicePlans, ServicePlans(*f, ChildPath(path, "servicePlans")));

    LD_ASSIGN_OR_RETURN(f, Required(v, path, "prices"));
    LD_ASSIGN_OR_RETURN(s.prices, Prices(*f, ChildPath(path, "prices")));
    return s;
  }

  Status AppliesToUser(const json& v, const std::string& path) const {
    // Only user licenses exist in licensedesk (Graph also knows "Company").
    if (!v.is_string() || v.get_ref<const std::string&>() != "User")
      return Fail(path, "must be \"User\"" + Got(v));
    return Ok();
  }

  Result<std::vector<ServicePlan>> ServicePlans(const json& v, const std::string& path) const {
    if (!v.is_array() || v.empty())
      return Fail(path, "must be a non-empty array of service plans" + Got(v));
    std::vector<ServicePlan> out;
    for (size_t i = 0; i < v.size(); ++i) {
      std::string p = IndexPath(path, i);
      LD_TRY(CheckObject(v[i], p, {"servicePlanId", "servicePlanName", "appliesTo"}));
      ServicePlan sp;
      const json* f = nullptr;
      LD_ASSIGN_OR_RETURN(f, Required(v[i], p, "servicePlanId"));
      LD_ASSIGN_OR_RETURN(sp.id, GuidValue(*f, ChildPath(p, "servicePlanId")));
      LD_ASSIGN_OR_RETURN(f, Required(v[i], p, "servicePlanName"));
      LD_ASSIGN_OR_RETURN(sp.name, Identifier(*f, ChildPath(p, "servicePlanName")));
      LD_ASSIGN_OR_RETURN(f, Required(v[i], p, "appliesTo"));
      LD_TRY(AppliesToUser(*f, ChildPath(p, "appliesTo")));
      sp.appliesTo = "User";
      for (size_t j = 0; j < out.size(); ++j) {
        if (out[j].id == sp.id)
          return Fail(ChildPath(p, "servicePlanId"),
                      "duplicate servicePlanId in this SKU (also " + IndexPath(path, j) + ")");
        if (out[j].name == sp.name)
          return Fail(ChildPath(p, "servicePlanName"),
                      "duplicate servicePlanName in this SKU (also " + IndexPath(path, j) + ")");
      }
      out.push_back(std::move(sp));
    }
    return out;
  }

  Result<std::map<std::string, CyclePrices>> Prices(const json& v, const std::string& path) const {
    if (!v.is_object()) return Fail(path, "must be an object of currency -> prices" + Got(v));
    std::map<std::string, CyclePrices> out;
    for (const auto& [currency, cycles] : v.items()) {
      std::string p = ChildPath(path, currency);
      if (!FindCurrency(currency))
        return Fail(p, "unknown currency (not a supported ISO 4217 code)");
      LD_TRY(CheckObject(cycles, p, {"monthly", "annual"}));
      CyclePrices cp;
      static constexpr std::string_view kRule =
          "must be a non-negative integer in minor units (cents; yen and won have none)";
      const json* f = nullptr;
      LD_ASSIGN_OR_RETURN(f, Required(cycles, p, "monthly"));
      LD_ASSIGN_OR_RETURN(cp.monthly, Integer(*f, ChildPath(p, "monthly"), 0,
                                              std::numeric_limits<int64_t>::max(), kRule));
      LD_ASSIGN_OR_RETURN(f, Required(cycles, p, "annual"));
      LD_ASSIGN_OR_RETURN(cp.annual, Integer(*f, ChildPath(p, "annual"), 0,
                                             std::numeric_limits<int64_t>::max(), kRule));
      out.emplace(currency, cp);
    }
    return out;
  }

 private:
  // " (got <value>)", shortened, so the operator sees what was found.
  static std::string Got(const json& v) {
    std::string d = v.dump();
    if (d.size() > 40) d = d.substr(0, 37) + "...";
    return " (got " + d + ")";
  }

  std::string file_;
  const PositionIndex& index_;
};

}  // namespace

// The rules, in the order they are checked (the first failure is reported):
//  1. syntax (nlohmann, strict: no comments, no trailing commas), no duplicate
//     keys, nesting at most kMaxDepth;
//  2. shape: every object has exactly its known fields (required ones present),
//     with the right types; integers are integers (1.0 is refused);
//  3. values: GUIDs (not nil), supported currencies, country codes, clouds,
//     taxRateBp 0..10000, 1 <= minQuantity <= maxQuantity <= kMaxQuantityLimit,
//     prices >= 0, part and plan names of A-Z 0-9 _, usageLocations of
//     alpha-2 codes;
//  4. uniqueness: market countries, skuIds, skuPartNumbers, clouds in a list,
//     service plan ids and names within a SKU, conflicts and usage locations
//     within a SKU;
//  5. references: prerequisites are base plans of this catalog, add-ons have
//     some and base plans none, an add-on's every cloud offers a prerequisite;
//     conflicts name other SKUs of this catalog, which name this one back;
//     a service plan id has one name across the catalog and vice versa;
//  6. coverage: a SKU has prices in the currency of every market of every cloud
//     it is offered in.
Result<Catalog> Catalog::Parse(std::string_view json_text, std::string_view file_name) {
  std::string file(file_name);

  SyntaxChecker syntax;
  if (!json::sax_parse(json_text, &syntax)) {
    int line = LineAt(json_text, syntax.position() > 0 ? syntax.position() - 1 : 0);
    return Error::Invalid("InvalidCatalog",
                          file + ":" + std::to_string(line) + ": " + syntax.what());
  }
  PositionIndex index(json_text);
  Reader r(file, index);
  if (const auto& p = index.problem()) return r.FailAt(p->path, p->line, p->what);

  json root = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return r.FailAt("", 1, "not valid JSON");  // SyntaxChecker passed

  Catalog cat;
  const std::string top;
  LD_TRY(r.CheckObject(root, top, {"version", "markets", "products"}));
  const json* f = nullptr;
  LD_ASSIGN_OR_RETURN(f, r.Required(root, top, "version"));
  LD_ASSIGN_OR_RETURN(cat.version_, r.NonEmptyString(*f, "version"));

  // Markets: one per country; the country's cloud(s), currency and tax.
  LD_ASSIGN_OR_RETURN(f, r.Required(root, top, "markets"));
  if (!f->is_array() || f->empty()) return r.Fail("markets", "must be a non-empty array");
  for (size_t i = 0; i < f->size(); ++i) {
    std::string p = IndexPath("markets", i);
    LD_ASSIGN_OR_RETURN(Market m, r.ReadMarket((*f)[i], p));
    if (const Market* twin = cat.FindMarket(m.country))
      return r.Fail(ChildPath(p, "country"), "duplicate country (also markets[" +
                                                 std::to_string(twin - cat.markets_.data()) + "])");
    cat.markets_.push_back(std::move(m));
  }

  // SKUs, each on its own first.
  LD_ASSIGN_OR_RETURN(f, r.Required(root, top, "products"));
  if (!f->is_array() || f->empty()) return r.Fail("products", "must be a non-empty array");
  for (size_t i = 0; i < f->size(); ++i) {
    std::string p = IndexPath("products", i);
    LD_ASSIGN_OR_RETURN(Sku s, r.ReadSku((*f)[i], p));
    for (size_t j = 0; j < cat.skus_.size(); ++j) {
      if (cat.skus_[j].id == s.id)
        return r.Fail(ChildPath(p, "skuId"),
                      "duplicate skuId (also products[" + std::to_string(j) + "])");
      if (cat.skus_[j].partNumber == s.partNumber)
        return r.Fail(ChildPath(p, "skuPartNumber"),
                      "duplicate skuPartNumber (also products[" + std::to_string(j) + "])");
    }
    cat.skus_.push_back(std::move(s));
  }

  // Cross-references between SKUs and markets.
  std::map<Guid, std::string> plan_names;  // a service plan id means one plan everywhere
  std::map<std::string, Guid> plan_ids;
  for (size_t i = 0; i < cat.skus_.size(); ++i) {
    const Sku& s = cat.skus_[i];
    std::string p = IndexPath("products", i);

    // Prerequisites are base plans of this catalog; in every cloud the add-on
    // is offered, at least one of them is offered too (else it can't be bought).
    for (size_t k = 0; k < s.prerequisiteSkuIds.size(); ++k) {
      std::string pp = IndexPath(ChildPath(p, "prerequisiteSkuIds"), k);
      const Sku* base = cat.FindSku(s.prerequisiteSkuIds[k]);
      if (base == nullptr) return r.Fail(pp, "no SKU in this catalog has this skuId");
      if (base->isAddOn)
        return r.Fail(
            pp, "refers to the add-on " + base->partNumber + "; prerequisites must be base plans");
    }
    // Conflicts name SKUs of this catalog that name this one back: a user
    // refused B for holding A must also be refused A for holding B.
    for (size_t k = 0; k < s.conflictsWith.size(); ++k) {
      std::string cp = IndexPath(ChildPath(p, "conflictsWith"), k);
      if (s.conflictsWith[k] == s.id) return r.Fail(cp, "a SKU cannot conflict with itself");
      const Sku* other = cat.FindSku(s.conflictsWith[k]);
      if (other == nullptr) return r.Fail(cp, "no SKU in this catalog has this skuId");
      if (!other->ConflictsWith(s.id))
        return r.Fail(cp, "conflicts with " + other->partNumber +
                              ", whose conflictsWith does not "
                              "list " +
                              s.partNumber + " (conflicts go both ways)");
    }
    for (Cloud c : s.clouds) {
      if (!s.isAddOn) break;
      bool buyable = std::any_of(s.prerequisiteSkuIds.begin(), s.prerequisiteSkuIds.end(),
                                 [&](const Guid& g) { return cat.FindSku(g)->OfferedIn(c); });
      if (!buyable)
        return r.Fail(ChildPath(p, "clouds"), "offered in " + std::string(ToString(c)) +
                                                  " where none of its prerequisites is offered");
    }

    // Every market of every cloud the SKU is offered in can be charged.
    for (Cloud c : s.clouds) {
      for (const Market* m : cat.MarketsFor(c)) {
        if (s.prices.count(m->currency) == 0)
          return r.Fail(ChildPath(ChildPath(p, "prices"), m->currency),
                        "missing: market " + m->country + " of cloud " + std::string(ToString(c)) +
                            " pays in " + m->currency);
      }
    }

    for (size_t k = 0; k < s.servicePlans.size(); ++k) {
      const ServicePlan& sp = s.servicePlans[k];
      std::string sp_path = IndexPath(ChildPath(p, "servicePlans"), k);
      auto [name_it, new_id] = plan_names.emplace(sp.id, sp.name);
      if (!new_id && name_it->second != sp.name)
        return r.Fail(
            ChildPath(sp_path, "servicePlanName"),
            "servicePlanId " + sp.id.str() + " is named " + name_it->second + " in another SKU");
      auto [id_it, new_name] = plan_ids.emplace(sp.name, sp.id);
      if (!new_name && id_it->second != sp.id)
        return r.Fail(ChildPath(sp_path, "servicePlanId"),
                      sp.name + " has servicePlanId " + id_it->second.str() + " in another SKU");
    }
  }
  return cat;
}

}  // namespace ld
