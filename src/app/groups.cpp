#include "app/groups.h"

#include <algorithm>
#include <set>

#include "app/work.h"

namespace ld::app {

namespace {

Error Bad(std::string code, std::string message, std::string target = {}) {
  return Error::Invalid(std::move(code), std::move(message), std::move(target));
}

Error GroupNotFound(const Guid& id) {
  return Error::NotFound("The group " + id.str());
}

Result<Group> LoadGroup(Tx& tx, const Guid& tenant, const Guid& id) {
  auto g = tx.FindGroup(tenant, id);
  if (!g) return GroupNotFound(id);
  return *g;
}

Error NameTaken(const std::string& name) {
  return Bad("DisplayNameTaken",
             "Another group of the organization is named '" + name +
                 "'. Display names are unique (case-insensitive).",
             "displayName");
}

nlohmann::json GroupAuditJson(const Group& g) {
  return {{"displayName", g.displayName},
          {"mailNickname", g.mailNickname},
          {"description", g.description},
          {"mailEnabled", g.mailEnabled},
          {"securityEnabled", g.securityEnabled}};
}

// Adds the users `ids` to the group in the caller's transaction: all or
// nothing (the transaction is refused on the first unknown user or member).
Status AddMembers(Tx& tx, Context& ctx, const Actor& actor, const Group& g,
                  const std::vector<Guid>& ids, Instant now) {
  for (const auto& id : ids) {
    if (!tx.FindUser(actor.tenantId, id)) return Error::NotFound("The user " + id.str());
    if (tx.AddGroupMember(actor.tenantId, g.id, id, now) == Tx::MemberAdded::kAlreadyMember)
      return Bad("DuplicateMember", std::string(kDuplicateMemberMessage), "members");
    Audit(tx, ctx, actor.userId, actor.tenantId, "group.addMember", "group", g.id.str(), "",
          nlohmann::json{{"userId", id.str()}}.dump());
  }
  return Ok();
}

// Validates a group's assignLicense body against the catalog and what the
// group gives now; returns its licenses after the change.
Result<std::vector<GroupLicense>> NextLicenses(const Context& ctx,
                                               const std::vector<GroupLicense>& current,
                                               const std::vector<LicenseAdd>& add,
                                               const std::vector<Guid>& remove) {
  LD_TRY(ValidateLicenseChange(ctx.catalog, add, remove));
  std::vector<GroupLicense> next = current;
  for (size_t i = 0; i < remove.size(); ++i) {
    std::string target = "removeLicenses[" + std::to_string(i) + "]";
    auto it = std::find_if(next.begin(), next.end(),
                           [&](const GroupLicense& l) { return l.skuId == remove[i]; });
    if (it == next.end())
      return Bad("LicenseNotAssigned",
                 "Group does not have a corresponding license " + remove[i].str() + " to remove.",
                 target);
    next.erase(it);
  }
  for (const auto& a : add) {
    std::vector<Guid> plans = a.disabledPlans;
    std::sort(plans.begin(), plans.end());
    plans.erase(std::unique(plans.begin(), plans.end()), plans.end());
    auto it = std::find_if(next.begin(), next.end(),
                           [&](const GroupLicense& l) { return l.skuId == a.skuId; });
    if (it != next.end()) {
      it->disabledPlans = std::move(plans);
    } else {
      next.push_back({a.skuId, std::move(plans)});
    }
  }
  std::sort(next.begin(), next.end(),
            [](const GroupLicense& a, const GroupLicense& b) { return a.skuId < b.skuId; });
  return next;
}

// The license sources of `users`, 1,000 users a query (bounded parameters).
std::vector<UserLicenseSource> SourcesOf(Tx& tx, const Guid& tenant,
                                         const std::vector<Guid>& users) {
  std::vector<UserLicenseSource> out;
  for (size_t from = 0; from < users.size(); from += 1000) {
    std::vector<Guid> part(
        users.begin() + static_cast<std::ptrdiff_t>(from),
        users.begin() + static_cast<std::ptrdiff_t>(std::min(users.size(), from + 1000)));
    for (auto& us : tx.ListLicenseSourcesOf(tenant, part)) out.push_back(std::move(us));
  }
  return out;
}

// A user the actor may read: itself, or anyone with kReadDirectory (404 for
// one outside the organization).
Result<User> ReadableUser(Tx& tx, const Actor& actor, const std::string& id_or_upn) {
  LD_ASSIGN_OR_RETURN(User u, ResolveUser(tx, actor.tenantId, id_or_upn));
  if (u.id != actor.userId) LD_TRY(Require(actor, Permission::kReadDirectory));
  return u;
}

// The snapshot a plan is made from: the group's members (or the one
// member), what each holds from every source, and the pools of `skus`.
struct Snapshot {
  std::vector<PlanMember> members;
  std::map<Guid, Pool> pools;
  std::string country;
};

Snapshot ReadSnapshot(Tx& tx, const Guid& tenant, const Guid& group,
                      const std::optional<Guid>& only_user, const std::vector<Guid>& skus) {
  Snapshot s;
  if (auto t = tx.FindTenant(tenant)) s.country = t->country;
  std::vector<GroupMember> members;
  if (only_user) {
    // The one membership, when it still exists (its seq from the full list
    // would cost a scan: one user's plan needs no order among members).
    if (tx.IsGroupMember(tenant, group, *only_user))
      if (auto u = tx.FindUser(tenant, *only_user))
        members.push_back({*only_user, 0, 0, u->usageLocation});
  } else {
    std::optional<int64_t> after;
    for (;;) {
      auto page = tx.ListGroupMembersBySeq(tenant, group, after, 1000);
      if (page.empty()) break;
      after = page.back().seq;
      members.insert(members.end(), page.begin(), page.end());
      if (page.size() < 1000) break;
    }
  }
  std::vector<Guid> ids;
  ids.reserve(members.size());
  for (const auto& m : members) ids.push_back(m.userId);
  std::map<Guid, std::vector<LicenseSource>> by_user;
  for (auto& us : SourcesOf(tx, tenant, ids)) by_user[us.userId].push_back(std::move(us.source));
  for (const auto& m : members) {
    PlanMember pm;
    pm.userId = m.userId;
    pm.memberSeq = m.seq;
    pm.usageLocation = m.usageLocation;
    if (auto it = by_user.find(m.userId); it != by_user.end()) pm.sources = it->second;
    s.members.push_back(std::move(pm));
  }
  for (const auto& sku : skus) {
    auto c = tx.GetPool(tenant, sku);
    s.pools[sku] = ToPool(c);
  }
  return s;
}

// SKUs that `group` gives `m` by a source, that the group no longer gives.
std::vector<Guid> Dropped(const PlanMember& m, const Guid& group,
                          const std::vector<GroupLicense>& licenses) {
  std::vector<Guid> out;
  for (const auto& src : m.sources) {
    if (src.groupId != group) continue;
    bool given = std::any_of(licenses.begin(), licenses.end(),
                             [&](const GroupLicense& l) { return l.skuId == src.skuId; });
    if (!given) out.push_back(src.skuId);
  }
  return out;
}

}  // namespace

bool RequeueGroupsWithLicenseErrors(Tx& tx, Context& ctx, const Guid& tenant,
                                    const std::optional<Guid>& except) {
  // After seats came free, the groups with members in error get another
  // turn (their CountViolations first in membership order, R17).
  GroupPageQuery q;
  q.filter.hasMembersWithLicenseErrors = true;
  q.limit = 1000;
  bool any = false;
  for (const auto& g : tx.ListGroups(tenant, q)) {
    if (except && g.id == *except) continue;
    tx.SetGroupProcessingState(tenant, g.id, GroupProcessingState::kQueued);
    Enqueue(tx, ctx,
            WorkItem{.kind = kGroupLicensingWork,
                     .tenantId = tenant,
                     .key = GroupWorkKey(g.id),
                     .dueAt = ctx.Now()});
    any = true;
  }
  return any;
}

Result<GroupView> CreateGroup(Context& ctx, const Actor& actor, const NewGroup& in) {
  LD_TRY(Require(actor, Permission::kManageUsers));
  LD_TRY(ValidateGroupDisplayName(in.displayName));
  if (in.mailNickname.empty() || in.mailNickname.size() > 64)
    return Bad("InvalidMailNickname", "mailNickname must be 1 to 64 characters.", "mailNickname");
  if (in.mailEnabled)
    return Bad("MailEnabledNotSupported",
               "Only security groups can be created here: mailEnabled must be false.",
               "mailEnabled");
  if (in.description.size() > 1024)
    return Bad("InvalidDescription", "description must be at most 1,024 characters.",
               "description");
  std::vector<Guid> binds;
  if (!in.memberBinds.empty()) {
    LD_ASSIGN_OR_RETURN(binds, ParseMemberBinds(in.memberBinds));
  }
  GroupView out;
  out.group.tenantId = actor.tenantId;
  out.group.id = ctx.NewId();
  out.group.displayName = in.displayName;
  out.group.mailNickname = in.mailNickname;
  out.group.description = in.description;
  out.group.mailEnabled = in.mailEnabled;
  out.group.securityEnabled = in.securityEnabled;
  out.group.createdAt = ctx.Now();
  out.group.processingState = GroupProcessingState::kComplete;
  LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
    if (!tx.InsertGroup(out.group)) return NameTaken(in.displayName);
    Audit(tx, ctx, actor.userId, actor.tenantId, "group.create", "group", out.group.id.str(), "",
          GroupAuditJson(out.group).dump());
    return AddMembers(tx, ctx, actor, out.group, binds, out.group.createdAt);
  }));
  if (!binds.empty()) ctx.WorkEnqueued();
  return out;
}

