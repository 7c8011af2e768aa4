#include "app/directory.h"

#include <algorithm>

#include "app/commerce.h"
#include "app/signup.h"

namespace ld::app {

namespace {

std::string Lower(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

nlohmann::json UserJson(const User& u) {
  return {
      {"userPrincipalName", u.userPrincipalName},
      {"displayName", u.displayName},
      {"mailNickname", u.mailNickname},
      {"usageLocation", u.usageLocation ? nlohmann::json(*u.usageLocation) : nullptr},
      {"preferredLanguage", u.preferredLanguage ? nlohmann::json(*u.preferredLanguage) : nullptr},
      {"accountEnabled", u.accountEnabled}};
}

Status CheckDisplayName(const std::string& s) {
  if (s.empty() || s.size() > 256)
    return Error::Invalid("InvalidDisplayName", "displayName must have 1 to 256 characters.",
                          "displayName");
  return Ok();
}

Status CheckNickname(const std::string& s) {
  bool ok = !s.empty() && s.size() <= 64;
  for (char c : s)
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == '-');
  if (!ok)
    return Error::Invalid("InvalidMailNickname",
                          "mailNickname must have 1 to 64 of A-Z, a-z, 0-9, '.', '_' and '-'.",
                          "mailNickname");
  return Ok();
}

Status SelfPasswordRefusal() {
  return Error::Invalid("UseChangePassword",
                        "To change your own password, use POST /v1.0/me/changePassword with "
                        "currentPassword and newPassword.",
                        "passwordProfile");
}

// userPrincipalName: local@domain where local is 1..64 of [A-Za-z0-9._-'] and the
// domain one of the organization's. Returns it lower-cased.
Result<std::string> CheckUpn(Tx& tx, const Guid& tenant, const std::string& upn_in) {
  std::string upn = Lower(upn_in);
  auto at = upn.find('@');
  bool ok = at != std::string::npos && at > 0 && at <= 64 && upn.size() <= 256 &&
            upn.find('@', at + 1) == std::string::npos;
  if (ok)
    for (size_t i = 0; i < at; ++i) {
      char c = upn[i];
      ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                  c == '-' || c == '\'');
    }
  if (!ok || upn[0] == '.' || upn[at - 1] == '.')
    return Error::Invalid("InvalidUserPrincipalName",
                          "userPrincipalName must look like name@domain.", "userPrincipalName");
  auto owner = tx.FindDomainOwner(upn.substr(at + 1));
  if (!owner || *owner != tenant)
    return Error::Invalid("InvalidUserPrincipalName",
                          "The domain of userPrincipalName must be one of the organization's "
                          "verified domains.",
                          "userPrincipalName");
  return upn;
}

Status CheckUsageLocation(const std::optional<std::string>& loc) {
  if (loc && !IsCountryCode(*loc))
    return Error::Invalid("InvalidUsageLocation",
                          "usageLocation must be a two-letter ISO 3166 country code.",
                          "usageLocation");
  return Ok();
}

Status CheckLanguage(const std::optional<std::string>& lang) {
  if (lang && !IsSupportedLocale(*lang))
    return Error::Invalid("UnsupportedLanguage",
                          "preferredLanguage must be one of en-US, zh-TW, de-DE, zh-CN.",
                          "preferredLanguage");
  return Ok();
}

// Entra's rule for privileged users (domain/roles.h): the password, sign-in
// name, enabled state and existence of a user who holds an admin role are a
// Global Administrator's to change. Changes of oneself are not this rule's
// (self-service passwords go through ChangePassword; deleting oneself is
// refused on its own).
Status RequireMayChangeSensitive(const Actor& actor, const User& target,
                                 const RoleSet& target_roles) {
  if (target.id == actor.userId || MayChangeSensitive(actor.roles, target_roles)) return Ok();
  return Error::Forbidden(
      "Only a Global Administrator may change the password, userPrincipalName, accountEnabled or "
      "existence of a user who holds an admin role.");
}

// The last-Global-Administrator rule (domain/roles.h), checked under the
// organization's lock: `counts_after` is whether the user is still an
// enabled Global Administrator after the change.
Status RequireKeepsGlobalAdmin(Tx& tx, const User& before, const RoleSet& before_roles,
                               bool counts_after) {
  bool counts_before = before.accountEnabled && Has(before_roles, Role::kGlobalAdmin);
  if (!counts_before || counts_after) return Ok();
  int64_t n = tx.LockAndCountEnabledRoleHolders(before.tenantId, Role::kGlobalAdmin);
  if (KeepsGlobalAdmin(n, counts_before, counts_after)) return Ok();
  return Error::Conflict("LastGlobalAdministrator",
                         "The organization must keep one enabled Global Administrator.");
}

UserWithLicenses Load(Tx& tx, const User& u) {
  return {u, tx.ListAssignments(u.tenantId, u.id), tx.ListRoles(u.tenantId, u.id)};
}

}  // namespace

