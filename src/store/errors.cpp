#include "app/store.h"
#include "store/sql.h"

namespace ld::store {

Error FromStoreError(const std::exception& ex) {
  const auto* e = dynamic_cast<const app::StoreError*>(&ex);
  std::string what = ex.what();
  if (e && e->kind() == app::StoreError::Kind::kUnavailable)
    return Error::Unavailable("The database is not available. Try again.");
  if (e && e->kind() == app::StoreError::Kind::kConflict)
    // A serialization failure or a unique key taken by a concurrent writer:
    // the same request, sent again, reads the winner's state. The message
    // never carries the database's text (table and column names).
    return Error::Concurrent("ConcurrentChange",
                             "Another change touched the same data. Try again.");
  return Error::Internal("database error: " + what);
}

}  // namespace ld::store
