#include "domain/groups.h"

#include <algorithm>
#include <set>

namespace ld {

namespace {

struct Named {
  std::string_view name;
  int value;
};

template <class E, size_t N>
std::optional<E> ParseNamed(const Named (&table)[N], std::string_view s) {
  for (const Named& n : table)
    if (n.name == s) return static_cast<E>(n.value);
  return std::nullopt;
}

template <class E, size_t N>
std::string_view NameOf(const Named (&table)[N], E e) {
  for (const Named& n : table)
    if (n.value == static_cast<int>(e)) return n.name;
  return table[0].name;  // unreachable: every enumerator is in its table
}

constexpr Named kStates[] = {{"Active", static_cast<int>(LicenseState::kActive)},
                             {"ActiveWithError", static_cast<int>(LicenseState::kActiveWithError)},
                             {"Disabled", static_cast<int>(LicenseState::kDisabled)},
                             {"Error", static_cast<int>(LicenseState::kError)}};
constexpr Named kErrors[] = {
    {"None", static_cast<int>(LicenseError::kNone)},
    {"CountViolation", static_cast<int>(LicenseError::kCountViolation)},
    {"MutuallyExclusiveViolation", static_cast<int>(LicenseError::kMutuallyExclusiveViolation)},
    {"DependencyViolation", static_cast<int>(LicenseError::kDependencyViolation)},
    {"ProhibitedInUsageLocationViolation",
     static_cast<int>(LicenseError::kProhibitedInUsageLocationViolation)},
    {"Other", static_cast<int>(LicenseError::kOther)}};
constexpr Named kProcessing[] = {
    {"QueuedForProcessing", static_cast<int>(GroupProcessingState::kQueued)},
    {"ProcessingInProgress", static_cast<int>(GroupProcessingState::kInProgress)},
    {"ProcessingComplete", static_cast<int>(GroupProcessingState::kComplete)}};

// The number of code points of `s`, or nullopt when it is not valid UTF-8.
std::optional<size_t> Utf8Chars(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++n) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    if (len == 0 || i + len > s.size()) return std::nullopt;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return std::nullopt;
    i += len;
  }
  return n;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lx = static_cast<char>(x >= 'A' && x <= 'Z' ? x - 'A' + 'a' : x);
           auto ly = static_cast<char>(y >= 'A' && y <= 'Z' ? y - 'A' + 'a' : y);
           return lx == ly;
         });
}

Error BadRef(std::string why) {
  return Error::Invalid("InvalidReference",
                        "@odata.id must be a URL of the form "
                        "https://<host>/v1.0/directoryObjects/{id}: " +
                            why,
                        "@odata.id");
}

}  // namespace

std::string_view ToString(LicenseState s) {
  return NameOf(kStates, s);
}
std::string_view ToString(LicenseError e) {
  return NameOf(kErrors, e);
}
std::string_view ToString(GroupProcessingState s) {
  return NameOf(kProcessing, s);
}
std::optional<LicenseState> ParseLicenseState(std::string_view s) {
  return ParseNamed<LicenseState>(kStates, s);
}
std::optional<LicenseError> ParseLicenseError(std::string_view s) {
  return ParseNamed<LicenseError>(kErrors, s);
}
std::optional<GroupProcessingState> ParseGroupProcessingState(std::string_view s) {
  return ParseNamed<GroupProcessingState>(kProcessing, s);
}