bool IsSupportedLocale(const std::string& s) {
  return s == "en-US" || s == "zh-TW" || s == "de-DE" || s == "zh-CN";
}

bool IsCountryCode(const std::string& s) {
  return s.size() == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}

Result<User> ResolveUser(Tx& tx, const Guid& tenant, const std::string& key) {
  std::optional<User> u;
  if (auto id = Guid::Parse(key)) {
    u = tx.FindUser(tenant, *id);
  } else if (key.find('@') != std::string::npos && key.size() <= 256) {
    u = tx.FindUserByUpn(tenant, Lower(key));
  }
  if (!u) return Error::NotFound("The user '" + key.substr(0, 100) + "'");
  return *u;
}

Result<UserWithLicenses> CreateUser(Context& ctx, const Actor& actor, const NewUser& in) {
  LD_TRY(Require(actor, Permission::kManageUsers));
  LD_TRY(CheckDisplayName(in.displayName));
  LD_TRY(CheckNickname(in.mailNickname));
  LD_TRY(CheckUsageLocation(in.usageLocation));
  LD_TRY(CheckLanguage(in.preferredLanguage));
  std::string hash;
  if (in.password) {
    LD_TRY(CheckPasswordPolicy(*in.password, "passwordProfile.password"));
    hash = HashPassword(*in.password);
  }
  UserWithLicenses out;
  LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
    LD_ASSIGN_OR_RETURN(std::string upn, CheckUpn(tx, actor.tenantId, in.userPrincipalName));
    if (tx.FindUserByUpn(actor.tenantId, upn))
      return Error::Conflict("UserPrincipalNameTaken",
                             "Another user already has the userPrincipalName " + upn + ".");
    User u;
    u.tenantId = actor.tenantId;
    u.id = ctx.NewId();
    u.userPrincipalName = upn;
    u.displayName = in.displayName;
    u.mailNickname = in.mailNickname;
    u.usageLocation = in.usageLocation;
    u.preferredLanguage = in.preferredLanguage;
    u.accountEnabled = in.accountEnabled;
    u.passwordHash = hash;
    u.createdAt = ctx.Now();
    tx.InsertUser(u);
    Audit(tx, ctx, actor.userId, actor.tenantId, "user.create", "user", u.id.str(), "",
          UserJson(u).dump());
    out = {u, {}, {}};
    return Ok();
  }));
  return out;
}

