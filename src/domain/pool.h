// License pool arithmetic (R7, R9, R11). Pure.
//
// An organization's pool for one SKU, as Graph's subscribedSku: `enabled` is
// the quantity of its active subscriptions, `warning` of the expired ones
// (grace, users keep access), `suspended` of the disabled ones (licenses stay
// assigned, no access, no new assignments), `consumed` the users holding it.
#pragma once

#include <cstdint>

namespace ld {

struct Pool {
  int64_t enabled = 0;
  int64_t warning = 0;
  int64_t suspended = 0;
  int64_t consumed = 0;
};

// R7: what new assignments may use: enabled + warning (never suspended).
int64_t AssignCapacity(const Pool& p);

// R7: how many more licenses can be assigned: enabled + warning - consumed,
// never below 0 (a pool over its assign capacity, say after its active
// subscriptions went disabled, has none).
int64_t Assignable(const Pool& p);

// R7: true when `n` (>= 0) more assignments keep consumed within
// enabled + warning.
bool CanAssign(const Pool& p, int64_t n);

// R9: how many licenses must be unassigned before `n` (>= 0) licenses can be
// removed from the pool's enabled or warning capacity: consumed minus the
// capacity left, or 0 when they fit.
int64_t UnassignFirst(const Pool& p, int64_t n);

// R9: true when removing `n` licenses leaves consumed within enabled + warning.
bool CanShrinkBy(const Pool& p, int64_t n);

// R11: how many assigned licenses exceed everything the pool still holds
// (enabled + warning + suspended) and must be removed, newest first; 0 when
// consumed fits.
int64_t Excess(const Pool& p);

}  // namespace ld
