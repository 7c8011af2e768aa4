// Expected failures as values. An Error carries a named code that the HTTP
// layer maps to a status and the JSON envelope in exactly one place
// (http/errors.cpp); nothing below http knows about status codes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include <nlohmann/json.hpp>

namespace ld {

enum class ErrorKind {
  kInvalid,        // bad input: 400
  kUnauthorized,   // no or bad credentials: 401
  kPaymentFailed,  // payment declined: 402
  kForbidden,      // authenticated but not allowed: 403
  kNotFound,       // unknown or foreign id: 404
  kConflict,       // final state conflict (cart already ordered, UPN taken): 409
  kConcurrent,     // lost a race or a twin is in flight; the same request may succeed: 409
  kUnprocessable,  // well-formed but semantically refused (idempotency key reuse): 422
  kTooMany,        // throttled: 429
  kUnavailable,    // dependency down: 503
  kInternal,       // a bug or an unexpected storage failure: 500
};

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string code;                  // program-facing, e.g. "QuantityOutOfRange"
  std::string message;               // human-facing, names the cause
  std::string target;                // the offending field, when there is one
  nlohmann::json details = nullptr;  // extra structured data (e.g. the failed order)

  static Error Invalid(std::string code, std::string message, std::string target = {}) {
    return {ErrorKind::kInvalid, std::move(code), std::move(message), std::move(target), nullptr};
  }
  static Error NotFound(std::string what) {
    return {ErrorKind::kNotFound, "NotFound", what + " was not found.", {}, nullptr};
  }
  static Error Forbidden(std::string message) {
    return {ErrorKind::kForbidden, "Forbidden", std::move(message), {}, nullptr};
  }
  static Error Conflict(std::string code, std::string message) {
    return {ErrorKind::kConflict, std::move(code), std::move(message), {}, nullptr};
  }
  // A concurrent change or a twin request in flight: a client may send the
  // same request again (after Retry-After) and it may then succeed.
  static Error Concurrent(std::string code, std::string message) {
    return {ErrorKind::kConcurrent, std::move(code), std::move(message), {}, nullptr};
  }
  // Throttled: the client may send the request again after `retry_after_ms`
  // (rounded up to whole seconds, at least one).
  static Error TooMany(std::string code, std::string message, int64_t retry_after_ms) {
    int64_t seconds = retry_after_ms < 1000 ? 1 : (retry_after_ms + 999) / 1000;
    return {ErrorKind::kTooMany,
            std::move(code),
            std::move(message),
            {},
            nlohmann::json{{"retryAfterSeconds", seconds}}};
  }
  static Error Internal(std::string message) {
    return {ErrorKind::kInternal, "InternalError", std::move(message), {}, nullptr};
  }
  static Error Unavailable(std::string message) {
    return {ErrorKind::kUnavailable, "ServiceUnavailable", std::move(message), {}, nullptr};
  }
};

// Whether a client may send the same request again and expect it to succeed
// without changing anything: a lost race, throttling, a dependency down.
// Every other kind is final for that request (fix the input or the state).
constexpr bool MayRetry(ErrorKind kind) {
  return kind == ErrorKind::kConcurrent || kind == ErrorKind::kTooMany ||
         kind == ErrorKind::kUnavailable;
}

// Result<T>: a value or an Error. Result<void> is Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const Error& error() const { return std::get<1>(v_); }
  Error& error() { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : e_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return !e_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *e_; }
  Error& error() { return *e_; }

 private:
  std::optional<Error> e_;
};

using Status = Result<void>;

inline Status Ok() {
  return {};
}

}  // namespace ld

// Propagates an error from an expression yielding Result/Status.
#define LD_CONCAT_INNER(a, b) a##b
#define LD_CONCAT(a, b) LD_CONCAT_INNER(a, b)
#define LD_TRY(expr)                               \
  do {                                             \
    auto&& ld_try_r_ = (expr);                     \
    if (!ld_try_r_.ok()) return ld_try_r_.error(); \
  } while (0)
#define LD_ASSIGN_OR_RETURN(lhs, expr) \
  LD_ASSIGN_OR_RETURN_IMPL(LD_CONCAT(ld_r_, __LINE__), lhs, expr)
#define LD_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.error();             \
  lhs = std::move(tmp).value()