Result<GroupView> GetGroup(Context& ctx, const Actor& actor, const Guid& id) {
  LD_TRY(Require(actor, Permission::kReadDirectory));
  GroupView out;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    LD_ASSIGN_OR_RETURN(out.group, LoadGroup(tx, actor.tenantId, id));
    out.licenses = tx.ListGroupLicenses(actor.tenantId, id);
    return Ok();
  }));
  return out;
}

Result<GroupPage> ListGroups(Context& ctx, const Actor& actor, const GroupPageQuery& q_in,
                             bool with_count) {
  LD_TRY(Require(actor, Permission::kReadDirectory));
  GroupPageQuery q = q_in;
  q.limit = std::clamp(q.limit, 1, 999);
  GroupPage out;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    GroupPageQuery probe = q;
    probe.limit = q.limit + 1;
    auto groups = tx.ListGroups(actor.tenantId, probe);
    if (static_cast<int>(groups.size()) > q.limit) {
      groups.resize(static_cast<size_t>(q.limit));
      out.nextAfter = groups.back().id;
    }
    for (auto& g : groups) {
      GroupView v;
      v.licenses = tx.ListGroupLicenses(actor.tenantId, g.id);
      v.group = std::move(g);
      out.groups.push_back(std::move(v));
    }
    if (with_count) out.count = tx.CountGroups(actor.tenantId, q.filter);
    return Ok();
  }));
  return out;
}

