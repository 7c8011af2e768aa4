// Durable work items (app/work.h): the SQL of the work_items table, the same
// on SQLite and PostgreSQL except for the claim's row locking.
#include <string>

#include "store/sql_tx.h"

namespace ld::store {
namespace {

constexpr const char* kWorkCols =
    "kind, tenant_id, item_key, due_at, attempts, lease_owner, lease_until, payload, last_error, "
    "state, created_at, version";

app::WorkItem ReadWork(Rows& r) {
  app::WorkItem w;
  w.kind = r.Text(0);
  w.tenantId = r.Id(1);
  w.key = r.Text(2);
  w.dueAt = r.Int(3);
  w.attempts = static_cast<int>(r.Int(4));
  w.leaseOwner = r.Text(5);
  w.leaseUntil = r.Int(6);
  w.payload = r.Text(7);
  w.lastError = r.Text(8);
  w.state = r.Text(9);
  w.createdAt = r.Int(10);
  w.version = r.Int(11);
  return w;
}

}  // namespace

void SqlTx::EnqueueWork(const app::WorkItem& w) {
  X(c_,
    std::string("INSERT INTO work_items (") + kWorkCols +
        ") VALUES (?, ?, ?, ?, 0, '', 0, ?, '', 'queued', ?, 1) "
        "ON CONFLICT (kind, tenant_id, item_key) DO UPDATE SET "
        "due_at = CASE WHEN work_items.state = 'queued' AND work_items.due_at < excluded.due_at "
        "THEN work_items.due_at ELSE excluded.due_at END, "
        "payload = excluded.payload, state = 'queued', version = work_items.version + 1",
    w.kind, w.tenantId, w.key, w.dueAt, w.payload, w.createdAt);
}

std::vector<app::WorkItem> SqlTx::ClaimWork(const std::string& kind, Instant due_by,
                                            Instant lease_now, const std::string& owner,
                                            Instant lease_until, int limit) {
  std::vector<app::WorkItem> out;
  auto r = Q(c_,
             std::string("UPDATE work_items SET lease_owner = ?, lease_until = ?, attempts = "
                         "attempts + 1 WHERE (kind, tenant_id, item_key) IN (SELECT kind, "
                         "tenant_id, item_key FROM work_items WHERE kind = ? AND state = "
                         "'queued' AND due_at <= ? AND lease_until <= ? ORDER BY due_at LIMIT ?") +
                 (pg() ? " FOR UPDATE SKIP LOCKED" : "") + ") RETURNING " + kWorkCols,
             owner, lease_until, kind, due_by, lease_now, static_cast<int64_t>(limit));
  while (r->Next()) out.push_back(ReadWork(*r));
  return out;
}

bool SqlTx::FinishWork(const app::WorkItem& w) {
  if (X(c_,
        "DELETE FROM work_items WHERE kind = ? AND tenant_id = ? AND item_key = ? AND "
        "lease_owner = ? AND lease_until = ? AND version = ?",
        w.kind, w.tenantId, w.key, w.leaseOwner, w.leaseUntil, w.version) > 0)
    return true;
  // Enqueued again while it ran: let it run again (keeping its new due time).
  return X(c_,
           "UPDATE work_items SET lease_owner = '', lease_until = 0, attempts = 0 WHERE kind = ? "
           "AND tenant_id = ? AND item_key = ? AND lease_owner = ? AND lease_until = ?",
           w.kind, w.tenantId, w.key, w.leaseOwner, w.leaseUntil) > 0;
}

bool SqlTx::RescheduleWork(const app::WorkItem& w, Instant due_at, const std::string& error,
                           bool failed) {
  return X(c_,
           "UPDATE work_items SET due_at = ?, last_error = ?, state = ?, lease_owner = '', "
           "lease_until = 0, attempts = CASE WHEN ? = 1 THEN 0 ELSE attempts END WHERE kind = ? "
           "AND tenant_id = ? AND item_key = ? AND lease_owner = ? AND lease_until = ?",
           due_at, error, std::string(failed ? "failed" : "queued"),
           static_cast<int64_t>(error.empty() ? 1 : 0), w.kind, w.tenantId, w.key, w.leaseOwner,
           w.leaseUntil) > 0;
}

std::optional<app::WorkItem> SqlTx::FindWork(const std::string& kind, const Guid& tenant,
                                             const std::string& key) {
  auto r = Q(c_,
             std::string("SELECT ") + kWorkCols +
                 " FROM work_items WHERE kind = ? AND tenant_id = ? AND item_key = ?",
             kind, tenant, key);
  if (!r->Next()) return std::nullopt;
  return ReadWork(*r);
}

std::vector<app::WorkKindStats> SqlTx::WorkStats(Instant lease_now) {
  std::vector<app::WorkKindStats> out;
  auto r = Q(c_,
             "SELECT kind, "
             "SUM(CASE WHEN state = 'queued' THEN 1 ELSE 0 END), "
             "SUM(CASE WHEN state = 'queued' AND lease_until > ? THEN 1 ELSE 0 END), "
             "SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END), "
             "MIN(CASE WHEN state = 'queued' AND lease_until <= ? THEN due_at END), "
             "SUM(CASE WHEN state = 'queued' AND lease_until <= ? THEN 1 ELSE 0 END) "
             "FROM work_items GROUP BY kind ORDER BY kind",
             lease_now, lease_now, lease_now);
  while (r->Next()) {
    app::WorkKindStats s;
    s.kind = r->Text(0);
    s.queued = r->Int(1);
    s.running = r->Int(2);
    s.failed = r->Int(3);
    if (r->Int(5) > 0) s.oldestDue = r->Int(4);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace ld::store
