#include "http/json_io.h"

#include <fmt/format.h>

#include <limits>

namespace ld::http {

bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n = 0;
    uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;  // continuation byte, overlong lead (C0, C1) or > F4
    }
    if (end - p <= n) return false;
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return false;
    if (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) return false;
    p += n + 1;
  }
  return true;
}

namespace {

Error Bad(std::string code, std::string message, std::string target = {}) {
  return Error::Invalid(std::move(code), std::move(message), std::move(target));
}

// One pass over the raw text: nesting depth and string lengths, outside and
// inside strings, without building anything (R14: hostile input stays cheap).
Status PreScan(std::string_view body) {
  int depth = 0;
  bool in_string = false;
  bool escape = false;
  size_t string_start = 0;
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (in_string) {
      if (escape) {
        escape = false;
      } else if (c == '\\') {
        escape = true;
      } else if (c == '"') {
        in_string = false;
        if (i - string_start - 1 > kMaxJsonString)
          return Bad("StringTooLong",
                     fmt::format("A string in the body is longer than {} bytes.", kMaxJsonString));
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      string_start = i;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth)
        return Bad(
            "JsonTooDeep",
            fmt::format("The body nests objects or arrays deeper than {} levels.", kMaxJsonDepth));
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  if (in_string && body.size() - string_start - 1 > kMaxJsonString)
    return Bad("StringTooLong",
               fmt::format("A string in the body is longer than {} bytes.", kMaxJsonString));
  return Ok();
}

}  // namespace

Result<Json> ParseJsonBody(std::string_view body) {
  size_t first = body.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return Bad("EmptyBody", "The request needs a JSON body.");
  if (!IsValidUtf8(body)) return Bad("InvalidUtf8", "The body is not valid UTF-8.");
  LD_TRY(PreScan(body));
  try {
    Json j = Json::parse(body.begin(), body.end());
    return j;
  } catch (const Json::parse_error& e) {
    std::string what = e.what();
    // nlohmann: "[json.exception.parse_error.101] parse error at line 1, column 2: ..."
    auto colon = what.find("parse error");
    std::string detail = colon == std::string::npos ? what : what.substr(colon);
    Error err = Bad("InvalidJson", "The body is not valid JSON: " + detail);
    err.details = Json{{"position", e.byte}};
    return err;
  } catch (const Json::exception& e) {
    // Not every refusal is a parse_error: a number beyond a double (1e400)
    // is out_of_range.406 (found writing json_body_fuzz; it escaped as a 500).
    std::string what = e.what();
    auto bracket = what.find("] ");
    return Bad("InvalidJson", "The body is not valid JSON: " +
                                  (bracket == std::string::npos ? what : what.substr(bracket + 2)));
  }
}

std::string Dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string_view JsonTypeName(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "an integer";
    case Json::value_t::number_float:
      return "a non-integer number";
    default:
      return "an unsupported value";
  }
}

Error InvalidType(const std::string& target, std::string_view expected, const Json& got) {
  return Bad("InvalidType",
             fmt::format("{} must be {}, not {}.", target, expected, JsonTypeName(got)), target);
}

Error MissingField(const std::string& target) {
  return Bad("MissingField", fmt::format("{} is required.", target), target);
}

Error InvalidGuid(const std::string& target) {
  return Bad("InvalidGuid",
             fmt::format("{} must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).", target),
             target);
}

Result<Guid> GuidValue(const Json& v, const std::string& target) {
  if (!v.is_string()) return InvalidType(target, "a GUID string", v);
  auto g = Guid::Parse(v.get_ref<const std::string&>());
  if (!g) return InvalidGuid(target);
  return *g;
}

Result<std::string> StringValue(const Json& v, const std::string& target) {
  if (!v.is_string()) return InvalidType(target, "a string", v);
  return v.get<std::string>();
}

Result<Fields> Fields::Of(const Json& j, std::string prefix) {
  if (!j.is_object()) {
    std::string target = prefix.empty() ? "body" : prefix.substr(0, prefix.size() - 1);
    return InvalidType(target, "an object", j);
  }
  return Fields(&j, std::move(prefix));
}

Status Fields::OnlyKnown(std::initializer_list<std::string_view> allowed, bool odata) const {
  for (auto it = j_->begin(); it != j_->end(); ++it) {
    const std::string& k = it.key();
    if (odata && k.rfind("@odata.", 0) == 0) continue;
    bool known = false;
    for (auto a : allowed) known = known || a == k;
    if (!known) {
      std::string shown = k.size() > 64 ? k.substr(0, 64) + "..." : k;
      return Bad("UnknownField", fmt::format("Unknown field '{}{}'.", prefix_, shown),
                 Target(shown));
    }
  }
  return Ok();
}

const Json* Fields::Get(std::string_view key) const {
  auto it = j_->find(key);
  return it == j_->end() ? nullptr : &*it;
}

