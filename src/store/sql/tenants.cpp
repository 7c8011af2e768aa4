// SqlTx: organizations (tenants), their domains, and the deployment's settings.
#include "store/sql/rows.h"
#include "store/sql_tx.h"

namespace ld::store {

using namespace rows;

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
  auto r = Q(c_, std::string("SELECT ") + kTenantCols + " FROM tenants WHERE id = ?", id);
  if (!r->Next()) return std::nullopt;
  return ReadTenant(*r);
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
  while (r->Next()) out.push_back(ReadDomain(*r));
  return out;
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

}  // namespace ld::store
