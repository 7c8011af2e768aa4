// What SqlTx's files (store/sql/*.cpp) share: the column lists of each
// entity's table, exactly one row mapping per entity (a SELECT of those
// columns, in that order, read back into the domain type), and the small
// value conversions (stored enumerations, plan lists, case folding).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/store.h"
#include "store/sql.h"

namespace ld::store::rows {

// A stored enumeration value this build does not know is corruption (or a
// newer schema's value), never silently a default: the read fails.
template <class T>
T Known(std::optional<T> parsed, const char* column, const std::string& text) {
  if (!parsed)
    throw app::StoreError(app::StoreError::Kind::kFailure,
                          std::string("unknown stored value '") + text + "' in " + column);
  return *parsed;
}

std::optional<std::string> OptText(Rows& r, int c);
std::string PlansToText(const std::vector<Guid>& plans);
std::vector<Guid> PlansFromText(const std::string& s);
size_t Utf8Length(const std::string& s);
std::string LowerAscii(std::string s);

// Each Read* reads the columns of its k*Cols (or the ones its comment names)
// starting at column `first` (0 unless the query puts a key before them).

inline constexpr const char* kTenantCols =
    "id, display_name, country, initial_domain, invoice_eligible, created_at";
Tenant ReadTenant(Rows& r);

// Columns name, is_initial, is_default.
DomainName ReadDomain(Rows& r);

inline constexpr const char* kUserCols =
    "tenant_id, id, upn, display_name, mail_nickname, usage_location, preferred_language, "
    "account_enabled, password_hash, created_at";
User ReadUser(Rows& r);

inline constexpr const char* kTokenCols =
    "token_hash, tenant_id, user_id, kind, csrf_hash, created_at, expires_at";
app::TokenRecord ReadToken(Rows& r);

inline constexpr const char* kAssignmentCols = "user_id, sku_id, disabled_plans, assigned_at, seq";
LicenseAssignment ReadAssignment(Rows& r);

// A license source (issue 16): source_id is the user's own id for a direct
// assignment, else the group's. Read as the (user, source) pair.
inline constexpr const char* kSourceCols =
    "user_id, sku_id, source_id, disabled_plans, state, error, updated_at";
app::UserLicenseSource ReadSource(Rows& r);

// Groups are always read through the alias g (joins name them).
inline constexpr const char* kGroupCols =
    "g.tenant_id, g.id, g.display_name, g.description, g.mail_nickname, g.mail_enabled, "
    "g.security_enabled, g.created_at, g.processing_state";
Group ReadGroup(Rows& r);

// Adds one row of a pool's counts to `p`: columns status ('' for the pool's
// own row) and a count (consumed, or the status's summed quantity). A status
// this build does not know counts nowhere.
void AddPoolCount(Rows& r, app::PoolCounts* p, int first = 0);

// A cart without its lines; its tenant is the query's.
inline constexpr const char* kCartCols = "id, owner_id, status, created_at, updated_at, expires_at";
Cart ReadCart(Rows& r, const Guid& tenant);

inline constexpr const char* kCartLineCols = "id, sku_id, quantity, billing_cycle, auto_assign";
CartLine ReadCartLine(Rows& r, int first = 0);

inline constexpr const char* kPmCols =
    "tenant_id, id, type, brand, last4, exp_month, exp_year, holder_name, gateway_token, "
    "created_at, deleted";
PaymentMethod ReadPm(Rows& r);

// An order without its lines.
inline constexpr const char* kOrderCols =
    "tenant_id, id, cart_id, created_by, status, currency, subtotal, tax, total, "
    "payment_method_id, payment_status, charge_id, brand, last4, failure_code, created_at";
Order ReadOrder(Rows& r);

inline constexpr const char* kOrderLineCols =
    "sku_id, quantity, billing_cycle, auto_assign, unit_price, amount, tax, subscription_id, "
    "licenses_auto_assigned";
OrderLine ReadOrderLine(Rows& r, int first = 0);

inline constexpr const char* kSubCols =
    "tenant_id, id, sku_id, quantity, billing_cycle, status, start_date, period_start, "
    "current_period_end, anchor_day, auto_renew, order_id, payment_method_id, currency, "
    "unit_price, tax_rate_bp, status_changed_at, created_at, renewal_attempts, retry_at";
Subscription ReadSub(Rows& r);

inline constexpr const char* kChangeCols =
    "tenant_id, subscription_id, gateway_key, idem_key, state, started_at";
app::PendingChange ReadPendingChange(Rows& r);

// Columns invoice_id, since.
app::SubscriptionHold ReadHold(Rows& r);

// An invoice without its lines.
inline constexpr const char* kInvCols =
    "tenant_id, id, number, kind, order_id, subscription_id, currency, subtotal, tax, total, "
    "payment_status, issued_at, due_at";
Invoice ReadInvoice(Rows& r);

inline constexpr const char* kInvoiceLineCols =
    "description, sku_id, quantity, unit_price, amount, tax, period_start, period_end";
InvoiceLine ReadInvoiceLine(Rows& r);

// Columns paid_at, reference.
app::InvoicePayment ReadInvoicePayment(Rows& r);

inline constexpr const char* kAuditCols =
    "tenant_id, id, at, actor_id, action, target_type, target_id, before_json, after_json";
AuditEntry ReadAudit(Rows& r);

inline constexpr const char* kIdempotencyCols =
    "idem_key, request_hash, state, status_code, resource_type, resource_id, response, "
    "created_at";
app::IdempotencyRecord ReadIdempotency(Rows& r);

}  // namespace ld::store::rows
