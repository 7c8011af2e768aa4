#include "domain/roles.h"

#include <algorithm>
#include <array>

namespace ld {
namespace {
constexpr std::array<std::pair<Role, std::string_view>, 5> kNames{{
    {Role::kGlobalAdmin, "Global Administrator"},
    {Role::kBillingAdmin, "Billing Administrator"},
    {Role::kLicenseAdmin, "License Administrator"},
    {Role::kUserAdmin, "User Administrator"},
    {Role::kGlobalReader, "Global Reader"},
}};

bool RoleAllows(Role r, Permission p) {
  switch (r) {
    case Role::kGlobalAdmin:
      return true;
    case Role::kBillingAdmin:
      return p == Permission::kReadDirectory || p == Permission::kReadBilling ||
             p == Permission::kManageBilling;
    case Role::kLicenseAdmin:
      return p == Permission::kReadDirectory || p == Permission::kManageLicenses;
    case Role::kUserAdmin:
      return p == Permission::kReadDirectory || p == Permission::kManageUsers ||
             p == Permission::kManageLicenses;
    case Role::kGlobalReader:
      return p == Permission::kReadDirectory || p == Permission::kReadBilling ||
             p == Permission::kReadAudit;
  }
  return false;
}
}  // namespace

std::string_view ToString(Role r) {
  for (const auto& [k, v] : kNames)
    if (k == r) return v;
  return "unknown";
}

std::optional<Role> ParseRole(std::string_view s) {
  for (const auto& [k, v] : kNames)
    if (v == s) return k;
  return std::nullopt;
}

const std::vector<Role>& AllRoles() {
  static const std::vector<Role> kAll{Role::kGlobalAdmin, Role::kBillingAdmin, Role::kLicenseAdmin,
                                      Role::kUserAdmin, Role::kGlobalReader};
  return kAll;
}

std::string_view ToString(Permission p) {
  switch (p) {
    case Permission::kReadDirectory:
      return "read the directory";
    case Permission::kManageUsers:
      return "manage users";
    case Permission::kManageLicenses:
      return "manage licenses";
    case Permission::kReadBilling:
      return "read billing";
    case Permission::kManageBilling:
      return "manage billing";
    case Permission::kManageRoles:
      return "manage roles";
    case Permission::kReadAudit:
      return "read the audit log";
    case Permission::kTestClock:
      return "use the test clock";
  }
  return "unknown";
}

bool Allows(const RoleSet& roles, Permission p) {
  return std::any_of(roles.begin(), roles.end(), [p](Role r) { return RoleAllows(r, p); });
}

bool IsAdmin(const RoleSet& roles) {
  return !roles.empty();
}

bool Has(const RoleSet& roles, Role r) {
  return std::find(roles.begin(), roles.end(), r) != roles.end();
}

bool MayChangeSensitive(const RoleSet& actor, const RoleSet& target) {
  return !IsAdmin(target) || Has(actor, Role::kGlobalAdmin);
}

bool KeepsGlobalAdmin(int64_t enabled_global_admins, bool target_counts_before,
                      bool target_counts_after) {
  // Only a change that takes one away can break the rule.
  if (!target_counts_before || target_counts_after) return true;
  return enabled_global_admins > 1;
}

}  // namespace ld