Status UpdateGroup(Context& ctx, const Actor& actor, const Guid& id, const GroupPatch& p) {
  LD_TRY(Require(actor, Permission::kManageUsers));
  if (p.displayName) LD_TRY(ValidateGroupDisplayName(*p.displayName));
  if (p.mailNickname && (p.mailNickname->empty() || p.mailNickname->size() > 64))
    return Bad("InvalidMailNickname", "mailNickname must be 1 to 64 characters.", "mailNickname");
  if (p.mailEnabled && *p.mailEnabled)
    return Bad("MailEnabledNotSupported", "mailEnabled must be false.", "mailEnabled");
  if (p.description && p.description->size() > 1024)
    return Bad("InvalidDescription", "description must be at most 1,024 characters.",
               "description");
  std::vector<Guid> binds;
  if (p.memberBinds) {
    LD_ASSIGN_OR_RETURN(binds, ParseMemberBinds(*p.memberBinds));
  }
  Instant now = ctx.Now();
  LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
    LD_ASSIGN_OR_RETURN(Group g, LoadGroup(tx, actor.tenantId, id));
    Group before = g;
    if (p.displayName) g.displayName = *p.displayName;
    if (p.mailNickname) g.mailNickname = *p.mailNickname;
    if (p.description) g.description = *p.description;
    if (p.mailEnabled) g.mailEnabled = *p.mailEnabled;
    if (p.securityEnabled) g.securityEnabled = *p.securityEnabled;
    if (p.displayName || p.mailNickname || p.description || p.mailEnabled || p.securityEnabled) {
      if (!tx.UpdateGroupProperties(g)) return NameTaken(g.displayName);
      Audit(tx, ctx, actor.userId, actor.tenantId, "group.update", "group", g.id.str(),
            GroupAuditJson(before).dump(), GroupAuditJson(g).dump());
    }
    return AddMembers(tx, ctx, actor, g, binds, now);
  }));
  if (!binds.empty()) ctx.WorkEnqueued();
  return Ok();
}

