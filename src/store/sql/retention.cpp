// SqlTx: retention: the Purge* sweeps of expired tokens, old idempotency
// keys and abandoned carts, each a bounded batch.
#include <utility>
#include <vector>

#include "store/sql_tx.h"

namespace ld::store {

int64_t SqlTx::PurgeTokens(Instant before, int limit) {
  return X(c_,
           "DELETE FROM tokens WHERE token_hash IN (SELECT token_hash FROM tokens WHERE "
           "expires_at < ? LIMIT ?)",
           before, static_cast<int64_t>(limit));
}

int64_t SqlTx::PurgeIdempotency(Instant done_before, Instant in_flight_before, int limit) {
  // A pending checkout's or license change's key is its recovery's to forget
  // (RecoverPendingOrders, RecoverPendingChanges); `in_flight_before` is far
  // older than their age, so this only takes the keys nothing else will.
  return X(c_,
           "DELETE FROM idempotency_keys WHERE (tenant_id, idem_key) IN (SELECT tenant_id, "
           "idem_key FROM idempotency_keys WHERE (state = 'done' AND created_at < ?) OR "
           "(state <> 'done' AND created_at < ?) LIMIT ?)",
           done_before, in_flight_before, static_cast<int64_t>(limit));
}

int64_t SqlTx::PurgeCarts(Instant before, int limit) {
  std::vector<std::pair<Guid, Guid>> carts;
  {
    auto r =
        Q(c_, "SELECT tenant_id, id FROM carts WHERE status = 'active' AND expires_at < ? LIMIT ?",
          before, static_cast<int64_t>(limit));
    while (r->Next()) carts.emplace_back(r->Id(0), r->Id(1));
  }
  for (const auto& [tenant, id] : carts) {
    X(c_, "DELETE FROM cart_lines WHERE tenant_id = ? AND cart_id = ?", tenant, id);
    X(c_, "DELETE FROM carts WHERE tenant_id = ? AND id = ?", tenant, id);
  }
  return static_cast<int64_t>(carts.size());
}

}  // namespace ld::store
