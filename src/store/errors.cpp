#include "app/store.h"
#include "store/sql.h"

namespace ld::store {

Error FromStoreError(const std::exception& ex) {
  const auto* e = dynamic_cast<const app::StoreError*>(&ex);
  std::string what = ex.what();
  if (e && e->kind() == app::StoreError::Kind::kUnavailable)
    return Error::Unavailable("database unavailable: " + what);
  if (e && e->kind() == app::StoreError::Kind::kConflict)
    return Error::Conflict("Conflict", "conflicting change: " + what);
  return Error::Internal("database error: " + what);
}

}  // namespace ld::store
