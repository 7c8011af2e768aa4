// The row mappings and value conversions SqlTx's files share (rows.h).
#include "store/sql/rows.h"

namespace ld::store::rows {

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

std::string LowerAscii(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

Tenant ReadTenant(Rows& r) {
  return Tenant{r.Id(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4) != 0, r.Int(5)};
}

DomainName ReadDomain(Rows& r) {
  return {r.Text(0), r.Int(1) != 0, r.Int(2) != 0};
}

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

app::TokenRecord ReadToken(Rows& r) {
  return app::TokenRecord{r.Text(0), r.Id(1), r.Id(2), r.Text(3), r.Text(4), r.Int(5), r.Int(6)};
}

LicenseAssignment ReadAssignment(Rows& r) {
  return {r.Id(0), r.Id(1), PlansFromText(r.Text(2)), r.Int(3), r.Int(4)};
}

app::UserLicenseSource ReadSource(Rows& r) {
  app::UserLicenseSource out;
  out.userId = r.Id(0);
  out.source.skuId = r.Id(1);
  Guid source = r.Id(2);
  if (source != out.userId) out.source.groupId = source;
  out.source.disabledPlans = PlansFromText(r.Text(3));
  out.source.state = Known(ParseLicenseState(r.Text(4)), "LicenseState", r.Text(4));
  out.source.error = Known(ParseLicenseError(r.Text(5)), "LicenseError", r.Text(5));
  out.source.updatedAt = r.Int(6);
  return out;
}

Group ReadGroup(Rows& r) {
  Group g;
  g.tenantId = r.Id(0);
  g.id = r.Id(1);
  g.displayName = r.Text(2);
  g.description = r.Text(3);
  g.mailNickname = r.Text(4);
  g.mailEnabled = r.Int(5) != 0;
  g.securityEnabled = r.Int(6) != 0;
  g.createdAt = r.Int(7);
  g.processingState =
      Known(ParseGroupProcessingState(r.Text(8)), "GroupProcessingState", r.Text(8));
  return g;
}

void AddPoolCount(Rows& r, app::PoolCounts* p, int first) {
  std::string st = r.Text(first);
  if (st.empty()) {
    p->consumed = r.Int(first + 1);
    return;
  }
  auto s = ParseSubscriptionStatus(st);
  if (s == SubscriptionStatus::kActive) p->enabled = r.Int(first + 1);
  if (s == SubscriptionStatus::kExpired) p->warning = r.Int(first + 1);
  if (s == SubscriptionStatus::kDisabled) p->suspended = r.Int(first + 1);
}

Cart ReadCart(Rows& r, const Guid& tenant) {
  Cart c;
  c.tenantId = tenant;
  c.id = r.Id(0);
  c.ownerId = r.Id(1);
  c.status = Known(ParseCartStatus(r.Text(2)), "CartStatus", r.Text(2));
  c.createdAt = r.Int(3);
  c.updatedAt = r.Int(4);
  c.expiresAt = r.Int(5);
  return c;
}

CartLine ReadCartLine(Rows& r, int first) {
  const int f = first;
  return {r.Id(f), r.Id(f + 1), r.Int(f + 2),
          Known(ParseBillingCycle(r.Text(f + 3)), "BillingCycle", r.Text(f + 3)),
          r.Int(f + 4) != 0};
}

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

OrderLine ReadOrderLine(Rows& r, int first) {
  const int f = first;
  OrderLine l;
  l.skuId = r.Id(f);
  l.quantity = r.Int(f + 1);
  l.cycle = Known(ParseBillingCycle(r.Text(f + 2)), "BillingCycle", r.Text(f + 2));
  l.autoAssign = r.Int(f + 3) != 0;
  l.unitPrice = r.Int(f + 4);
  l.amount = r.Int(f + 5);
  l.tax = r.Int(f + 6);
  if (!r.IsNull(f + 7)) l.subscriptionId = r.Id(f + 7);
  l.licensesAutoAssigned = r.Int(f + 8);
  return l;
}

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

app::PendingChange ReadPendingChange(Rows& r) {
  return {r.Id(0), r.Id(1), r.Text(2), r.Text(3), r.Text(4), r.Int(5)};
}

app::SubscriptionHold ReadHold(Rows& r) {
  return {r.Id(0), r.Int(1)};
}

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

InvoiceLine ReadInvoiceLine(Rows& r) {
  return {r.Text(0), r.Id(1), r.Int(2), r.Int(3), r.Int(4), r.Int(5), r.Int(6), r.Int(7)};
}

app::InvoicePayment ReadInvoicePayment(Rows& r) {
  return app::InvoicePayment{r.Int(0), r.Text(1)};
}

AuditEntry ReadAudit(Rows& r) {
  AuditEntry e;
  e.tenantId = r.Id(0);
  e.id = r.Id(1);
  e.at = r.Int(2);
  if (!r.IsNull(3)) e.actorId = r.Id(3);
  e.action = r.Text(4);
  e.targetType = r.Text(5);
  e.targetId = r.Text(6);
  e.before = r.Text(7);
  e.after = r.Text(8);
  return e;
}

app::IdempotencyRecord ReadIdempotency(Rows& r) {
  return app::IdempotencyRecord{r.Text(0), r.Text(1), r.Text(2), static_cast<int>(r.Int(3)),
                                r.Text(4), r.Text(5), r.Text(6), r.Int(7)};
}

}  // namespace ld::store::rows
