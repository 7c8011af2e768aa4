// Groups and group-based licensing (issue 16, ../shared/spec/groups.md): the
// pure rules. A user's license of a SKU has sources (direct, or a group it is
// a member of); R16's union of them is the one license the user holds. Group
// processing (R17) is planned here from a snapshot (the group's licenses, its
// members oldest membership first, what they hold, the pools and the
// catalog) and applied by the store, which checks capacity again under the
// pool's lock. No I/O; safe to call from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "domain/catalog.h"
#include "domain/guid.h"
#include "domain/pool.h"
#include "domain/result.h"
#include "domain/time.h"

namespace ld {

// ---- names (Graph's licenseAssignmentStates and licenseProcessingState) ----

enum class LicenseState { kActive, kActiveWithError, kDisabled, kError };
enum class LicenseError {
  kNone,
  kCountViolation,                      // no free license
  kMutuallyExclusiveViolation,          // conflicts with a SKU the user holds (conflictsWith)
  kDependencyViolation,                 // an add-on without any of its prerequisites
  kProhibitedInUsageLocationViolation,  // not sold in the user's usage location
  kOther,
};
enum class GroupProcessingState { kQueued, kInProgress, kComplete };

std::string_view ToString(LicenseState s);  // "Active" | "ActiveWithError" | "Disabled" | "Error"
std::string_view ToString(LicenseError e);  // "None" | "CountViolation" | ...
// "QueuedForProcessing" | "ProcessingInProgress" | "ProcessingComplete"
std::string_view ToString(GroupProcessingState s);
std::optional<LicenseState> ParseLicenseState(std::string_view s);
std::optional<LicenseError> ParseLicenseError(std::string_view s);
std::optional<GroupProcessingState> ParseGroupProcessingState(std::string_view s);

// ---- groups and their input ----

struct Group {
  Guid tenantId;
  Guid id;
  std::string displayName;  // 1..256 characters, unique in the organization (case-insensitive)
  std::string description;
  std::string mailNickname;
  bool mailEnabled = false;
  bool securityEnabled = true;
  Instant createdAt = 0;
  GroupProcessingState processingState = GroupProcessingState::kComplete;
};

// A license a group gives its members.
struct GroupLicense {
  Guid skuId;
  std::vector<Guid> disabledPlans;
};

inline constexpr size_t kMaxGroupDisplayNameChars = 256;
// Graph's limit on `members@odata.bind` in one PATCH.
inline constexpr size_t kMaxMemberBinds = 20;

// 1..256 characters (code points of valid UTF-8; a blank name is empty).
// Error InvalidDisplayName, target displayName. Uniqueness is the store's.
Status ValidateGroupDisplayName(std::string_view name);

// The object an `@odata.id` names: an absolute http(s) URL whose path ends
// in `/v1.0/directoryObjects/{guid}` (segments case-insensitive, no query or
// fragment). Anything else is InvalidReference (target @odata.id).
Result<Guid> ParseDirectoryObjectRef(std::string_view odata_id);

// `members@odata.bind`: more than kMaxMemberBinds URLs is TooManyReferences
// whatever they name; then each must parse as above; a user named twice is
// DuplicateMember (the request is all or nothing). In request order.
Result<std::vector<Guid>> ParseMemberBinds(const std::vector<std::string>& urls);

// Graph's message for a member that is already one (400).
inline constexpr std::string_view kDuplicateMemberMessage =
    "One or more added object references already exist for the following modified "
    "properties: 'members'.";

// ---- R16: license sources ----

// One source of a user's license of a SKU: assigned directly (groupId
// nullopt) or inherited from a group. A source in state Error (the group
// could not give it: error names why) gives nothing; every other state holds
// the license.
struct LicenseSource {
  Guid skuId;
  std::optional<Guid> groupId;
  std::vector<Guid> disabledPlans;
  LicenseState state = LicenseState::kActive;
  LicenseError error = LicenseError::kNone;
  Instant updatedAt = 0;