Result<UserWithLicenses> UpdateUser(Context& ctx, const Actor& actor, const std::string& key,
                                    const UserPatch& p) {
  bool manage_users = Allows(actor.roles, Permission::kManageUsers);
  bool manage_licenses = Allows(actor.roles, Permission::kManageLicenses);
  if (p.displayName) LD_TRY(CheckDisplayName(*p.displayName));
  if (p.mailNickname) LD_TRY(CheckNickname(*p.mailNickname));
  if (p.usageLocation) LD_TRY(CheckUsageLocation(*p.usageLocation));
  if (p.preferredLanguage) LD_TRY(CheckLanguage(*p.preferredLanguage));
  if (p.password) LD_TRY(CheckPasswordPolicy(*p.password, "passwordProfile.password"));
  if (p.password) {
    // Self-service changes prove the current password (ChangePassword); this
    // is an administrator's reset of someone else's.
    bool self_by_key = false;
    LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
      auto u = ResolveUser(tx, actor.tenantId, key);
      self_by_key = u.ok() && u->id == actor.userId;
      return Ok();
    }));
    if (self_by_key) return SelfPasswordRefusal().error();
  }
  std::string hash;
  if (p.password) hash = HashPassword(*p.password);
  UserWithLicenses out;
  LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
    LD_ASSIGN_OR_RETURN(User u, ResolveUser(tx, actor.tenantId, key));
    bool self = u.id == actor.userId;
    if (!self && !Allows(actor.roles, Permission::kReadDirectory))
      return Error::NotFound("The user '" + key.substr(0, 100) + "'");
    if (self && p.password) return SelfPasswordRefusal();
    // Who may change what (R12).
    bool directory_fields =
        p.accountEnabled || p.displayName || p.mailNickname || p.userPrincipalName;
    if (directory_fields && !manage_users) LD_TRY(Require(actor, Permission::kManageUsers));
    if (p.usageLocation && !manage_users && !manage_licenses)
      LD_TRY(Require(actor, Permission::kManageLicenses));
    if ((p.password || p.preferredLanguage) && !self && !manage_users)
      LD_TRY(Require(actor, Permission::kManageUsers));
    RoleSet target_roles = tx.ListRoles(u.tenantId, u.id);
    bool sensitive = p.password || p.userPrincipalName || p.accountEnabled;
    if (sensitive) LD_TRY(RequireMayChangeSensitive(actor, u, target_roles));
    if (p.accountEnabled)
      LD_TRY(RequireKeepsGlobalAdmin(tx, u, target_roles,
                                     *p.accountEnabled && Has(target_roles, Role::kGlobalAdmin)));
    if (p.usageLocation && !*p.usageLocation && !tx.ListAssignments(u.tenantId, u.id).empty())
      return Error::Invalid("UsageLocationRequired",
                            "usageLocation cannot be removed while the user holds licenses.",
                            "usageLocation");
    User before = u;
    if (p.accountEnabled) u.accountEnabled = *p.accountEnabled;
    if (p.displayName) u.displayName = *p.displayName;
    if (p.mailNickname) u.mailNickname = *p.mailNickname;
    if (p.userPrincipalName) {
      LD_ASSIGN_OR_RETURN(std::string upn, CheckUpn(tx, actor.tenantId, *p.userPrincipalName));
      if (upn != u.userPrincipalName && tx.FindUserByUpn(actor.tenantId, upn))
        return Error::Conflict("UserPrincipalNameTaken",
                               "Another user already has the userPrincipalName " + upn + ".");
      u.userPrincipalName = upn;
    }
    if (p.usageLocation) u.usageLocation = *p.usageLocation;
    if (p.preferredLanguage) u.preferredLanguage = *p.preferredLanguage;
    if (p.password) u.passwordHash = hash;
    tx.UpdateUser(u);
    // A disabled account and a reset password end every token and session.
    if ((p.accountEnabled && !*p.accountEnabled) || p.password)
      tx.DeleteUserTokens(u.tenantId, u.id);
    auto after_json = UserJson(u);
    if (p.password) after_json["passwordChanged"] = true;
    Audit(tx, ctx, actor.userId, actor.tenantId, "user.update", "user", u.id.str(),
          UserJson(before).dump(), after_json.dump());
    out = Load(tx, u);
    return Ok();
  }));
  return out;
}

