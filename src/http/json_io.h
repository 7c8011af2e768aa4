// Strict JSON request parsing (R14). A request body is checked before it is
// parsed (valid UTF-8, nesting depth, string length), then read field by field
// with readers that refuse wrong types, missing required fields, unknown
// fields and non-integer or absurd numbers, naming the offending field in the
// error's `target` ("lineItems[0].quantity").
//
// Every error here is ld::Error of kind kInvalid (HTTP 400). Pure functions,
// thread-safe.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "domain/guid.h"
#include "domain/result.h"

namespace ld::http {

using Json = nlohmann::json;

constexpr int kMaxJsonDepth = 32;              // nested arrays/objects
constexpr size_t kMaxJsonString = 64 * 1024;   // bytes per string (keys too)
constexpr size_t kMaxBodyBytes = 1024 * 1024;  // 413 beyond

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Checks and parses a request body. Codes: InvalidUtf8, JsonTooDeep,
// StringTooLong, InvalidJson (with the byte position), EmptyBody.
Result<Json> ParseJsonBody(std::string_view body);

// Renders JSON for the wire; invalid UTF-8 inside values is replaced, never thrown.
std::string Dump(const Json& j);

// Field readers over one JSON object. `prefix` is prepended to field names in
// error targets ("admin." -> "admin.password").
class Fields {
 public:
  // Fails with InvalidType when `j` is not an object.
  static Result<Fields> Of(const Json& j, std::string prefix = {});

  // Unknown fields (not in `allowed`) are refused with UnknownField. Keys that
  // start with "@odata." are annotations and always allowed when `odata` is set.
  Status OnlyKnown(std::initializer_list<std::string_view> allowed, bool odata = false) const;

  bool Has(std::string_view key) const;
  bool IsNull(std::string_view key) const;

  // Required readers fail with MissingField when absent or null.
  Result<std::string> String(std::string_view key) const;
  Result<std::optional<std::string>> OptString(std::string_view key) const;
  // Present-with-null is returned as an engaged outer optional holding nullopt.
  Result<std::optional<std::optional<std::string>>> NullableString(std::string_view key) const;
  Result<bool> Bool(std::string_view key) const;
  Result<std::optional<bool>> OptBool(std::string_view key) const;
  // Integers only (1.5, "5", 1e30 are refused); values outside [min, max] are
  // refused as absurd with NumberOutOfRange.
  Result<int64_t> Int(std::string_view key, int64_t min, int64_t max) const;
  Result<std::optional<int64_t>> OptInt(std::string_view key, int64_t min, int64_t max) const;
  Result<Guid> GuidField(std::string_view key) const;
  // An array (absent: nullopt), at most `max_items` long.
  Result<std::optional<std::vector<const Json*>>> OptArray(std::string_view key,
                                                           size_t max_items) const;
  Result<std::vector<const Json*>> Array(std::string_view key, size_t max_items) const;
  Result<Fields> Object(std::string_view key) const;
  Result<std::optional<Fields>> OptObject(std::string_view key) const;

  std::string Target(std::string_view key) const { return prefix_ + std::string(key); }
  const Json& json() const { return *j_; }

 private:
  Fields(const Json* j, std::string prefix) : j_(j), prefix_(std::move(prefix)) {}
  const Json* Get(std::string_view key) const;  // nullptr when absent
  const Json* j_;
  std::string prefix_;
};

// Readers of single values (array elements), with an explicit target.
Result<Guid> GuidValue(const Json& v, const std::string& target);
Result<std::string> StringValue(const Json& v, const std::string& target);

// Error constructors shared by the readers and the handlers.
Error InvalidType(const std::string& target, std::string_view expected, const Json& got);
Error MissingField(const std::string& target);
Error InvalidGuid(const std::string& target);
std::string_view JsonTypeName(const Json& v);

}  // namespace ld::http
