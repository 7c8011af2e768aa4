// SqlTx: orders and their lines: one order, a cart's live order, the pages of
// an organization's orders, and the pending ones left for recovery.
#include <map>

#include "store/sql/rows.h"
#include "store/sql_tx.h"

namespace ld::store {

using namespace rows;
using app::PageCursor;

namespace {
void InsertOrderLines(Conn& c, const Order& o) {
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
             std::string("SELECT ") + kOrderLineCols +
                 " FROM order_lines WHERE tenant_id = ? AND order_id = ? ORDER BY line_no",
             o->tenantId, o->id);
  while (r->Next()) o->lines.push_back(ReadOrderLine(*r));
}
}  // namespace

void SqlTx::InsertOrder(const Order& o) {
  X(c_,
    std::string("INSERT INTO orders (") + kOrderCols +
        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    o.tenantId, o.id, o.cartId, o.createdBy, ToString(o.status), o.currency, o.subtotal, o.tax,
    o.total, o.paymentMethodId, ToString(o.paymentStatus), o.chargeId, o.brand, o.last4,
    o.failureCode, o.createdAt);
  InsertOrderLines(c_, o);
}

void SqlTx::UpdateOrder(const Order& o) {
  X(c_,
    "UPDATE orders SET status = ?, payment_status = ?, charge_id = ?, failure_code = ? WHERE "
    "tenant_id = ? AND id = ?",
    ToString(o.status), ToString(o.paymentStatus), o.chargeId, o.failureCode, o.tenantId, o.id);
  // An order's lines are fixed when it is placed; what completing it adds to
  // a line is its subscription and the licenses auto-assigned with it. Only
  // such lines are written, in place (a declined order writes none; before,
  // every update deleted and inserted all of them again).
  int no = 0;
  for (const auto& l : o.lines) {
    if (l.subscriptionId)
      X(c_,
        "UPDATE order_lines SET subscription_id = ?, licenses_auto_assigned = ? WHERE tenant_id = "
        "? AND order_id = ? AND line_no = ?",
        l.subscriptionId, l.licensesAutoAssigned, o.tenantId, o.id, no);
    ++no;
  }
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

std::optional<OrderStatus> SqlTx::FindOrderStatus(const Guid& tenant, const Guid& id) {
  auto r = Q(c_, "SELECT status FROM orders WHERE tenant_id = ? AND id = ?", tenant, id);
  if (!r->Next()) return std::nullopt;
  return Known(ParseOrderStatus(r->Text(0)), "OrderStatus", r->Text(0));
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
  // The orders, then the lines of exactly those orders in one query (the same
  // selection as a subquery; orders of any tenant, so by (tenant, order)):
  // two statements, whatever the number of orders.
  const std::string where = " FROM orders WHERE status = 'pending' AND created_at <= ?";
  std::vector<Order> out;
  {
    auto r =
        Q(c_, std::string("SELECT ") + kOrderCols + where + " ORDER BY created_at", older_than);
    while (r->Next()) out.push_back(ReadOrder(*r));
  }
  if (out.empty()) return out;
  std::map<std::pair<Guid, Guid>, Order*> by_key;
  for (auto& o : out) by_key[{o.tenantId, o.id}] = &o;
  auto r = Q(c_,
             std::string("SELECT tenant_id, order_id, ") + kOrderLineCols +
                 " FROM order_lines WHERE (tenant_id, order_id) IN (SELECT tenant_id, id" + where +
                 ") ORDER BY tenant_id, order_id, line_no",
             older_than);
  while (r->Next()) {
    auto it = by_key.find({r->Id(0), r->Id(1)});
    if (it == by_key.end()) continue;
    it->second->lines.push_back(ReadOrderLine(*r, 2));
  }
  return out;
}

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
  const std::string lines = std::string("SELECT order_id, ") + kOrderLineCols +
                            " FROM order_lines WHERE tenant_id = ? AND order_id IN (" + page +
                            ") ORDER BY order_id, line_no";
  auto r = after ? Q(c_, lines, tenant, tenant, after->key, after->key, after->id, limit)
                 : Q(c_, lines, tenant, tenant, limit);
  while (r->Next()) {
    auto it = by_id.find(r->Id(0));
    if (it == by_id.end()) continue;
    it->second->lines.push_back(ReadOrderLine(*r, 1));
  }
  return out;
}

}  // namespace ld::store
