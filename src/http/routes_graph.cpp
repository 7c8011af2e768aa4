// The Microsoft Graph subset (/v1.0): me, organization, users with OData
// query options, subscribedSkus, assignLicense and licenseDetails.
#include <fmt/format.h>

#include "app/directory.h"
#include "app/groups.h"
#include "app/licensing.h"
#include "app/sso.h"
#include "http/metrics.h"
#include "http/odata.h"
#include "http/render.h"
#include "http/routes.h"

namespace ld::http {
namespace {

namespace od = ld::http::odata;

std::string Context(const Call& c, std::string_view fragment) {
  return c.req.BaseUrl() + "/v1.0/$metadata#" + std::string(fragment);
}

std::string SelectSuffix(const std::vector<std::string>& select) {
  if (select.empty()) return {};
  std::string s = "(";
  for (size_t i = 0; i < select.size(); ++i) s += (i ? "," : "") + select[i];
  return s + ")";
}

Error BadSkipToken() {
  return Error::Invalid("InvalidSkipToken",
                        "The $skiptoken is not valid for this query; follow @odata.nextLink as "
                        "given.",
                        "$skiptoken");
}

// The selectable properties as the OData parser wants them.
std::span<const std::string_view> Selectable() {
  const auto& v = SelectableUserProperties();
  return {v.data(), v.size()};
}

Result<std::vector<std::string>> ParseSelectParam(const Call& c) {
  auto sel = c.req.Param("$select");
  if (!sel) return std::vector<std::string>{};
  return od::ParseSelect(*sel, Selectable());
}

// R: the Graph $filter subset -> the app's conjunction of conditions.
Error Unsupported(const std::string& what) {
  Error e =
      Error::Invalid("Request_UnsupportedQuery",
                     "Unsupported query: " + what + " is not supported in $filter.", "$filter");
  return e;
}

Status AddCondition(const od::FilterExpr& e, app::UserFilter& f) {
  using K = od::FilterExpr::Kind;
  auto once = [](auto& slot, auto value, const char* name) -> Status {
    if (slot.has_value()) return Unsupported(std::string("two conditions on ") + name);
    slot = std::move(value);
    return Ok();
  };
  switch (e.kind) {
    case K::kAnd:
      for (const auto& ch : e.children) LD_TRY(AddCondition(ch, f));
      return Ok();
    case K::kLastSignIn: {
      // At most one bound each way (two "le" would be ambiguous to merge).
      switch (e.range) {
        case od::RangeOp::kLe:
          return once(f.lastSignInTo, e.at, "signInActivity (upper bound)");
        case od::RangeOp::kLt:
          return once(f.lastSignInTo, e.at - 1, "signInActivity (upper bound)");
        case od::RangeOp::kGe:
          return once(f.lastSignInFrom, e.at, "signInActivity (lower bound)");
        case od::RangeOp::kGt:
          return once(f.lastSignInFrom, e.at + 1, "signInActivity (lower bound)");
        case od::RangeOp::kEq:
          LD_TRY(once(f.lastSignInFrom, e.at, "signInActivity (lower bound)"));
          return once(f.lastSignInTo, e.at, "signInActivity (upper bound)");
      }
      return Unsupported("this comparison");
    }
    case K::kOr:
      return Unsupported("'or'");
    case K::kNot:
      return Unsupported("'not'");
    case K::kCompare: {
      if (e.op != od::CompareOp::kEq) return Unsupported("'ne'");
      switch (e.property) {
        case od::Property::kUserPrincipalName:
        case od::Property::kMail: {
          std::string v = e.text;
          for (auto& ch : v)
            if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
          return once(f.upnEquals, v, "userPrincipalName");
        }
        case od::Property::kDisplayName:
          return once(f.displayNameEquals, e.text, "displayName");
        case od::Property::kUsageLocation: {
          std::string v = e.text;
          for (auto& ch : v)
            if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
          return once(f.usageLocation, v, "usageLocation");
        }
        case od::Property::kAccountEnabled:
          return once(f.accountEnabled, e.flag, "accountEnabled");
      }
      return Unsupported("this property");
    }
    case K::kStartsWith:
      switch (e.property) {
        case od::Property::kDisplayName:
          return once(f.displayNamePrefix, e.text, "displayName");
        case od::Property::kUserPrincipalName:
        case od::Property::kMail: {
          std::string v = e.text;
          for (auto& ch : v)
            if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
          return once(f.upnPrefix, v, "userPrincipalName");
        }
        default:
          return Unsupported("startswith on this property");
      }
    case K::kHasLicense:
      f.hasSku.push_back(e.sku);
      return Ok();
    case K::kLicenseCount:
      if (e.count != 0) return Unsupported("assignedLicenses/$count other than 0");
      return once(f.hasAnyLicense, e.op != od::CompareOp::kEq, "assignedLicenses/$count");
  }
  return Unsupported("this expression");
}

bool Eventual(const Call& c) {
  auto h = c.req.Header("consistencylevel");
  if (!h) return false;
  std::string v = *h;
  for (auto& ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return v == "eventual";
}

std::string JoinSelect(const std::vector<std::string>& s) {
  std::string o;
  for (size_t i = 0; i < s.size(); ++i) o += (i ? "," : "") + s[i];
  return o;
}

// $skiptoken = base64url({"a": cursor, "f": filter, "s": select, "t": top, "c": count}).
std::string MakeSkipToken(const Guid& after, const od::UsersQuery& q) {
  Json j{{"a", after.str()},
         {"f", q.filter ? od::ToString(*q.filter) : std::string()},
         {"s", JoinSelect(q.select)},
         {"t", q.top},
         {"c", q.count}};
  return Base64UrlEncode(j.dump());
}

Result<Guid> ReadSkipToken(const std::string& token, od::UsersQuery& q, bool has_other_options) {
  auto bin = Base64UrlDecode(token);
  if (!bin) return BadSkipToken();
  Json j = Json::parse(*bin, nullptr, false);
  if (!j.is_object() || !j["a"].is_string() || !j["f"].is_string() || !j["s"].is_string() ||
      !j["t"].is_number_integer() || !j["c"].is_boolean())
    return BadSkipToken();
  auto after = Guid::Parse(j["a"].get<std::string>());
  if (!after) return BadSkipToken();
  od::UsersQuery from;
  const std::string ftext = j["f"].get<std::string>();
  if (!ftext.empty()) {
    auto f = od::ParseFilter(ftext);
    if (!f.ok()) return BadSkipToken();
    from.filter = std::move(f).value();
  }
  const std::string stext = j["s"].get<std::string>();
  if (!stext.empty()) {
    auto s = od::ParseSelect(stext, Selectable());
    if (!s.ok()) return BadSkipToken();
    from.select = std::move(s).value();
  }
  from.top = j["t"].get<int64_t>();
  if (from.top < 1 || from.top > 999) return BadSkipToken();
  from.count = j["c"].get<bool>();
  if (has_other_options) {
    bool same = from.top == q.top && from.count == q.count && from.select == q.select &&
                from.filter.has_value() == q.filter.has_value() &&
                (!from.filter || od::ToString(*from.filter) == od::ToString(*q.filter));
    if (!same) return BadSkipToken();
  } else {
    from.skipToken = q.skipToken;
    q = std::move(from);
  }
  return *after;
}

Result<Reply> ListUsersH(Call& c) {
  static const od::UsersQueryRules kRules{Selectable(), od::TopBounds{}};
  LD_ASSIGN_OR_RETURN(od::UsersQuery q, od::ParseUsersQuery(c.req.params, kRules));
  std::optional<Guid> after;
  if (q.skipToken) {
    bool others = false;
    for (const auto& [k, v] : c.req.params) {
      std::string lk = k;
      for (auto& ch : lk) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (!lk.empty() && lk[0] == '$' && lk != "$skiptoken") others = true;
    }
    LD_ASSIGN_OR_RETURN(after, ReadSkipToken(*q.skipToken, q, others));
  }
  bool eventual = Eventual(c);
  if (q.count && !eventual)
    return Error::Invalid("Request_BadRequest",
                          "$count requires the header ConsistencyLevel: eventual.",
                          "ConsistencyLevel");
  app::UserPageQuery pq;
  if (q.filter) {
    if (od::RequiresAdvancedQuery(*q.filter) && !eventual)
      return Error::Invalid("Request_UnsupportedQuery",
                            "This $filter needs advanced query capabilities: send the header "
                            "ConsistencyLevel: eventual (with $count=true).",
                            "ConsistencyLevel");
    LD_TRY(AddCondition(*q.filter, pq.filter));
  }
  pq.after = after;
  pq.limit = static_cast<int>(q.top);
  LD_ASSIGN_OR_RETURN(app::UserPage page, app::ListUsers(c.ctx, c.actor(), pq, q.count));
  LD_TRY(FillSelectedExtras(c, q.select, page.users));
  // Written straight into the body (keys in the sorted order Dump() uses):
  // a page holds up to 999 users and a JSON tree per user cost most of the time.
  std::string body = "{\"@odata.context\":";
  AppendJsonString(body, Context(c, "users" + SelectSuffix(q.select)));
  if (q.count && page.count) body += ",\"@odata.count\":" + std::to_string(*page.count);
  if (page.nextAfter) {
    std::string link = c.req.BaseUrl() + "/v1.0/users?";
    if (q.filter) link += "$filter=" + PercentEncode(od::ToString(*q.filter)) + "&";
    if (!q.select.empty()) link += "$select=" + PercentEncode(JoinSelect(q.select)) + "&";
    link += "$top=" + std::to_string(q.top) + "&";
    if (q.count) link += "$count=true&";
    link += "$skiptoken=" + MakeSkipToken(*page.nextAfter, q);
    body += ",\"@odata.nextLink\":";
    AppendJsonString(body, link);
  }
  body += ",\"value\":[";
  body.reserve(body.size() + page.users.size() * 400);
  const UserJsonWriter writer(q.select);
  for (size_t i = 0; i < page.users.size(); ++i) {
    if (i) body.push_back(',');
    writer.Append(body, page.users[i]);
  }
  body += "]}";
  Reply r;
  r.raw = std::move(body);
  return r;
}

Result<Reply> UserReply(Call& c, const app::UserWithLicenses& u,
                        const std::vector<std::string>& select, int status = 200) {
  // "@odata.context" sorts first, so it leads the streamed object (the same
  // bytes as Dump() of the tree).
  std::string user;
  AppendUserJson(user, u, select);
  std::string body = "{\"@odata.context\":";
  AppendJsonString(body, Context(c, "users" + SelectSuffix(select) + "/$entity"));
  if (user.size() > 2) body += ',';
  body.append(user, 1);
  Reply r;
  r.status = status;
  r.raw = std::move(body);
  return r;
}

Result<Reply> GetUserById(Call& c, const std::string& key) {
  LD_ASSIGN_OR_RETURN(auto select, ParseSelectParam(c));
  LD_ASSIGN_OR_RETURN(app::UserWithLicenses u, app::GetUser(c.ctx, c.actor(), key));
  if (std::find(select.begin(), select.end(), "licenseAssignmentStates") != select.end()) {
    LD_ASSIGN_OR_RETURN(u.sources, app::LicenseAssignmentStates(c.ctx, c.actor(), u.user.id.str()));
  }
  if (std::find(select.begin(), select.end(), "signInActivity") != select.end()) {
    LD_ASSIGN_OR_RETURN(auto activity, app::SignInActivityOf(c.ctx, c.actor(), {u.user.id}));
    if (auto it = activity.find(u.user.id); it != activity.end()) u.signInActivity = it->second;
  }
  return UserReply(c, u, select);
}

Result<Reply> GetMeH(Call& c) {
  return GetUserById(c, c.actor().userId.str());
}
Result<Reply> GetUserH(Call& c) {
  return GetUserById(c, c.Param(0));
}

Result<std::optional<std::string>> ReadPassword(const Fields& f) {
  LD_ASSIGN_OR_RETURN(auto pp, f.OptObject("passwordProfile"));
  if (!pp) return std::optional<std::string>{};
  LD_TRY(pp->OnlyKnown(
      {"password", "forceChangePasswordNextSignIn", "forceChangePasswordNextSignInWithMfa"}));
  LD_ASSIGN_OR_RETURN(auto force, pp->OptBool("forceChangePasswordNextSignIn"));
  LD_ASSIGN_OR_RETURN(auto force_mfa, pp->OptBool("forceChangePasswordNextSignInWithMfa"));
  (void)force;
  (void)force_mfa;
  LD_ASSIGN_OR_RETURN(std::string pw, pp->String("password"));
  return std::optional<std::string>{pw};
}

Result<Reply> CreateUserH(Call& c) {
  LD_ASSIGN_OR_RETURN(Fields f, Fields::Of(c.body));
  LD_TRY(f.OnlyKnown({"accountEnabled", "displayName", "mailNickname", "userPrincipalName",
                      "passwordProfile", "usageLocation", "preferredLanguage"},
                     true));
  app::NewUser u;
  LD_ASSIGN_OR_RETURN(auto enabled, f.OptBool("accountEnabled"));
  u.accountEnabled = enabled.value_or(true);
  LD_ASSIGN_OR_RETURN(u.displayName, f.String("displayName"));
  LD_ASSIGN_OR_RETURN(u.userPrincipalName, f.String("userPrincipalName"));
  LD_ASSIGN_OR_RETURN(auto nick, f.OptString("mailNickname"));
  u.mailNickname = nick ? *nick : u.userPrincipalName.substr(0, u.userPrincipalName.find('@'));
  LD_ASSIGN_OR_RETURN(u.password, ReadPassword(f));
  LD_ASSIGN_OR_RETURN(auto loc, f.NullableString("usageLocation"));
  if (loc) u.usageLocation = *loc;
  LD_ASSIGN_OR_RETURN(auto lang, f.NullableString("preferredLanguage"));
  if (lang) u.preferredLanguage = *lang;
  LD_ASSIGN_OR_RETURN(app::UserWithLicenses created, app::CreateUser(c.ctx, c.actor(), u));
  LD_ASSIGN_OR_RETURN(Reply r, UserReply(c, created, {}, 201));
  r.headers.emplace_back("Location", c.req.BaseUrl() + "/v1.0/users/" + created.user.id.str());
  return r;
}

Result<Reply> PatchUser(Call& c, const std::string& key) {
  LD_ASSIGN_OR_RETURN(Fields f, Fields::Of(c.body));
  LD_TRY(f.OnlyKnown({"accountEnabled", "displayName", "mailNickname", "userPrincipalName",
                      "passwordProfile", "usageLocation", "preferredLanguage"},
                     true));
  app::UserPatch p;
  LD_ASSIGN_OR_RETURN(p.accountEnabled, f.OptBool("accountEnabled"));
  LD_ASSIGN_OR_RETURN(p.displayName, f.OptString("displayName"));
  LD_ASSIGN_OR_RETURN(p.mailNickname, f.OptString("mailNickname"));
  LD_ASSIGN_OR_RETURN(p.userPrincipalName, f.OptString("userPrincipalName"));
  LD_ASSIGN_OR_RETURN(p.password, ReadPassword(f));
  LD_ASSIGN_OR_RETURN(p.usageLocation, f.NullableString("usageLocation"));
  LD_ASSIGN_OR_RETURN(p.preferredLanguage, f.NullableString("preferredLanguage"));
  LD_ASSIGN_OR_RETURN(app::UserWithLicenses u, app::UpdateUser(c.ctx, c.actor(), key, p));
  (void)u;
  return Reply::NoContent();  // Graph answers a PATCH with 204
}

Result<Reply> PatchMeH(Call& c) {
  return PatchUser(c, c.actor().userId.str());
}
Result<Reply> ChangePasswordH(Call& c) {
  LD_ASSIGN_OR_RETURN(Fields f, Fields::Of(c.body));
  LD_TRY(f.OnlyKnown({"currentPassword", "newPassword"}, true));
  LD_ASSIGN_OR_RETURN(std::string current, f.String("currentPassword"));
  LD_ASSIGN_OR_RETURN(std::string next, f.String("newPassword"));
  LD_TRY(app::ChangePassword(c.ctx, c.actor(), current, next));
  return Reply::NoContent();  // Graph answers changePassword with 204
}

Result<Reply> PatchUserH(Call& c) {
  return PatchUser(c, c.Param(0));
}

Result<Reply> DeleteUserH(Call& c) {
  LD_TRY(app::DeleteUser(c.ctx, c.actor(), c.Param(0)));
  return Reply::NoContent();
}

Result<Reply> OrganizationH(Call& c) {
  LD_ASSIGN_OR_RETURN(app::OrganizationView o, app::GetOrganization(c.ctx, c.actor()));
  return Reply::Ok({{"@odata.context", Context(c, "organization")},
                    {"value", Json::array({OrganizationJson(o)})}});
}

Result<Reply> SubscribedSkusH(Call& c) {
  LD_ASSIGN_OR_RETURN(auto skus, app::ListSubscribedSkus(c.ctx, c.actor()));
  Json value = Json::array();
  for (const auto& s : skus) value.push_back(SubscribedSkuJson(s, c.actor().tenantId));
  return Reply::Ok({{"@odata.context", Context(c, "subscribedSkus")}, {"value", value}});
}

Result<Reply> SubscribedSkuH(Call& c) {
  const std::string& id = c.Param(0);
  auto us = id.find('_');
  std::optional<Guid> tenant, sku;
  if (us != std::string::npos) {
    tenant = Guid::Parse(std::string_view(id).substr(0, us));
    sku = Guid::Parse(std::string_view(id).substr(us + 1));
  }
  if (!tenant || !sku)
    return Error::Invalid("InvalidId", "A subscribedSku id has the form <tenantId>_<skuId>.", "id");
  // R13: another organization's pool is as absent as an unknown one.
  if (*tenant != c.actor().tenantId) return Error::NotFound("The subscribedSku '" + id + "'");
  LD_ASSIGN_OR_RETURN(app::SubscribedSku s, app::GetSubscribedSku(c.ctx, c.actor(), *sku));
  Json j = SubscribedSkuJson(s, c.actor().tenantId);
  j["@odata.context"] = Context(c, "subscribedSkus/$entity");
  return Reply::Ok(std::move(j));
}

Result<Reply> AssignLicenseH(Call& c) {
  LD_ASSIGN_OR_RETURN(LicenseChange body, ReadLicenseChange(c.body));
  LD_ASSIGN_OR_RETURN(app::UserWithLicenses u,
                      app::AssignLicense(c.ctx, c.actor(), c.Param(0), body.add, body.remove));
  c.metrics.CountLicenses("assign", static_cast<int64_t>(body.add.size()));
  c.metrics.CountLicenses("remove", static_cast<int64_t>(body.remove.size()));
  return UserReply(c, u, {});
}

Result<Reply> LicenseDetailsH(Call& c) {
  LD_ASSIGN_OR_RETURN(auto ls, app::LicenseDetails(c.ctx, c.actor(), c.Param(0)));
  Json value = Json::array();
  for (const auto& a : ls) value.push_back(LicenseDetailJson(a, c.ctx.catalog));
  return Reply::Ok({{"@odata.context", Context(c, "users('" + c.Param(0) + "')/licenseDetails")},
                    {"value", value}});
}

}  // namespace

Result<std::vector<std::string>> ParseUserSelect(const Call& c) {
  return ParseSelectParam(c);
}

Status FillSelectedExtras(Call& c, const std::vector<std::string>& select,
                          std::vector<app::UserWithLicenses>& users) {
  auto wants = [&](const char* p) {
    return std::find(select.begin(), select.end(), p) != select.end();
  };
  if (users.empty() || (!wants("licenseAssignmentStates") && !wants("signInActivity"))) return Ok();
  std::vector<Guid> ids;
  ids.reserve(users.size());
  for (const auto& u : users) ids.push_back(u.user.id);
  if (wants("licenseAssignmentStates")) {
    LD_ASSIGN_OR_RETURN(auto states, app::LicenseAssignmentStatesOf(c.ctx, c.actor(), ids));
    for (auto& u : users)
      if (auto it = states.find(u.user.id); it != states.end()) u.sources = std::move(it->second);
  }
  if (wants("signInActivity")) {
    LD_ASSIGN_OR_RETURN(auto activity, app::SignInActivityOf(c.ctx, c.actor(), ids));
    for (auto& u : users)
      if (auto it = activity.find(u.user.id); it != activity.end()) u.signInActivity = it->second;
  }
  return Ok();
}

Result<LicenseChange> ReadLicenseChange(const Json& json) {
  LD_ASSIGN_OR_RETURN(Fields f, Fields::Of(json));
  LD_TRY(f.OnlyKnown({"addLicenses", "removeLicenses"}, true));
  LD_ASSIGN_OR_RETURN(auto adds, f.Array("addLicenses", 100));
  LD_ASSIGN_OR_RETURN(auto removes, f.Array("removeLicenses", 100));
  LicenseChange out;
  for (size_t i = 0; i < adds.size(); ++i) {
    LD_ASSIGN_OR_RETURN(Fields a, Fields::Of(*adds[i], fmt::format("addLicenses[{}].", i)));
    LD_TRY(a.OnlyKnown({"skuId", "disabledPlans"}, true));
    app::LicenseAdd la;
    LD_ASSIGN_OR_RETURN(la.skuId, a.GuidField("skuId"));
    LD_ASSIGN_OR_RETURN(auto plans, a.OptArray("disabledPlans", 200));
    if (plans) {
      for (size_t k = 0; k < plans->size(); ++k) {
        LD_ASSIGN_OR_RETURN(
            Guid g,
            GuidValue(*(*plans)[k], fmt::format("addLicenses[{}].disabledPlans[{}]", i, k)));
        la.disabledPlans.push_back(g);
      }
    }
    out.add.push_back(std::move(la));
  }
  for (size_t i = 0; i < removes.size(); ++i) {
    LD_ASSIGN_OR_RETURN(Guid g, GuidValue(*removes[i], fmt::format("removeLicenses[{}]", i)));
    out.remove.push_back(g);
  }
  return out;
}

std::vector<RouteInfo> GraphRoutes() {
  const std::vector<std::string> kSelect{"$select"};
  return {
      {.method = "GET",
       .path = "/v1.0/me",
       .summary = "The signed-in user.",
       .response = {200, "User"},
       .queryParams = kSelect,
       .handler = GetMeH},
      {.method = "PATCH",
       .path = "/v1.0/me",
       .body = BodyRule::kRequired,
       .summary = "Change your own preferredLanguage (your password: changePassword).",
       .requestSchema = "UserPatch",
       .response = {204, ""},
       .handler = PatchMeH},
      {.method = "POST",
       .path = "/v1.0/me/changePassword",
       .body = BodyRule::kRequired,
       .summary = "Change your own password: currentPassword and newPassword. Ends every token "
                  "and session of yours, this one included.",
       .requestSchema = "ChangePassword",
       .response = {204, ""},
       .handler = ChangePasswordH},
      {.method = "GET",
       .path = "/v1.0/organization",
       .summary = "The caller's organization (value[0]).",
       .response = {200, "OrganizationList"},
       .handler = OrganizationH},
      {.method = "GET",
       .path = "/v1.0/users",
       .summary = "Users, with $filter, $select, $top, $count and paging by @odata.nextLink. "
                  "Without directory read permission a caller sees only itself.",
       .response = {200, "UserList"},
       .queryParams = {"$filter", "$select", "$top", "$count", "$skiptoken"},
       .handler = ListUsersH},
      {.method = "POST",
       .path = "/v1.0/users",
       .access = Access::kPermission,
       .permission = Permission::kManageUsers,
       .body = BodyRule::kRequired,
       .summary = "Create a user.",
       .requestSchema = "NewUser",
       .response = {201, "User"},
       .handler = CreateUserH},
      {.method = "GET",
       .path = "/v1.0/users/{id}",
       .summary = "A user by id or userPrincipalName (yourself, or anyone with directory read).",
       .response = {200, "User"},
       .queryParams = kSelect,
       .handler = GetUserH},
      {.method = "PATCH",
       .path = "/v1.0/users/{id}",
       .body = BodyRule::kRequired,
       .summary =
           "Update a user (User Administrator; License Administrator: usageLocation; "
           "yourself: preferredLanguage). Password, userPrincipalName and accountEnabled of a user "
           "with an admin role: Global Administrator only.",
       .requestSchema = "UserPatch",
       .response = {204, ""},
       .handler = PatchUserH},
      {.method = "DELETE",
       .path = "/v1.0/users/{id}",
       .access = Access::kPermission,
       .permission = Permission::kManageUsers,
       .summary = "Delete a user.",
       .response = {204, ""},
       .handler = DeleteUserH},
      {.method = "GET",
       .path = "/v1.0/subscribedSkus",
       .access = Access::kPermission,
       .permission = Permission::kReadDirectory,
       .summary = "The organization's license pools, one per SKU.",
       .response = {200, "SubscribedSkuList"},
       .handler = SubscribedSkusH},
      {.method = "GET",
       .path = "/v1.0/subscribedSkus/{id}",
       .access = Access::kPermission,
       .permission = Permission::kReadDirectory,
       .summary = "One license pool; id is <tenantId>_<skuId>.",
       .response = {200, "SubscribedSku"},
       .handler = SubscribedSkuH},
      {.method = "POST",
       .path = "/v1.0/users/{id}/assignLicense",
       .access = Access::kPermission,
       .permission = Permission::kManageLicenses,
       .body = BodyRule::kRequired,
       .summary = "Add and remove licenses of a user, all or nothing.",
       .requestSchema = "AssignLicense",
       .response = {200, "User"},
       .handler = AssignLicenseH},
      {.method = "GET",
       .path = "/v1.0/users/{id}/licenseDetails",
       .summary = "A user's licenses with their service plans.",
       .response = {200, "LicenseDetailsList"},
       .handler = LicenseDetailsH},
  };
}

}  // namespace ld::http
