// R12: the admin roles and what each may do. The single permission matrix;
// every use case asks Allows() before acting.
#pragma once

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

}  // namespace ld
