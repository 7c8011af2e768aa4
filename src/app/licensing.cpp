#include "app/licensing.h"

#include <algorithm>
#include <set>

#include "app/groups.h"

namespace ld::app {

namespace {

std::string CapabilityStatus(const PoolCounts& c) {
  if (c.enabled > 0) return "Enabled";
  if (c.warning > 0) return "Warning";
  if (c.suspended > 0) return "Suspended";
  return "LockedOut";
}

Error Bad(std::string code, std::string message, std::string target = {}) {
  return Error::Invalid(std::move(code), std::move(message), std::move(target));
}

// `subs` is the organization's subscriptions, read once for all its SKUs.
Result<SubscribedSku> Build(const Context& ctx, const std::vector<Subscription>& subs,
                            const Guid& sku_id, const PoolCounts& counts) {
  const Sku* sku = ctx.catalog.FindSku(sku_id);
  if (!sku) return Error::NotFound("The SKU " + sku_id.str());
  SubscribedSku s{sku, counts, {}, CapabilityStatus(counts)};
  for (const auto& sub : subs)
    if (sub.skuId == sku_id && sub.status != SubscriptionStatus::kDeleted)
      s.subscriptionIds.push_back(sub.id);
  return s;
}

}  // namespace

Result<std::vector<SubscribedSku>> ListSubscribedSkus(Context& ctx, const Actor& actor) {
  LD_TRY(Require(actor, Permission::kReadDirectory));
  std::vector<SubscribedSku> out;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    auto subs = tx.ListSubscriptions(actor.tenantId);
    for (const auto& [sku, counts] : tx.ListPools(actor.tenantId)) {
      auto s = Build(ctx, subs, sku, counts);
      if (s.ok()) out.push_back(std::move(s).value());
    }
    return Ok();
  }));
  return out;
}

Result<SubscribedSku> GetSubscribedSku(Context& ctx, const Actor& actor, const Guid& sku) {
  LD_TRY(Require(actor, Permission::kReadDirectory));
  std::optional<SubscribedSku> out;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    for (const auto& [id, counts] : tx.ListPools(actor.tenantId)) {
      if (id != sku) continue;
      LD_ASSIGN_OR_RETURN(out, Build(ctx, tx.ListSubscriptions(actor.tenantId), id, counts));
    }
    return Ok();
  }));
  if (!out) return Error::NotFound("The subscribed SKU " + sku.str());
  return *out;
}

Result<std::set<Guid>> ValidateLicenseChange(const Catalog& catalog,
                                             const std::vector<LicenseAdd>& add,
                                             const std::vector<Guid>& remove) {
  if (add.empty() && remove.empty())
    return Bad("EmptyRequest", "addLicenses and removeLicenses are both empty.", "addLicenses");
  if (add.size() + remove.size() > 100)
    return Bad("TooManyLicenses", "At most 100 licenses can change in one call.", "addLicenses");
  std::set<Guid> seen;
  for (size_t i = 0; i < add.size(); ++i) {
    const Sku* sku = catalog.FindSku(add[i].skuId);
    std::string target = "addLicenses[" + std::to_string(i) + "]";
    if (!sku)
      return Bad("UnknownSku",
                 "License " + add[i].skuId.str() +
                     " does not correspond to a valid "
                     "company License.",
                 target + ".skuId");
    if (!seen.insert(add[i].skuId).second)
      return Bad("DuplicateSku", "SKU " + add[i].skuId.str() + " appears twice.", target);
    for (const auto& plan : add[i].disabledPlans) {
      bool known = std::any_of(sku->servicePlans.begin(), sku->servicePlans.end(),
                               [&](const ServicePlan& p) { return p.id == plan; });
      if (!known)
        return Bad("InvalidDisabledPlan",
                   "Service plan " + plan.str() + " is not part of " + sku->partNumber + ".",
                   target + ".disabledPlans");
    }
  }
  for (size_t i = 0; i < remove.size(); ++i)
    if (!seen.insert(remove[i]).second)
      return Bad("DuplicateSku",
                 "SKU " + remove[i].str() + " is both added and removed, or listed twice.",
                 "removeLicenses[" + std::to_string(i) + "]");

  return seen;
}

