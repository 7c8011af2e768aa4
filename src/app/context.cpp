#include "app/context.h"

namespace ld::app {

Status Require(const Actor& a, Permission p) {
  if (Allows(a.roles, p)) return Ok();
  return Error::Forbidden("Your roles do not allow you to " + std::string(ToString(p)) + ".");
}

void Audit(Tx& tx, const Context& ctx, const std::optional<Guid>& actor, const Guid& tenant,
           std::string action, std::string target_type, std::string target_id, std::string before,
           std::string after) {
  AuditEntry e;
  e.tenantId = tenant;
  e.id = ctx.NewId();
  e.at = ctx.Now();
  e.actorId = actor;
  e.action = std::move(action);
  e.targetType = std::move(target_type);
  e.targetId = std::move(target_id);
  e.before = std::move(before);
  e.after = std::move(after);
  tx.InsertAudit(e);
}

}  // namespace ld::app