  bool Grants() const { return state != LicenseState::kError; }
  bool direct() const { return !groupId.has_value(); }
};

// R16: the one license a user holds of a SKU, from all its sources.
struct EffectiveLicense {
  bool held = false;                // some source grants it
  std::vector<Guid> disabledPlans;  // disabled by EVERY granting source, sorted
};
EffectiveLicense Effective(const Guid& sku, const std::vector<LicenseSource>& sources);

// R16: consumedUnits of `sku`: the users holding it, each once whatever the
// number of its sources. `sources` maps a user to all its sources.
int64_t ConsumedUnits(const Guid& sku, const std::map<Guid, std::vector<LicenseSource>>& sources);

// ---- R17: the processing plan ----

struct PlanMember {
  Guid userId;
  int64_t memberSeq = 0;  // membership order: smaller is older
  std::optional<std::string> usageLocation;
  std::vector<LicenseSource> sources;  // everything the user holds or failed to get, by source
};

struct GroupPlanInput {
  Guid groupId;
  std::vector<GroupLicense> licenses;
  std::vector<PlanMember> members;  // any order: planned oldest membership first
  std::map<Guid, Pool> pools;       // per SKU; a SKU without a pool has no capacity
  std::string orgCountry;           // the usage location of members without one
};

enum class PlanAction {
  kAssign,     // a new holder: takes a seat, adds this group's source
  kAddSource,  // holds it from another source already: this group's source, no seat
  kUnchanged,  // holds it from this group already: the source is rewritten, no seat
  kFail,       // could not get it: this group's source in state Error with `error`
};

struct PlanOutcome {
  Guid userId;
  Guid skuId;
  PlanAction action = PlanAction::kFail;
  LicenseError error = LicenseError::kNone;  // kFail only
  std::vector<Guid> disabledPlans;           // the group's for this SKU
  // The organization's country, when the member had no usage location and
  // is given this license (Entra writes it to the user).
  std::optional<std::string> setUsageLocation;
  // The member's source from this group grants with these disabled plans
  // already: nothing to write for it.
  bool sourceCurrent = false;
};

struct GroupPlan {
  std::vector<PlanOutcome> outcomes;   // per (member, SKU): members oldest first
  std::map<Guid, int64_t> seatsTaken;  // per SKU: the kAssign outcomes
  int64_t Count(PlanAction a) const;
  int64_t Count(LicenseError e) const;
};

// R17: what processing `in` does. Deterministic: members by (memberSeq,
// userId); per member the group's base plans before its add-ons (so an add-on
// may rely on a base plan given in the same run), each kind by skuId. Per
// (member, SKU), the first that applies:
//   holds it from this group          -> kUnchanged
//   holds it from another source      -> kAddSource (no seat: R16)
//   SKU not in the catalog            -> kFail Other
//   not sold in the usage location    -> kFail ProhibitedInUsageLocationViolation
//   conflicts with a SKU it holds     -> kFail MutuallyExclusiveViolation
//   add-on without a prerequisite     -> kFail DependencyViolation
//   no free seat (Assignable, pool.h) -> kFail CountViolation (R7: never past capacity)
//   else                              -> kAssign, one seat fewer
// A member past capacity does not stop the others.
GroupPlan PlanGroupLicenses(const GroupPlanInput& in, const Catalog& catalog);

// The removal plan: `group`'s source of `skus` goes from each member that has
// it (the group lost those SKUs, or the member left, or the group went).
struct SourceRemoval {
  Guid userId;
  Guid skuId;
  bool freesSeat = false;  // the source granted and no other granting source remains
};
std::vector<SourceRemoval> PlanSourceRemoval(const Guid& group, const std::vector<Guid>& skus,
                                             const std::vector<PlanMember>& members);

// The catalog's rules for a direct change of a user's licenses, the ones a
// group's processing records as errors, here refusals: `before` and `after`
// are the SKUs the user holds (from any source) before and after the change,
// `location` the user's usage location. Each SKU `after` adds must be sold in
// `location`, conflict with nothing else `after` holds, and (an add-on) have
// one of its prerequisites in `after`; an add-on held before and after must
// not lose its last prerequisite. The first violation, by skuId, or nullopt.
struct LicenseRuleViolation {
  LicenseError error = LicenseError::kNone;
  Guid skuId;                 // the SKU added (or the add-on left without a base)
  std::optional<Guid> other;  // the SKU it conflicts with, or the base removed
};
std::optional<LicenseRuleViolation> CheckLicenseChange(const Catalog& catalog,
                                                       const std::set<Guid>& before,
                                                       const std::set<Guid>& after,
                                                       std::string_view location);

// The pools a change of `skus` must lock, in one order (sorted): the SKUs,
// what they conflict with and their prerequisites. Two writers whose changes
// could break a rule together (a direct Business Basic and a group's Business
// Standard for one user; a base plan removed while a group gives its add-on)
// then share a pool lock and run one after the other on PostgreSQL.
std::vector<Guid> PoolsToLock(const Catalog& catalog, const std::set<Guid>& skus);

}  // namespace ld