namespace {

std::string PartOf(const Catalog& cat, const Guid& id) {
  const Sku* s = cat.FindSku(id);
  return s ? s->partNumber : id.str();
}

// The refusals of CheckLicenseChange, in the words of group processing's
// errors (the same names as licenseAssignmentStates' `error`).
Error RuleRefusal(const Catalog& cat, const LicenseRuleViolation& v, const User& u) {
  const std::string sku = PartOf(cat, v.skuId);
  switch (v.error) {
    case LicenseError::kMutuallyExclusiveViolation:
      return Error::Invalid("MutuallyExclusiveViolation",
                            "License " + sku + " cannot be assigned together with " +
                                PartOf(cat, v.other.value_or(Guid{})) +
                                ", which the user holds: they contain conflicting service plans. "
                                "Move the user from one to the other instead.",
                            "addLicenses");
    case LicenseError::kProhibitedInUsageLocationViolation:
      return Error::Invalid("ProhibitedInUsageLocationViolation",
                            "License " + sku + " is not available in the user's usage location " +
                                u.usageLocation.value_or("") + ".",
                            "addLicenses");
    case LicenseError::kDependencyViolation:
      if (v.other)
        return Error::Invalid("DependencyViolation",
                              "License " + PartOf(cat, *v.other) +
                                  " cannot be removed: the add-on " + sku +
                                  " the user holds depends on it. Remove the add-on first.",
                              "removeLicenses");
      {
        const Sku* s = cat.FindSku(v.skuId);
        std::string need;
        for (const Guid& p : s ? s->prerequisiteSkuIds : std::vector<Guid>{})
          need += (need.empty() ? "" : ", ") + PartOf(cat, p);
        return Error::Invalid(
            "DependencyViolation",
            "License " + sku + " is an add-on: the user must hold one of " + need + " first.",
            "addLicenses");
      }
    default:
      break;
  }
  return Error::Invalid("Other", "License " + sku + " cannot be assigned to this user.",
                        "addLicenses");
}

}  // namespace

