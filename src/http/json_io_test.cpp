// Regression tests for the JSON body reader found by json_body_fuzz (R14: bad
// input is a 400, never an exception that becomes a 500).
#include "http/json_io.h"

#include <gtest/gtest.h>

namespace ld::http {
namespace {

TEST(JsonBody, ANumberBeyondADoubleIsInvalidJsonNotAnException) {
  for (const char* body : {"{\"quantity\":1e400}", "[-1e400]", "1E+999"}) {
    Result<Json> r = Error::Internal("not run");
    EXPECT_NO_THROW(r = ParseJsonBody(body)) << body;
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().kind, ErrorKind::kInvalid) << body;
    EXPECT_EQ(r.error().code, "InvalidJson") << body;
    EXPECT_NE(r.error().message.find("number overflow"), std::string::npos) << r.error().message;
  }
  // Large but finite numbers and underflow to zero stay accepted (readers
  // refuse them where an integer is expected).
  EXPECT_TRUE(ParseJsonBody("{\"q\":18446744073709551616}").ok());
  EXPECT_TRUE(ParseJsonBody("{\"q\":-1e-400}").ok());
}

}  // namespace
}  // namespace ld::http