Status DeleteGroup(Context& ctx, const Actor& actor, const Guid& id) {
  LD_TRY(Require(actor, Permission::kManageUsers));
  return ctx.store.Write([&](Tx& tx) -> Status {
    LD_ASSIGN_OR_RETURN(Group g, LoadGroup(tx, actor.tenantId, id));
    switch (tx.DeleteGroup(actor.tenantId, id)) {
      case Tx::GroupDeleted::kNotFound:
        return GroupNotFound(id);
      case Tx::GroupDeleted::kHasLicenses:
        return Bad("GroupHasLicenses",
                   "The group still assigns licenses. Remove its licenses first, and wait until "
                   "their processing completes.");
      case Tx::GroupDeleted::kDeleted:
        break;
    }
    Audit(tx, ctx, actor.userId, actor.tenantId, "group.delete", "group", g.id.str(),
          GroupAuditJson(g).dump(), "");
    return Ok();
  });
}

Status AddGroupMember(Context& ctx, const Actor& actor, const Guid& group,
                      const std::string& odata_id) {
  LD_TRY(Require(actor, Permission::kManageUsers));
  LD_ASSIGN_OR_RETURN(Guid user, ParseDirectoryObjectRef(odata_id));
  Instant now = ctx.Now();
  LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
    LD_ASSIGN_OR_RETURN(Group g, LoadGroup(tx, actor.tenantId, group));
    return AddMembers(tx, ctx, actor, g, {user}, now);
  }));
  ctx.WorkEnqueued();
  return Ok();
}

Status RemoveGroupMember(Context& ctx, const Actor& actor, const Guid& group, const Guid& user) {
  LD_TRY(Require(actor, Permission::kManageUsers));
  Instant now = ctx.Now();
  LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
    LD_ASSIGN_OR_RETURN(Group g, LoadGroup(tx, actor.tenantId, group));
    if (!tx.RemoveGroupMember(actor.tenantId, group, user, now))
      return Error::NotFound("The member " + user.str() + " of the group " + group.str());
    Audit(tx, ctx, actor.userId, actor.tenantId, "group.removeMember", "group", g.id.str(),
          nlohmann::json{{"userId", user.str()}}.dump(), "");
    return Ok();
  }));
  ctx.WorkEnqueued();
  return Ok();
}

namespace {
// Users as a page of UserWithLicenses (their licenses read in one query).
MemberPage ToMemberPage(Tx& tx, const Guid& tenant, std::vector<User> users, int limit) {
  MemberPage out;
  if (static_cast<int>(users.size()) > limit) {
    users.resize(static_cast<size_t>(limit));
    out.nextAfter = users.back().id;
  }
  std::vector<Guid> ids;
  for (const auto& u : users) ids.push_back(u.id);
  std::map<Guid, std::vector<LicenseAssignment>> by_user;
  for (auto& a : tx.ListAssignmentsOf(tenant, ids)) by_user[a.userId].push_back(std::move(a));
  for (auto& u : users) {
    UserWithLicenses w{std::move(u), {}, {}};
    if (auto it = by_user.find(w.user.id); it != by_user.end()) w.licenses = std::move(it->second);
    out.users.push_back(std::move(w));
  }
  return out;
}
}  // namespace

Result<MemberPage> ListGroupMembers(Context& ctx, const Actor& actor, const Guid& group,
                                    std::optional<Guid> after, int limit) {
  LD_TRY(Require(actor, Permission::kReadDirectory));
  limit = std::clamp(limit, 1, 999);
  MemberPage out;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    LD_TRY(LoadGroup(tx, actor.tenantId, group));
    out = ToMemberPage(tx, actor.tenantId,
                       tx.ListGroupMembers(actor.tenantId, group, after, limit + 1), limit);
    return Ok();
  }));
  return out;
}

