#include "cli/db_url.h"

#include <cstdlib>
#include <filesystem>

namespace ld::cli {

Result<DbUrl> ParseDbUrl(const std::string& url) {
  DbUrl out;
  out.url = url;
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    out.kind = DbUrl::Kind::kPostgres;
    return out;
  }
  std::string path = url;
  if (url.rfind("sqlite://", 0) == 0) {
    path = url.substr(9);  // sqlite:///abs/path -> /abs/path
  } else if (url.find("://") != std::string::npos) {
    return Error::Invalid("BadDbUrl", "Unsupported database URL '" + url +
                                          "': use sqlite:///absolute/path.db or postgresql://...");
  }
  if (path.empty())
    return Error::Invalid("BadDbUrl", "The database URL '" + url + "' names no file.");
  std::filesystem::path p(path);
  if (!p.is_absolute()) p = std::filesystem::absolute(p);
  out.path = p.lexically_normal().string();
  return out;
}

std::string DefaultDbUrl() {
  std::string base;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x != nullptr && *x != '\0') {
    base = x;
  } else if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0') {
    base = std::string(h) + "/.local/share";
  } else {
    base = ".";
  }
  return "sqlite://" + base + "/licensedesk/licensedesk.db";
}

}  // namespace ld::cli
