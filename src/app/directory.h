// Users of an organization (the Graph /users subset).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/context.h"
#include "domain/groups.h"

namespace ld::app {

struct UserWithLicenses {
  User user;
  std::vector<LicenseAssignment> licenses;
  RoleSet roles;
  // licenseAssignmentStates (issue 16): one per (source, SKU); read only
  // when a caller asks for them ($select).
  std::vector<LicenseSource> sources;
  // signInActivity (issue 17): read only when a caller asks ($select).
  std::optional<SignInActivity> signInActivity;
};

struct NewUser {
  bool accountEnabled = true;
  std::string displayName;        // 1..256
  std::string mailNickname;       // 1..64, [A-Za-z0-9._-]
  std::string userPrincipalName;  // local@domain, the domain one of the organization's
  std::optional<std::string> password;
  std::optional<std::string> usageLocation;      // ISO alpha-2
  std::optional<std::string> preferredLanguage;  // en-US | zh-TW | de-DE | zh-CN
};

// A PATCH: only the fields present change. For the optional-valued fields,
// an outer value holding nullopt means "set to null".
struct UserPatch {
  std::optional<bool> accountEnabled;
  std::optional<std::string> displayName;
  std::optional<std::string> mailNickname;
  std::optional<std::string> userPrincipalName;
  std::optional<std::string> password;
  std::optional<std::optional<std::string>> usageLocation;
  std::optional<std::optional<std::string>> preferredLanguage;
};

struct UserPage {
  std::vector<UserWithLicenses> users;
  std::optional<Guid> nextAfter;  // set when there may be more
  std::optional<int64_t> count;   // when requested
};

bool IsSupportedLocale(const std::string& s);
bool IsCountryCode(const std::string& s);  // two upper-case ASCII letters

// Looks a user up by id (GUID text) or userPrincipalName. 404 when absent or foreign.
Result<User> ResolveUser(Tx& tx, const Guid& tenant, const std::string& id_or_upn);

Result<UserWithLicenses> CreateUser(Context& ctx, const Actor& actor, const NewUser& u);
// Who may change what: kManageUsers for everything; kManageLicenses only
// usageLocation; anyone their own preferredLanguage. The password,
// userPrincipalName and accountEnabled of a user with an admin role: only a
// Global Administrator (MayChangeSensitive). One's own password: not here
// (400 UseChangePassword) but ChangePassword. Disabling the last enabled
// Global Administrator: 409 LastGlobalAdministrator. A new password ends
// every token and session of the user.
Result<UserWithLicenses> UpdateUser(Context& ctx, const Actor& actor, const std::string& id_or_upn,
                                    const UserPatch& p);
// The same rules as UpdateUser for a user with an admin role and for the last
// enabled Global Administrator.
Status DeleteUser(Context& ctx, const Actor& actor, const std::string& id_or_upn);
// Self-service (POST /v1.0/me/changePassword): the current password proves
// it (400 InvalidCurrentPassword otherwise), the new one meets the policy;
// then every token and session of the user, the caller's included, ends.
Status ChangePassword(Context& ctx, const Actor& actor, const std::string& current_password,
                      const std::string& new_password);
// Anyone may read themselves; reading others needs kReadDirectory.
Result<UserWithLicenses> GetUser(Context& ctx, const Actor& actor, const std::string& id_or_upn);
Result<UserPage> ListUsers(Context& ctx, const Actor& actor, const UserPageQuery& q,
                           bool with_count);

struct OrganizationView {
  Tenant tenant;
  std::vector<DomainName> domains;
  std::string currency;
};
Result<OrganizationView> GetOrganization(Context& ctx, const Actor& actor);

Result<RoleSet> GetRoles(Context& ctx, const Actor& actor, const std::string& id_or_upn);
// kManageRoles; an organization keeps at least one Global Administrator.
Result<RoleSet> SetRoles(Context& ctx, const Actor& actor, const std::string& id_or_upn,
                         const RoleSet& roles);

struct AuditPage {
  std::vector<AuditEntry> entries;
  std::optional<AuditCursor> next;
};
Result<AuditPage> ListAudit(Context& ctx, const Actor& actor, std::optional<AuditCursor> before,
                            int limit);

}  // namespace ld::app
