// The entities of licensedesk as plain values. Everything an organization owns
// carries its tenantId; storage keys every row by it (R13).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/catalog.h"
#include "domain/guid.h"
#include "domain/money.h"
#include "domain/time.h"

namespace ld {

struct Tenant {
  Guid id;
  std::string displayName;
  std::string country;        // ISO 3166 alpha-2: decides market, currency and tax
  std::string initialDomain;  // <prefix>.<deployment domain>, unique in the deployment
  bool invoiceEligible = false;
  Instant createdAt = 0;
};

struct DomainName {
  std::string name;
  bool isInitial = false;
  bool isDefault = false;
};

struct User {
  Guid tenantId;
  Guid id;
  std::string userPrincipalName;  // stored lower-case
  std::string displayName;
  std::string mailNickname;
  std::optional<std::string> usageLocation;      // R8: required before a license
  std::optional<std::string> preferredLanguage;  // en-US | zh-TW | de-DE | zh-CN
  bool accountEnabled = true;
  std::string passwordHash;  // argon2id string; empty when the user cannot sign in
  Instant createdAt = 0;
};

struct LicenseAssignment {
  Guid userId;
  Guid skuId;
  std::vector<Guid> disabledPlans;
  Instant assignedAt = 0;
  int64_t seq = 0;  // deployment-wide order of assignment (R11 removes the newest first)
};

enum class CartStatus { kActive, kOrdered };
struct CartLine {
  Guid id;
  Guid skuId;
  int64_t quantity = 0;
  BillingCycle cycle = BillingCycle::kMonthly;
  bool autoAssign = false;
};
struct Cart {
  Guid tenantId;
  Guid id;
  Guid ownerId;
  CartStatus status = CartStatus::kActive;
  std::vector<CartLine> lines;
  Instant createdAt = 0;
  Instant updatedAt = 0;
  Instant expiresAt = 0;  // 7 days after the last use
};
constexpr int64_t kCartLifetimeMs = 7 * kMsPerDay;

enum class PaymentMethodType { kCard, kInvoice };
struct PaymentMethod {
  Guid tenantId;
  Guid id;
  PaymentMethodType type = PaymentMethodType::kCard;
  std::string brand;  // card only
  std::string last4;
  int expMonth = 0;
  int expYear = 0;
  std::string holderName;
  std::string gatewayToken;  // the gateway's reference; never the card number
  Instant createdAt = 0;
  bool deleted = false;
};

// pending: charge not yet settled (only between the two transactions of a
// checkout, or after a crash there, until recovery settles it).
enum class OrderStatus { kPending, kCompleted, kFailed };
// due: an invoice to be paid by bank transfer within 30 days; overdue: still
// unpaid at its due date (R11: handled like a failed renewal charge); paid:
// the deployment operator recorded the transfer (`licensedesk invoice pay`).
enum class PaymentStatus {
  kPending,
  kCaptured,
  kDeclined,
  kDue,
  kRefunded,
  kVoided,
  kOverdue,
  kPaid
};
struct OrderLine {
  Guid skuId;
  int64_t quantity = 0;
  BillingCycle cycle = BillingCycle::kMonthly;
  bool autoAssign = false;
  int64_t unitPrice = 0;
  int64_t amount = 0;  // unitPrice * quantity
  int64_t tax = 0;
  std::optional<Guid> subscriptionId;
  int64_t licensesAutoAssigned = 0;
};
struct Order {
  Guid tenantId;
  Guid id;
  Guid cartId;
  Guid createdBy;
  OrderStatus status = OrderStatus::kPending;
  std::string currency;
  int64_t subtotal = 0;
  int64_t tax = 0;
  int64_t total = 0;
  Guid paymentMethodId;
  PaymentStatus paymentStatus = PaymentStatus::kPending;
  std::string chargeId;
  std::string brand;
  std::string last4;
  std::string failureCode;
  std::vector<OrderLine> lines;
  Instant createdAt = 0;
};

enum class SubscriptionStatus { kActive, kExpired, kDisabled, kDeleted };
struct Subscription {
  Guid tenantId;
  Guid id;
  Guid skuId;
  int64_t quantity = 0;
  BillingCycle cycle = BillingCycle::kMonthly;
  SubscriptionStatus status = SubscriptionStatus::kActive;
  Instant startDate = 0;
  Instant periodStart = 0;
  Instant currentPeriodEnd = 0;  // next billing date
  unsigned anchorDay = 1;        // day of month periods end on (clamped)
  bool autoRenew = true;
  Guid orderId;
  Guid paymentMethodId;
  std::string currency;
  int64_t unitPrice = 0;  // locked at purchase until renewal
  TaxRateBp taxRateBp = 0;
  Instant statusChangedAt = 0;
  Instant createdAt = 0;
  // Renewal retries after a failed charge (R11): how many were made, and when
  // the next one is due (0: none scheduled).
  int renewalAttempts = 0;
  Instant retryAt = 0;
};

enum class InvoiceKind { kInvoice, kCreditNote };
struct InvoiceLine {
  std::string description;
  Guid skuId;
  int64_t quantity = 0;
  int64_t unitPrice = 0;
  int64_t amount = 0;
  int64_t tax = 0;
  Instant periodStart = 0;
  Instant periodEnd = 0;
};
struct Invoice {
  Guid tenantId;
  Guid id;
  int64_t number = 0;  // gapless per deployment
  InvoiceKind kind = InvoiceKind::kInvoice;
  std::optional<Guid> orderId;
  std::optional<Guid> subscriptionId;
  std::string currency;
  int64_t subtotal = 0;
  int64_t tax = 0;
  int64_t total = 0;
  PaymentStatus paymentStatus = PaymentStatus::kCaptured;
  Instant issuedAt = 0;
  Instant dueAt = 0;
  std::vector<InvoiceLine> lines;
};

struct AuditEntry {
  Guid tenantId;
  Guid id;
  Instant at = 0;
  std::optional<Guid> actorId;  // nullopt: the system (lifecycle)
  std::string action;           // e.g. "license.assign"
  std::string targetType;       // "user", "subscription", ...
  std::string targetId;
  std::string before;  // JSON text or empty
  std::string after;   // JSON text or empty
};

std::string_view ToString(CartStatus s);
std::string_view ToString(OrderStatus s);
std::string_view ToString(PaymentStatus s);
std::string_view ToString(SubscriptionStatus s);
std::string_view ToString(PaymentMethodType t);
std::string_view ToString(InvoiceKind k);
std::optional<CartStatus> ParseCartStatus(std::string_view s);
std::optional<OrderStatus> ParseOrderStatus(std::string_view s);
std::optional<PaymentStatus> ParsePaymentStatus(std::string_view s);
std::optional<SubscriptionStatus> ParseSubscriptionStatus(std::string_view s);
std::optional<PaymentMethodType> ParsePaymentMethodType(std::string_view s);
std::optional<InvoiceKind> ParseInvoiceKind(std::string_view s);

}  // namespace ld
