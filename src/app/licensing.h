// Licenses: the pools (Graph subscribedSkus) and assignment (R6, R7, R8, R11).
#pragma once

#include <set>
#include <vector>

#include "app/context.h"
#include "app/directory.h"
#include "domain/pool.h"

namespace ld::app {

// The store's counts as the domain's pool, for the arithmetic of R7, R9, R11.
inline Pool ToPool(const PoolCounts& c) {
  return {c.enabled, c.warning, c.suspended, c.consumed};
}

struct SubscribedSku {
  const Sku* sku;
  PoolCounts counts;
  std::vector<Guid> subscriptionIds;
  std::string capabilityStatus;  // Enabled | Warning | Suspended | LockedOut
};

Result<std::vector<SubscribedSku>> ListSubscribedSkus(Context& ctx, const Actor& actor);
Result<SubscribedSku> GetSubscribedSku(Context& ctx, const Actor& actor, const Guid& sku);

struct LicenseAdd {
  Guid skuId;
  std::vector<Guid> disabledPlans;
};

// The checks Graph's assignLicense body gets before any storage, for a user
// or a group: not empty, at most 100 changes, every added SKU in the catalog
// and its disabled plans among its own, no SKU twice in the body (400:
// EmptyRequest, TooManyLicenses, UnknownSku, InvalidDisabledPlan,
// DuplicateSku). Returns the SKUs named, in order.
Result<std::set<Guid>> ValidateLicenseChange(const Catalog& catalog,
                                             const std::vector<LicenseAdd>& add,
                                             const std::vector<Guid>& remove);

// Graph assignLicense: removes, then adds, all or nothing (R7, R8). Adding a
// SKU the user holds updates its disabled plans. Errors (400, Graph code
// Request_BadRequest in http): InsufficientLicenses, UsageLocationRequired,
// UnknownSku, LicenseNotAssigned, InvalidDisabledPlan, DuplicateSku.
Result<UserWithLicenses> AssignLicense(Context& ctx, const Actor& actor,
                                       const std::string& id_or_upn,
                                       const std::vector<LicenseAdd>& add,
                                       const std::vector<Guid>& remove);

Result<std::vector<LicenseAssignment>> LicenseDetails(Context& ctx, const Actor& actor,
                                                      const std::string& id_or_upn);

// R11: while capacity (enabled + warning + suspended) is below consumed,
// removes licenses newest first, auditing each. Runs in the caller's Tx.
// Returns the users whose license was removed.
std::vector<Guid> ReconcilePool(Tx& tx, const Context& ctx, const Guid& tenant, const Guid& sku);

}  // namespace ld::app
