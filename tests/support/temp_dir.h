// A temporary directory removed when the object goes away.
#pragma once

#include <filesystem>
#include <string>

namespace ld::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// The repository root (LD_SOURCE_DIR from the environment ctest sets, else the build's).
std::string SourceDir();

}  // namespace ld::testing
