// SqlTx: the audit log, newest first.
#include "store/sql/rows.h"
#include "store/sql_tx.h"

namespace ld::store {

using namespace rows;
using app::AuditCursor;

void SqlTx::InsertAudit(const AuditEntry& e) {
  X(c_,
    "INSERT INTO audit_log (tenant_id, id, at, actor_id, action, target_type, target_id, "
    "before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    e.tenantId, e.id, e.at, e.actorId, e.action, e.targetType, e.targetId, e.before, e.after);
}

std::vector<AuditEntry> SqlTx::ListAudit(const Guid& tenant, std::optional<AuditCursor> before,
                                         int limit) {
  std::vector<AuditEntry> out;
  const std::string cols =
      std::string("SELECT ") + kAuditCols + " FROM audit_log WHERE tenant_id = ?";
  auto r =
      before
          ? Q(c_, cols + " AND (at < ? OR (at = ? AND id < ?)) ORDER BY at DESC, id DESC LIMIT ?",
              tenant, before->at, before->at, before->id, limit)
          : Q(c_, cols + " ORDER BY at DESC, id DESC LIMIT ?", tenant, limit);
  while (r->Next()) out.push_back(ReadAudit(*r));
  return out;
}

}  // namespace ld::store
