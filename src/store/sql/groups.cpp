// SqlTx: groups (issue 16): groups, their members and licenses, the license
// sources of R16, and the set-based application of a processing plan (R17,
// R19). The group processing queue is the work items' (sql/work.cpp).
#include <algorithm>
#include <cassert>
#include <deque>
#include <map>
#include <set>

#include "store/sql/rows.h"
#include "store/sql_tx.h"

namespace ld::store {

using namespace rows;

namespace {

// Rows per multi-row statement: far below SQLite's 32,766 and PostgreSQL's
// 65,535 bound parameters at 8 per row.
constexpr size_t kChunk = 500;

constexpr const char* kUserColsU =
    "u.tenant_id, u.id, u.upn, u.display_name, u.mail_nickname, u.usage_location, "
    "u.preferred_language, u.account_enabled, u.password_hash, u.created_at";

// Parameters built at run time; the values live as long as the binder, so
// the string_views and blobs in its Params stay valid (deque never moves).
class Binder {
 public:
  void Id(const Guid& g) {
    ids_.push_back(g);
    p_.push_back(Blob{ids_.back().bytes().data(), 16});
  }
  void Text(std::string s) {
    texts_.push_back(std::move(s));
    p_.push_back(std::string_view(texts_.back()));
  }
  void Int(int64_t v) { p_.push_back(v); }
  std::span<const Param> params() const { return p_; }