Status ChangePassword(Context& ctx, const Actor& actor, const std::string& current,
                      const std::string& next) {
  LD_TRY(CheckPasswordPolicy(next, "newPassword"));
  std::optional<User> me;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    me = tx.FindUser(actor.tenantId, actor.userId);
    return Ok();
  }));
  if (!me) return Error::NotFound("The user");
  // A wrong current password is this request's 400 and nothing else's: the
  // sign-in throttle does not count it (the caller is signed in already).
  if (!VerifyPassword(me->passwordHash, current))
    return Error::Invalid("InvalidCurrentPassword", "The current password is not correct.",
                          "currentPassword");
  if (current == next)
    return Error::Invalid("PasswordUnchanged", "The new password must differ from the current one.",
                          "newPassword");
  std::string hash = HashPassword(next);
  return ctx.store.Write([&](Tx& tx) -> Status {
    auto u = tx.FindUser(actor.tenantId, actor.userId);
    if (!u) return Error::NotFound("The user");
    // The password changed under us (another changePassword or a reset):
    // the current password proved above is no longer current.
    if (u->passwordHash != me->passwordHash)
      return Error::Concurrent("ConcurrentChange", "The password changed meanwhile; try again.");
    User before = *u;
    u->passwordHash = hash;
    tx.UpdateUser(*u);
    // Every token and session of the user ends, the caller's too: it signs in
    // again with the new password (docs/decisions.md).
    tx.DeleteUserTokens(u->tenantId, u->id);
    auto after_json = UserJson(*u);
    after_json["passwordChanged"] = true;
    Audit(tx, ctx, actor.userId, actor.tenantId, "user.changePassword", "user", u->id.str(),
          UserJson(before).dump(), after_json.dump());
    return Ok();
  });
}

Status DeleteUser(Context& ctx, const Actor& actor, const std::string& key) {
  LD_TRY(Require(actor, Permission::kManageUsers));
  return ctx.store.Write([&](Tx& tx) -> Status {
    LD_ASSIGN_OR_RETURN(User u, ResolveUser(tx, actor.tenantId, key));
    if (u.id == actor.userId)
      return Error::Invalid("CannotDeleteSelf", "You cannot delete your own account.", "id");
    auto roles = tx.ListRoles(u.tenantId, u.id);
    LD_TRY(RequireMayChangeSensitive(actor, u, roles));
    LD_TRY(RequireKeepsGlobalAdmin(tx, u, roles, false));
    auto licenses = tx.ListAssignments(u.tenantId, u.id);
    nlohmann::json before = UserJson(u);
    before["licenses"] = nlohmann::json::array();
    before["licenseSeqs"] = nlohmann::json::array();
    for (const auto& a : licenses) {
      before["licenses"].push_back(a.skuId.str());
      before["licenseSeqs"].push_back(a.seq);
    }
    tx.DeleteUser(u.tenantId, u.id);
    Audit(tx, ctx, actor.userId, actor.tenantId, "user.delete", "user", u.id.str(), before.dump(),
          "");
    return Ok();
  });
}

Result<UserWithLicenses> GetUser(Context& ctx, const Actor& actor, const std::string& key) {
  UserWithLicenses out;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    LD_ASSIGN_OR_RETURN(User u, ResolveUser(tx, actor.tenantId, key));
    // R12: anyone sees themselves; others need directory read. A user who may
    // not read others gets 404, as if the user did not exist.
    if (u.id != actor.userId && !Allows(actor.roles, Permission::kReadDirectory))
      return Error::NotFound("The user '" + key.substr(0, 100) + "'");
    out = Load(tx, u);
    return Ok();
  }));
  return out;
}

