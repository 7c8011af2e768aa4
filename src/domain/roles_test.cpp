#include "domain/roles.h"

#include <gtest/gtest.h>

namespace ld {
namespace {

TEST(Roles, PrivilegedUsersAreChangedOnlyByGlobalAdministrators) {
  const RoleSet none{};
  const RoleSet ga{Role::kGlobalAdmin};
  const RoleSet ua{Role::kUserAdmin};
  const RoleSet ba{Role::kBillingAdmin};
  const RoleSet la{Role::kLicenseAdmin};
  const RoleSet gr{Role::kGlobalReader};
  const RoleSet ua_ba{Role::kUserAdmin, Role::kBillingAdmin};
  struct Case {
    RoleSet actor;
    RoleSet target;
    bool allowed;
  } cases[] = {
      // A Global Administrator changes anyone.
      {ga, none, true},
      {ga, ga, true},
      {ga, ua, true},
      {ga, ba, true},
      {ga, gr, true},
      {ga, ua_ba, true},
      // Everyone else: users without admin roles only.
      {ua, none, true},
      {ua, ga, false},
      {ua, ua, false},
      {ua, ba, false},
      {ua, la, false},
      {ua, gr, false},
      {ua, ua_ba, false},
      {ua_ba, ba, false},
      {ba, ba, false},
      {none, ga, false},
      {none, none, true},  // (whether the actor may manage users at all is Allows()'s)
  };
  for (const auto& c : cases) {
    EXPECT_EQ(MayChangeSensitive(c.actor, c.target), c.allowed)
        << "actor roles " << c.actor.size() << " target roles " << c.target.size();
  }
}

TEST(Roles, TheLastEnabledGlobalAdministratorStays) {
  struct Case {
    int64_t enabled;
    bool before, after, keeps;
  } cases[] = {
      {1, true, false, false},  // disable, delete or demote the only one
      {2, true, false, true},   // another one remains
      {1, true, true, true},    // an unrelated change of the only one
      {1, false, false, true},  // someone else changes
      {0, false, true, true},   // enabling a disabled Global Administrator
      {0, false, false, true},  // a change that takes none away is never refused
  };
  for (const auto& c : cases)
    EXPECT_EQ(KeepsGlobalAdmin(c.enabled, c.before, c.after), c.keeps)
        << c.enabled << " " << c.before << " " << c.after;
}

}  // namespace
}  // namespace ld
