#include "domain/guid.h"

#include <gtest/gtest.h>

#include <set>

namespace ld {
namespace {

TEST(Guid, ParsesAndFormatsCanonically) {
  auto g = Guid::Parse("F67A73F9-1DA3-4124-974D-72E2BC80841B");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->str(), "f67a73f9-1da3-4124-974d-72e2bc80841b");
  for (const char* bad :
       {"", "f67a73f9", "f67a73f9-1da3-4124-974d-72e2bc80841",
        "{f67a73f9-1da3-4124-974d-72e2bc80841b}", "f67a73f9-1da3-4124-974d-72e2bc80841g",
        "f67a73f91da34124974d72e2bc80841b0000"}) {
    EXPECT_FALSE(Guid::Parse(bad)) << bad;
  }
}

TEST(Guid, V7IsTimeOrderedAndVersioned) {
  Guid a = Guid::NewV7(1000), b = Guid::NewV7(2000);
  EXPECT_LT(a, b);
  EXPECT_EQ(a.str()[14], '7');
  std::set<Guid> many;
  for (int i = 0; i < 1000; ++i) many.insert(Guid::NewV7(5));
  EXPECT_EQ(many.size(), 1000u);
}

}  // namespace
}  // namespace ld