Status ValidateGroupDisplayName(std::string_view name) {
  auto chars = Utf8Chars(name);
  bool blank = std::all_of(name.begin(), name.end(),
                           [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
  if (!chars || blank || *chars > kMaxGroupDisplayNameChars)
    return Error::Invalid("InvalidDisplayName",
                          "displayName must be 1 to 256 characters (got " +
                              (chars ? std::to_string(*chars) : std::string("invalid UTF-8")) +
                              (blank && chars && *chars > 0 ? ", all blank" : "") + ").",
                          "displayName");
  return Ok();
}

Result<Guid> ParseDirectoryObjectRef(std::string_view ref) {
  std::string_view rest = ref;
  if (rest.substr(0, 8) == "https://")
    rest.remove_prefix(8);
  else if (rest.substr(0, 7) == "http://")
    rest.remove_prefix(7);
  else
    return BadRef("not an http(s) URL");
  if (rest.find_first_of("?#") != std::string_view::npos)
    return BadRef("a query or fragment is not allowed");
  size_t slash = rest.find('/');
  if (slash == 0 || slash == std::string_view::npos) return BadRef("no host");
  // The last three segments: v1.0, directoryObjects, the id (a base path
  // before them, as behind a reverse proxy, is allowed).
  std::string_view path = rest.substr(slash);
  size_t id_at = path.rfind('/');
  std::string_view id = path.substr(id_at + 1);
  std::string_view head = path.substr(0, id_at);
  size_t coll_at = head.rfind('/');
  std::string_view collection = head.substr(coll_at + 1);
  std::string_view version = coll_at == 0 ? std::string_view()
                                          : head.substr(head.rfind('/', coll_at - 1) + 1,
                                                        coll_at - head.rfind('/', coll_at - 1) - 1);
  if (!EqualsIgnoreCase(collection, "directoryObjects") || !EqualsIgnoreCase(version, "v1.0"))
    return BadRef("the path must end in /v1.0/directoryObjects/{id}");
  auto g = Guid::Parse(id);
  if (!g || g->nil()) return BadRef("'" + std::string(id) + "' is not an object id");
  return *g;
}

Result<std::vector<Guid>> ParseMemberBinds(const std::vector<std::string>& urls) {
  if (urls.size() > kMaxMemberBinds)
    return Error::Invalid("TooManyReferences",
                          "members@odata.bind takes at most 20 references in one request (got " +
                              std::to_string(urls.size()) + ").",
                          "members@odata.bind");
  std::vector<Guid> out;
  for (const std::string& u : urls) {
    LD_ASSIGN_OR_RETURN(Guid g, ParseDirectoryObjectRef(u));
    if (std::find(out.begin(), out.end(), g) != out.end())
      return Error::Invalid("DuplicateMember", std::string(kDuplicateMemberMessage),
                            "members@odata.bind");
    out.push_back(g);
  }
  return out;
}

EffectiveLicense Effective(const Guid& sku, const std::vector<LicenseSource>& sources) {
  EffectiveLicense out;
  std::optional<std::set<Guid>> disabled;  // the intersection so far
  for (const LicenseSource& s : sources) {
    if (s.skuId != sku || !s.Grants()) continue;
    out.held = true;
    std::set<Guid> mine(s.disabledPlans.begin(), s.disabledPlans.end());
    if (!disabled) {
      disabled = std::move(mine);
      continue;
    }
    // R16: a plan stays disabled only if this source disables it too.
    std::set<Guid> both;
    std::set_intersection(disabled->begin(), disabled->end(), mine.begin(), mine.end(),
                          std::inserter(both, both.end()));
    disabled = std::move(both);
  }
  if (disabled) out.disabledPlans.assign(disabled->begin(), disabled->end());
  return out;
}

int64_t ConsumedUnits(const Guid& sku, const std::map<Guid, std::vector<LicenseSource>>& sources) {
  int64_t n = 0;
  for (const auto& [user, list] : sources) n += Effective(sku, list).held ? 1 : 0;  // R16
  return n;
}

int64_t GroupPlan::Count(PlanAction a) const {
  return std::count_if(outcomes.begin(), outcomes.end(),
                       [&](const PlanOutcome& o) { return o.action == a; });
}

int64_t GroupPlan::Count(LicenseError e) const {
  return std::count_if(outcomes.begin(), outcomes.end(), [&](const PlanOutcome& o) {
    return o.action == PlanAction::kFail && o.error == e;
  });
}

GroupPlan PlanGroupLicenses(const GroupPlanInput& in, const Catalog& catalog) {
  GroupPlan plan;
  // The group's licenses: base plans first, then add-ons, each by skuId.
  std::vector<const GroupLicense*> licenses;
  for (const GroupLicense& l : in.licenses) licenses.push_back(&l);
  auto is_add_on = [&](const GroupLicense* l) {
    const Sku* s = catalog.FindSku(l->skuId);
    return s != nullptr && s->isAddOn;
  };
  std::sort(licenses.begin(), licenses.end(), [&](const GroupLicense* a, const GroupLicense* b) {
    bool aa = is_add_on(a), ba = is_add_on(b);
    return aa != ba ? !aa : a->skuId < b->skuId;
  });
  // R17: oldest membership first.
  std::vector<const PlanMember*> members;
  for (const PlanMember& m : in.members) members.push_back(&m);
  std::sort(members.begin(), members.end(), [](const PlanMember* a, const PlanMember* b) {
    return a->memberSeq != b->memberSeq ? a->memberSeq < b->memberSeq : a->userId < b->userId;
  });
  std::map<Guid, int64_t> free;  // R7: enabled + warning - consumed
  for (const GroupLicense* l : licenses) {
    auto p = in.pools.find(l->skuId);
    free[l->skuId] = p == in.pools.end() ? 0 : Assignable(p->second);
  }

  for (const PlanMember* m : members) {
    std::set<Guid> held;  // what the member holds, growing with this run's assignments
    for (const LicenseSource& s : m->sources)
      if (s.Grants()) held.insert(s.skuId);
    const std::string& location = m->usageLocation ? *m->usageLocation : in.orgCountry;
    for (const GroupLicense* l : licenses) {
      PlanOutcome o{m->userId,           l->skuId,         PlanAction::kFail,
                    LicenseError::kNone, l->disabledPlans, std::nullopt};
      auto mine = std::find_if(m->sources.begin(), m->sources.end(), [&](const LicenseSource& s) {
        return s.skuId == l->skuId && s.groupId == in.groupId && s.Grants();
      });
      const bool from_this_group = mine != m->sources.end();
      o.sourceCurrent = from_this_group && mine->disabledPlans == l->disabledPlans;
      const Sku* sku = catalog.FindSku(l->skuId);
      if (from_this_group) {
        o.action = PlanAction::kUnchanged;
      } else if (held.count(l->skuId)) {
        o.action = PlanAction::kAddSource;  // R16: one license, no second seat
      } else if (sku == nullptr) {
        o.error = LicenseError::kOther;
      } else if (!sku->SoldIn(location)) {
        o.error = LicenseError::kProhibitedInUsageLocationViolation;
      } else if (std::any_of(held.begin(), held.end(),
                             [&](const Guid& h) { return sku->ConflictsWith(h); })) {
        o.error = LicenseError::kMutuallyExclusiveViolation;
      } else if (sku->isAddOn &&
                 std::none_of(sku->prerequisiteSkuIds.begin(), sku->prerequisiteSkuIds.end(),
                              [&](const Guid& p) { return held.count(p) > 0; })) {
        o.error = LicenseError::kDependencyViolation;
      } else if (free[l->skuId] <= 0) {
        o.error = LicenseError::kCountViolation;  // R17: never past capacity
      } else {
        o.action = PlanAction::kAssign;
        --free[l->skuId];
        ++plan.seatsTaken[l->skuId];
        held.insert(l->skuId);
        if (!m->usageLocation) o.setUsageLocation = in.orgCountry;
      }
      plan.outcomes.push_back(std::move(o));
    }
  }
  return plan;
}

std::vector<SourceRemoval> PlanSourceRemoval(const Guid& group, const std::vector<Guid>& skus,
                                             const std::vector<PlanMember>& members) {
  std::vector<SourceRemoval> out;
  for (const PlanMember& m : members) {
    for (const Guid& sku : skus) {
      const LicenseSource* mine = nullptr;
      bool other_grants = false;
      for (const LicenseSource& s : m.sources) {
        if (s.skuId != sku) continue;
        if (s.groupId == group)
          mine = &s;
        else if (s.Grants())
          other_grants = true;
      }
      if (mine == nullptr) continue;
      // R16: the seat goes with the last granting source only.
      out.push_back({m.userId, sku, mine->Grants() && !other_grants});
    }
  }
  return out;
}

std::optional<LicenseRuleViolation> CheckLicenseChange(const Catalog& catalog,
                                                       const std::set<Guid>& before,
                                                       const std::set<Guid>& after,
                                                       std::string_view location) {
  auto has_prerequisite = [&](const Sku& s, const std::set<Guid>& held) {
    return std::any_of(s.prerequisiteSkuIds.begin(), s.prerequisiteSkuIds.end(),
                       [&](const Guid& p) { return held.count(p) > 0; });
  };
  for (const Guid& id : after) {
    const Sku* sku = catalog.FindSku(id);
    if (sku == nullptr) continue;  // validated before (UnknownSku)
    if (before.count(id)) {
      // Held already: only an add-on that loses its base is refused.
      if (sku->isAddOn && has_prerequisite(*sku, before) && !has_prerequisite(*sku, after)) {
        std::optional<Guid> base;
        for (const Guid& p : sku->prerequisiteSkuIds)
          if (before.count(p) && !after.count(p)) base = p;
        return LicenseRuleViolation{LicenseError::kDependencyViolation, id, base};
      }
      continue;
    }
    if (!sku->SoldIn(location))
      return LicenseRuleViolation{LicenseError::kProhibitedInUsageLocationViolation, id, {}};
    for (const Guid& other : after)
      if (other != id && sku->ConflictsWith(other))
        return LicenseRuleViolation{LicenseError::kMutuallyExclusiveViolation, id, other};
    if (sku->isAddOn && !has_prerequisite(*sku, after))
      return LicenseRuleViolation{LicenseError::kDependencyViolation, id, {}};
  }
  return std::nullopt;
}

std::vector<Guid> PoolsToLock(const Catalog& catalog, const std::set<Guid>& skus) {
  std::set<Guid> out(skus.begin(), skus.end());
  for (const Guid& id : skus) {
    const Sku* sku = catalog.FindSku(id);
    if (sku == nullptr) continue;
    out.insert(sku->conflictsWith.begin(), sku->conflictsWith.end());
    out.insert(sku->prerequisiteSkuIds.begin(), sku->prerequisiteSkuIds.end());
  }
  return {out.begin(), out.end()};
}

}  // namespace ld
