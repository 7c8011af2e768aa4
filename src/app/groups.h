// Groups and group-based licensing (issue 16, ../shared/spec/groups.md): the
// use cases behind Graph's /v1.0/groups, and the background processing that
// gives a group's licenses to its members (R16..R19).
//
// A change to a group's licenses or members is acknowledged once it and its
// work item (kGroupLicensingWork, app/work.h) are committed together (R19);
// ProcessGroupLicensing, the work kind's handler, then reconciles what the
// group gives with what its members hold. It plans from a snapshot
// (PlanGroupLicenses, domain/groups.h) and applies the plan in one write
// transaction in which the store checks each pool's capacity again (R17), so
// concurrent direct assignments, other groups and other servers never
// over-assign a pool. Running an item twice changes nothing the second time.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/context.h"
#include "app/directory.h"
#include "app/licensing.h"
#include "app/store.h"
#include "domain/groups.h"

namespace ld::app {

struct GroupView {
  Group group;
  std::vector<GroupLicense> licenses;
};

struct NewGroup {
  std::string displayName;
  std::string mailNickname;
  bool mailEnabled = false;
  bool securityEnabled = true;
  std::string description;
  std::vector<std::string> memberBinds;  // members@odata.bind, up to 20
};

// A PATCH: only the fields present change; memberBinds adds members, all or
// nothing.
struct GroupPatch {
  std::optional<std::string> displayName;
  std::optional<std::string> mailNickname;
  std::optional<std::string> description;
  std::optional<bool> mailEnabled;
  std::optional<bool> securityEnabled;
  std::optional<std::vector<std::string>> memberBinds;
};

struct GroupPage {
  std::vector<GroupView> groups;
  std::optional<Guid> nextAfter;
  std::optional<int64_t> count;
};

struct MemberPage {
  std::vector<UserWithLicenses> users;
  std::optional<Guid> nextAfter;
};

// kManageUsers. 400 InvalidDisplayName, 400 DisplayNameTaken (another group
// of the organization has the name, case-insensitive), the binds' errors.
Result<GroupView> CreateGroup(Context& ctx, const Actor& actor, const NewGroup& g);
// kReadDirectory.
Result<GroupView> GetGroup(Context& ctx, const Actor& actor, const Guid& id);
Result<GroupPage> ListGroups(Context& ctx, const Actor& actor, const GroupPageQuery& q,
                             bool with_count);
// kManageUsers.
Status UpdateGroup(Context& ctx, const Actor& actor, const Guid& id, const GroupPatch& p);
// kManageUsers. 400 GroupHasLicenses while it still gives licenses.
Status DeleteGroup(Context& ctx, const Actor& actor, const Guid& id);

// kManageUsers. `odata_id`: a directoryObjects URL. 400 for another URL or
// a member already; 404 for a group or user not in the organization.
Status AddGroupMember(Context& ctx, const Actor& actor, const Guid& group,
                      const std::string& odata_id);
Status RemoveGroupMember(Context& ctx, const Actor& actor, const Guid& group, const Guid& user);
// kReadDirectory: the members (users, with their licenses), keyset paged.
Result<MemberPage> ListGroupMembers(Context& ctx, const Actor& actor, const Guid& group,
                                    std::optional<Guid> after, int limit);
Result<MemberPage> ListMembersWithLicenseErrors(Context& ctx, const Actor& actor, const Guid& group,
                                                std::optional<Guid> after, int limit);
struct MemberOfPage {
  std::vector<Group> groups;
  std::optional<Guid> nextAfter;
};
// Yourself, or anyone with kReadDirectory: the user's groups, keyset paged by
// group id.
Result<MemberOfPage> ListMemberOf(Context& ctx, const Actor& actor, const std::string& id_or_upn,
                                  std::optional<Guid> after, int limit);

// kManageLicenses. Replaces the group's licenses by `add` (new SKUs, or new
// disabled plans of SKUs it gives) less `remove`, validated against the
// catalog as a user's assignLicense (UnknownSku, InvalidDisabledPlan,
// DuplicateSku, LicenseNotAssigned for a SKU the group does not give), and
// queues the group for processing. The group, QueuedForProcessing.
Result<GroupView> AssignGroupLicense(Context& ctx, const Actor& actor, const Guid& group,
                                     const std::vector<LicenseAdd>& add,
                                     const std::vector<Guid>& remove);

// The work kind's handler: `item.key` is "<groupId>" (the group's licenses,
// every member) or "<groupId>/<userId>" (one membership). Idempotent.
Status ProcessGroupLicensing(Context& ctx, const WorkItem& item);

// When licenses became free (a purchase, a quantity increase, a
// reactivation, a license removed): queues every group of the tenant with
// members in error again, in the caller's transaction, except `except`.
// Returns whether it queued any (then the caller calls ctx.WorkEnqueued()
// once the transaction committed).
bool RequeueGroupsWithLicenseErrors(Tx& tx, Context& ctx, const Guid& tenant,
                                    const std::optional<Guid>& except = std::nullopt);

// kManageLicenses: queues again each group whose license the user could not
// get (POST /v1.0/users/{id}/reprocessLicenseAssignment).
Result<UserWithLicenses> ReprocessLicenseAssignment(Context& ctx, const Actor& actor,
                                                    const std::string& id_or_upn);

// A user's licenseAssignmentStates: one per (source, SKU).
Result<std::vector<LicenseSource>> LicenseAssignmentStates(Context& ctx, const Actor& actor,
                                                           const std::string& id_or_upn);

// The same for a page of users (kReadDirectory, or the caller alone).
Result<std::map<Guid, std::vector<LicenseSource>>> LicenseAssignmentStatesOf(
    Context& ctx, const Actor& actor, const std::vector<Guid>& users);

// kManageLicenses: what AssignGroupLicense with this body would do now, changing
// nothing (POST /api/v1/groups/{id}/licensePreview).
struct LicensePreview {
  int64_t membersAffected = 0;
  int64_t wouldAssign = 0;  // new holders (seats)
  std::map<LicenseError, int64_t> wouldFail;
  struct Needed {
    Guid skuId;
    int64_t quantity = 0;
    Money monthlyCost;
  };
  std::vector<Needed> additionalLicensesNeeded;
};
Result<LicensePreview> PreviewGroupLicense(Context& ctx, const Actor& actor, const Guid& group,
                                           const std::vector<LicenseAdd>& add,
                                           const std::vector<Guid>& remove);

}  // namespace ld::app