Result<UserWithLicenses> AssignLicense(Context& ctx, const Actor& actor, const std::string& key,
                                       const std::vector<LicenseAdd>& add,
                                       const std::vector<Guid>& remove) {
  LD_TRY(Require(actor, Permission::kManageLicenses));
  LD_ASSIGN_OR_RETURN(const std::set<Guid> seen, ValidateLicenseChange(ctx.catalog, add, remove));

  UserWithLicenses out;
  Instant now = ctx.Now();
  bool requeued = false;
  LD_TRY(ctx.store.Write([&](Tx& tx) -> Status {
    bool freed = false;
    requeued = false;
    LD_ASSIGN_OR_RETURN(User u, ResolveUser(tx, actor.tenantId, key));
    // Lock every touched pool, and those of the SKUs they conflict with or
    // depend on, in one order: concurrent calls cannot deadlock, and a group
    // run giving a conflicting SKU to this user waits (PoolsToLock).
    for (const auto& s : PoolsToLock(ctx.catalog, seen)) tx.LockPool(actor.tenantId, s);
    auto held = tx.ListAssignments(actor.tenantId, u.id);
    auto holds = [&](const Guid& s) {
      return std::any_of(held.begin(), held.end(), [&](const auto& a) { return a.skuId == s; });
    };
    // R16: a license may have a direct source and sources from groups.
    const auto sources = tx.ListLicenseSources(actor.tenantId, u.id);
    auto has_direct = [&](const Guid& s) {
      return std::any_of(sources.begin(), sources.end(),
                         [&](const LicenseSource& x) { return x.skuId == s && x.direct(); });
    };
    // The catalog's rules on what the user holds after the change: a removed
    // SKU stays held when a group gives it too.
    {
      std::set<Guid> before, after;
      for (const auto& a : held) before.insert(a.skuId);
      after = before;
      for (const auto& s : remove) {
        bool kept = std::any_of(sources.begin(), sources.end(), [&](const LicenseSource& x) {
          return x.skuId == s && !x.direct() && x.Grants();
        });
        if (!kept) after.erase(s);
      }
      bool adds_new = false;
      for (const auto& a : add) adds_new |= after.insert(a.skuId).second;
      // Without a usage location a new license is refused below (R8) first.
      if (u.usageLocation || !adds_new)
        if (auto v = CheckLicenseChange(ctx.catalog, before, after, u.usageLocation.value_or("")))
          return RuleRefusal(ctx.catalog, *v, u);
    }
    for (const auto& s : remove) {
      auto it = std::find_if(held.begin(), held.end(), [&](const auto& a) { return a.skuId == s; });
      if (it == held.end())
        return Bad("LicenseNotAssigned",
                   "User does not have a corresponding license " + s.str() + " to remove.",
                   "removeLicenses");
      if (!has_direct(s))
        return Bad("LicenseInherited",
                   "User license is inherited from a group membership and it cannot be removed "
                   "directly from the user.",
                   "removeLicenses");
      // Only the direct source goes: a license a group gives too stays (R16).
      auto removed = tx.RemoveLicenseSource(actor.tenantId, u.id, s, std::nullopt);
      if (!removed.removed)
        return Bad("LicenseNotAssigned",
                   "User does not have a corresponding license " + s.str() + " to remove.",
                   "removeLicenses");
      if (removed.freedSeat) freed = true;
      Audit(tx, ctx, actor.userId, actor.tenantId, "license.remove", "user", u.id.str(),
            nlohmann::json{{"skuId", s.str()}, {"seq", it->seq}}.dump(), "");
    }
    for (const auto& a : add) {
      const Sku* sku = ctx.catalog.FindSku(a.skuId);
      nlohmann::json plans = nlohmann::json::array();
      for (const auto& d : a.disabledPlans) plans.push_back(d.str());
      if (holds(a.skuId)) {
        // Already held (directly, from a group, or both): the direct source
        // is written with these disabled plans, in place; no seat is taken.
        LicenseSource direct;
        direct.skuId = a.skuId;
        direct.disabledPlans = a.disabledPlans;
        direct.updatedAt = now;
        tx.UpsertLicenseSource(actor.tenantId, u.id, direct);
        auto it = std::find_if(held.begin(), held.end(),
                               [&](const auto& x) { return x.skuId == a.skuId; });
        Audit(tx, ctx, actor.userId, actor.tenantId, "license.assign", "user", u.id.str(), "",
              nlohmann::json{{"skuId", a.skuId.str()}, {"disabledPlans", plans}, {"seq", it->seq}}
                  .dump());
        continue;
      }
      // R8: no license without a usage location.
      if (!u.usageLocation)
        return Bad("UsageLocationRequired",
                   "License assignment failed because the user " + u.userPrincipalName +
                       " has no usage location.",
                   "usageLocation");
      // R7: consumed stays within enabled + warning.
      Pool p = ToPool(tx.GetPool(actor.tenantId, a.skuId));
      if (!CanAssign(p, 1))
        return Bad("InsufficientLicenses",
                   "Subscription for " + sku->partNumber + " (" + sku->name +
                       ") does not have any available licenses: " + std::to_string(p.consumed) +
                       " of " + std::to_string(AssignCapacity(p)) + " are in use.",
                   "addLicenses");
      LicenseAssignment la{u.id, a.skuId, a.disabledPlans, now, 0};
      int64_t seq = tx.InsertAssignment(actor.tenantId, la);
      Audit(
          tx, ctx, actor.userId, actor.tenantId, "license.assign", "user", u.id.str(), "",
          nlohmann::json{{"skuId", a.skuId.str()}, {"disabledPlans", plans}, {"seq", seq}}.dump());
    }
    // Seats came free: groups with members short of a license get a turn.
    if (freed) requeued = RequeueGroupsWithLicenseErrors(tx, ctx, actor.tenantId);
    out = {u, tx.ListAssignments(actor.tenantId, u.id), tx.ListRoles(actor.tenantId, u.id)};
    return Ok();
  }));
  if (requeued) ctx.WorkEnqueued();
  return out;
}

Result<std::vector<LicenseAssignment>> LicenseDetails(Context& ctx, const Actor& actor,
                                                      const std::string& key) {
  std::vector<LicenseAssignment> out;
  LD_TRY(ctx.store.Read([&](Tx& tx) -> Status {
    LD_ASSIGN_OR_RETURN(User u, ResolveUser(tx, actor.tenantId, key));
    if (u.id != actor.userId && !Allows(actor.roles, Permission::kReadDirectory))
      return Error::NotFound("The user '" + key.substr(0, 100) + "'");
    out = tx.ListAssignments(actor.tenantId, u.id);
    return Ok();
  }));
  return out;
}

std::vector<Guid> ReconcilePool(Tx& tx, const Context& ctx, const Guid& tenant, const Guid& sku) {
  tx.LockPool(tenant, sku);
  int64_t excess = Excess(ToPool(tx.GetPool(tenant, sku)));
  std::vector<Guid> removed;
  if (excess <= 0) return removed;
  // R11: the most recently assigned go first, each removal audited.
  for (const auto& a : tx.NewestAssignments(tenant, sku, excess)) {
    if (tx.DeleteAssignment(tenant, a.userId, sku)) {
      removed.push_back(a.userId);
      Audit(tx, ctx, std::nullopt, tenant, "license.removeForCapacity", "user", a.userId.str(),
            nlohmann::json{{"skuId", sku.str()}, {"seq", a.seq}}.dump(), "");
    }
  }
  return removed;
}

}  // namespace ld::app
