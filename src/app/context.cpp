#include "app/context.h"

#include <sodium.h>

#include "app/auth.h"

namespace ld::app {

Status Require(const Actor& a, Permission p) {
  if (Allows(a.roles, p)) return Ok();
  return Error::Forbidden("Your roles do not allow you to " + std::string(ToString(p)) + ".");
}

Status RequireOperator(const Context& ctx, std::string_view secret) {
  const std::string& want = ctx.config.operatorToken;
  // Hashes of equal length compared in constant time: neither the token's
  // length nor a common prefix shows in the timing.
  std::string a = Sha256Hex(std::string(secret)), b = Sha256Hex(want);
  if (!want.empty() && !secret.empty() && sodium_memcmp(a.data(), b.data(), a.size()) == 0)
    return Ok();
  return Error::Forbidden(
      "This is the deployment operator's act: use the operator token (serve --operator-token), "
      "not an organization's.");
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