Result<MemberPage> ListMembersWithLicenseErrors(Context& ctx, const Actor& actor, const Guid& group,
                                                std::optional<Guid> after, int limit) {
  LD_TRY(Require(actor, Permission::kReadDirectory));
  limit = std::clamp(limit, 1, 999);
  MemberPage out;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    LD_TRY(LoadGroup(tx, actor.tenantId, group));
    out = ToMemberPage(tx, actor.tenantId,
                       tx.ListMembersWithLicenseErrors(actor.tenantId, group, after, limit + 1),
                       limit);
    return Ok();
  }));
  return out;
}

Result<MemberOfPage> ListMemberOf(Context& ctx, const Actor& actor, const std::string& id_or_upn,
                                  std::optional<Guid> after, int limit) {
  limit = std::clamp(limit, 1, 999);
  MemberOfPage out;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    LD_ASSIGN_OR_RETURN(User u, ReadableUser(tx, actor, id_or_upn));
    out.groups = tx.ListMemberOf(actor.tenantId, u.id, after, limit + 1);
    return Ok();
  }));
  if (out.groups.size() > static_cast<size_t>(limit)) {
    out.groups.resize(static_cast<size_t>(limit));
    out.nextAfter = out.groups.back().id;
  }
  return out;
}

Result<GroupView> AssignGroupLicense(Context& ctx, const Actor& actor, const Guid& group,
                                     const std::vector<LicenseAdd>& add,
                                     const std::vector<Guid>& remove) {
  LD_TRY(Require(actor, Permission::kManageLicenses));
  GroupView out;
  Instant now = ctx.Now();
  LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
    LD_ASSIGN_OR_RETURN(out.group, LoadGroup(tx, actor.tenantId, group));
    auto current = tx.ListGroupLicenses(actor.tenantId, group);
    LD_ASSIGN_OR_RETURN(out.licenses, NextLicenses(ctx, current, add, remove));
    tx.SetGroupLicenses(actor.tenantId, group, out.licenses, now);
    out.group.processingState = GroupProcessingState::kQueued;
    nlohmann::json added = nlohmann::json::array(), removed = nlohmann::json::array();
    for (const auto& a : add) added.push_back(a.skuId.str());
    for (const auto& r : remove) removed.push_back(r.str());
    Audit(tx, ctx, actor.userId, actor.tenantId, "group.setLicenses", "group", group.str(), "",
          nlohmann::json{{"addLicenses", added}, {"removeLicenses", removed}}.dump());
    return Ok();
  }));
  ctx.WorkEnqueued();
  return out;
}

