// The one place where an ld::Error becomes an HTTP status and a JSON envelope.
//
// - ErrorKind -> status: kInvalid 400, kUnauthorized 401, kPaymentFailed 402,
//   kForbidden 403, kNotFound 404, kConflict 409, kUnprocessable 422,
//   kTooMany 429 (+ Retry-After), kUnavailable 503, kInternal 500.
// - Graph family (/v1.0): {"error":{"code","message","innerError":{"code",
//   "date","request-id"}}} with Graph's codes (Request_BadRequest,
//   Request_ResourceNotFound, InvalidAuthenticationToken,
//   Authorization_RequestDenied, ...); the app's own code stays in
//   innerError.code.
// - Commerce family (/api/v1 and everything else): {"error":{"code",
//   "message","target","details"}} with the app's code.
// Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/result.h"
#include "domain/time.h"
#include "http/json_io.h"

namespace ld::http {

enum class Family { kGraph, kCommerce };

// /v1.0 and /v1.0/... are Graph; everything else speaks the commerce envelope.
Family FamilyOfPath(std::string_view path);

int StatusOf(ErrorKind kind);

struct ErrorReply {
  int status = 500;
  Json body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// A use case's error: the status follows from its kind (StatusOf).
ErrorReply RenderError(const Error& e, Family family, const std::string& request_id, Instant now);

// A refusal of the HTTP layer itself, before any use case ran (a request the
// transport could not frame, a method the path does not have): its status is
// HTTP's own (405, 408, 413, 414, 417, 431, 501, 505, ...), its error a client
// error with its own code (never InternalError, never logged as a server
// error), rendered in the same envelope.
struct Refusal {
  int status = 400;
  Error error;
};
Refusal RefusalFor(int status);
ErrorReply RenderRefusal(const Refusal& r, Family family, const std::string& request_id,
                         Instant now);

}  // namespace ld::http
