// R12: the admin roles and what each may do. The single permission matrix;
// every use case asks Allows() before acting.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ld {

enum class Role { kGlobalAdmin, kBillingAdmin, kLicenseAdmin, kUserAdmin, kGlobalReader };
std::string_view ToString(Role r);  // "Global Administrator", ...
std::optional<Role> ParseRole(std::string_view s);
const std::vector<Role>& AllRoles();

enum class Permission {
  kReadDirectory,   // users, organization, subscribedSkus, licenseDetails of anyone
  kManageUsers,     // create, update, delete users
  kManageLicenses,  // assign, remove, move licenses; edit usageLocation
  kReadBilling,     // offers, carts, orders, subscriptions, invoices, payment methods
  kManageBilling,   // carts, checkout, quantity, cancel, payment methods
  kManageRoles,     // change admin roles
  kReadAudit,       // the audit log
  kTestClock,       // advance the test clock (when enabled)
};
std::string_view ToString(Permission p);

using RoleSet = std::vector<Role>;
bool Allows(const RoleSet& roles, Permission p);
bool IsAdmin(const RoleSet& roles);
bool Has(const RoleSet& roles, Role r);

// Entra's rule for privileged users: the sensitive attributes of a user who
// holds any admin role (password, userPrincipalName, accountEnabled, and its
// existence) may be changed only by a Global Administrator. Anyone else with
// kManageUsers changes them on users without admin roles only. Whether the
// actor may manage users at all is Allows()'s question, not this one.
bool MayChangeSensitive(const RoleSet& actor, const RoleSet& target);

// The last-Global-Administrator rule: an organization keeps at least one
// enabled Global Administrator. `enabled_global_admins` counts them before
// the change; `target_counts_before/after` say whether the changed user is
// one of them before and after the change (a disable, a delete or a role
// removal turns after to false). Only a change that takes the last one away
// is refused.
bool KeepsGlobalAdmin(int64_t enabled_global_admins, bool target_counts_before,
                      bool target_counts_after);

}  // namespace ld