 private:
  std::deque<Guid> ids_;
  std::deque<std::string> texts_;
  std::vector<Param> p_;
};

std::string Marks(size_t rows, const char* row) {
  std::string s;
  for (size_t i = 0; i < rows; ++i) s += (i ? ", " : "") + std::string(row);
  return s;
}

// A source's source_id: the user itself when direct (migration 0007).
const Guid& SourceId(const Guid& user, const std::optional<Guid>& group) {
  return group ? *group : user;
}

void AppendFilter(const Guid& tenant, const app::GroupFilter& f, std::string* where, Binder* b) {
  *where = " WHERE g.tenant_id = ?";
  b->Id(tenant);
  if (f.displayNameEquals) {
    *where += " AND g.display_name_lower = ?";
    b->Text(LowerAscii(*f.displayNameEquals));
  }
  if (f.displayNamePrefix) {
    std::string p = LowerAscii(*f.displayNamePrefix);
    *where += " AND substr(g.display_name_lower, 1, " + std::to_string(Utf8Length(p)) + ") = ?";
    b->Text(p);
  }
  if (f.hasSku) {
    *where +=
        " AND EXISTS (SELECT 1 FROM group_licenses l WHERE l.tenant_id = g.tenant_id AND "
        "l.group_id = g.id AND l.sku_id = ?)";
    b->Id(*f.hasSku);
  }
  if (f.hasMembersWithLicenseErrors) {
    *where += *f.hasMembersWithLicenseErrors ? " AND EXISTS" : " AND NOT EXISTS";
    *where +=
        " (SELECT 1 FROM license_sources s WHERE s.tenant_id = g.tenant_id AND s.source_id = "
        "g.id AND s.state = 'Error')";
  }
}

}  // namespace

// ---- license sources ----

std::vector<LicenseSource> SqlTx::ListLicenseSources(const Guid& tenant, const Guid& user) {
  std::vector<LicenseSource> out;
  auto r = Q(c_,
             std::string("SELECT ") + kSourceCols +
                 " FROM license_sources WHERE tenant_id = ? AND user_id = ? ORDER BY sku_id, "
                 "source_id",
             tenant, user);
  while (r->Next()) out.push_back(ReadSource(*r).source);
  return out;
}

std::vector<app::UserLicenseSource> SqlTx::ListLicenseSourcesOf(const Guid& tenant,
                                                                const std::vector<Guid>& users) {
  std::vector<app::UserLicenseSource> out;
  for (size_t at = 0; at < users.size(); at += kChunk) {
    size_t n = std::min(kChunk, users.size() - at);
    Binder b;
    b.Id(tenant);
    for (size_t i = 0; i < n; ++i) b.Id(users[at + i]);
    auto r = c_.Query(std::string("SELECT ") + kSourceCols +
                          " FROM license_sources WHERE tenant_id = ? AND user_id IN (" +
                          Marks(n, "?") + ") ORDER BY user_id, sku_id, source_id",
                      b.params());
    while (r->Next()) out.push_back(ReadSource(*r));
  }
  return out;
}

std::vector<app::UserLicenseSource> SqlTx::ListGroupSources(const Guid& tenant, const Guid& group) {
  std::vector<app::UserLicenseSource> out;
  auto r = Q(c_,
             std::string("SELECT ") + kSourceCols +
                 " FROM license_sources WHERE tenant_id = ? AND source_id = ? ORDER BY user_id, "
                 "sku_id",
             tenant, group);
  while (r->Next()) out.push_back(ReadSource(*r));
  return out;
}

void SqlTx::RecomputeDisabledPlans(const Guid& tenant, const Guid& user, const Guid& sku) {
  std::vector<LicenseSource> sources;
  {
    auto r = Q(c_,
               std::string("SELECT ") + kSourceCols +
                   " FROM license_sources WHERE tenant_id = ? AND user_id = ? AND sku_id = ?",
               tenant, user, sku);
    while (r->Next()) sources.push_back(ReadSource(*r).source);
  }
  EffectiveLicense e = Effective(sku, sources);
  if (!e.held) return;
  // R16: a plan is disabled only if every granting source disables it.
  X(c_,
    "UPDATE license_assignments SET disabled_plans = ? WHERE tenant_id = ? AND user_id = ? AND "
    "sku_id = ?",
    PlansToText(e.disabledPlans), tenant, user, sku);
}

void SqlTx::UpsertLicenseSource(const Guid& tenant, const Guid& user, const LicenseSource& s) {
  X(c_,
    "INSERT INTO license_sources (tenant_id, user_id, sku_id, source_id, disabled_plans, state, "
    "error, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, user_id, sku_id, "
    "source_id) DO UPDATE SET disabled_plans = excluded.disabled_plans, state = excluded.state, "
    "error = excluded.error, updated_at = excluded.updated_at",
    tenant, user, s.skuId, SourceId(user, s.groupId), PlansToText(s.disabledPlans),
    ToString(s.state), ToString(s.error), s.updatedAt);
  RecomputeDisabledPlans(tenant, user, s.skuId);
}

app::Tx::SourceRemoved SqlTx::RemoveLicenseSource(const Guid& tenant, const Guid& user,
                                                  const Guid& sku,
                                                  const std::optional<Guid>& group) {
  SourceRemoved out;
  LockPool(tenant, sku);  // the pool before the license's rows, as every writer of a pool
  out.removed = X(c_,
                  "DELETE FROM license_sources WHERE tenant_id = ? AND user_id = ? AND sku_id = ? "
                  "AND source_id = ?",
                  tenant, user, sku, SourceId(user, group)) > 0;
  if (!out.removed) return out;
  int64_t granting = 0;
  {
    auto r = Q(c_,
               "SELECT COUNT(*) FROM license_sources WHERE tenant_id = ? AND user_id = ? AND "
               "sku_id = ? AND state <> 'Error'",
               tenant, user, sku);
    if (r->Next()) granting = r->Int(0);
  }
  if (granting > 0) {
    RecomputeDisabledPlans(tenant, user, sku);
    return out;
  }
  // R16: the last granting source went: so do the license and its seat.
  if (X(c_, "DELETE FROM license_assignments WHERE tenant_id = ? AND user_id = ? AND sku_id = ?",
        tenant, user, sku) > 0) {
    X(c_, "UPDATE license_pools SET consumed = consumed - 1 WHERE tenant_id = ? AND sku_id = ?",
      tenant, sku);
    out.freedSeat = true;
  }
  return out;
}

// ---- groups ----

bool SqlTx::InsertGroup(const Group& g) {
  // ON CONFLICT without a target: the display name's unique index (or, never
  // for a minted id, the key) makes it a no-op.
  return X(c_,
           "INSERT INTO groups (tenant_id, id, display_name, display_name_lower, description, "
           "mail_nickname, mail_enabled, security_enabled, created_at, processing_state, "
           "next_member_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT DO NOTHING",
           g.tenantId, g.id, g.displayName, LowerAscii(g.displayName), g.description,
           g.mailNickname, g.mailEnabled, g.securityEnabled, g.createdAt,
           ToString(g.processingState)) > 0;
}

bool SqlTx::UpdateGroupProperties(const Group& g) {
  {
    auto r =
        Q(c_, "SELECT 1 FROM groups WHERE tenant_id = ? AND display_name_lower = ? AND id <> ?",
          g.tenantId, LowerAscii(g.displayName), g.id);
    if (r->Next()) return false;  // (a concurrent twin on PostgreSQL: the unique index refuses)
  }
  return X(c_,
           "UPDATE groups SET display_name = ?, display_name_lower = ?, description = ?, "
           "mail_nickname = ?, mail_enabled = ?, security_enabled = ? WHERE tenant_id = ? AND "
           "id = ?",
           g.displayName, LowerAscii(g.displayName), g.description, g.mailNickname, g.mailEnabled,
           g.securityEnabled, g.tenantId, g.id) > 0;
}

void SqlTx::SetGroupProcessingState(const Guid& tenant, const Guid& group, GroupProcessingState s) {
  X(c_, "UPDATE groups SET processing_state = ? WHERE tenant_id = ? AND id = ?", ToString(s),
    tenant, group);
}

std::optional<Group> SqlTx::FindGroup(const Guid& tenant, const Guid& id) {
  auto r = Q(
      c_, std::string("SELECT ") + kGroupCols + " FROM groups g WHERE g.tenant_id = ? AND g.id = ?",
      tenant, id);
  if (!r->Next()) return std::nullopt;
  return ReadGroup(*r);
}

app::Tx::GroupDeleted SqlTx::DeleteGroup(const Guid& tenant, const Guid& id) {
  if (!FindGroup(tenant, id)) return GroupDeleted::kNotFound;
  auto r = Q(c_,
             "SELECT 1 FROM group_licenses WHERE tenant_id = ? AND group_id = ? UNION ALL "
             "SELECT 1 FROM license_sources WHERE tenant_id = ? AND source_id = ?",
             tenant, id, tenant, id);
  if (r->Next()) return GroupDeleted::kHasLicenses;
  X(c_, "DELETE FROM group_members WHERE tenant_id = ? AND group_id = ?", tenant, id);
  X(c_, "DELETE FROM groups WHERE tenant_id = ? AND id = ?", tenant, id);
  return GroupDeleted::kDeleted;
}

std::vector<Group> SqlTx::ListGroups(const Guid& tenant, const app::GroupPageQuery& q) {
  std::string where;
  Binder b;
  AppendFilter(tenant, q.filter, &where, &b);
  if (q.after) {
    where += " AND g.id > ?";
    b.Id(*q.after);
  }
  b.Int(q.limit);
  auto r = c_.Query(
      std::string("SELECT ") + kGroupCols + " FROM groups g" + where + " ORDER BY g.id LIMIT ?",
      b.params());
  std::vector<Group> out;
  while (r->Next()) out.push_back(ReadGroup(*r));
  return out;
}

int64_t SqlTx::CountGroups(const Guid& tenant, const app::GroupFilter& f) {
  std::string where;
  Binder b;
  AppendFilter(tenant, f, &where, &b);
  auto r = c_.Query("SELECT COUNT(*) FROM groups g" + where, b.params());
  return r->Next() ? r->Int(0) : 0;
}

// ---- members ----

bool SqlTx::IsGroupMember(const Guid& tenant, const Guid& group, const Guid& user) {
  auto r = Q(c_, "SELECT 1 FROM group_members WHERE tenant_id = ? AND group_id = ? AND user_id = ?",
             tenant, group, user);
  return r->Next();
}

app::Tx::MemberAdded SqlTx::AddGroupMember(const Guid& tenant, const Guid& group, const Guid& user,
                                           Instant now) {
  if (IsGroupMember(tenant, group, user)) return MemberAdded::kAlreadyMember;
  // The group's row hands out membership seqs (and serializes its member
  // adds on PostgreSQL); a twin add racing this one fails on the key and
  // its transaction is retried.
  int64_t seq = 0;
  {
    auto r = Q(c_,
               "UPDATE groups SET next_member_seq = next_member_seq + 1 WHERE tenant_id = ? AND "
               "id = ? RETURNING next_member_seq - 1",
               tenant, group);
    if (r->Next()) seq = r->Int(0);
    while (r->Next()) {
    }
  }
  X(c_,
    "INSERT INTO group_members (tenant_id, group_id, user_id, added_at, seq) VALUES (?, ?, ?, ?, "
    "?)",
    tenant, group, user, now, seq);
  // R19: the change and its processing item commit together. A group that
  // gives no license has nothing to process for a new member (its licenses,
  // when they come, queue the whole group); checked after the group's row
  // is held, so a license change committing meanwhile is seen.
  bool licensed = false;
  {
    auto r = Q(c_, "SELECT 1 FROM group_licenses WHERE tenant_id = ? AND group_id = ? LIMIT 1",
               tenant, group);
    licensed = r->Next();
    while (r->Next()) {
    }
  }
  if (licensed)
    EnqueueWork(app::WorkItem{.kind = app::kGroupLicensingWork,
                              .tenantId = tenant,
                              .key = app::MemberWorkKey(group, user),
                              .dueAt = now,
                              .createdAt = now});
  return MemberAdded::kAdded;
}

bool SqlTx::RemoveGroupMember(const Guid& tenant, const Guid& group, const Guid& user,
                              Instant now) {
  // The group's row first, as adds and whole-group runs take it, so a run
  // giving this member a source either commits before (its source is seen
  // below) or reads the members after this removal.
  X(c_, "UPDATE groups SET next_member_seq = next_member_seq WHERE tenant_id = ? AND id = ?",
    tenant, group);
  if (X(c_, "DELETE FROM group_members WHERE tenant_id = ? AND group_id = ? AND user_id = ?",
        tenant, group, user) == 0)
    return false;
  // Only a member holding sources from the group has anything to undo.
  bool sourced = false;
  {
    auto r = Q(c_,
               "SELECT 1 FROM license_sources WHERE tenant_id = ? AND user_id = ? AND source_id = "
               "? LIMIT 1",
               tenant, user, group);
    sourced = r->Next();
    while (r->Next()) {
    }
  }
  if (sourced)
    EnqueueWork(app::WorkItem{.kind = app::kGroupLicensingWork,
                              .tenantId = tenant,
                              .key = app::MemberWorkKey(group, user),
                              .dueAt = now,
                              .createdAt = now});
  return true;
}

std::vector<User> SqlTx::ListGroupMembers(const Guid& tenant, const Guid& group,
                                          std::optional<Guid> after, int limit) {
  Binder b;
  b.Id(tenant);
  b.Id(group);
  std::string sql = std::string("SELECT ") + kUserColsU +
                    " FROM group_members m JOIN users u ON u.tenant_id = m.tenant_id AND u.id = "
                    "m.user_id WHERE m.tenant_id = ? AND m.group_id = ?";
  if (after) {
    sql += " AND m.user_id > ?";
    b.Id(*after);
  }
  sql += " ORDER BY m.user_id LIMIT ?";
  b.Int(limit);
  auto r = c_.Query(sql, b.params());
  std::vector<User> out;
  while (r->Next()) out.push_back(ReadUser(*r));
  return out;
}

std::vector<app::GroupMember> SqlTx::ListGroupMembersBySeq(const Guid& tenant, const Guid& group,
                                                           std::optional<int64_t> after_seq,
                                                           int limit) {
  auto r = Q(c_,
             "SELECT m.user_id, m.added_at, m.seq, u.usage_location FROM group_members m JOIN "
             "users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id WHERE m.tenant_id = ? AND "
             "m.group_id = ? AND m.seq > ? ORDER BY m.seq LIMIT ?",
             tenant, group, after_seq.value_or(0), limit);
  std::vector<app::GroupMember> out;
  while (r->Next())
    out.push_back({r->Id(0), r->Int(1), r->Int(2),
                   r->IsNull(3) ? std::nullopt : std::optional<std::string>(r->Text(3))});
  return out;
}

std::vector<User> SqlTx::ListMembersWithLicenseErrors(const Guid& tenant, const Guid& group,
                                                      std::optional<Guid> after, int limit) {
  Binder b;
  b.Id(tenant);
  b.Id(tenant);
  b.Id(group);
  std::string sql = std::string("SELECT ") + kUserColsU +
                    " FROM users u WHERE u.tenant_id = ? AND u.id IN (SELECT s.user_id FROM "
                    "license_sources s WHERE s.tenant_id = ? AND s.source_id = ? AND s.state = "
                    "'Error')";
  if (after) {
    sql += " AND u.id > ?";
    b.Id(*after);
  }
  sql += " ORDER BY u.id LIMIT ?";
  b.Int(limit);
  auto r = c_.Query(sql, b.params());
  std::vector<User> out;
  while (r->Next()) out.push_back(ReadUser(*r));
  return out;
}

std::vector<Group> SqlTx::ListMemberOf(const Guid& tenant, const Guid& user,
                                       std::optional<Guid> after, int limit) {
  Binder b;
  b.Id(tenant);
  b.Id(user);
  std::string sql = std::string("SELECT ") + kGroupCols +
                    " FROM group_members m JOIN groups g ON g.tenant_id = m.tenant_id AND g.id = "
                    "m.group_id WHERE m.tenant_id = ? AND m.user_id = ?";
  if (after) {
    sql += " AND m.group_id > ?";
    b.Id(*after);
  }
  sql += " ORDER BY m.group_id LIMIT ?";
  b.Int(limit);
  auto r = c_.Query(sql, b.params());
  std::vector<Group> out;
  while (r->Next()) out.push_back(ReadGroup(*r));
  return out;
}

// ---- group licenses ----

void SqlTx::SetGroupLicenses(const Guid& tenant, const Guid& group,
                             const std::vector<GroupLicense>& licenses, Instant now) {
  X(c_, "DELETE FROM group_licenses WHERE tenant_id = ? AND group_id = ?", tenant, group);
  for (const GroupLicense& l : licenses)
    X(c_,
      "INSERT INTO group_licenses (tenant_id, group_id, sku_id, disabled_plans) VALUES (?, ?, ?, "
      "?)",
      tenant, group, l.skuId, PlansToText(l.disabledPlans));
  SetGroupProcessingState(tenant, group, GroupProcessingState::kQueued);
  // R19: the change and its processing item commit together.
  EnqueueWork(app::WorkItem{.kind = app::kGroupLicensingWork,
                            .tenantId = tenant,
                            .key = app::GroupWorkKey(group),
                            .dueAt = now,
                            .createdAt = now});
}

std::vector<GroupLicense> SqlTx::ListGroupLicenses(const Guid& tenant, const Guid& group) {
  auto r = Q(c_,
             "SELECT sku_id, disabled_plans FROM group_licenses WHERE tenant_id = ? AND group_id "
             "= ? ORDER BY sku_id",
             tenant, group);
  std::vector<GroupLicense> out;
  while (r->Next()) out.push_back({r->Id(0), PlansFromText(r->Text(1))});
  return out;
}

// ---- applying a plan ----

app::Tx::PlanApplied SqlTx::ApplyGroupPlan(const Guid& tenant, const Guid& group,
                                           const GroupPlan& plan, Instant now) {
  PlanApplied out;
  // Per SKU, in plan order (oldest membership first). std::map: the SKUs in
  // id order, one lock order for every writer of several pools.
  std::map<Guid, std::vector<const PlanOutcome*>> by_sku;
  for (const PlanOutcome& o : plan.outcomes) by_sku[o.skuId].push_back(&o);

  struct Row {
    const PlanOutcome* o;
    LicenseError error;
  };
  std::vector<Row> granted, failed;
  std::vector<std::pair<Guid, Guid>> recompute;  // (user, sku)

  for (const auto& [sku, list] : by_sku) {
    // The members that should hold the SKU from this group, whatever the plan
    // saw: who holds it is decided here, under the pool's lock.
    std::vector<const PlanOutcome*> want;
    for (const PlanOutcome* o : list) {
      if (o->action == PlanAction::kFail) {
        failed.push_back({o, o->error});
      } else {
        want.push_back(o);
      }
    }
    if (want.empty()) continue;
    LockPool(tenant, sku);
    EnsurePool(tenant, sku);
    // Current holders among them; on PostgreSQL their rows are locked, so a
    // direct removal cannot take a license away between this read and the
    // source written for it.
    std::set<Guid> holders;
    for (size_t at = 0; at < want.size(); at += kChunk) {
      size_t n = std::min(kChunk, want.size() - at);
      Binder b;
      b.Id(tenant);
      b.Id(sku);
      for (size_t i = 0; i < n; ++i) b.Id(want[at + i]->userId);
      auto r = c_.Query(
          "SELECT user_id FROM license_assignments WHERE tenant_id = ? AND sku_id = ? AND "
          "user_id IN (" +
              Marks(n, "?") + ")" + (pg() ? " FOR UPDATE" : ""),
          b.params());
      while (r->Next()) holders.insert(r->Id(0));
    }
    app::PoolCounts p = GetPool(tenant, sku);
    // R17 = R7: seats for new holders only while consumed < enabled + warning.
    int64_t free = Assignable(Pool{p.enabled, p.warning, p.suspended, p.consumed});
    std::vector<const PlanOutcome*> fresh;
    for (const PlanOutcome* o : want) {
      if (holders.count(o->userId)) {
        // R16: holds it already (from any source): the source, no seat.
        granted.push_back({o, LicenseError::kNone});
        // An unchanged source (the plan read it in this transaction) needs
        // no rewrite of its license's disabled plans.
        const bool same = o->sourceCurrent;
        if (!same) recompute.emplace_back(o->userId, sku);
        (o->action == PlanAction::kUnchanged && same ? out.unchanged : out.sourcesAdded)++;
      } else if (static_cast<int64_t>(fresh.size()) < free) {
        fresh.push_back(o);
      } else {
        failed.push_back({o, LicenseError::kCountViolation});
        ++out.countViolationsLate;
      }
    }
    if (fresh.empty()) continue;
    // The seats and their seqs in one statement, then the licenses.
    int64_t first_seq = 0;
    {
      const int64_t n = static_cast<int64_t>(fresh.size());
      auto r = Q(c_,
                 "UPDATE license_pools SET consumed = consumed + ?, next_seq = next_seq + ? WHERE "
                 "tenant_id = ? AND sku_id = ? RETURNING next_seq - ?",
                 n, n, tenant, sku, n);
      if (r->Next()) first_seq = r->Int(0);
      while (r->Next()) {
      }
    }
    for (size_t at = 0; at < fresh.size(); at += kChunk) {
      size_t n = std::min(kChunk, fresh.size() - at);
      Binder b;
      for (size_t i = 0; i < n; ++i) {
        const PlanOutcome* o = fresh[at + i];
        b.Id(tenant);
        b.Id(o->userId);
        b.Id(sku);
        b.Text(PlansToText(o->disabledPlans));
        b.Int(now);
        b.Int(first_seq + static_cast<int64_t>(at + i));
      }
      // R19: the key (tenant, user, SKU) refuses a second row of one license.
      c_.Exec(
          "INSERT INTO license_assignments (tenant_id, user_id, sku_id, disabled_plans, "
          "assigned_at, seq) VALUES " +
              Marks(n, "(?, ?, ?, ?, ?, ?)"),
          b.params());
    }
#ifndef NDEBUG
    {  // R7/R17, asserted where it lives: the seats just taken fit.
      app::PoolCounts after = GetPool(tenant, sku);
      assert(after.consumed <= after.enabled + after.warning);
    }
#endif
    for (const PlanOutcome* o : fresh) {
      granted.push_back({o, LicenseError::kNone});
      ++out.assigned;
      if (o->setUsageLocation)
        out.usageLocationsSet +=
            X(c_,
              "UPDATE users SET usage_location = ? WHERE tenant_id = ? AND id = ? AND "
              "usage_location IS NULL",
              *o->setUsageLocation, tenant, o->userId);
    }
  }

  // The group's sources: granting ones replace whatever was there; failed
  // ones never overwrite a source of this group that grants by now.
  auto write = [&](const std::vector<Row>& rows, bool grants) {
    for (size_t at = 0; at < rows.size(); at += kChunk) {
      size_t n = std::min(kChunk, rows.size() - at);
      Binder b;
      for (size_t i = 0; i < n; ++i) {
        const Row& row = rows[at + i];
        b.Id(tenant);
        b.Id(row.o->userId);
        b.Id(row.o->skuId);
        b.Id(group);
        b.Text(PlansToText(row.o->disabledPlans));
        b.Text(std::string(ToString(grants ? LicenseState::kActive : LicenseState::kError)));
        b.Text(std::string(ToString(row.error)));
        b.Int(now);
      }
      c_.Exec(std::string("INSERT INTO license_sources (tenant_id, user_id, sku_id, source_id, "
                          "disabled_plans, state, error, updated_at) VALUES ") +
                  Marks(n, "(?, ?, ?, ?, ?, ?, ?, ?)") +
                  " ON CONFLICT (tenant_id, user_id, sku_id, source_id) DO UPDATE SET "
                  "disabled_plans = excluded.disabled_plans, state = excluded.state, error = "
                  "excluded.error, updated_at = excluded.updated_at" +
                  (grants ? "" : " WHERE license_sources.state = 'Error'"),
              b.params());
    }
  };
  write(granted, true);
  write(failed, false);
  out.failed = static_cast<int64_t>(failed.size());
  for (const auto& [user, sku] : recompute) RecomputeDisabledPlans(tenant, user, sku);
  return out;
}

int64_t SqlTx::ApplySourceRemoval(const Guid& tenant, const Guid& group,
                                  const std::vector<SourceRemoval>& removals) {
  // Set-based per SKU, the SKUs in id order (the pools' lock order). Whether
  // a seat is freed is decided from the rows, not from the plan.
  std::map<Guid, std::vector<Guid>> by_sku;
  for (const SourceRemoval& r : removals) by_sku[r.skuId].push_back(r.userId);
  int64_t freed = 0;
  for (auto& entry : by_sku) {
    // Named, not a structured binding: the lambda below captures them
    // (clang 14, the fuzz build's compiler, refuses captured bindings).
    const Guid& sku = entry.first;
    std::vector<Guid>& users = entry.second;
    std::sort(users.begin(), users.end());
    users.erase(std::unique(users.begin(), users.end()), users.end());
    LockPool(tenant, sku);
    int64_t gone = 0;
    std::vector<Guid> kept;  // still licensed from another source
    for (size_t at = 0; at < users.size(); at += kChunk) {
      size_t n = std::min(kChunk, users.size() - at);
      auto bind = [&](Binder& b) {
        b.Id(tenant);
        b.Id(sku);
        for (size_t i = 0; i < n; ++i) b.Id(users[at + i]);
      };
      const std::string in = " AND user_id IN (" + Marks(n, "?") + ")";
      {
        Binder b;
        bind(b);
        b.Id(group);
        c_.Exec("DELETE FROM license_sources WHERE tenant_id = ? AND sku_id = ?" + in +
                    " AND source_id = ?",
                b.params());
      }
      {
        // R16: a license goes with its last granting source.
        Binder b;
        bind(b);
        gone += c_.Exec(
            "DELETE FROM license_assignments WHERE tenant_id = ? AND sku_id = ?" + in +
                " AND NOT EXISTS (SELECT 1 FROM license_sources s WHERE s.tenant_id = "
                "license_assignments.tenant_id AND s.user_id = license_assignments.user_id AND "
                "s.sku_id = license_assignments.sku_id AND s.state <> 'Error')",
            b.params());
      }
      {
        Binder b;
        bind(b);
        auto r = c_.Query(
            "SELECT user_id FROM license_assignments WHERE tenant_id = ? AND "
            "sku_id = ?" +
                in,
            b.params());
        while (r->Next()) kept.push_back(r->Id(0));
      }
    }
    if (gone > 0)
      X(c_, "UPDATE license_pools SET consumed = consumed - ? WHERE tenant_id = ? AND sku_id = ?",
        gone, tenant, sku);
    freed += gone;
    for (const Guid& u : kept) RecomputeDisabledPlans(tenant, u, sku);
  }
  return freed;
}

}  // namespace ld::store