bool Fields::Has(std::string_view key) const {
  return Get(key) != nullptr;
}
bool Fields::IsNull(std::string_view key) const {
  const Json* v = Get(key);
  return v != nullptr && v->is_null();
}

Result<std::string> Fields::String(std::string_view key) const {
  const Json* v = Get(key);
  if (v == nullptr || v->is_null()) return MissingField(Target(key));
  return StringValue(*v, Target(key));
}

Result<std::optional<std::string>> Fields::OptString(std::string_view key) const {
  const Json* v = Get(key);
  if (v == nullptr) return std::optional<std::string>{};
  if (!v->is_string()) return InvalidType(Target(key), "a string", *v);
  return std::optional<std::string>{v->get<std::string>()};
}

Result<std::optional<std::optional<std::string>>> Fields::NullableString(
    std::string_view key) const {
  using R = std::optional<std::optional<std::string>>;
  const Json* v = Get(key);
  if (v == nullptr) return R{};
  if (v->is_null()) return R{std::optional<std::string>{}};
  if (!v->is_string()) return InvalidType(Target(key), "a string or null", *v);
  return R{std::optional<std::string>{v->get<std::string>()}};
}

Result<bool> Fields::Bool(std::string_view key) const {
  const Json* v = Get(key);
  if (v == nullptr || v->is_null()) return MissingField(Target(key));
  if (!v->is_boolean()) return InvalidType(Target(key), "true or false", *v);
  return v->get<bool>();
}

Result<std::optional<bool>> Fields::OptBool(std::string_view key) const {
  const Json* v = Get(key);
  if (v == nullptr) return std::optional<bool>{};
  if (!v->is_boolean()) return InvalidType(Target(key), "true or false", *v);
  return std::optional<bool>{v->get<bool>()};
}

namespace {
Result<int64_t> IntValue(const Json& v, const std::string& target, int64_t min, int64_t max) {
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(max))
      return Bad("NumberOutOfRange",
                 fmt::format("{} must be an integer from {} to {}.", target, min, max), target);
    return static_cast<int64_t>(u);
  }
  if (v.is_number_integer()) {
    int64_t i = v.get<int64_t>();
    if (i < min || i > max)
      return Bad("NumberOutOfRange",
                 fmt::format("{} must be an integer from {} to {}.", target, min, max), target);
    return i;
  }
  return InvalidType(target, "an integer", v);
}
}  // namespace

Result<int64_t> Fields::Int(std::string_view key, int64_t min, int64_t max) const {
  const Json* v = Get(key);
  if (v == nullptr || v->is_null()) return MissingField(Target(key));
  return IntValue(*v, Target(key), min, max);
}

Result<std::optional<int64_t>> Fields::OptInt(std::string_view key, int64_t min,
                                              int64_t max) const {
  const Json* v = Get(key);
  if (v == nullptr) return std::optional<int64_t>{};
  LD_ASSIGN_OR_RETURN(int64_t i, IntValue(*v, Target(key), min, max));
  return std::optional<int64_t>{i};
}

Result<Guid> Fields::GuidField(std::string_view key) const {
  const Json* v = Get(key);
  if (v == nullptr || v->is_null()) return MissingField(Target(key));
  return GuidValue(*v, Target(key));
}

namespace {
Result<std::vector<const Json*>> Items(const Json& v, const std::string& target, size_t max_items) {
  if (!v.is_array()) return InvalidType(target, "an array", v);
  if (v.size() > max_items)
    return Bad("TooManyItems", fmt::format("{} may hold at most {} items.", target, max_items),
               target);
  std::vector<const Json*> out;
  out.reserve(v.size());
  for (const auto& e : v) out.push_back(&e);
  return out;
}
}  // namespace

Result<std::optional<std::vector<const Json*>>> Fields::OptArray(std::string_view key,
                                                                 size_t max_items) const {
  using R = std::optional<std::vector<const Json*>>;
  const Json* v = Get(key);
  if (v == nullptr) return R{};
  auto items = Items(*v, Target(key), max_items);
  if (!items.ok()) return items.error();
  return R{std::move(items).value()};
}

Result<std::vector<const Json*>> Fields::Array(std::string_view key, size_t max_items) const {
  const Json* v = Get(key);
  if (v == nullptr || v->is_null()) return MissingField(Target(key));
  return Items(*v, Target(key), max_items);
}

Result<Fields> Fields::Object(std::string_view key) const {
  const Json* v = Get(key);
  if (v == nullptr || v->is_null()) return MissingField(Target(key));
  if (!v->is_object()) return InvalidType(Target(key), "an object", *v);
  return Fields(v, Target(key) + ".");
}

Result<std::optional<Fields>> Fields::OptObject(std::string_view key) const {
  const Json* v = Get(key);
  if (v == nullptr) return std::optional<Fields>{};
  if (!v->is_object()) return InvalidType(Target(key), "an object", *v);
  return std::optional<Fields>{Fields(v, Target(key) + ".")};
}

}  // namespace ld::http
