// SqlTx: carts and their lines.
#include <map>

#include "store/sql/rows.h"
#include "store/sql_tx.h"

namespace ld::store {

using namespace rows;

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
  // The cart and its lines in one statement: a cart without lines comes as
  // one row whose line columns are NULL.
  auto r = Q(c_,
             "SELECT c.id, c.owner_id, c.status, c.created_at, c.updated_at, c.expires_at, "
             "l.id, l.sku_id, l.quantity, l.billing_cycle, l.auto_assign FROM carts c "
             "LEFT JOIN cart_lines l ON l.tenant_id = c.tenant_id AND l.cart_id = c.id "
             "WHERE c.tenant_id = ? AND c.id = ? ORDER BY l.line_no",
             tenant, id);
  std::optional<Cart> c;
  while (r->Next()) {
    if (!c) c = ReadCart(*r, tenant);
    if (!r->IsNull(6)) c->lines.push_back(ReadCartLine(*r, 6));
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
    auto r = query(std::string("SELECT ") + kCartCols + " FROM carts WHERE " + where + order);
    while (r->Next()) out.push_back(ReadCart(*r, tenant));
  }
  if (out.empty()) return out;
  std::map<Guid, Cart*> by_id;
  for (auto& c : out) by_id[c.id] = &c;
  auto r = query(std::string("SELECT cart_id, ") + kCartLineCols +
                     " FROM cart_lines WHERE tenant_id = ? AND cart_id IN (SELECT id FROM carts "
                     "WHERE " +
                     where + order + ") ORDER BY cart_id, line_no",
                 tenant);
  while (r->Next()) {
    auto it = by_id.find(r->Id(0));
    if (it == by_id.end()) continue;
    it->second->lines.push_back(ReadCartLine(*r, 1));
  }
  return out;
}

}  // namespace ld::store
