// Groups and group-based licensing (issue 16): Graph's /v1.0/groups, members
// by $ref and @odata.bind, memberOf, group assignLicense (202, processed in
// the background), membersWithLicenseErrors, reprocessLicenseAssignment, and
// the licensePreview beyond Graph.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "app/groups.h"
#include "http/json_io.h"
#include "http/odata.h"
#include "http/render.h"
#include "http/routes.h"

namespace ld::http {
namespace {

namespace od = ld::http::odata;

std::string GraphContext(const Call& c, std::string_view fragment) {
  return c.req.BaseUrl() + "/v1.0/$metadata#" + std::string(fragment);
}

Error InvalidId(const std::string& text) {
  return Error::Invalid("Request_BadRequest",
                        "Invalid object identifier '" + text.substr(0, 100) + "'.");
}

Result<Guid> IdParam(const Call& c, size_t i) {
  auto g = Guid::Parse(c.Param(i));
  if (!g) return InvalidId(c.Param(i));
  return *g;
}

Json GroupJson(const app::GroupView& v) {
  const Group& g = v.group;
  Json licenses = Json::array();
  for (const auto& l : v.licenses) {
    Json plans = Json::array();
    for (const auto& p : l.disabledPlans) plans.push_back(p.str());
    licenses.push_back({{"skuId", l.skuId.str()}, {"disabledPlans", plans}});
  }
  return {{"id", g.id.str()},
          {"displayName", g.displayName},
          {"description", g.description.empty() ? Json(nullptr) : Json(g.description)},
          {"mailNickname", g.mailNickname},
          {"mailEnabled", g.mailEnabled},
          {"securityEnabled", g.securityEnabled},
          {"groupTypes", Json::array()},
          {"createdDateTime", TimeJson(g.createdAt)},
          {"assignedLicenses", licenses},
          {"licenseProcessingState", {{"state", ToString(g.processingState)}}}};
}

constexpr std::string_view kGroupProperties[] = {"id",
                                                 "displayName",
                                                 "description",
                                                 "mailNickname",
                                                 "mailEnabled",
                                                 "securityEnabled",
                                                 "groupTypes",
                                                 "createdDateTime",
                                                 "assignedLicenses",
                                                 "licenseProcessingState"};

Result<std::vector<std::string>> GroupSelect(const Call& c) {
  auto sel = c.req.Param("$select");
  if (!sel) return std::vector<std::string>{};
  return od::ParseSelect(*sel, std::span<const std::string_view>(kGroupProperties));
}

Json Selected(Json j, const std::vector<std::string>& select) {
  if (select.empty()) return j;
  Json out = Json::object();
  for (const auto& k : select)
    if (j.contains(k)) out[k] = j[k];
  return out;
}

Error UnsupportedFilter(const std::string& what) {
  return Error::Invalid("Request_UnsupportedQuery",
                        "Unsupported query: " + what + " is not supported in $filter on groups.",
                        "$filter");
}

// The groups' $filter: displayName eq, startswith(displayName, ...),
// assignedLicenses/any(x:x/skuId eq <guid>) and hasMembersWithLicenseErrors
// eq true|false, joined by `and`.
Status AddGroupCondition(std::string_view text, app::GroupFilter& f);

Status AddParsed(const od::FilterExpr& e, app::GroupFilter& f) {
  using K = od::FilterExpr::Kind;
  switch (e.kind) {
    case K::kAnd:
      for (const auto& ch : e.children) LD_TRY(AddParsed(ch, f));
      return Ok();
    case K::kCompare:
      if (e.property != od::Property::kDisplayName || e.op != od::CompareOp::kEq)
        return UnsupportedFilter("this comparison");
      if (f.displayNameEquals) return UnsupportedFilter("two conditions on displayName");
      f.displayNameEquals = e.text;
      return Ok();
    case K::kStartsWith:
      if (e.property != od::Property::kDisplayName)
        return UnsupportedFilter("startswith on this property");
      if (f.displayNamePrefix) return UnsupportedFilter("two startswith conditions");
      f.displayNamePrefix = e.text;
      return Ok();
    case K::kHasLicense:
      if (f.hasSku) return UnsupportedFilter("two assignedLicenses conditions");
      f.hasSku = e.sku;
      return Ok();
    default:
      return UnsupportedFilter("this expression");
  }
}

Status AddGroupCondition(std::string_view text, app::GroupFilter& f) {
  // hasMembersWithLicenseErrors is a group property the users' parser does
  // not know: one term of it is taken off before the rest is parsed.
  std::string lower(text);
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (std::string_view value : {"true", "false"}) {
    std::string term = "hasmemberswithlicenseerrors eq " + std::string(value);
    auto at = lower.find(term);
    if (at == std::string::npos) continue;
    f.hasMembersWithLicenseErrors = value == "true";
    std::string rest = std::string(text.substr(0, at)) + std::string(text.substr(at + term.size()));
    // What remains must be empty or joined to the term by "and".
    auto trim = [](std::string s) {
      while (!s.empty() && s.back() == ' ') s.pop_back();
      size_t i = 0;
      while (i < s.size() && s[i] == ' ') ++i;
      return s.substr(i);
    };
    rest = trim(rest);
    std::string lr = rest;
    for (auto& ch : lr) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (lr.size() >= 4 && lr.compare(lr.size() - 4, 4, " and") == 0) {
      rest = trim(rest.substr(0, rest.size() - 4));
    } else if (lr.size() >= 4 && lr.compare(0, 4, "and ") == 0) {
      rest = trim(rest.substr(4));
    } else if (!rest.empty()) {
      return UnsupportedFilter("hasMembersWithLicenseErrors outside an 'and'");
    }
    if (rest.empty()) return Ok();
    LD_ASSIGN_OR_RETURN(od::FilterExpr e, od::ParseFilter(rest));
    return AddParsed(e, f);
  }
  LD_ASSIGN_OR_RETURN(od::FilterExpr e, od::ParseFilter(text));
  return AddParsed(e, f);
}

// $skiptoken of the groups' and members' pages: the last id of the page.
Result<std::optional<Guid>> Skip(const Call& c) {
  auto t = c.req.Param("$skiptoken");
  if (!t) return std::optional<Guid>{};
  auto g = Guid::Parse(*t);
  if (!g)
    return Error::Invalid("InvalidSkipToken",
                          "The $skiptoken is not valid for this query; follow @odata.nextLink as "
                          "given.",
                          "$skiptoken");
  return std::optional<Guid>{*g};
}

std::string NextLink(const Call& c, const std::string& path, const Guid& after,
                     std::initializer_list<const char*> keep) {
  std::string link = c.req.BaseUrl() + path + "?";
  for (const char* k : keep)
    if (auto v = c.req.Param(k)) link += std::string(k) + "=" + PercentEncode(*v) + "&";
  return link + "$skiptoken=" + after.str();
}

Result<Reply> ListGroupsH(Call& c) {
  LD_ASSIGN_OR_RETURN(auto select, GroupSelect(c));
  LD_ASSIGN_OR_RETURN(int64_t top, od::ParseTop(c.req.Param("$top")));
  LD_ASSIGN_OR_RETURN(bool count, od::ParseCount(c.req.Param("$count")));
  app::GroupPageQuery q;
  if (auto f = c.req.Param("$filter")) LD_TRY(AddGroupCondition(*f, q.filter));
  LD_ASSIGN_OR_RETURN(q.after, Skip(c));
  q.limit = static_cast<int>(top);
  LD_ASSIGN_OR_RETURN(app::GroupPage page, app::ListGroups(c.ctx, c.actor(), q, count));
  Json value = Json::array();
  for (const auto& g : page.groups) value.push_back(Selected(GroupJson(g), select));
  Json out = {{"@odata.context", GraphContext(c, "groups")}, {"value", value}};
  if (page.count) out["@odata.count"] = *page.count;
  if (page.nextAfter)
    out["@odata.nextLink"] =
        NextLink(c, "/v1.0/groups", *page.nextAfter, {"$filter", "$select", "$top", "$count"});
  return Reply::Ok(out);
}

Result<std::vector<std::string>> Binds(const Fields& f) {
  LD_ASSIGN_OR_RETURN(auto arr, f.OptArray("members@odata.bind", 10000));
  std::vector<std::string> out;
  if (!arr) return out;
  for (size_t i = 0; i < arr->size(); ++i) {
    const Json& v = *(*arr)[i];
    if (!v.is_string())
      return Error::Invalid("InvalidType", "members@odata.bind holds URLs (strings).",
                            fmt::format("members@odata.bind[{}]", i));
    out.push_back(v.get<std::string>());
  }
  return out;
}

Status NoGroupTypes(const Fields& f) {
  LD_ASSIGN_OR_RETURN(auto types, f.OptArray("groupTypes", 10));
  if (types && !types->empty())
    return Error::Invalid("UnsupportedGroupType",
                          "Only security groups are supported: groupTypes must be empty.",
                          "groupTypes");
  return Ok();
}

Result<Reply> CreateGroupH(Call& c) {
  LD_ASSIGN_OR_RETURN(Fields f, Fields::Of(c.body));
  LD_TRY(f.OnlyKnown({"displayName", "mailNickname", "mailEnabled", "securityEnabled",
                      "description", "groupTypes", "members@odata.bind"},
                     true));
  LD_TRY(NoGroupTypes(f));
  app::NewGroup g;
  LD_ASSIGN_OR_RETURN(g.displayName, f.String("displayName"));
  LD_ASSIGN_OR_RETURN(g.mailNickname, f.String("mailNickname"));
  LD_ASSIGN_OR_RETURN(g.mailEnabled, f.Bool("mailEnabled"));
  LD_ASSIGN_OR_RETURN(g.securityEnabled, f.Bool("securityEnabled"));
  LD_ASSIGN_OR_RETURN(auto desc, f.NullableString("description"));
  if (desc && *desc) g.description = **desc;
  LD_ASSIGN_OR_RETURN(g.memberBinds, Binds(f));
  LD_ASSIGN_OR_RETURN(app::GroupView v, app::CreateGroup(c.ctx, c.actor(), g));
  Json j = GroupJson(v);
  j["@odata.context"] = GraphContext(c, "groups/$entity");
  Reply r = Reply::Ok(j, 201);
  r.headers.emplace_back("Location", c.req.BaseUrl() + "/v1.0/groups/" + v.group.id.str());
  return r;
}

Result<Reply> GetGroupH(Call& c) {
  LD_ASSIGN_OR_RETURN(auto select, GroupSelect(c));
  LD_ASSIGN_OR_RETURN(Guid id, IdParam(c, 0));
  LD_ASSIGN_OR_RETURN(app::GroupView v, app::GetGroup(c.ctx, c.actor(), id));
  Json j = Selected(GroupJson(v), select);
  j["@odata.context"] = GraphContext(c, "groups/$entity");
  return Reply::Ok(j);
}

Result<Reply> PatchGroupH(Call& c) {
  LD_ASSIGN_OR_RETURN(Guid id, IdParam(c, 0));
  LD_ASSIGN_OR_RETURN(Fields f, Fields::Of(c.body));
  LD_TRY(f.OnlyKnown({"displayName", "mailNickname", "mailEnabled", "securityEnabled",
                      "description", "groupTypes", "members@odata.bind"},
                     true));
  LD_TRY(NoGroupTypes(f));
  app::GroupPatch p;
  LD_ASSIGN_OR_RETURN(p.displayName, f.OptString("displayName"));
  LD_ASSIGN_OR_RETURN(p.mailNickname, f.OptString("mailNickname"));
  LD_ASSIGN_OR_RETURN(p.mailEnabled, f.OptBool("mailEnabled"));
  LD_ASSIGN_OR_RETURN(p.securityEnabled, f.OptBool("securityEnabled"));
  LD_ASSIGN_OR_RETURN(auto desc, f.NullableString("description"));
  if (desc) p.description = desc->value_or("");
  if (f.Has("members@odata.bind")) {
    LD_ASSIGN_OR_RETURN(auto binds, Binds(f));
    p.memberBinds = std::move(binds);
  }
  LD_TRY(app::UpdateGroup(c.ctx, c.actor(), id, p));
  return Reply::NoContent();
}

Result<Reply> DeleteGroupH(Call& c) {
  LD_ASSIGN_OR_RETURN(Guid id, IdParam(c, 0));
  LD_TRY(app::DeleteGroup(c.ctx, c.actor(), id));
  return Reply::NoContent();
}

// A page of members as users, with the $select of /v1.0/users (its
// licenseAssignmentStates and signInActivity read for the page at once).
Result<Reply> MembersReply(Call& c, app::MemberPage page, const std::vector<std::string>& select,
                           const std::string& path) {
  LD_TRY(FillSelectedExtras(c, select, page.users));
  std::string body = "{\"@odata.context\":";
  AppendJsonString(body, GraphContext(c, "directoryObjects"));
  if (page.nextAfter) {
    body += ",\"@odata.nextLink\":";
    AppendJsonString(body, NextLink(c, path, *page.nextAfter, {"$select", "$top"}));
  }
  body += ",\"value\":[";
  const UserJsonWriter writer(select);
  for (size_t i = 0; i < page.users.size(); ++i) {
    if (i) body.push_back(',');
    std::string u;
    writer.Append(u, page.users[i]);
    // "@odata.type" sorts before every property: it leads the object.
    body += "{\"@odata.type\":\"#microsoft.graph.user\"";
    if (u.size() > 2) body += ',';
    body.append(u, 1);
  }
  body += "]}";
  Reply r;
  r.raw = std::move(body);
  return r;
}

Result<Reply> ListMembersH(Call& c) {
  LD_ASSIGN_OR_RETURN(Guid id, IdParam(c, 0));
  LD_ASSIGN_OR_RETURN(int64_t top, od::ParseTop(c.req.Param("$top")));
  LD_ASSIGN_OR_RETURN(auto after, Skip(c));
  LD_ASSIGN_OR_RETURN(auto select, ParseUserSelect(c));
  LD_ASSIGN_OR_RETURN(app::MemberPage page,
                      app::ListGroupMembers(c.ctx, c.actor(), id, after, static_cast<int>(top)));
  return MembersReply(c, std::move(page), select, "/v1.0/groups/" + id.str() + "/members");
}

Result<Reply> MembersWithErrorsH(Call& c) {
  LD_ASSIGN_OR_RETURN(Guid id, IdParam(c, 0));
  LD_ASSIGN_OR_RETURN(int64_t top, od::ParseTop(c.req.Param("$top")));
  LD_ASSIGN_OR_RETURN(auto after, Skip(c));
  LD_ASSIGN_OR_RETURN(auto select, ParseUserSelect(c));
  LD_ASSIGN_OR_RETURN(
      app::MemberPage page,
      app::ListMembersWithLicenseErrors(c.ctx, c.actor(), id, after, static_cast<int>(top)));
  return MembersReply(c, std::move(page), select,
                      "/v1.0/groups/" + id.str() + "/membersWithLicenseErrors");
}

Result<Reply> AddMemberH(Call& c) {
  LD_ASSIGN_OR_RETURN(Guid id, IdParam(c, 0));
  LD_ASSIGN_OR_RETURN(Fields f, Fields::Of(c.body));
  LD_TRY(f.OnlyKnown({"@odata.id"}));
  LD_ASSIGN_OR_RETURN(std::string ref, f.String("@odata.id"));
  LD_TRY(app::AddGroupMember(c.ctx, c.actor(), id, ref));
  return Reply::NoContent();
}

Result<Reply> RemoveMemberH(Call& c) {
  LD_ASSIGN_OR_RETURN(Guid id, IdParam(c, 0));
  LD_ASSIGN_OR_RETURN(Guid user, IdParam(c, 1));
  LD_TRY(app::RemoveGroupMember(c.ctx, c.actor(), id, user));
  return Reply::NoContent();
}

Result<Reply> MemberOfH(Call& c) {
  LD_ASSIGN_OR_RETURN(int64_t top, od::ParseTop(c.req.Param("$top")));
  LD_ASSIGN_OR_RETURN(auto after, Skip(c));
  LD_ASSIGN_OR_RETURN(
      auto page, app::ListMemberOf(c.ctx, c.actor(), c.Param(0), after, static_cast<int>(top)));
  Json value = Json::array();
  for (auto& g : page.groups) {
    Json j = GroupJson({g, {}});
    j.erase("assignedLicenses");
    j["@odata.type"] = "#microsoft.graph.group";
    value.push_back(std::move(j));
  }
  Json out = {{"@odata.context", GraphContext(c, "directoryObjects")}, {"value", value}};
  if (page.nextAfter)
    out["@odata.nextLink"] = NextLink(c, "/v1.0/users/" + PercentEncode(c.Param(0)) + "/memberOf",
                                      *page.nextAfter, {"$top"});
  return Reply::Ok(out);
}

Result<Reply> AssignGroupLicenseH(Call& c) {
  LD_ASSIGN_OR_RETURN(Guid id, IdParam(c, 0));
  LD_ASSIGN_OR_RETURN(LicenseChange body, ReadLicenseChange(c.body));
  LD_ASSIGN_OR_RETURN(app::GroupView v,
                      app::AssignGroupLicense(c.ctx, c.actor(), id, body.add, body.remove));
  Json j = GroupJson(v);
  j["@odata.context"] = GraphContext(c, "groups/$entity");
  return Reply::Ok(j, 202);
}

Result<Reply> PreviewH(Call& c) {
  LD_ASSIGN_OR_RETURN(Guid id, IdParam(c, 0));
  LD_ASSIGN_OR_RETURN(LicenseChange body, ReadLicenseChange(c.body));
  LD_ASSIGN_OR_RETURN(app::LicensePreview p,
                      app::PreviewGroupLicense(c.ctx, c.actor(), id, body.add, body.remove));
  Json fail = Json::object();
  for (LicenseError e : {LicenseError::kCountViolation, LicenseError::kMutuallyExclusiveViolation,
                         LicenseError::kDependencyViolation,
                         LicenseError::kProhibitedInUsageLocationViolation, LicenseError::kOther}) {
    auto it = p.wouldFail.find(e);
    fail[std::string(ToString(e))] = it == p.wouldFail.end() ? 0 : it->second;
  }
  Json needed = Json::array();
  for (const auto& n : p.additionalLicensesNeeded)
    needed.push_back({{"skuId", n.skuId.str()},
                      {"quantity", n.quantity},
                      {"monthlyCost", MoneyJson(n.monthlyCost.amount, n.monthlyCost.currency)}});
  return Reply::Ok({{"membersAffected", p.membersAffected},
                    {"wouldAssign", p.wouldAssign},
                    {"wouldFail", fail},
                    {"additionalLicensesNeeded", needed}});
}

}  // namespace

std::vector<RouteInfo> GroupRoutes() {
  const std::vector<std::string> kPaging = {"$top", "$skiptoken"};
  // Members are users: the $select of /v1.0/users too.
  const std::vector<std::string> kMemberPaging = {"$select", "$top", "$skiptoken"};
  return {
      {.method = "GET",
       .path = "/v1.0/groups",
       .access = Access::kPermission,
       .permission = Permission::kReadDirectory,
       .summary = "Groups, with $filter (displayName eq, startswith(displayName), "
                  "assignedLicenses/any, hasMembersWithLicenseErrors eq), $select, $top, $count "
                  "and paging by @odata.nextLink.",
       .response = {200, "GroupList"},
       .queryParams = {"$filter", "$select", "$top", "$count", "$skiptoken"},
       .handler = ListGroupsH},
      {.method = "POST",
       .path = "/v1.0/groups",
       .access = Access::kPermission,
       .permission = Permission::kManageUsers,
       .body = BodyRule::kRequired,
       .summary = "Create a security group, optionally with up to 20 members@odata.bind.",
       .requestSchema = "NewGroup",
       .response = {201, "Group"},
       .handler = CreateGroupH},
      {.method = "GET",
       .path = "/v1.0/groups/{id}",
       .access = Access::kPermission,
       .permission = Permission::kReadDirectory,
       .summary = "A group, with its licenses and licenseProcessingState.",
       .response = {200, "Group"},
       .queryParams = {"$select"},
       .handler = GetGroupH},
      {.method = "PATCH",
       .path = "/v1.0/groups/{id}",
       .access = Access::kPermission,
       .permission = Permission::kManageUsers,
       .body = BodyRule::kRequired,
       .summary = "Update a group; members@odata.bind adds up to 20 members, all or nothing.",
       .requestSchema = "GroupPatch",
       .response = {204, ""},
       .handler = PatchGroupH},
      {.method = "DELETE",
       .path = "/v1.0/groups/{id}",
       .access = Access::kPermission,
       .permission = Permission::kManageUsers,
       .summary = "Delete a group (refused while it assigns licenses).",
       .response = {204, ""},
       .handler = DeleteGroupH},
      {.method = "GET",
       .path = "/v1.0/groups/{id}/members",
       .access = Access::kPermission,
       .permission = Permission::kReadDirectory,
       .summary = "The group's members (users), paged.",
       .response = {200, "UserList"},
       .queryParams = kMemberPaging,
       .handler = ListMembersH},
      {.method = "POST",
       .path = "/v1.0/groups/{id}/members/$ref",
       .access = Access::kPermission,
       .permission = Permission::kManageUsers,
       .body = BodyRule::kRequired,
       .summary = "Add a member: {\"@odata.id\": \"<base>/v1.0/directoryObjects/{userId}\"}.",
       .requestSchema = "DirectoryObjectRef",
       .response = {204, ""},
       .handler = AddMemberH},
      {.method = "DELETE",
       .path = "/v1.0/groups/{id}/members/{userId}/$ref",
       .access = Access::kPermission,
       .permission = Permission::kManageUsers,
       .summary = "Remove a member.",
       .response = {204, ""},
       .handler = RemoveMemberH},
      {.method = "GET",
       .path = "/v1.0/groups/{id}/membersWithLicenseErrors",
       .access = Access::kPermission,
       .permission = Permission::kReadDirectory,
       .summary = "Members whose license from the group could not be assigned, paged.",
       .response = {200, "UserList"},
       .queryParams = kMemberPaging,
       .handler = MembersWithErrorsH},
      {.method = "POST",
       .path = "/v1.0/groups/{id}/assignLicense",
       .access = Access::kPermission,
       .permission = Permission::kManageLicenses,
       .body = BodyRule::kRequired,
       .summary = "Add and remove the group's licenses; processed in the background (202, "
                  "licenseProcessingState QueuedForProcessing).",
       .requestSchema = "AssignLicense",
       .response = {202, "Group"},
       .handler = AssignGroupLicenseH},
      {.method = "GET",
       .path = "/v1.0/users/{id}/memberOf",
       .summary = "The groups a user is a member of (yourself, or anyone with directory read), "
                  "paged.",
       .response = {200, "GroupList"},
       .queryParams = kPaging,
       .handler = MemberOfH},
      {.method = "POST",
       .path = "/v1.0/users/{id}/reprocessLicenseAssignment",
       .access = Access::kPermission,
       .permission = Permission::kManageLicenses,
       .summary = "Process the user's group licenses in error again.",
       .response = {200, "User"},
       .handler = [](Call& c) -> Result<Reply> {
         LD_ASSIGN_OR_RETURN(auto u, app::ReprocessLicenseAssignment(c.ctx, c.actor(), c.Param(0)));
         Json j = UserJson(u);
         j["@odata.context"] = GraphContext(c, "users/$entity");
         return Reply::Ok(j);
       }},
      {.method = "POST",
       .path = "/api/v1/groups/{id}/licensePreview",
       .access = Access::kPermission,
       .permission = Permission::kManageLicenses,
       .body = BodyRule::kRequired,
       .summary = "What a group assignLicense with this body would do now; changes nothing.",
       .requestSchema = "AssignLicense",
       .response = {200, "LicensePreview"},
       .handler = PreviewH},
  };
}

}  // namespace ld::http
