#include "http/errors.h"

#include <fmt/format.h>

namespace ld::http {

Family FamilyOfPath(std::string_view path) {
  if (path == "/v1.0" || path.rfind("/v1.0/", 0) == 0) return Family::kGraph;
  return Family::kCommerce;
}

int StatusOf(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalid:
      return 400;
    case ErrorKind::kUnauthorized:
      return 401;
    case ErrorKind::kPaymentFailed:
      return 402;
    case ErrorKind::kForbidden:
      return 403;
    case ErrorKind::kNotFound:
      return 404;
    case ErrorKind::kConflict:
    case ErrorKind::kConcurrent:
      return 409;
    case ErrorKind::kUnprocessable:
      return 422;
    case ErrorKind::kTooMany:
      return 429;
    case ErrorKind::kUnavailable:
      return 503;
    case ErrorKind::kInternal:
      return 500;
  }
  return 500;
}

namespace {

std::string GraphCode(const Error& e) {
  switch (e.kind) {
    case ErrorKind::kInvalid:
      // Codes that are already Graph's (from the OData parser) stay as they are.
      if (e.code.rfind("Request_", 0) == 0) return e.code;
      return "Request_BadRequest";
    case ErrorKind::kUnauthorized:
      return "InvalidAuthenticationToken";
    case ErrorKind::kForbidden:
      return "Authorization_RequestDenied";
    case ErrorKind::kNotFound:
      return "Request_ResourceNotFound";
    case ErrorKind::kTooMany:
      return "TooManyRequests";
    case ErrorKind::kUnavailable:
      return "serviceNotAvailable";
    case ErrorKind::kInternal:
      return "generalException";
    case ErrorKind::kPaymentFailed:
    case ErrorKind::kConflict:
    case ErrorKind::kConcurrent:
    case ErrorKind::kUnprocessable:
      return e.code.empty() ? "Request_BadRequest" : e.code;
  }
  return "generalException";
}

int64_t RetryAfterSeconds(const Error& e) {
  if (e.details.is_object()) {
    auto it = e.details.find("retryAfterSeconds");
    if (it != e.details.end() && it->is_number_integer()) {
      int64_t s = it->get<int64_t>();
      return s < 1 ? 1 : s;
    }
  }
  return 1;
}

}  // namespace

namespace {

ErrorReply Render(const Error& e_in, int status, Family family, const std::string& request_id,
                  Instant now) {
  Error e = e_in;
  if (e.kind == ErrorKind::kInternal) {
    // Never show internals (SQL, paths) to the client; the server logs them.
    e.code = "InternalError";
    e.message = "An unexpected error occurred. Quote the request-id when reporting it.";
    e.details = nullptr;
    e.target.clear();
  }
  if (e.code.empty()) e.code = "Error";
  ErrorReply out;
  out.status = status;
  if (family == Family::kGraph) {
    Json inner = {{"code", e.code},
                  {"date", FormatRfc3339(now).substr(0, 19)},
                  {"request-id", request_id},
                  {"client-request-id", request_id}};
    if (!e.target.empty()) inner["target"] = e.target;
    if (!e.details.is_null()) inner["details"] = e.details;
    out.body = {{"error", {{"code", GraphCode(e)}, {"message", e.message}, {"innerError", inner}}}};
  } else {
    out.body = {{"error",
                 {{"code", e.code},
                  {"message", e.message},
                  {"target", e.target.empty() ? Json(nullptr) : Json(e.target)},
                  {"details", e.details}}}};
  }
  if (e.kind == ErrorKind::kUnauthorized)
    out.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"licensedesk\"");
  // Retry-After says a client may send the same request again (MayRetry);
  // a final refusal never carries it.
  if (MayRetry(e.kind))
    out.headers.emplace_back("Retry-After", std::to_string(RetryAfterSeconds(e)));
  return out;
}

Error RefusalError(int status) {
  switch (status) {
    case 400:
      return Error::Invalid("BadRequest", "The request could not be parsed.");
    case 404:
      return {ErrorKind::kNotFound, "NotFound", "No resource matches this path.", {}, nullptr};
    case 405:
      return {ErrorKind::kInvalid,
              "MethodNotAllowed",
              "This path does not support the method.",
              {},
              nullptr};
    case 413:
      return {ErrorKind::kInvalid,
              "BodyTooLarge",
              fmt::format("The request body is larger than {} bytes.", kMaxBodyBytes),
              {},
              nullptr};
    case 414:
      return {ErrorKind::kInvalid, "UriTooLong", "The request URI is too long.", {}, nullptr};
    case 416:
      return {ErrorKind::kInvalid,
              "RangeNotSatisfiable",
              "The range cannot be satisfied.",
              {},
              nullptr};
    case 408:
      return {ErrorKind::kInvalid,
              "RequestTimeout",
              "The request was not completed in time.",
              {},
              nullptr};
    case 411:
      return {ErrorKind::kInvalid, "LengthRequired", "The request needs a length.", {}, nullptr};
    case 417:
      return {ErrorKind::kInvalid,
              "ExpectationFailed",
              "Only Expect: 100-continue is supported.",
              {},
              nullptr};
    case 431:
      return {ErrorKind::kInvalid,
              "RequestHeaderFieldsTooLarge",
              "The request line and headers are too large.",
              {},
              nullptr};
    case 501:
      return {ErrorKind::kInvalid,
              "NotImplemented",
              "The request uses a feature this server does not implement.",
              {},
              nullptr};
    case 505:
      return {ErrorKind::kInvalid,
              "HttpVersionNotSupported",
              "Only HTTP/1.0 and HTTP/1.1 are supported.",
              {},
              nullptr};
    case 503:
      return Error::Unavailable("The service is not available. Try again.");
    default:
      return Error::Invalid("BadRequest",
                            "The request was refused (HTTP " + std::to_string(status) + ").");
  }
}

}  // namespace

ErrorReply RenderError(const Error& e, Family family, const std::string& request_id, Instant now) {
  return Render(e, StatusOf(e.kind), family, request_id, now);
}

Refusal RefusalFor(int status) {
  return {status, RefusalError(status)};
}

ErrorReply RenderRefusal(const Refusal& r, Family family, const std::string& request_id,
                         Instant now) {
  return Render(r.error, r.status, family, request_id, now);
}

}  // namespace ld::http
