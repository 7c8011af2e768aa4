#include "support/temp_dir.h"

#include <cstdlib>
#include <stdexcept>

namespace ld::testing {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "ld-test-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string SourceDir() {
  if (const char* s = std::getenv("LD_SOURCE_DIR")) return s;
#ifdef LD_TEST_SOURCE_DIR
  return LD_TEST_SOURCE_DIR;
#else
  return ".";
#endif
}

}  // namespace ld::testing