Status ProcessGroupLicensing(Context& ctx, const WorkItem& item) {
  const Guid tenant = item.tenantId;
  std::string_view key = item.key;
  auto slash = key.find('/');
  auto group = Guid::Parse(key.substr(0, slash));
  if (!group) return Error::Internal("a group licensing item with the key " + item.key);
  std::optional<Guid> only_user;
  if (slash != std::string_view::npos) {
    only_user = Guid::Parse(key.substr(slash + 1));
    if (!only_user) return Error::Internal("a group licensing item with the key " + item.key);
  }
  Instant now = ctx.Now();
  bool requeued = false;
  LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
    requeued = false;
    auto g = tx.FindGroup(tenant, *group);
    if (g && only_user) {
      // The group's row, as member changes and whole-group runs take it (a
      // write of the state it has): a removal of this member committing
      // meanwhile is either seen here or waits for this run.
      tx.SetGroupProcessingState(tenant, *group, g->processingState);
      g = tx.FindGroup(tenant, *group);
    }
    // A member's run while the whole group's run is queued leaves the member
    // to that run, which takes the members oldest first (R17); running it now
    // would give the newest member a seat before older ones.
    if (g && only_user && g->processingState != GroupProcessingState::kComplete) return Ok();
    // A run for the whole group takes the group's row first (on PostgreSQL a
    // row lock): an assignLicense committing meanwhile waits for this run, or
    // this run reads what it wrote, so no run marks a newer change complete.
    if (g && !only_user)
      tx.SetGroupProcessingState(tenant, *group, GroupProcessingState::kInProgress);
    std::vector<GroupLicense> licenses;
    if (g) licenses = tx.ListGroupLicenses(tenant, *group);
    std::vector<Guid> skus;
    for (const auto& l : licenses) skus.push_back(l.skuId);
    std::sort(skus.begin(), skus.end());
    // Lock the pools in one order (as AssignLicense does), so concurrent
    // processing and direct assignments cannot deadlock.
    // With the pools of what they conflict with or depend on (PoolsToLock):
    // a direct assignment that would conflict with this run waits for it.
    for (const auto& s : PoolsToLock(ctx.catalog, {skus.begin(), skus.end()}))
      tx.LockPool(tenant, s);
    Snapshot snap = ReadSnapshot(tx, tenant, *group, only_user, skus);

    // Sources this group no longer gives: of members for dropped SKUs, and
    // of users who left (or of everyone, when the group is gone).
    std::vector<SourceRemoval> removals;
    std::set<Guid> members;
    for (const auto& m : snap.members) {
      members.insert(m.userId);
      auto dropped = Dropped(m, *group, licenses);
      if (!dropped.empty()) {
        auto r = PlanSourceRemoval(*group, dropped, {m});
        removals.insert(removals.end(), r.begin(), r.end());
      }
    }
    {
      // Holders of this group's sources who are no longer members.
      std::map<Guid, PlanMember> leavers;
      std::vector<UserLicenseSource> given;
      if (only_user) {
        // One member's run reads that user's sources only, not the group's.
        for (auto& src : tx.ListLicenseSources(tenant, *only_user))
          if (src.groupId == *group) given.push_back({*only_user, std::move(src)});
      } else {
        given = tx.ListGroupSources(tenant, *group);
      }
      for (auto& us : given) {
        if (members.count(us.userId)) continue;
        auto& pm = leavers[us.userId];
        pm.userId = us.userId;
        pm.sources.push_back(us.source);
      }
      if (!leavers.empty()) {
        for (const auto& [id, pm] : leavers) {
          // The removal plan wants every source of the user (another source
          // keeps the seat): read them all.
          PlanMember full = pm;
          full.sources = tx.ListLicenseSources(tenant, id);
          std::vector<Guid> theirs;
          for (const auto& s : pm.sources) theirs.push_back(s.skuId);
          auto r = PlanSourceRemoval(*group, theirs, {full});
          removals.insert(removals.end(), r.begin(), r.end());
        }
      }
    }
    int64_t freed = removals.empty() ? 0 : tx.ApplySourceRemoval(tenant, *group, removals);

    Tx::PlanApplied applied;
    if (g && !licenses.empty() && !snap.members.empty()) {
      GroupPlanInput in;
      in.groupId = *group;
      in.licenses = licenses;
      in.members = std::move(snap.members);
      in.pools = std::move(snap.pools);
      in.orgCountry = snap.country;
      GroupPlan plan = PlanGroupLicenses(in, ctx.catalog);
      applied = tx.ApplyGroupPlan(tenant, *group, plan, now);
    }
    // Only a run for the whole group completes it: a member's run may come
    // before the group's queued run and must not report that one done.
    if (g && !only_user)
      tx.SetGroupProcessingState(tenant, *group, GroupProcessingState::kComplete);
    // R18: one summary entry per run, as Entra's "Finish applying group
    // based license to users" (a member's run that changed nothing, in a
    // group without licenses, has nothing to report).
    const bool changed = applied.assigned + applied.sourcesAdded + applied.failed +
                             applied.countViolationsLate + static_cast<int64_t>(removals.size()) >
                         0;
    if (!only_user || changed)
      Audit(tx, ctx, std::nullopt, tenant, "group.assignLicense", "group", group->str(), "",
            nlohmann::json{{"scope", only_user ? "member" : "group"},
                           {"userId", only_user ? only_user->str() : std::string()},
                           {"assigned", applied.assigned},
                           {"sourcesAdded", applied.sourcesAdded},
                           {"unchanged", applied.unchanged},
                           {"failed", applied.failed + applied.countViolationsLate},
                           {"removed", static_cast<int64_t>(removals.size())},
                           {"seatsFreed", freed},
                           {"usageLocationsSet", applied.usageLocationsSet}}
                .dump());
    if (freed > 0) requeued = RequeueGroupsWithLicenseErrors(tx, ctx, tenant, *group);
    return Ok();
  }));
  if (requeued) ctx.WorkEnqueued();
  return Ok();
}

