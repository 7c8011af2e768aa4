#include "store/sql_tx.h"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "domain/lifecycle.h"

namespace ld::store {

using app::AuditCursor;
using app::IdempotencyRecord;
using app::PageCursor;
using app::PoolCounts;
using app::TokenRecord;
using app::UserFilter;
using app::UserPageQuery;

namespace {

// A stored enumeration value this build does not know is corruption (or a
// newer schema's value), never silently a default: the read fails.
template <class T>
T Known(std::optional<T> parsed, const char* column, const std::string& text) {
  if (!parsed)
    throw app::StoreError(app::StoreError::Kind::kFailure,
                          std::string("unknown stored value '") + text + "' in " + column);
  return *parsed;
}

std::optional<std::string> OptText(Rows& r, int c) {
  if (r.IsNull(c)) return std::nullopt;
  return r.Text(c);
}

std::string PlansToText(const std::vector<Guid>& plans) {
  std::string s;
  for (const auto& p : plans) {
    if (!s.empty()) s += ',';
    s += p.str();
  }
  return s;
}

std::vector<Guid> PlansFromText(const std::string& s) {
  std::vector<Guid> out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t end = s.find(',', pos);
    if (end == std::string::npos) end = s.size();
    if (auto g = Guid::Parse(std::string_view(s).substr(pos, end - pos))) out.push_back(*g);
    pos = end + 1;
  }
  return out;
}

size_t Utf8Length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

// Columns user_id, sku_id, disabled_plans, assigned_at, seq.
LicenseAssignment ReadAssignment(Rows& r) {
  return {r.Id(0), r.Id(1), PlansFromText(r.Text(2)), r.Int(3), r.Int(4)};
}

constexpr const char* kUserCols =
    "tenant_id, id, upn, display_name, mail_nickname, usage_location, preferred_language, "
    "account_enabled, password_hash, created_at";

User ReadUser(Rows& r) {
  User u;
  u.tenantId = r.Id(0);
  u.id = r.Id(1);
  u.userPrincipalName = r.Text(2);
  u.displayName = r.Text(3);
  u.mailNickname = r.Text(4);
  u.usageLocation = OptText(r, 5);
  u.preferredLanguage = OptText(r, 6);
  u.accountEnabled = r.Int(7) != 0;
  u.passwordHash = r.Text(8);
  u.createdAt = r.Int(9);
  return u;
}

std::string LowerAscii(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

constexpr const char* kSubCols =
    "tenant_id, id, sku_id, quantity, billing_cycle, status, start_date, period_start, "
    "current_period_end, anchor_day, auto_renew, order_id, payment_method_id, currency, "
    "unit_price, tax_rate_bp, status_changed_at, created_at, renewal_attempts, retry_at";

Subscription ReadSub(Rows& r) {
  Subscription s;
  s.tenantId = r.Id(0);
  s.id = r.Id(1);
  s.skuId = r.Id(2);
  s.quantity = r.Int(3);
  s.cycle = Known(ParseBillingCycle(r.Text(4)), "BillingCycle", r.Text(4));
  s.status = Known(ParseSubscriptionStatus(r.Text(5)), "SubscriptionStatus", r.Text(5));
  s.startDate = r.Int(6);
  s.periodStart = r.Int(7);
  s.currentPeriodEnd = r.Int(8);
  s.anchorDay = static_cast<unsigned>(r.Int(9));
  s.autoRenew = r.Int(10) != 0;
  s.orderId = r.Id(11);
  s.paymentMethodId = r.Id(12);
  s.currency = r.Text(13);
  s.unitPrice = r.Int(14);
  s.taxRateBp = static_cast<TaxRateBp>(r.Int(15));
  s.statusChangedAt = r.Int(16);
  s.createdAt = r.Int(17);
  s.renewalAttempts = static_cast<int>(r.Int(18));
  s.retryAt = r.Int(19);
  return s;
}

constexpr const char* kOrderCols =
    "tenant_id, id, cart_id, created_by, status, currency, subtotal, tax, total, "
    "payment_method_id, payment_status, charge_id, brand, last4, failure_code, created_at";

Order ReadOrder(Rows& r) {
  Order o;
  o.tenantId = r.Id(0);
  o.id = r.Id(1);
  o.cartId = r.Id(2);
  o.createdBy = r.Id(3);
  o.status = Known(ParseOrderStatus(r.Text(4)), "OrderStatus", r.Text(4));
  o.currency = r.Text(5);
  o.subtotal = r.Int(6);
  o.tax = r.Int(7);
  o.total = r.Int(8);
  o.paymentMethodId = r.Id(9);
  o.paymentStatus = Known(ParsePaymentStatus(r.Text(10)), "PaymentStatus", r.Text(10));
  o.chargeId = r.Text(11);
  o.brand = r.Text(12);
  o.last4 = r.Text(13);
  o.failureCode = r.Text(14);
  o.createdAt = r.Int(15);
  return o;
}

constexpr const char* kPmCols =
    "tenant_id, id, type, brand, last4, exp_month, exp_year, holder_name, gateway_token, "
    "created_at, deleted";

PaymentMethod ReadPm(Rows& r) {
  PaymentMethod p;
  p.tenantId = r.Id(0);
  p.id = r.Id(1);
  p.type = Known(ParsePaymentMethodType(r.Text(2)), "PaymentMethodType", r.Text(2));
  p.brand = r.Text(3);
  p.last4 = r.Text(4);
  p.expMonth = static_cast<int>(r.Int(5));
  p.expYear = static_cast<int>(r.Int(6));
  p.holderName = r.Text(7);
  p.gatewayToken = r.Text(8);
  p.createdAt = r.Int(9);
  p.deleted = r.Int(10) != 0;
  return p;
}

constexpr const char* kInvCols =
    "tenant_id, id, number, kind, order_id, subscription_id, currency, subtotal, tax, total, "
    "payment_status, issued_at, due_at";

Invoice ReadInvoice(Rows& r) {
  Invoice i;
  i.tenantId = r.Id(0);
  i.id = r.Id(1);
  i.number = r.Int(2);
  i.kind = Known(ParseInvoiceKind(r.Text(3)), "InvoiceKind", r.Text(3));
  if (!r.IsNull(4)) i.orderId = r.Id(4);
  if (!r.IsNull(5)) i.subscriptionId = r.Id(5);
  i.currency = r.Text(6);
  i.subtotal = r.Int(7);
  i.tax = r.Int(8);
  i.total = r.Int(9);
  i.paymentStatus = Known(ParsePaymentStatus(r.Text(10)), "PaymentStatus", r.Text(10));
  i.issuedAt = r.Int(11);
  i.dueAt = r.Int(12);
  return i;
}

}  // namespace

// ---- tenants and domains ----

void SqlTx::InsertTenant(const Tenant& t) {
  X(c_,
    "INSERT INTO tenants (id, display_name, country, initial_domain, invoice_eligible, "
    "created_at) VALUES (?, ?, ?, ?, ?, ?)",
    t.id, t.displayName, t.country, t.initialDomain, t.invoiceEligible, t.createdAt);
}

void SqlTx::UpdateTenant(const Tenant& t) {
  X(c_, "UPDATE tenants SET display_name = ?, country = ?, invoice_eligible = ? WHERE id = ?",
    t.displayName, t.country, t.invoiceEligible, t.id);
}

std::optional<Tenant> SqlTx::FindTenant(const Guid& id) {
  auto r = Q(c_,
             "SELECT id, display_name, country, initial_domain, invoice_eligible, created_at "
             "FROM tenants WHERE id = ?",
             id);
  if (!r->Next()) return std::nullopt;
  return Tenant{r->Id(0), r->Text(1), r->Text(2), r->Text(3), r->Int(4) != 0, r->Int(5)};
}

std::optional<Guid> SqlTx::FindDomainOwner(const std::string& domain) {
  auto r = Q(c_, "SELECT tenant_id FROM domains WHERE name = ?", LowerAscii(domain));
  if (!r->Next()) return std::nullopt;
  return r->Id(0);
}

void SqlTx::InsertDomain(const Guid& tenant, const DomainName& d) {
  X(c_, "INSERT INTO domains (name, tenant_id, is_initial, is_default) VALUES (?, ?, ?, ?)",
    LowerAscii(d.name), tenant, d.isInitial, d.isDefault);
}

std::vector<DomainName> SqlTx::ListDomains(const Guid& tenant) {
  std::vector<DomainName> out;
  auto r = Q(c_,
             "SELECT name, is_initial, is_default FROM domains WHERE tenant_id = ? ORDER BY "
             "is_initial DESC, name",
             tenant);
  while (r->Next()) out.push_back({r->Text(0), r->Int(1) != 0, r->Int(2) != 0});
  return out;
}

// ---- users ----

void SqlTx::InsertUser(const User& u) {
  X(c_,
    "INSERT INTO users (tenant_id, id, upn, display_name, display_name_lower, mail_nickname, "
    "usage_location, preferred_language, account_enabled, password_hash, created_at) VALUES (?, "
    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    u.tenantId, u.id, u.userPrincipalName, u.displayName, LowerAscii(u.displayName), u.mailNickname,
    u.usageLocation, u.preferredLanguage, u.accountEnabled, u.passwordHash, u.createdAt);
}

void SqlTx::UpdateUser(const User& u) {
  X(c_,
    "UPDATE users SET upn = ?, display_name = ?, display_name_lower = ?, mail_nickname = ?, "
    "usage_location = ?, preferred_language = ?, account_enabled = ?, password_hash = ? WHERE "
    "tenant_id = ? AND id = ?",
    u.userPrincipalName, u.displayName, LowerAscii(u.displayName), u.mailNickname, u.usageLocation,
    u.preferredLanguage, u.accountEnabled, u.passwordHash, u.tenantId, u.id);
}

void SqlTx::DeleteUser(const Guid& tenant, const Guid& id) {
  // Licenses go with the user: lower each pool's consumed count first.
  for (const auto& a : ListAssignments(tenant, id)) DeleteAssignment(tenant, id, a.skuId);
  X(c_, "DELETE FROM user_roles WHERE tenant_id = ? AND user_id = ?", tenant, id);
  X(c_, "DELETE FROM tokens WHERE tenant_id = ? AND user_id = ?", tenant, id);
  X(c_, "DELETE FROM users WHERE tenant_id = ? AND id = ?", tenant, id);
}

std::optional<User> SqlTx::FindUser(const Guid& tenant, const Guid& id) {
  auto r = Q(c_, std::string("SELECT ") + kUserCols + " FROM users WHERE tenant_id = ? AND id = ?",
             tenant, id);
  if (!r->Next()) return std::nullopt;
  return ReadUser(*r);
}

std::optional<User> SqlTx::FindUserByUpn(const Guid& tenant, const std::string& upn) {
  auto r = Q(c_, std::string("SELECT ") + kUserCols + " FROM users WHERE tenant_id = ? AND upn = ?",
             tenant, LowerAscii(upn));
  if (!r->Next()) return std::nullopt;
  return ReadUser(*r);
}

namespace {
// Appends the filter's conditions to `sql` and its values to `vals`.
// Values are kept in `holder` so the string_views in Params stay valid.
struct FilterSql {
  std::string where;
  std::vector<std::string> texts;
  std::vector<Guid> ids;
  std::vector<std::pair<int, int>> order;  // (kind 0=text 1=id 2=int, index)
  std::vector<int64_t> ints;
  void Text(std::string v) {
    texts.push_back(std::move(v));
    order.emplace_back(0, static_cast<int>(texts.size() - 1));
  }
  void Id(const Guid& g) {
    ids.push_back(g);
    order.emplace_back(1, static_cast<int>(ids.size() - 1));
  }
  void Int(int64_t v) {
    ints.push_back(v);
    order.emplace_back(2, static_cast<int>(ints.size() - 1));
  }
  std::vector<Param> Params() const {
    std::vector<Param> p;
    for (auto [k, i] : order) {
      if (k == 0) p.push_back(std::string_view(texts[static_cast<size_t>(i)]));
      if (k == 1) p.push_back(Blob{ids[static_cast<size_t>(i)].bytes().data(), 16});
      if (k == 2) p.push_back(ints[static_cast<size_t>(i)]);
    }
    return p;
  }
};

void BuildFilter(const Guid& tenant, const UserFilter& f, FilterSql* s) {
  s->where = " WHERE u.tenant_id = ?";
  s->Id(tenant);
  if (f.upnEquals) {
    s->where += " AND u.upn = ?";
    s->Text(LowerAscii(*f.upnEquals));
  }
  if (f.displayNameEquals) {
    s->where += " AND u.display_name = ?";
    s->Text(*f.displayNameEquals);
  }
  if (f.displayNamePrefix) {
    std::string p = LowerAscii(*f.displayNamePrefix);
    s->where += " AND substr(u.display_name_lower, 1, " + std::to_string(Utf8Length(p)) + ") = ?";
    s->Text(p);
  }
  if (f.upnPrefix) {
    std::string p = LowerAscii(*f.upnPrefix);
    s->where += " AND substr(u.upn, 1, " + std::to_string(Utf8Length(p)) + ") = ?";
    s->Text(p);
  }
  if (f.accountEnabled) {
    s->where += " AND u.account_enabled = ?";
    s->Int(*f.accountEnabled ? 1 : 0);
  }
  if (f.usageLocation) {
    s->where += " AND u.usage_location = ?";
    s->Text(*f.usageLocation);
  }
  for (const auto& sku : f.hasSku) {
    s->where +=
        " AND EXISTS (SELECT 1 FROM license_assignments a WHERE a.tenant_id = u.tenant_id AND "
        "a.user_id = u.id AND a.sku_id = ?)";
    s->Id(sku);
  }
  if (f.hasAnyLicense) {
    s->where += *f.hasAnyLicense ? " AND EXISTS" : " AND NOT EXISTS";
    s->where +=
        " (SELECT 1 FROM license_assignments a WHERE a.tenant_id = u.tenant_id AND a.user_id = "
        "u.id)";
  }
}
}  // namespace

std::vector<User> SqlTx::ListUsers(const Guid& tenant, const UserPageQuery& q) {
  FilterSql f;
  BuildFilter(tenant, q.filter, &f);
  if (q.after) {
    f.where += " AND u.id > ?";
    f.Id(*q.after);
  }
  std::string sql =
      "SELECT u.tenant_id, u.id, u.upn, u.display_name, u.mail_nickname, "
      "u.usage_location, u.preferred_language, u.account_enabled, u.password_hash, "
      "u.created_at FROM users u" +
      f.where + " ORDER BY u.id LIMIT ?";
  f.Int(q.limit);
  auto params = f.Params();
  auto r = c_.Query(sql, params);
  std::vector<User> out;
  out.reserve(static_cast<size_t>(std::clamp(q.limit, 0, 1000)));
  while (r->Next()) out.push_back(ReadUser(*r));
  return out;
}

int64_t SqlTx::CountUsers(const Guid& tenant, const UserFilter& filter) {
  FilterSql f;
  BuildFilter(tenant, filter, &f);
  auto params = f.Params();
  auto r = c_.Query("SELECT COUNT(*) FROM users u" + f.where, params);
  return r->Next() ? r->Int(0) : 0;
}

// ---- roles ----

RoleSet SqlTx::ListRoles(const Guid& tenant, const Guid& user) {
  RoleSet out;
  auto r = Q(c_, "SELECT role FROM user_roles WHERE tenant_id = ? AND user_id = ? ORDER BY role",
             tenant, user);
  while (r->Next()) out.push_back(Known(ParseRole(r->Text(0)), "Role", r->Text(0)));
  return out;
}

void SqlTx::SetRoles(const Guid& tenant, const Guid& user, const RoleSet& roles) {
  X(c_, "DELETE FROM user_roles WHERE tenant_id = ? AND user_id = ?", tenant, user);
  for (Role role : roles)
    X(c_, "INSERT INTO user_roles (tenant_id, user_id, role) VALUES (?, ?, ?)", tenant, user,
      ToString(role));
}

int64_t SqlTx::CountRoleHolders(const Guid& tenant, Role role) {
  auto r = Q(c_, "SELECT COUNT(*) FROM user_roles WHERE tenant_id = ? AND role = ?", tenant,
             ToString(role));
  return r->Next() ? r->Int(0) : 0;
}

// ---- privileged users (engineer A) ----

int64_t SqlTx::LockAndCountEnabledRoleHolders(const Guid& tenant, Role role) {
  if (pg()) {
    // Every change that may take a Global Administrator away serializes here.
    auto l = Q(c_, "SELECT id FROM tenants WHERE id = ? FOR UPDATE", tenant);
    while (l->Next()) {
    }
  }
  auto r = Q(c_,
             "SELECT COUNT(*) FROM user_roles r JOIN users u ON u.tenant_id = r.tenant_id AND "
             "u.id = r.user_id WHERE r.tenant_id = ? AND r.role = ? AND u.account_enabled = 1",
             tenant, ToString(role));
  return r->Next() ? r->Int(0) : 0;
}

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
  while (r->Next()) {
    std::string st = r->Text(0);
    if (st.empty()) {
      p.consumed = r->Int(1);
      continue;
    }
    auto s = ParseSubscriptionStatus(st);
    if (s == SubscriptionStatus::kActive) p.enabled = r->Int(1);
    if (s == SubscriptionStatus::kExpired) p.warning = r->Int(1);
    if (s == SubscriptionStatus::kDisabled) p.suspended = r->Int(1);
  }
  return p;
}

