// SqlTx: the directory: users (with the filters of their lists), their roles,
// and the sign-in tokens that name them.
#include <algorithm>

#include "store/sql/rows.h"
#include "store/sql_tx.h"

namespace ld::store {

using namespace rows;
using app::TokenRecord;
using app::UserFilter;
using app::UserPageQuery;

// ---- users ----

void SqlTx::InsertUser(const User& u) {
  X(c_,
    "INSERT INTO users (tenant_id, id, upn, display_name, display_name_lower, mail_nickname, "
    "usage_location, preferred_language, account_enabled, password_hash, created_at) VALUES (?, "
    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    u.tenantId, u.id, u.userPrincipalName, u.displayName, LowerAscii(u.displayName), u.mailNickname,
    u.usageLocation, u.preferredLanguage, u.accountEnabled, u.passwordHash, u.createdAt);
}

void SqlTx::UpdateUser(const User& u) {
  X(c_,
    "UPDATE users SET upn = ?, display_name = ?, display_name_lower = ?, mail_nickname = ?, "
    "usage_location = ?, preferred_language = ?, account_enabled = ?, password_hash = ? WHERE "
    "tenant_id = ? AND id = ?",
    u.userPrincipalName, u.displayName, LowerAscii(u.displayName), u.mailNickname, u.usageLocation,
    u.preferredLanguage, u.accountEnabled, u.passwordHash, u.tenantId, u.id);
}

void SqlTx::DeleteUser(const Guid& tenant, const Guid& id) {
  // Licenses go with the user: lower each pool's consumed count first.
  for (const auto& a : ListAssignments(tenant, id)) DeleteAssignment(tenant, id, a.skuId);
  // Sources that hold nothing (a group's in state Error) and memberships.
  X(c_, "DELETE FROM license_sources WHERE tenant_id = ? AND user_id = ?", tenant, id);
  X(c_, "DELETE FROM group_members WHERE tenant_id = ? AND user_id = ?", tenant, id);
  X(c_, "DELETE FROM user_roles WHERE tenant_id = ? AND user_id = ?", tenant, id);
  X(c_, "DELETE FROM tokens WHERE tenant_id = ? AND user_id = ?", tenant, id);
  X(c_, "DELETE FROM users WHERE tenant_id = ? AND id = ?", tenant, id);
}

std::optional<User> SqlTx::FindUser(const Guid& tenant, const Guid& id) {
  auto r = Q(c_, std::string("SELECT ") + kUserCols + " FROM users WHERE tenant_id = ? AND id = ?",
             tenant, id);
  if (!r->Next()) return std::nullopt;
  return ReadUser(*r);
}

std::optional<User> SqlTx::FindUserByUpn(const Guid& tenant, const std::string& upn) {
  auto r = Q(c_, std::string("SELECT ") + kUserCols + " FROM users WHERE tenant_id = ? AND upn = ?",
             tenant, LowerAscii(upn));
  if (!r->Next()) return std::nullopt;
  return ReadUser(*r);
}

namespace {
// Appends the filter's conditions to `sql` and its values to `vals`.
// Values are kept in `holder` so the string_views in Params stay valid.
struct FilterSql {
  std::string where;
  std::vector<std::string> texts;
  std::vector<Guid> ids;
  std::vector<std::pair<int, int>> order;  // (kind 0=text 1=id 2=int, index)
  std::vector<int64_t> ints;
  void Text(std::string v) {
    texts.push_back(std::move(v));
    order.emplace_back(0, static_cast<int>(texts.size() - 1));
  }
  void Id(const Guid& g) {
    ids.push_back(g);
    order.emplace_back(1, static_cast<int>(ids.size() - 1));
  }
  void Int(int64_t v) {
    ints.push_back(v);
    order.emplace_back(2, static_cast<int>(ints.size() - 1));
  }
  std::vector<Param> Params() const {
    std::vector<Param> p;
    for (auto [k, i] : order) {
      if (k == 0) p.push_back(std::string_view(texts[static_cast<size_t>(i)]));
      if (k == 1) p.push_back(Blob{ids[static_cast<size_t>(i)].bytes().data(), 16});
      if (k == 2) p.push_back(ints[static_cast<size_t>(i)]);
    }
    return p;
  }
};

void BuildFilter(const Guid& tenant, const UserFilter& f, FilterSql* s) {
  s->where = " WHERE u.tenant_id = ?";
  s->Id(tenant);
  if (f.upnEquals) {
    s->where += " AND u.upn = ?";
    s->Text(LowerAscii(*f.upnEquals));
  }
  if (f.displayNameEquals) {
    s->where += " AND u.display_name = ?";
    s->Text(*f.displayNameEquals);
  }
  if (f.displayNamePrefix) {
    std::string p = LowerAscii(*f.displayNamePrefix);
    s->where += " AND substr(u.display_name_lower, 1, " + std::to_string(Utf8Length(p)) + ") = ?";
    s->Text(p);
  }
  if (f.upnPrefix) {
    std::string p = LowerAscii(*f.upnPrefix);
    s->where += " AND substr(u.upn, 1, " + std::to_string(Utf8Length(p)) + ") = ?";
    s->Text(p);
  }
  if (f.accountEnabled) {
    s->where += " AND u.account_enabled = ?";
    s->Int(*f.accountEnabled ? 1 : 0);
  }
  if (f.usageLocation) {
    s->where += " AND u.usage_location = ?";
    s->Text(*f.usageLocation);
  }
  for (const auto& sku : f.hasSku) {
    s->where +=
        " AND EXISTS (SELECT 1 FROM license_assignments a WHERE a.tenant_id = u.tenant_id AND "
        "a.user_id = u.id AND a.sku_id = ?)";
    s->Id(sku);
  }
  if (f.lastSignInFrom || f.lastSignInTo) {
    s->where +=
        " AND EXISTS (SELECT 1 FROM sign_in_activity s WHERE s.tenant_id = u.tenant_id AND "
        "s.user_id = u.id AND s.last_sign_in_at IS NOT NULL";
    if (f.lastSignInFrom) {
      s->where += " AND s.last_sign_in_at >= ?";
      s->Int(*f.lastSignInFrom);
    }
    if (f.lastSignInTo) {
      s->where += " AND s.last_sign_in_at <= ?";
      s->Int(*f.lastSignInTo);
    }
    s->where += ")";
  }
  if (f.hasAnyLicense) {
    s->where += *f.hasAnyLicense ? " AND EXISTS" : " AND NOT EXISTS";
    s->where +=
        " (SELECT 1 FROM license_assignments a WHERE a.tenant_id = u.tenant_id AND a.user_id = "
        "u.id)";
  }
}
}  // namespace

std::vector<User> SqlTx::ListUsers(const Guid& tenant, const UserPageQuery& q) {
  FilterSql f;
  BuildFilter(tenant, q.filter, &f);
  if (q.after) {
    f.where += " AND u.id > ?";
    f.Id(*q.after);
  }
  std::string sql =
      "SELECT u.tenant_id, u.id, u.upn, u.display_name, u.mail_nickname, "
      "u.usage_location, u.preferred_language, u.account_enabled, u.password_hash, "
      "u.created_at FROM users u" +
      f.where + " ORDER BY u.id LIMIT ?";
  f.Int(q.limit);
  auto params = f.Params();
  auto r = c_.Query(sql, params);
  std::vector<User> out;
  out.reserve(static_cast<size_t>(std::clamp(q.limit, 0, 1000)));
  while (r->Next()) out.push_back(ReadUser(*r));
  return out;
}

int64_t SqlTx::CountUsers(const Guid& tenant, const UserFilter& filter) {
  FilterSql f;
  BuildFilter(tenant, filter, &f);
  auto params = f.Params();
  auto r = c_.Query("SELECT COUNT(*) FROM users u" + f.where, params);
  return r->Next() ? r->Int(0) : 0;
}

// ---- roles ----

RoleSet SqlTx::ListRoles(const Guid& tenant, const Guid& user) {
  RoleSet out;
  auto r = Q(c_, "SELECT role FROM user_roles WHERE tenant_id = ? AND user_id = ? ORDER BY role",
             tenant, user);
  while (r->Next()) out.push_back(Known(ParseRole(r->Text(0)), "Role", r->Text(0)));
  return out;
}

void SqlTx::SetRoles(const Guid& tenant, const Guid& user, const RoleSet& roles) {
  X(c_, "DELETE FROM user_roles WHERE tenant_id = ? AND user_id = ?", tenant, user);
  for (Role role : roles)
    X(c_, "INSERT INTO user_roles (tenant_id, user_id, role) VALUES (?, ?, ?)", tenant, user,
      ToString(role));
}

int64_t SqlTx::CountRoleHolders(const Guid& tenant, Role role) {
  auto r = Q(c_, "SELECT COUNT(*) FROM user_roles WHERE tenant_id = ? AND role = ?", tenant,
             ToString(role));
  return r->Next() ? r->Int(0) : 0;
}

// ---- privileged users (engineer A) ----

int64_t SqlTx::LockAndCountEnabledRoleHolders(const Guid& tenant, Role role) {
  if (pg()) {
    // Every change that may take a Global Administrator away serializes here.
    auto l = Q(c_, "SELECT id FROM tenants WHERE id = ? FOR UPDATE", tenant);
    while (l->Next()) {
    }
  }
  auto r = Q(c_,
             "SELECT COUNT(*) FROM user_roles r JOIN users u ON u.tenant_id = r.tenant_id AND "
             "u.id = r.user_id WHERE r.tenant_id = ? AND r.role = ? AND u.account_enabled = 1",
             tenant, ToString(role));
  return r->Next() ? r->Int(0) : 0;
}

// ---- tokens (sign-in) ----

void SqlTx::InsertToken(const TokenRecord& t) {
  X(c_,
    "INSERT INTO tokens (token_hash, tenant_id, user_id, kind, csrf_hash, created_at, "
    "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    t.tokenHash, t.tenantId, t.userId, t.kind, t.csrfHash, t.createdAt, t.expiresAt);
}

std::optional<TokenRecord> SqlTx::FindToken(const std::string& h) {
  auto r = Q(c_, std::string("SELECT ") + kTokenCols + " FROM tokens WHERE token_hash = ?", h);
  if (!r->Next()) return std::nullopt;
  return ReadToken(*r);
}

std::optional<app::Tx::SignedIn> SqlTx::FindSignedIn(const std::string& h) {
  // The token's columns (kTokenCols, from t), then the user's state and roles.
  auto r = Q(c_,
             "SELECT t.token_hash, t.tenant_id, t.user_id, t.kind, t.csrf_hash, t.created_at, "
             "t.expires_at, u.account_enabled, r.role FROM tokens t JOIN users u ON u.tenant_id "
             "= t.tenant_id AND u.id = t.user_id LEFT JOIN user_roles r ON r.tenant_id = "
             "t.tenant_id AND r.user_id = t.user_id WHERE t.token_hash = ? ORDER BY r.role",
             h);
  std::optional<SignedIn> out;
  while (r->Next()) {
    if (!out) {
      out.emplace();
      out->token = ReadToken(*r);
      out->accountEnabled = r->Int(7) != 0;
    }
    if (!r->IsNull(8)) out->roles.push_back(Known(ParseRole(r->Text(8)), "Role", r->Text(8)));
  }
  return out;
}

void SqlTx::DeleteToken(const std::string& h) {
  X(c_, "DELETE FROM tokens WHERE token_hash = ?", h);
}

void SqlTx::DeleteUserTokens(const Guid& tenant, const Guid& user) {
  X(c_, "DELETE FROM tokens WHERE tenant_id = ? AND user_id = ?", tenant, user);
}

}  // namespace ld::store