Result<UserWithLicenses> ReprocessLicenseAssignment(Context& ctx, const Actor& actor,
                                                    const std::string& id_or_upn) {
  LD_TRY(Require(actor, Permission::kManageLicenses));
  Guid user;
  LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
    LD_ASSIGN_OR_RETURN(User u, ResolveUser(tx, actor.tenantId, id_or_upn));
    user = u.id;
    std::set<Guid> groups;
    for (const auto& s : tx.ListLicenseSources(actor.tenantId, u.id))
      if (s.groupId && !s.Grants()) groups.insert(*s.groupId);
    for (const auto& g : groups)
      Enqueue(tx, ctx,
              WorkItem{.kind = kGroupLicensingWork,
                       .tenantId = actor.tenantId,
                       .key = MemberWorkKey(g, u.id),
                       .dueAt = ctx.Now()});
    Audit(tx, ctx, actor.userId, actor.tenantId, "license.reprocess", "user", u.id.str(), "",
          nlohmann::json{{"groups", groups.size()}}.dump());
    return Ok();
  }));
  ctx.WorkEnqueued();
  return GetUser(ctx, actor, user.str());
}

Result<std::vector<LicenseSource>> LicenseAssignmentStates(Context& ctx, const Actor& actor,
                                                           const std::string& id_or_upn) {
  std::vector<LicenseSource> out;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    LD_ASSIGN_OR_RETURN(User u, ReadableUser(tx, actor, id_or_upn));
    out = tx.ListLicenseSources(actor.tenantId, u.id);
    return Ok();
  }));
  return out;
}

Result<std::map<Guid, std::vector<LicenseSource>>> LicenseAssignmentStatesOf(
    Context& ctx, const Actor& actor, const std::vector<Guid>& users) {
  std::map<Guid, std::vector<LicenseSource>> out;
  if (users.empty()) return out;
  bool all = Allows(actor.roles, Permission::kReadDirectory);
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    for (auto& us : SourcesOf(tx, actor.tenantId, users))
      if (all || us.userId == actor.userId) out[us.userId].push_back(std::move(us.source));
    return Ok();
  }));
  return out;
}

Result<LicensePreview> PreviewGroupLicense(Context& ctx, const Actor& actor, const Guid& group,
                                           const std::vector<LicenseAdd>& add,
                                           const std::vector<Guid>& remove) {
  LD_TRY(Require(actor, Permission::kManageLicenses));
  LicensePreview out;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    LD_TRY(LoadGroup(tx, actor.tenantId, group));
    LD_ASSIGN_OR_RETURN(
        auto licenses, NextLicenses(ctx, tx.ListGroupLicenses(actor.tenantId, group), add, remove));
    std::vector<Guid> skus;
    for (const auto& l : licenses) skus.push_back(l.skuId);
    Snapshot snap = ReadSnapshot(tx, actor.tenantId, group, std::nullopt, skus);
    out.membersAffected = static_cast<int64_t>(snap.members.size());
    GroupPlanInput in;
    in.groupId = group;
    in.licenses = licenses;
    in.members = snap.members;
    in.pools = snap.pools;
    in.orgCountry = snap.country;
    GroupPlan plan = PlanGroupLicenses(in, ctx.catalog);
    out.wouldAssign = plan.Count(PlanAction::kAssign);
    std::map<Guid, int64_t> short_of;
    for (const auto& o : plan.outcomes) {
      if (o.action != PlanAction::kFail) continue;
      ++out.wouldFail[o.error];
      if (o.error == LicenseError::kCountViolation) ++short_of[o.skuId];
    }
    const Market* m = ctx.catalog.FindMarket(snap.country);
    for (const auto& [sku_id, n] : short_of) {
      LicensePreview::Needed need{sku_id, n, {}};
      if (m) {
        need.monthlyCost.currency = m->currency;
        if (const Sku* sku = ctx.catalog.FindSku(sku_id))
          need.monthlyCost.amount =
              sku->UnitPrice(m->currency, BillingCycle::kMonthly).value_or(0) * n;
      }
      out.additionalLicensesNeeded.push_back(std::move(need));
    }
    return Ok();
  }));
  return out;
}

}  // namespace ld::app
