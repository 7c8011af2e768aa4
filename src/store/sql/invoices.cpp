// SqlTx: invoices and their lines, the gapless invoice numbering, the
// payments recorded against invoices paid by transfer, and invoice lists.
#include "store/sql/rows.h"
#include "store/sql_tx.h"

namespace ld::store {

using namespace rows;
using app::PageCursor;

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
             std::string("SELECT ") + kInvoiceLineCols +
                 " FROM invoice_lines WHERE tenant_id = ? AND invoice_id = ? ORDER BY line_no",
             tenant, id);
  while (r->Next()) inv.lines.push_back(ReadInvoiceLine(*r));
  return inv;
}

std::vector<Invoice> SqlTx::ListInvoices(const Guid& tenant) {
  return ListInvoicesPage(tenant, std::nullopt, 1000);
}

// ---- invoices paid by transfer: overdue, paid (issue 5) ----

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
  return ReadInvoicePayment(*r);
}

// ---- paged list ----

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
