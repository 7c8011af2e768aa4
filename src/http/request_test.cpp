// The public base URL (serve --public-url) and the links built from it.
#include "http/request.h"

#include <gtest/gtest.h>

namespace ld::http {
namespace {

TEST(PublicUrl, AcceptsWhatAnOperatorWouldWrite) {
  struct Case {
    const char* in;
    const char* out;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"https://admin.example.com", "https://admin.example.com"},
           {"https://admin.example.com/", "https://admin.example.com"},
           {"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
           {"https://admin.example.com:8443/licensedesk/",
            "https://admin.example.com:8443/licensedesk"},
           {"http://[::1]:8080", "http://[::1]:8080"},
           {"https://a-b.example.org/x_y/z~1", "https://a-b.example.org/x_y/z~1"},
       }) {
    auto got = NormalizePublicUrl(c.in);
    ASSERT_TRUE(got.has_value()) << c.in;
    EXPECT_EQ(*got, c.out) << c.in;
  }
}

TEST(PublicUrl, RefusesAnythingElse) {
  for (const char* bad :
       {"", "admin.example.com", "ftp://admin.example.com", "https://", "https://:8080",
        "https://user@admin.example.com", "https://admin.example.com?x=1",
        "https://admin.example.com/#frag", "https://admin.example.com:0",
        "https://admin.example.com:65536", "https://admin.example.com:80a",
        "https://adm in.example", "https://-x.example", "https://[::1", "https://[zz]:80",
        "javascript:alert(1)", "https://admin.example.com/a\"b", "https://admin.example.com:"}) {
    EXPECT_FALSE(NormalizePublicUrl(bad).has_value()) << bad;
  }
}

TEST(PublicUrl, LinksNeverComeFromTheHostHeader) {
  HttpRequest r;
  r.headers.emplace("host", "attacker.example");
  EXPECT_EQ(r.BaseUrl(), "http://localhost");
  r.tls = true;
  EXPECT_EQ(r.BaseUrl(), "https://localhost");
  r.publicBase = "https://admin.example.com/ld";
  EXPECT_EQ(r.BaseUrl(), "https://admin.example.com/ld");
}

}  // namespace
}  // namespace ld::http
