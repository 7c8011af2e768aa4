#include "domain/pool.h"

#include <algorithm>

namespace ld {

int64_t AssignCapacity(const Pool& p) {
  return p.enabled + p.warning;
}

int64_t Assignable(const Pool& p) {
  return std::max<int64_t>(0, AssignCapacity(p) - p.consumed);
}

bool CanAssign(const Pool& p, int64_t n) {
  return p.consumed + n <= AssignCapacity(p);
}

int64_t UnassignFirst(const Pool& p, int64_t n) {
  return std::max<int64_t>(0, p.consumed - (AssignCapacity(p) - n));
}

bool CanShrinkBy(const Pool& p, int64_t n) {
  return UnassignFirst(p, n) == 0;
}

int64_t Excess(const Pool& p) {
  return std::max<int64_t>(0, p.consumed - (p.enabled + p.warning + p.suspended));
}

}  // namespace ld
