// SqlTx: payment methods (cards and pay-by-invoice), soft-deleted.
#include "store/sql/rows.h"
#include "store/sql_tx.h"

namespace ld::store {

using namespace rows;

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

}  // namespace ld::store
