#include <gtest/gtest.h>
#include <sodium.h>

#include <cstdlib>
#include <cstring>
#include <string_view>

// The suites' own flags, given by ctest (CMakeLists.txt) as arguments rather
// than as ENVIRONMENT: gtest_discover_tests keeps only the first element of
// a list-valued ENVIRONMENT, which once made the "pg." run silently use
// SQLite. --ld-env=NAME=VALUE sets a variable before any test starts.
int main(int argc, char** argv) {
  if (sodium_init() < 0) return 1;
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a.rfind("--ld-env=", 0) == 0) {
      std::string_view kv = a.substr(9);
      auto eq = kv.find('=');
      if (eq == std::string_view::npos) return 2;
      std::string name(kv.substr(0, eq)), value(kv.substr(eq + 1));
      setenv(name.c_str(), value.c_str(), 1);
      continue;
    }
    argv[out++] = argv[i];
  }
  argc = out;
  argv[argc] = nullptr;
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