std::vector<std::pair<Guid, PoolCounts>> SqlTx::ListPools(const Guid& tenant) {
  std::vector<Guid> skus;
  {
    auto r = Q(c_,
               "SELECT sku_id FROM subscriptions WHERE tenant_id = ? AND status <> 'deleted' UNION "
               "SELECT sku_id FROM license_pools WHERE tenant_id = ? AND consumed > 0",
               tenant, tenant);
    while (r->Next()) skus.push_back(r->Id(0));
  }
  std::sort(skus.begin(), skus.end());
  std::vector<std::pair<Guid, PoolCounts>> out;
  for (const auto& s : skus) out.emplace_back(s, GetPool(tenant, s));
  return out;
}

std::vector<LicenseAssignment> SqlTx::ListAssignments(const Guid& tenant, const Guid& user) {
  std::vector<LicenseAssignment> out;
  auto r = Q(c_,
             "SELECT user_id, sku_id, disabled_plans, assigned_at, seq FROM license_assignments "
             "WHERE tenant_id = ? AND user_id = ? ORDER BY sku_id",
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
             "SELECT user_id, sku_id, disabled_plans, assigned_at, seq FROM license_assignments "
             "WHERE tenant_id = ? AND user_id >= ? AND user_id <= ? ORDER BY user_id, sku_id",
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
  return seq;
}

bool SqlTx::DeleteAssignment(const Guid& tenant, const Guid& user, const Guid& sku) {
  int64_t n = X(c_,
                "DELETE FROM license_assignments WHERE tenant_id = ? AND user_id = ? AND sku_id "
                "= ?",
                tenant, user, sku);
  if (n == 0) return false;
  X(c_, "UPDATE license_pools SET consumed = consumed - 1 WHERE tenant_id = ? AND sku_id = ?",
    tenant, sku);
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
  auto r = Q(c_,
             "SELECT user_id, sku_id, disabled_plans, assigned_at, seq FROM license_assignments "
             "WHERE tenant_id = ? AND sku_id = ? ORDER BY seq DESC LIMIT ?",
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

// ---- carts ----

namespace {
void WriteCartLines(Conn& c, const Cart& cart) {
  X(c, "DELETE FROM cart_lines WHERE tenant_id = ? AND cart_id = ?", cart.tenantId, cart.id);
  int no = 0;
  for (const auto& l : cart.lines) {
    X(c,
      "INSERT INTO cart_lines (tenant_id, cart_id, line_no, id, sku_id, quantity, billing_cycle, "
      "auto_assign) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      cart.tenantId, cart.id, no++, l.id, l.skuId, l.quantity, ToString(l.cycle), l.autoAssign);
  }
}
}  // namespace

void SqlTx::InsertCart(const Cart& c) {
  X(c_,
    "INSERT INTO carts (tenant_id, id, owner_id, status, created_at, updated_at, expires_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)",
    c.tenantId, c.id, c.ownerId, ToString(c.status), c.createdAt, c.updatedAt, c.expiresAt);
  WriteCartLines(c_, c);
}

void SqlTx::UpdateCart(const Cart& c) {
  X(c_,
    "UPDATE carts SET status = ?, updated_at = ?, expires_at = ? WHERE tenant_id = ? AND id = ?",
    ToString(c.status), c.updatedAt, c.expiresAt, c.tenantId, c.id);
  WriteCartLines(c_, c);
}

bool SqlTx::MarkCartOrdered(const Guid& tenant, const Guid& id, Instant at) {
  return X(c_, "UPDATE carts SET status = ?, updated_at = ? WHERE tenant_id = ? AND id = ?",
           ToString(CartStatus::kOrdered), at, tenant, id) == 1;
}

std::optional<Cart> SqlTx::FindCart(const Guid& tenant, const Guid& id) {
  Cart c;
  {
    auto r = Q(c_,
               "SELECT owner_id, status, created_at, updated_at, expires_at FROM carts WHERE "
               "tenant_id = ? AND id = ?",
               tenant, id);
    if (!r->Next()) return std::nullopt;
    c.tenantId = tenant;
    c.id = id;
    c.ownerId = r->Id(0);
    c.status = Known(ParseCartStatus(r->Text(1)), "CartStatus", r->Text(1));
    c.createdAt = r->Int(2);
    c.updatedAt = r->Int(3);
    c.expiresAt = r->Int(4);
  }
  auto r = Q(c_,
             "SELECT id, sku_id, quantity, billing_cycle, auto_assign FROM cart_lines WHERE "
             "tenant_id = ? AND cart_id = ? ORDER BY line_no",
             tenant, id);
  while (r->Next()) {
    c.lines.push_back({r->Id(0), r->Id(1), r->Int(2),
                       Known(ParseBillingCycle(r->Text(3)), "BillingCycle", r->Text(3)),
                       r->Int(4) != 0});
  }
  return c;
}

void SqlTx::LockCart(const Guid& tenant, const Guid& id) {
  if (!pg()) return;
  auto r = Q(c_, "SELECT status FROM carts WHERE tenant_id = ? AND id = ? FOR UPDATE", tenant, id);
  while (r->Next()) {
  }
}

std::vector<Cart> SqlTx::ListCarts(const Guid& tenant, const Guid& owner,
                                   std::optional<CartStatus> status, Instant now) {
  // The carts, then the lines of exactly those carts in one query (the same
  // selection as a subquery): two statements, whatever the number of carts.
  std::string where = "tenant_id = ? AND owner_id = ?";
  if (status) where += " AND status = ?";
  if (status == CartStatus::kActive) where += " AND expires_at > ?";
  const std::string order = " ORDER BY created_at DESC, id DESC LIMIT 100";
  const std::string st = status ? std::string(ToString(*status)) : std::string();
  auto query = [&](const std::string& sql, auto... lead) {
    return status == CartStatus::kActive ? Q(c_, sql, lead..., tenant, owner, st, now)
           : status                      ? Q(c_, sql, lead..., tenant, owner, st)
                                         : Q(c_, sql, lead..., tenant, owner);
  };
  std::vector<Cart> out;
  {
    auto r = query(
        "SELECT id, owner_id, status, created_at, updated_at, expires_at FROM carts "
        "WHERE " +
        where + order);
    while (r->Next()) {
      Cart c;
      c.tenantId = tenant;
      c.id = r->Id(0);
      c.ownerId = r->Id(1);
      c.status = Known(ParseCartStatus(r->Text(2)), "CartStatus", r->Text(2));
      c.createdAt = r->Int(3);
      c.updatedAt = r->Int(4);
      c.expiresAt = r->Int(5);
      out.push_back(std::move(c));
    }
  }
  if (out.empty()) return out;
  std::map<Guid, Cart*> by_id;
  for (auto& c : out) by_id[c.id] = &c;
  auto r = query(
      "SELECT cart_id, id, sku_id, quantity, billing_cycle, auto_assign FROM cart_lines WHERE "
      "tenant_id = ? AND cart_id IN (SELECT id FROM carts WHERE " +
          where + order + ") ORDER BY cart_id, line_no",
      tenant);
  while (r->Next()) {
    auto it = by_id.find(r->Id(0));
    if (it == by_id.end()) continue;
    it->second->lines.push_back({r->Id(1), r->Id(2), r->Int(3),
                                 Known(ParseBillingCycle(r->Text(4)), "BillingCycle", r->Text(4)),
                                 r->Int(5) != 0});
  }
  return out;
}

// ---- payment methods ----

void SqlTx::InsertPaymentMethod(const PaymentMethod& p) {
  X(c_,
    std::string("INSERT INTO payment_methods (") + kPmCols +
        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    p.tenantId, p.id, ToString(p.type), p.brand, p.last4, p.expMonth, p.expYear, p.holderName,
    p.gatewayToken, p.createdAt, p.deleted);
}

void SqlTx::UpdatePaymentMethod(const PaymentMethod& p) {
  X(c_, "UPDATE payment_methods SET deleted = ? WHERE tenant_id = ? AND id = ?", p.deleted,
    p.tenantId, p.id);
}

std::optional<PaymentMethod> SqlTx::FindPaymentMethod(const Guid& tenant, const Guid& id) {
  auto r = Q(
      c_, std::string("SELECT ") + kPmCols + " FROM payment_methods WHERE tenant_id = ? AND id = ?",
      tenant, id);
  if (!r->Next()) return std::nullopt;
  return ReadPm(*r);
}

std::vector<PaymentMethod> SqlTx::ListPaymentMethods(const Guid& tenant) {
  std::vector<PaymentMethod> out;
  auto r = Q(c_,
             std::string("SELECT ") + kPmCols +
                 " FROM payment_methods WHERE tenant_id = ? AND deleted = 0 ORDER BY id",
             tenant);
  while (r->Next()) out.push_back(ReadPm(*r));
  return out;
}

// ---- orders ----

namespace {
void WriteOrderLines(Conn& c, const Order& o) {
  X(c, "DELETE FROM order_lines WHERE tenant_id = ? AND order_id = ?", o.tenantId, o.id);
  int no = 0;
  for (const auto& l : o.lines) {
    X(c,
      "INSERT INTO order_lines (tenant_id, order_id, line_no, sku_id, quantity, billing_cycle, "
      "auto_assign, unit_price, amount, tax, subscription_id, licenses_auto_assigned) VALUES (?, "
      "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      o.tenantId, o.id, no++, l.skuId, l.quantity, ToString(l.cycle), l.autoAssign, l.unitPrice,
      l.amount, l.tax, l.subscriptionId, l.licensesAutoAssigned);
  }
}

void ReadOrderLines(Conn& c, Order* o) {
  auto r = Q(c,
             "SELECT sku_id, quantity, billing_cycle, auto_assign, unit_price, amount, tax, "
             "subscription_id, licenses_auto_assigned FROM order_lines WHERE tenant_id = ? AND "
             "order_id = ? ORDER BY line_no",
             o->tenantId, o->id);
  while (r->Next()) {
    OrderLine l;
    l.skuId = r->Id(0);
    l.quantity = r->Int(1);
    l.cycle = Known(ParseBillingCycle(r->Text(2)), "BillingCycle", r->Text(2));
    l.autoAssign = r->Int(3) != 0;
    l.unitPrice = r->Int(4);
    l.amount = r->Int(5);
    l.tax = r->Int(6);
    if (!r->IsNull(7)) l.subscriptionId = r->Id(7);
    l.licensesAutoAssigned = r->Int(8);
    o->lines.push_back(l);
  }
}
}  // namespace

void SqlTx::InsertOrder(const Order& o) {
  X(c_,
    std::string("INSERT INTO orders (") + kOrderCols +
        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    o.tenantId, o.id, o.cartId, o.createdBy, ToString(o.status), o.currency, o.subtotal, o.tax,
    o.total, o.paymentMethodId, ToString(o.paymentStatus), o.chargeId, o.brand, o.last4,
    o.failureCode, o.createdAt);
  WriteOrderLines(c_, o);
}

void SqlTx::UpdateOrder(const Order& o) {
  X(c_,
    "UPDATE orders SET status = ?, payment_status = ?, charge_id = ?, failure_code = ? WHERE "
    "tenant_id = ? AND id = ?",
    ToString(o.status), ToString(o.paymentStatus), o.chargeId, o.failureCode, o.tenantId, o.id);
  WriteOrderLines(c_, o);
}

std::optional<Order> SqlTx::FindOrder(const Guid& tenant, const Guid& id) {
  Order o;
  {
    auto r =
        Q(c_, std::string("SELECT ") + kOrderCols + " FROM orders WHERE tenant_id = ? AND id = ?",
          tenant, id);
    if (!r->Next()) return std::nullopt;
    o = ReadOrder(*r);
  }
  ReadOrderLines(c_, &o);
  return o;
}

std::optional<Order> SqlTx::FindLiveOrderForCart(const Guid& tenant, const Guid& cart) {
  std::optional<Guid> id;
  {
    auto r =
        Q(c_, "SELECT id FROM orders WHERE tenant_id = ? AND cart_id = ? AND status <> 'failed'",
          tenant, cart);
    if (r->Next()) id = r->Id(0);
  }
  if (!id) return std::nullopt;
  return FindOrder(tenant, *id);
}

std::vector<Order> SqlTx::ListOrders(const Guid& tenant) {
  return ListOrdersPage(tenant, std::nullopt, 1000);
}

std::vector<Order> SqlTx::ListPendingOrders(Instant older_than) {
  std::vector<Order> out;
  {
    auto r = Q(c_,
               std::string("SELECT ") + kOrderCols +
                   " FROM orders WHERE status = 'pending' AND created_at <= ? ORDER BY created_at",
               older_than);
    while (r->Next()) out.push_back(ReadOrder(*r));
  }
  for (auto& o : out) ReadOrderLines(c_, &o);
  return out;
}

// ---- subscriptions ----

void SqlTx::InsertSubscription(const Subscription& s) {
  X(c_,
    std::string("INSERT INTO subscriptions (") + kSubCols +
        ", next_action_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?)",
    s.tenantId, s.id, s.skuId, s.quantity, ToString(s.cycle), ToString(s.status), s.startDate,
    s.periodStart, s.currentPeriodEnd, s.anchorDay, s.autoRenew, s.orderId, s.paymentMethodId,
    s.currency, s.unitPrice, s.taxRateBp, s.statusChangedAt, s.createdAt, s.renewalAttempts,
    s.retryAt, NextActionAt(s));
}

void SqlTx::UpdateSubscription(const Subscription& s) {
  X(c_,
    "UPDATE subscriptions SET quantity = ?, status = ?, period_start = ?, current_period_end = ?, "
    "anchor_day = ?, auto_renew = ?, payment_method_id = ?, unit_price = ?, tax_rate_bp = ?, "
    "status_changed_at = ?, renewal_attempts = ?, retry_at = ?, next_action_at = ? WHERE "
    "tenant_id = ? AND id = ?",
    s.quantity, ToString(s.status), s.periodStart, s.currentPeriodEnd, s.anchorDay, s.autoRenew,
    s.paymentMethodId, s.unitPrice, s.taxRateBp, s.statusChangedAt, s.renewalAttempts, s.retryAt,
    NextActionAt(s), s.tenantId, s.id);
}

std::optional<Subscription> SqlTx::FindSubscription(const Guid& tenant, const Guid& id) {
  auto r = Q(
      c_, std::string("SELECT ") + kSubCols + " FROM subscriptions WHERE tenant_id = ? AND id = ?",
      tenant, id);
  if (!r->Next()) return std::nullopt;
  return ReadSub(*r);
}

std::vector<Subscription> SqlTx::ListSubscriptions(const Guid& tenant) {
  std::vector<Subscription> out;
  auto r = Q(c_,
             std::string("SELECT ") + kSubCols +
                 " FROM subscriptions WHERE tenant_id = ? ORDER BY created_at, id",
             tenant);
  while (r->Next()) out.push_back(ReadSub(*r));
  return out;
}

std::vector<Subscription> SqlTx::ListSubscriptionsDue(Instant now, int limit) {
  std::vector<Subscription> out;
  auto r = Q(c_,
             std::string("SELECT ") + kSubCols +
                 " FROM subscriptions WHERE next_action_at <= ? ORDER BY next_action_at LIMIT ?",
             now, limit);
  while (r->Next()) out.push_back(ReadSub(*r));
  return out;
}

// ---- invoices ----

int64_t SqlTx::NextInvoiceNumber() {
  // The counter row is updated in the caller's transaction, so a rolled-back
  // invoice also rolls its number back: numbers are never skipped or reused.
  X(c_, "UPDATE counters SET value = value + 1 WHERE name = 'invoice_number'");
  auto r = Q(c_, "SELECT value FROM counters WHERE name = 'invoice_number'");
  return r->Next() ? r->Int(0) : 0;
}

void SqlTx::InsertInvoice(const Invoice& i) {
  X(c_,
    std::string("INSERT INTO invoices (") + kInvCols +
        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    i.tenantId, i.id, i.number, ToString(i.kind), i.orderId, i.subscriptionId, i.currency,
    i.subtotal, i.tax, i.total, ToString(i.paymentStatus), i.issuedAt, i.dueAt);
  int no = 0;
  for (const auto& l : i.lines) {
    X(c_,
      "INSERT INTO invoice_lines (tenant_id, invoice_id, line_no, description, sku_id, quantity, "
      "unit_price, amount, tax, period_start, period_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
      "?)",
      i.tenantId, i.id, no++, l.description, l.skuId, l.quantity, l.unitPrice, l.amount, l.tax,
      l.periodStart, l.periodEnd);
  }
}

void SqlTx::UpdateInvoice(const Invoice& i) {
  X(c_, "UPDATE invoices SET payment_status = ? WHERE tenant_id = ? AND id = ?",
    ToString(i.paymentStatus), i.tenantId, i.id);
}

std::optional<Invoice> SqlTx::FindInvoice(const Guid& tenant, const Guid& id) {
  Invoice inv;
  {
    auto r =
        Q(c_, std::string("SELECT ") + kInvCols + " FROM invoices WHERE tenant_id = ? AND id = ?",
          tenant, id);
    if (!r->Next()) return std::nullopt;
    inv = ReadInvoice(*r);
  }
  auto r = Q(c_,
             "SELECT description, sku_id, quantity, unit_price, amount, tax, period_start, "
             "period_end FROM invoice_lines WHERE tenant_id = ? AND invoice_id = ? ORDER BY "
             "line_no",
             tenant, id);
  while (r->Next()) {
    inv.lines.push_back(
        {r->Text(0), r->Id(1), r->Int(2), r->Int(3), r->Int(4), r->Int(5), r->Int(6), r->Int(7)});
  }
  return inv;
}

std::vector<Invoice> SqlTx::ListInvoices(const Guid& tenant) {
  return ListInvoicesPage(tenant, std::nullopt, 1000);
}

// ---- audit ----

void SqlTx::InsertAudit(const AuditEntry& e) {
  X(c_,
    "INSERT INTO audit_log (tenant_id, id, at, actor_id, action, target_type, target_id, "
    "before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    e.tenantId, e.id, e.at, e.actorId, e.action, e.targetType, e.targetId, e.before, e.after);
}

std::vector<AuditEntry> SqlTx::ListAudit(const Guid& tenant, std::optional<AuditCursor> before,
                                         int limit) {
  std::vector<AuditEntry> out;
  const char* cols =
      "SELECT tenant_id, id, at, actor_id, action, target_type, target_id, before_json, "
      "after_json FROM audit_log WHERE tenant_id = ?";
  auto r = before ? Q(c_,
                      std::string(cols) +
                          " AND (at < ? OR (at = ? AND id < ?)) ORDER BY at DESC, id DESC LIMIT ?",
                      tenant, before->at, before->at, before->id, limit)
                  : Q(c_, std::string(cols) + " ORDER BY at DESC, id DESC LIMIT ?", tenant, limit);
  while (r->Next()) {
    AuditEntry e;
    e.tenantId = r->Id(0);
    e.id = r->Id(1);
    e.at = r->Int(2);
    if (!r->IsNull(3)) e.actorId = r->Id(3);
    e.action = r->Text(4);
    e.targetType = r->Text(5);
    e.targetId = r->Text(6);
    e.before = r->Text(7);
    e.after = r->Text(8);
    out.push_back(std::move(e));
  }
  return out;
}

// ---- idempotency ----

std::optional<IdempotencyRecord> SqlTx::FindIdempotency(const Guid& tenant,
                                                        const std::string& key) {
  auto r = Q(c_,
             "SELECT idem_key, request_hash, state, status_code, resource_type, resource_id, "
             "response, created_at FROM idempotency_keys WHERE tenant_id = ? AND idem_key = ?",
             tenant, key);
  if (!r->Next()) return std::nullopt;
  return IdempotencyRecord{r->Text(0), r->Text(1), r->Text(2), static_cast<int>(r->Int(3)),
                           r->Text(4), r->Text(5), r->Text(6), r->Int(7)};
}

void SqlTx::InsertIdempotency(const Guid& tenant, const IdempotencyRecord& x) {
  X(c_,
    "INSERT INTO idempotency_keys (tenant_id, idem_key, request_hash, state, status_code, "
    "resource_type, resource_id, response, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    tenant, x.key, x.requestHash, x.state, x.outcome, x.resourceType, x.resourceId, x.response,
    x.createdAt);
}

void SqlTx::UpdateIdempotency(const Guid& tenant, const IdempotencyRecord& x) {
  X(c_,
    "UPDATE idempotency_keys SET state = ?, status_code = ?, resource_type = ?, resource_id = ?, "
    "response = ? WHERE tenant_id = ? AND idem_key = ?",
    x.state, x.outcome, x.resourceType, x.resourceId, x.response, tenant, x.key);
}

void SqlTx::DeleteIdempotencyFor(const Guid& tenant, const std::string& resource_id) {
  X(c_, "DELETE FROM idempotency_keys WHERE tenant_id = ? AND resource_id = ?", tenant,
    resource_id);
}

void SqlTx::DeleteIdempotency(const Guid& tenant, const std::string& key) {
  X(c_, "DELETE FROM idempotency_keys WHERE tenant_id = ? AND idem_key = ?", tenant, key);
}

// ---- retention ----

int64_t SqlTx::PurgeTokens(Instant before, int limit) {
  return X(c_,
           "DELETE FROM tokens WHERE token_hash IN (SELECT token_hash FROM tokens WHERE "
           "expires_at < ? LIMIT ?)",
           before, static_cast<int64_t>(limit));
}

int64_t SqlTx::PurgeIdempotency(Instant done_before, Instant in_flight_before, int limit) {
  // A pending checkout's or license change's key is its recovery's to forget
  // (RecoverPendingOrders, RecoverPendingChanges); `in_flight_before` is far
  // older than their age, so this only takes the keys nothing else will.
  return X(c_,
           "DELETE FROM idempotency_keys WHERE (tenant_id, idem_key) IN (SELECT tenant_id, "
           "idem_key FROM idempotency_keys WHERE (state = 'done' AND created_at < ?) OR "
           "(state <> 'done' AND created_at < ?) LIMIT ?)",
           done_before, in_flight_before, static_cast<int64_t>(limit));
}

int64_t SqlTx::PurgeCarts(Instant before, int limit) {
  std::vector<std::pair<Guid, Guid>> carts;
  {
    auto r =
        Q(c_, "SELECT tenant_id, id FROM carts WHERE status = 'active' AND expires_at < ? LIMIT ?",
          before, static_cast<int64_t>(limit));
    while (r->Next()) carts.emplace_back(r->Id(0), r->Id(1));
  }
  for (const auto& [tenant, id] : carts) {
    X(c_, "DELETE FROM cart_lines WHERE tenant_id = ? AND cart_id = ?", tenant, id);
    X(c_, "DELETE FROM carts WHERE tenant_id = ? AND id = ?", tenant, id);
  }
  return static_cast<int64_t>(carts.size());
}

// ---- claims of quantity changes ----

void SqlTx::LockSubscription(const Guid& tenant, const Guid& id) {
  if (!pg()) return;
  auto l =
      Q(c_, "SELECT id FROM subscriptions WHERE tenant_id = ? AND id = ? FOR UPDATE", tenant, id);
  while (l->Next()) {
  }
}

namespace {
constexpr const char* kChangeCols =
    "tenant_id, subscription_id, gateway_key, idem_key, state, started_at";
app::PendingChange ReadPendingChange(Rows& r) {
  return {r.Id(0), r.Id(1), r.Text(2), r.Text(3), r.Text(4), r.Int(5)};
}
}  // namespace

std::optional<app::PendingChange> SqlTx::FindPendingChange(const Guid& tenant,
                                                           const Guid& subscription) {
  auto r = Q(c_,
             std::string("SELECT ") + kChangeCols +
                 " FROM subscription_changes WHERE tenant_id = ? AND subscription_id = ?",
             tenant, subscription);
  if (!r->Next()) return std::nullopt;
  return ReadPendingChange(*r);
}

void SqlTx::InsertPendingChange(const app::PendingChange& x) {
  X(c_,
    "INSERT INTO subscription_changes (tenant_id, subscription_id, gateway_key, idem_key, state, "
    "started_at) VALUES (?, ?, ?, ?, ?, ?)",
    x.tenantId, x.subscriptionId, x.gatewayKey, x.idemKey, x.state, x.startedAt);
}

void SqlTx::SetPendingChangeState(const Guid& tenant, const Guid& subscription,
                                  const std::string& state) {
  X(c_, "UPDATE subscription_changes SET state = ? WHERE tenant_id = ? AND subscription_id = ?",
    state, tenant, subscription);
}

void SqlTx::DeletePendingChange(const Guid& tenant, const Guid& subscription) {
  X(c_, "DELETE FROM subscription_changes WHERE tenant_id = ? AND subscription_id = ?", tenant,
    subscription);
}

std::vector<app::PendingChange> SqlTx::ListPendingChanges(Instant started_before, int limit) {
  std::vector<app::PendingChange> out;
  auto r = Q(c_,
             std::string("SELECT ") + kChangeCols +
                 " FROM subscription_changes WHERE started_at <= ? ORDER BY started_at LIMIT ?",
             started_before, static_cast<int64_t>(limit));
  while (r->Next()) out.push_back(ReadPendingChange(*r));
  return out;
}

// ---- tokens ----

void SqlTx::InsertToken(const TokenRecord& t) {
  X(c_,
    "INSERT INTO tokens (token_hash, tenant_id, user_id, kind, csrf_hash, created_at, "
    "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    t.tokenHash, t.tenantId, t.userId, t.kind, t.csrfHash, t.createdAt, t.expiresAt);
}

std::optional<TokenRecord> SqlTx::FindToken(const std::string& h) {
  auto r = Q(c_,
             "SELECT token_hash, tenant_id, user_id, kind, csrf_hash, created_at, expires_at FROM "
             "tokens WHERE token_hash = ?",
             h);
  if (!r->Next()) return std::nullopt;
  return TokenRecord{r->Text(0), r->Id(1), r->Id(2), r->Text(3), r->Text(4), r->Int(5), r->Int(6)};
}

std::optional<app::Tx::SignedIn> SqlTx::FindSignedIn(const std::string& h) {
  auto r = Q(c_,
             "SELECT t.token_hash, t.tenant_id, t.user_id, t.kind, t.csrf_hash, t.created_at, "
             "t.expires_at, u.account_enabled, r.role FROM tokens t JOIN users u ON u.tenant_id "
             "= t.tenant_id AND u.id = t.user_id LEFT JOIN user_roles r ON r.tenant_id = "
             "t.tenant_id AND r.user_id = t.user_id WHERE t.token_hash = ? ORDER BY r.role",
             h);
  std::optional<SignedIn> out;
  while (r->Next()) {
    if (!out) {
      out.emplace();
      out->token =
          TokenRecord{r->Text(0), r->Id(1), r->Id(2), r->Text(3), r->Text(4), r->Int(5), r->Int(6)};
      out->accountEnabled = r->Int(7) != 0;
    }
    if (!r->IsNull(8)) out->roles.push_back(Known(ParseRole(r->Text(8)), "Role", r->Text(8)));
  }
  return out;
}

void SqlTx::DeleteToken(const std::string& h) {
  X(c_, "DELETE FROM tokens WHERE token_hash = ?", h);
}

void SqlTx::DeleteUserTokens(const Guid& tenant, const Guid& user) {
  X(c_, "DELETE FROM tokens WHERE tenant_id = ? AND user_id = ?", tenant, user);
}

// ---- settings ----

std::optional<std::string> SqlTx::GetSetting(const std::string& key) {
  auto r = Q(c_, "SELECT value FROM settings WHERE name = ?", key);
  if (!r->Next()) return std::nullopt;
  return r->Text(0);
}

void SqlTx::SetSetting(const std::string& key, const std::string& value) {
  X(c_,
    "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = "
    "excluded.value",
    key, value);
}

// ---- invoices paid by transfer: overdue, paid, holds (issue 5) ----

std::vector<Invoice> SqlTx::ListInvoicesOverdue(Instant now, int limit) {
  std::vector<Invoice> out;
  auto r = Q(c_,
             std::string("SELECT ") + kInvCols +
                 " FROM invoices WHERE payment_status = 'due' AND kind = 'invoice' AND due_at <= ? "
                 "ORDER BY due_at, number LIMIT ?",
             now, limit);
  while (r->Next()) out.push_back(ReadInvoice(*r));
  return out;
}

std::vector<Invoice> SqlTx::ListInvoicesWithStatus(const std::optional<Guid>& tenant,
                                                   PaymentStatus status, int limit) {
  std::vector<Invoice> out;
  std::string sql = std::string("SELECT ") + kInvCols + " FROM invoices WHERE payment_status = ? ";
  auto r = tenant ? Q(c_, sql + "AND tenant_id = ? ORDER BY number LIMIT ?", ToString(status),
                      *tenant, limit)
                  : Q(c_, sql + "ORDER BY number LIMIT ?", ToString(status), limit);
  while (r->Next()) out.push_back(ReadInvoice(*r));
  return out;
}

bool SqlTx::UpdateInvoiceStatusIf(const Guid& tenant, const Guid& id, PaymentStatus from,
                                  PaymentStatus to) {
  return X(c_,
           "UPDATE invoices SET payment_status = ? WHERE tenant_id = ? AND id = ? AND "
           "payment_status = ?",
           ToString(to), tenant, id, ToString(from)) > 0;
}

std::optional<Invoice> SqlTx::FindInvoiceByNumber(int64_t number) {
  Guid tenant, id;
  {
    auto r = Q(c_, "SELECT tenant_id, id FROM invoices WHERE number = ?", number);
    if (!r->Next()) return std::nullopt;
    tenant = r->Id(0);
    id = r->Id(1);
  }
  return FindInvoice(tenant, id);
}

void SqlTx::InsertInvoicePayment(const Guid& tenant, const Guid& invoice,
                                 const app::InvoicePayment& p) {
  X(c_,
    "INSERT INTO invoice_payments (tenant_id, invoice_id, paid_at, reference) VALUES (?, ?, ?, ?)",
    tenant, invoice, p.paidAt, p.reference);
}

std::optional<app::InvoicePayment> SqlTx::FindInvoicePayment(const Guid& tenant,
                                                             const Guid& invoice) {
  auto r = Q(c_,
             "SELECT paid_at, reference FROM invoice_payments WHERE tenant_id = ? AND invoice_id "
             "= ?",
             tenant, invoice);
  if (!r->Next()) return std::nullopt;
  return app::InvoicePayment{r->Int(0), r->Text(1)};
}

void SqlTx::InsertSubscriptionHold(const Guid& tenant, const Guid& subscription,
                                   const app::SubscriptionHold& h) {
  X(c_,
    "INSERT INTO subscription_holds (tenant_id, subscription_id, invoice_id, since) VALUES (?, ?, "
    "?, ?)",
    tenant, subscription, h.invoiceId, h.since);
}

std::vector<app::SubscriptionHold> SqlTx::ListSubscriptionHolds(const Guid& tenant,
                                                                const Guid& subscription) {
  std::vector<app::SubscriptionHold> out;
  auto r = Q(c_,
             "SELECT invoice_id, since FROM subscription_holds WHERE tenant_id = ? AND "
             "subscription_id = ? ORDER BY since",
             tenant, subscription);
  while (r->Next()) out.push_back({r->Id(0), r->Int(1)});
  return out;
}

void SqlTx::DeleteSubscriptionHolds(const Guid& tenant, const Guid& subscription) {
  X(c_, "DELETE FROM subscription_holds WHERE tenant_id = ? AND subscription_id = ?", tenant,
    subscription);
}

// ---- paged lists (engineer E) ----

std::vector<Order> SqlTx::ListOrdersPage(const Guid& tenant, std::optional<PageCursor> after,
                                         int limit) {
  // The page's rows, then the lines of exactly those rows in one query (the
  // same keyset as a subquery), so a page costs two statements.
  std::string where = "tenant_id = ?";
  if (after) where += " AND (created_at < ? OR (created_at = ? AND id < ?))";
  const std::string page =
      "SELECT id FROM orders WHERE " + where + " ORDER BY created_at DESC, id DESC LIMIT ?";
  std::vector<Order> out;
  {
    auto r = after ? Q(c_,
                       std::string("SELECT ") + kOrderCols + " FROM orders WHERE " + where +
                           " ORDER BY created_at DESC, id DESC LIMIT ?",
                       tenant, after->key, after->key, after->id, limit)
                   : Q(c_,
                       std::string("SELECT ") + kOrderCols + " FROM orders WHERE " + where +
                           " ORDER BY created_at DESC, id DESC LIMIT ?",
                       tenant, limit);
    while (r->Next()) out.push_back(ReadOrder(*r));
  }
  if (out.empty()) return out;
  std::map<Guid, Order*> by_id;
  for (auto& o : out) by_id[o.id] = &o;
  const std::string lines =
      "SELECT order_id, sku_id, quantity, billing_cycle, auto_assign, unit_price, amount, tax, "
      "subscription_id, licenses_auto_assigned FROM order_lines WHERE tenant_id = ? AND order_id "
      "IN (" +
      page + ") ORDER BY order_id, line_no";
  auto r = after ? Q(c_, lines, tenant, tenant, after->key, after->key, after->id, limit)
                 : Q(c_, lines, tenant, tenant, limit);
  while (r->Next()) {
    auto it = by_id.find(r->Id(0));
    if (it == by_id.end()) continue;
    OrderLine l;
    l.skuId = r->Id(1);
    l.quantity = r->Int(2);
    l.cycle = Known(ParseBillingCycle(r->Text(3)), "BillingCycle", r->Text(3));
    l.autoAssign = r->Int(4) != 0;
    l.unitPrice = r->Int(5);
    l.amount = r->Int(6);
    l.tax = r->Int(7);
    if (!r->IsNull(8)) l.subscriptionId = r->Id(8);
    l.licensesAutoAssigned = r->Int(9);
    it->second->lines.push_back(l);
  }
  return out;
}

std::vector<Invoice> SqlTx::ListInvoicesPage(const Guid& tenant, std::optional<PageCursor> after,
                                             int limit) {
  std::vector<Invoice> out;
  const std::string cols = std::string("SELECT ") + kInvCols + " FROM invoices WHERE tenant_id = ?";
  auto r = after ? Q(c_, cols + " AND number < ? ORDER BY number DESC LIMIT ?", tenant, after->key,
                     limit)
                 : Q(c_, cols + " ORDER BY number DESC LIMIT ?", tenant, limit);
  while (r->Next()) out.push_back(ReadInvoice(*r));
  return out;
}

}  // namespace ld::store
