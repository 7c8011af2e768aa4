// SqlTx: licenses: each organization's pool per SKU (its consumed count and
// the next assignment's seq), the assignments, auto-assignment and holders.
// An assignment made here is a direct one: it writes the license's direct
// source too (R16, license_sources; sql/groups.cpp has the rest of them).
#include <algorithm>
#include <map>

#include "store/sql/rows.h"
#include "store/sql_tx.h"

namespace ld::store {

using namespace rows;
using app::PoolCounts;

// ---- pools and licenses ----

void SqlTx::EnsurePool(const Guid& tenant, const Guid& sku) {
  X(c_,
    "INSERT INTO license_pools (tenant_id, sku_id, consumed, next_seq) VALUES (?, ?, 0, 1) ON "
    "CONFLICT DO NOTHING",
    tenant, sku);
}

void SqlTx::LockPool(const Guid& tenant, const Guid& sku) {
  // SQLite: the single writer holds every lock already, and each writer of a
  // pool makes its row when missing. PostgreSQL: the row to lock must exist.
  if (pg()) {
    EnsurePool(tenant, sku);
    // R7 across processes: the check and the insert happen under this row lock.
    auto r =
        Q(c_, "SELECT consumed FROM license_pools WHERE tenant_id = ? AND sku_id = ? FOR UPDATE",
          tenant, sku);
    while (r->Next()) {
    }
  }
}

PoolCounts SqlTx::GetPool(const Guid& tenant, const Guid& sku) {
  PoolCounts p;
  // The pool's consumed count and the subscriptions' quantities by status, in one query.
  auto r = Q(c_,
             "SELECT '', consumed FROM license_pools WHERE tenant_id = ? AND sku_id = ? UNION ALL "
             "SELECT status, SUM(quantity) FROM subscriptions WHERE tenant_id = ? AND sku_id = ? "
             "GROUP BY status",
             tenant, sku, tenant, sku);
  while (r->Next()) AddPoolCount(*r, &p);
  return p;
}

std::vector<std::pair<Guid, PoolCounts>> SqlTx::ListPools(const Guid& tenant) {
  // The SKUs, then GetPool's query for all of them at once (grouped by SKU
  // too): two statements, whatever the number of SKUs.
  std::map<Guid, PoolCounts> by_sku;  // in SKU order
  {
    auto r = Q(c_,
               "SELECT sku_id FROM subscriptions WHERE tenant_id = ? AND status <> 'deleted' UNION "
               "SELECT sku_id FROM license_pools WHERE tenant_id = ? AND consumed > 0",
               tenant, tenant);
    while (r->Next()) by_sku.emplace(r->Id(0), PoolCounts{});
  }
  std::vector<std::pair<Guid, PoolCounts>> out;
  if (by_sku.empty()) return out;
  {
    auto r = Q(c_,
               "SELECT sku_id, '', consumed FROM license_pools WHERE tenant_id = ? UNION ALL "
               "SELECT sku_id, status, SUM(quantity) FROM subscriptions WHERE tenant_id = ? "
               "GROUP BY sku_id, status",
               tenant, tenant);
    while (r->Next()) {
      auto it = by_sku.find(r->Id(0));
      if (it != by_sku.end()) AddPoolCount(*r, &it->second, 1);
    }
  }
  out.reserve(by_sku.size());
  for (const auto& [sku, counts] : by_sku) out.emplace_back(sku, counts);
  return out;
}

std::vector<LicenseAssignment> SqlTx::ListAssignments(const Guid& tenant, const Guid& user) {
  std::vector<LicenseAssignment> out;
  auto r = Q(c_,
             std::string("SELECT ") + kAssignmentCols +
                 " FROM license_assignments WHERE tenant_id = ? AND user_id = ? ORDER BY sku_id",
             tenant, user);
  while (r->Next()) out.push_back(ReadAssignment(*r));
  return out;
}

std::vector<LicenseAssignment> SqlTx::ListAssignmentsOf(const Guid& tenant,
                                                        const std::vector<Guid>& users) {
  std::vector<LicenseAssignment> out;
  if (users.empty()) return out;
  // Users of one page are contiguous in id order: one range scan.
  Guid lo = *std::min_element(users.begin(), users.end());
  Guid hi = *std::max_element(users.begin(), users.end());
  auto r = Q(c_,
             std::string("SELECT ") + kAssignmentCols +
                 " FROM license_assignments WHERE tenant_id = ? AND user_id >= ? AND user_id <= ? "
                 "ORDER BY user_id, sku_id",
             tenant, lo, hi);
  std::vector<Guid> sorted = users;
  std::sort(sorted.begin(), sorted.end());
  while (r->Next()) {
    LicenseAssignment a = ReadAssignment(*r);
    if (std::binary_search(sorted.begin(), sorted.end(), a.userId)) out.push_back(std::move(a));
  }
  return out;
}

int64_t SqlTx::InsertAssignment(const Guid& tenant, const LicenseAssignment& a) {
  // One statement makes the pool if needed, counts the license and takes the
  // next seq (the hottest write: every assignLicense).
  int64_t seq = 0;
  {
    auto r = Q(c_,
               "INSERT INTO license_pools (tenant_id, sku_id, consumed, next_seq) VALUES (?, ?, 1, "
               "2) ON CONFLICT (tenant_id, sku_id) DO UPDATE SET consumed = "
               "license_pools.consumed + 1, next_seq = license_pools.next_seq + 1 RETURNING "
               "next_seq - 1",
               tenant, a.skuId);
    if (r->Next()) seq = r->Int(0);
    while (r->Next()) {
    }
  }
  X(c_,
    "INSERT INTO license_assignments (tenant_id, user_id, sku_id, disabled_plans, assigned_at, "
    "seq) VALUES (?, ?, ?, ?, ?, ?)",
    tenant, a.userId, a.skuId, PlansToText(a.disabledPlans), a.assignedAt, seq);
  // R16: a direct source (source_id = the user, migration 0007).
  X(c_,
    "INSERT INTO license_sources (tenant_id, user_id, sku_id, source_id, disabled_plans, state, "
    "error, updated_at) VALUES (?, ?, ?, ?, ?, 'Active', 'None', ?) ON CONFLICT (tenant_id, "
    "user_id, sku_id, source_id) DO UPDATE SET disabled_plans = excluded.disabled_plans, state = "
    "excluded.state, error = excluded.error, updated_at = excluded.updated_at",
    tenant, a.userId, a.skuId, a.userId, PlansToText(a.disabledPlans), a.assignedAt);
  return seq;
}

bool SqlTx::DeleteAssignment(const Guid& tenant, const Guid& user, const Guid& sku) {
  // The pool before the license's rows (the lock order, docs/data-model.md):
  // a group's apply locks them in that order too.
  LockPool(tenant, sku);
  int64_t n = X(c_,
                "DELETE FROM license_assignments WHERE tenant_id = ? AND user_id = ? AND sku_id "
                "= ?",
                tenant, user, sku);
  if (n == 0) return false;
  X(c_, "UPDATE license_pools SET consumed = consumed - 1 WHERE tenant_id = ? AND sku_id = ?",
    tenant, sku);
  // The license goes whole: every source of it (R16), direct or inherited.
  X(c_, "DELETE FROM license_sources WHERE tenant_id = ? AND user_id = ? AND sku_id = ?", tenant,
    user, sku);
  return true;
}

app::Tx::AutoAssigned SqlTx::AutoAssign(const Guid& tenant, const Guid& sku, int64_t limit,
                                        Instant now, const std::string& default_usage_location) {
  AutoAssigned out;
  if (limit <= 0) return out;
  EnsurePool(tenant, sku);
  {
    auto r =
        Q(c_, "SELECT next_seq FROM license_pools WHERE tenant_id = ? AND sku_id = ?", tenant, sku);
    if (r->Next()) out.firstSeq = r->Int(0);
  }
  // R6: users holding no license at all, oldest account first, enabled accounts only.
  out.assigned =
      X(c_,
        "INSERT INTO license_assignments (tenant_id, user_id, sku_id, disabled_plans, "
        "assigned_at, seq) SELECT u.tenant_id, u.id, ?, '', ?, ? - 1 + ROW_NUMBER() OVER "
        "(ORDER BY u.created_at, u.id) FROM users u WHERE u.tenant_id = ? AND "
        "u.account_enabled = 1 AND NOT EXISTS (SELECT 1 FROM license_assignments a WHERE "
        "a.tenant_id = u.tenant_id AND a.user_id = u.id) ORDER BY u.created_at, u.id "
        "LIMIT ?",
        sku, now, out.firstSeq, tenant, limit);
  if (out.assigned == 0) return out;
  X(c_,
    "UPDATE license_pools SET consumed = consumed + ?, next_seq = next_seq + ? WHERE tenant_id = "
    "? AND sku_id = ?",
    out.assigned, out.assigned, tenant, sku);
  // R16: each new license's direct source.
  X(c_,
    "INSERT INTO license_sources (tenant_id, user_id, sku_id, source_id, disabled_plans, state, "
    "error, updated_at) SELECT tenant_id, user_id, sku_id, user_id, '', 'Active', 'None', ? FROM "
    "license_assignments WHERE tenant_id = ? AND sku_id = ? AND seq >= ?",
    now, tenant, sku, out.firstSeq);
  // R6: a user without usageLocation gets the organization's country.
  out.usageLocationsSet =
      X(c_,
        "UPDATE users SET usage_location = ? WHERE tenant_id = ? AND usage_location IS NULL AND "
        "id IN (SELECT user_id FROM license_assignments WHERE tenant_id = ? AND sku_id = ? AND "
        "seq >= ?)",
        default_usage_location, tenant, tenant, sku, out.firstSeq);
  return out;
}

std::vector<LicenseAssignment> SqlTx::NewestAssignments(const Guid& tenant, const Guid& sku,
                                                        int64_t count) {
  std::vector<LicenseAssignment> out;
  auto r = Q(
      c_,
      std::string("SELECT ") + kAssignmentCols +
          " FROM license_assignments WHERE tenant_id = ? AND sku_id = ? ORDER BY seq DESC LIMIT ?",
      tenant, sku, count);
  while (r->Next()) out.push_back(ReadAssignment(*r));
  return out;
}

std::vector<Guid> SqlTx::ListHolders(const Guid& tenant, const Guid& sku) {
  std::vector<Guid> out;
  auto r = Q(c_,
             "SELECT user_id FROM license_assignments WHERE tenant_id = ? AND sku_id = ? ORDER BY "
             "seq",
             tenant, sku);
  while (r->Next()) out.push_back(r->Id(0));
  return out;
}

}  // namespace ld::store
