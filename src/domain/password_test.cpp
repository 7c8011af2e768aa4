#include "domain/password.h"

#include <gtest/gtest.h>

namespace ld {
namespace {

TEST(Password, OnePolicyForEveryPath) {
  struct Case {
    std::string pw;
    std::optional<std::string> code;
  } cases[] = {
      {"short", "InvalidPassword"},
      {"1234567", "InvalidPassword"},
      {std::string(257, 'x') + "y", "InvalidPassword"},
      {"aaaaaaaaaa", "InvalidPassword"},
      {"password", "PasswordTooCommon"},
      {"PASSWORD", "PasswordTooCommon"},
      {"Password1", "PasswordTooCommon"},
      {"P@ssw0rd", "PasswordTooCommon"},
      {"12345678", "PasswordTooCommon"},
      {"qwertyuiop", "PasswordTooCommon"},
      {"iloveyou", "PasswordTooCommon"},
      {"Welcome123", "PasswordTooCommon"},
      // What the demo, the fixtures and the docs use stays acceptable.
      {"Demo-Password-1", std::nullopt},
      {"Correct-Horse-9", std::nullopt},
      {"Passw0rd-x", std::nullopt},
      {"Another-Pass-1", std::nullopt},
      {std::string(256, 'x').replace(0, 1, "y"), std::nullopt},
  };
  for (const auto& c : cases) {
    auto p = CheckPassword(c.pw);
    if (!c.code) {
      EXPECT_FALSE(p.has_value()) << c.pw << ": " << p->message;
    } else {
      ASSERT_TRUE(p.has_value()) << c.pw;
      EXPECT_EQ(p->code, *c.code) << c.pw;
    }
  }
}

TEST(Password, TheCommonListIsSortedAndMatchedCaseInsensitively) {
  EXPECT_TRUE(IsCommonPassword("letmein"));
  EXPECT_TRUE(IsCommonPassword("LetMeIn"));
  EXPECT_TRUE(IsCommonPassword("abcdefgh"));  // the first entries
  EXPECT_TRUE(IsCommonPassword("zxcvbnm1"));  // and the last are found (sorted)
  EXPECT_FALSE(IsCommonPassword("letmein-please-7"));
  EXPECT_FALSE(IsCommonPassword(""));
}

}  // namespace
}  // namespace ld
