// SqlTx: idempotency keys, per organization: the request each key was first
// used for and, once done, its stored response.
#include "store/sql/rows.h"
#include "store/sql_tx.h"

namespace ld::store {

using namespace rows;
using app::IdempotencyRecord;

std::optional<IdempotencyRecord> SqlTx::FindIdempotency(const Guid& tenant,
                                                        const std::string& key) {
  auto r = Q(c_,
             std::string("SELECT ") + kIdempotencyCols +
                 " FROM idempotency_keys WHERE tenant_id = ? AND idem_key = ?",
             tenant, key);
  if (!r->Next()) return std::nullopt;
  return ReadIdempotency(*r);
}

void SqlTx::InsertIdempotency(const Guid& tenant, const IdempotencyRecord& x) {
  X(c_,
    "INSERT INTO idempotency_keys (tenant_id, idem_key, request_hash, state, status_code, "
    "resource_type, resource_id, response, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    tenant, x.key, x.requestHash, x.state, x.outcome, x.resourceType, x.resourceId, x.response,
    x.createdAt);
}

void SqlTx::UpdateIdempotency(const Guid& tenant, const IdempotencyRecord& x) {
  X(c_,
    "UPDATE idempotency_keys SET state = ?, status_code = ?, resource_type = ?, resource_id = ?, "
    "response = ? WHERE tenant_id = ? AND idem_key = ?",
    x.state, x.outcome, x.resourceType, x.resourceId, x.response, tenant, x.key);
}

void SqlTx::DeleteIdempotencyFor(const Guid& tenant, const std::string& resource_id) {
  X(c_, "DELETE FROM idempotency_keys WHERE tenant_id = ? AND resource_id = ?", tenant,
    resource_id);
}

void SqlTx::DeleteIdempotency(const Guid& tenant, const std::string& key) {
  X(c_, "DELETE FROM idempotency_keys WHERE tenant_id = ? AND idem_key = ?", tenant, key);
}

}  // namespace ld::store
