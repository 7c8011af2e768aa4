// The transport's own refusals render as client errors with their own codes.
#include "http/errors.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace ld::http {
namespace {

// Issue 13 #14: 501 and 505 were InternalError "An unexpected error
// occurred" and logged as server errors.
TEST(Errors, EveryTransportRefusalHasItsOwnCodeAndIsNotInternal) {
  const std::pair<int, std::string> cases[] = {
      {400, "BadRequest"},        {408, "RequestTimeout"},
      {413, "BodyTooLarge"},      {414, "UriTooLong"},
      {417, "ExpectationFailed"}, {431, "RequestHeaderFieldsTooLarge"},
      {501, "NotImplemented"},    {505, "HttpVersionNotSupported"},
  };
  for (const auto& [status, code] : cases) {
    Refusal refusal = RefusalFor(status);
    EXPECT_NE(refusal.error.kind, ErrorKind::kInternal) << status;  // not logged as an error
    EXPECT_EQ(refusal.error.code, code) << status;
    refusal.error.message = "Transfer-Encoding gzip is not supported (only chunked is).";
    ErrorReply r = RenderRefusal(refusal, Family::kCommerce, "rid", Instant{});
    EXPECT_EQ(r.status, status);  // HTTP's own status, not the kind's
    EXPECT_EQ(r.body["error"]["code"], code) << status;
    EXPECT_EQ(r.body["error"]["message"], refusal.error.message) << status;
    EXPECT_TRUE(r.headers.empty()) << status;  // a final refusal: no Retry-After
  }
}

// Issue 14 #2: 405 was rendered as a 400 and its status patched by hand.
TEST(Errors, MethodNotAllowedRendersWithItsOwnStatus) {
  ErrorReply r = RenderRefusal(RefusalFor(405), Family::kGraph, "rid", Instant{});
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.body["error"]["innerError"]["code"], "MethodNotAllowed");
}

// Issue 14 #2: a lost race and a final state conflict were one kind. Both are
// 409, but only the one a client may send again says Retry-After.
TEST(Errors, OnlyRetryableErrorsSayRetryAfter) {
  struct Case {
    Error e;
    int status;
    bool retry;
  };
  const Case cases[] = {
      {Error::Concurrent("ConcurrentChange", "m"), 409, true},
      {Error::Concurrent("RequestInProgress", "m"), 409, true},
      {Error::Conflict("CartAlreadyOrdered", "m"), 409, false},
      {Error::Unavailable("m"), 503, true},
      {{ErrorKind::kTooMany, "TooManyRequests", "m", {}, nullptr}, 429, true},
      {Error::Invalid("QuantityOutOfRange", "m"), 400, false},
      {Error::Internal("m"), 500, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(MayRetry(c.e.kind), c.retry) << c.e.code;
    for (Family f : {Family::kGraph, Family::kCommerce}) {
      ErrorReply r = RenderError(c.e, f, "rid", Instant{});
      EXPECT_EQ(r.status, c.status) << c.e.code;
      bool has = std::any_of(r.headers.begin(), r.headers.end(),
                             [](const auto& h) { return h.first == "Retry-After"; });
      EXPECT_EQ(has, c.retry) << c.e.code;
    }
  }
}

}  // namespace
}  // namespace ld::http