Result<UserPage> ListUsers(Context& ctx, const Actor& actor, const UserPageQuery& q_in,
                           bool with_count) {
  UserPage out;
  UserPageQuery q = q_in;
  q.limit = std::clamp(q.limit, 1, 999);
  bool can_read = Allows(actor.roles, Permission::kReadDirectory);
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    if (!can_read) {
      // Non-admins see only themselves.
      auto me = tx.FindUser(actor.tenantId, actor.userId);
      if (me && (!q.after || *q.after < me->id)) out.users.push_back(Load(tx, *me));
      if (with_count) out.count = static_cast<int64_t>(out.users.size());
      return Ok();
    }
    UserPageQuery probe = q;
    probe.limit = q.limit + 1;
    auto users = tx.ListUsers(actor.tenantId, probe);
    if (static_cast<int>(users.size()) > q.limit) {
      users.resize(static_cast<size_t>(q.limit));
      out.nextAfter = users.back().id;
    }
    std::vector<Guid> ids;
    ids.reserve(users.size());
    for (const auto& u : users) ids.push_back(u.id);
    auto assignments = tx.ListAssignmentsOf(actor.tenantId, ids);
    out.users.reserve(users.size());
    size_t ai = 0;
    std::sort(assignments.begin(), assignments.end(),
              [](const auto& a, const auto& b) { return a.userId < b.userId; });
    for (auto& u : users) {
      UserWithLicenses w{std::move(u), {}, {}};
      while (ai < assignments.size() && assignments[ai].userId < w.user.id) ++ai;
      while (ai < assignments.size() && assignments[ai].userId == w.user.id)
        w.licenses.push_back(assignments[ai++]);
      out.users.push_back(std::move(w));
    }
    if (with_count) out.count = tx.CountUsers(actor.tenantId, q.filter);
    return Ok();
  }));
  return out;
}

Result<OrganizationView> GetOrganization(Context& ctx, const Actor& actor) {
  OrganizationView out;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    auto t = tx.FindTenant(actor.tenantId);
    if (!t) return Error::NotFound("The organization");
    out.tenant = *t;
    out.domains = tx.ListDomains(actor.tenantId);
    return Ok();
  }));
  if (auto m = MarketOf(ctx, out.tenant); m.ok()) out.currency = (*m)->currency;
  return out;
}

Result<RoleSet> GetRoles(Context& ctx, const Actor& actor, const std::string& key) {
  RoleSet out;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    LD_ASSIGN_OR_RETURN(User u, ResolveUser(tx, actor.tenantId, key));
    if (u.id != actor.userId && !Allows(actor.roles, Permission::kReadDirectory))
      return Error::NotFound("The user '" + key.substr(0, 100) + "'");
    out = tx.ListRoles(actor.tenantId, u.id);
    return Ok();
  }));
  return out;
}

Result<RoleSet> SetRoles(Context& ctx, const Actor& actor, const std::string& key,
                         const RoleSet& roles_in) {
  LD_TRY(Require(actor, Permission::kManageRoles));
  RoleSet roles = roles_in;
  std::sort(roles.begin(), roles.end());
  roles.erase(std::unique(roles.begin(), roles.end()), roles.end());
  LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
    LD_ASSIGN_OR_RETURN(User u, ResolveUser(tx, actor.tenantId, key));
    RoleSet before = tx.ListRoles(actor.tenantId, u.id);
    auto has_ga = [](const RoleSet& r) {
      return std::find(r.begin(), r.end(), Role::kGlobalAdmin) != r.end();
    };
    if (has_ga(before) && !has_ga(roles)) LD_TRY(RequireKeepsGlobalAdmin(tx, u, before, false));
    tx.SetRoles(actor.tenantId, u.id, roles);
    auto names = [](const RoleSet& r) {
      nlohmann::json a = nlohmann::json::array();
      for (Role x : r) a.push_back(ToString(x));
      return a;
    };
    Audit(tx, ctx, actor.userId, actor.tenantId, "user.roles", "user", u.id.str(),
          names(before).dump(), names(roles).dump());
    return Ok();
  }));
  return roles;
}

Result<AuditPage> ListAudit(Context& ctx, const Actor& actor, std::optional<AuditCursor> before,
                            int limit) {
  LD_TRY(Require(actor, Permission::kReadAudit));
  limit = std::clamp(limit, 1, 1000);
  AuditPage out;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    out.entries = tx.ListAudit(actor.tenantId, before, limit + 1);
    if (static_cast<int>(out.entries.size()) > limit) {
      out.entries.resize(static_cast<size_t>(limit));
      out.next = AuditCursor{out.entries.back().at, out.entries.back().id};
    }
    return Ok();
  }));
  return out;
}

}  // namespace ld::app
