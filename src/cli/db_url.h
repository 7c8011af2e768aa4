// Database URLs of the command line: sqlite:///abs/path.db (or a plain path)
// and postgresql://... (not built yet).
#pragma once

#include <string>

#include "domain/result.h"

namespace ld::cli {

struct DbUrl {
  enum class Kind { kSqlite, kPostgres } kind = Kind::kSqlite;
  std::string path;  // SQLite file, absolute
  std::string url;   // as given
};

// Errors: kInvalid with a message fit for the terminal.
Result<DbUrl> ParseDbUrl(const std::string& url);

// $XDG_DATA_HOME/licensedesk/licensedesk.db, else ~/.local/share/licensedesk/licensedesk.db.
std::string DefaultDbUrl();

}  // namespace ld::cli
