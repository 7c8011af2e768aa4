// The transport's own refusals render as client errors with their own codes.
#include "http/errors.h"

#include <gtest/gtest.h>

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
    Error e = ErrorForStatus(status);
    EXPECT_NE(e.kind, ErrorKind::kInternal) << status;  // not logged as an error
    EXPECT_EQ(e.code, code) << status;
    e.message = "Transfer-Encoding gzip is not supported (only chunked is).";
    ErrorReply r = RenderError(e, Family::kCommerce, "rid", Instant{});
    EXPECT_EQ(r.body["error"]["code"], code) << status;
    EXPECT_EQ(r.body["error"]["message"], e.message) << status;
  }
}

}  // namespace
}  // namespace ld::http
