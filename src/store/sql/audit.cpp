// SqlTx: the audit log, newest first.
#include "store/sql/rows.h"
#include "store/sql_tx.h"

namespace ld::store {

using namespace rows;
using app::AuditCursor;

void SqlTx::InsertAudit(const AuditEntry& e) {
  pending_audit_.push_back(e);
}

void SqlTx::FlushAudit() {
  // At most 64 rows (576 parameters) per statement: a handful of distinct
  // statement texts for the prepared-statement cache, far below either
  // database's parameter limit.
  constexpr size_t kRowsPerStatement = 64;
  std::vector<Param> ps;
  std::string sql;
  for (size_t from = 0; from < pending_audit_.size(); from += kRowsPerStatement) {
    size_t to = std::min(pending_audit_.size(), from + kRowsPerStatement);
    sql =
        "INSERT INTO audit_log (tenant_id, id, at, actor_id, action, target_type, target_id, "
        "before_json, after_json) VALUES ";
    ps.clear();
    for (size_t i = from; i < to; ++i) {
      const AuditEntry& e = pending_audit_[i];
      sql += i == from ? "(?, ?, ?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?, ?, ?)";
      for (Param p : {ToParam(e.tenantId), ToParam(e.id), ToParam(e.at), ToParam(e.actorId),
                      ToParam(e.action), ToParam(e.targetType), ToParam(e.targetId),
                      ToParam(e.before), ToParam(e.after)})
        ps.push_back(p);
    }
    c_.Exec(sql, ps);
  }
  pending_audit_.clear();
}

std::vector<AuditEntry> SqlTx::ListAudit(const Guid& tenant, std::optional<AuditCursor> before,
                                         int limit) {
  FlushAudit();
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
