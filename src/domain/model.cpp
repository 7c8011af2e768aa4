#include "domain/model.h"

#include <array>
#include <utility>

namespace ld {
namespace {
template <typename E, size_t N>
std::string_view Name(const std::array<std::pair<E, std::string_view>, N>& t, E e) {
  for (const auto& [k, v] : t)
    if (k == e) return v;
  return "unknown";
}
template <typename E, size_t N>
std::optional<E> Parse(const std::array<std::pair<E, std::string_view>, N>& t, std::string_view s) {
  for (const auto& [k, v] : t)
    if (v == s) return k;
  return std::nullopt;
}
constexpr std::array<std::pair<CartStatus, std::string_view>, 2> kCart{
    {{CartStatus::kActive, "active"}, {CartStatus::kOrdered, "ordered"}}};
constexpr std::array<std::pair<OrderStatus, std::string_view>, 3> kOrder{
    {{OrderStatus::kPending, "pending"},
     {OrderStatus::kCompleted, "completed"},
     {OrderStatus::kFailed, "failed"}}};
constexpr std::array<std::pair<PaymentStatus, std::string_view>, 8> kPay{
    {{PaymentStatus::kPending, "pending"},
     {PaymentStatus::kCaptured, "captured"},
     {PaymentStatus::kDeclined, "declined"},
     {PaymentStatus::kDue, "due"},
     {PaymentStatus::kRefunded, "refunded"},
     {PaymentStatus::kVoided, "voided"},
     {PaymentStatus::kOverdue, "overdue"},
     {PaymentStatus::kPaid, "paid"}}};
constexpr std::array<std::pair<SubscriptionStatus, std::string_view>, 4> kSub{
    {{SubscriptionStatus::kActive, "active"},
     {SubscriptionStatus::kExpired, "expired"},
     {SubscriptionStatus::kDisabled, "disabled"},
     {SubscriptionStatus::kDeleted, "deleted"}}};
constexpr std::array<std::pair<PaymentMethodType, std::string_view>, 2> kPm{
    {{PaymentMethodType::kCard, "card"}, {PaymentMethodType::kInvoice, "invoice"}}};
constexpr std::array<std::pair<InvoiceKind, std::string_view>, 2> kInv{
    {{InvoiceKind::kInvoice, "invoice"}, {InvoiceKind::kCreditNote, "creditNote"}}};
}  // namespace

std::string_view ToString(CartStatus s) {
  return Name(kCart, s);
}
std::string_view ToString(OrderStatus s) {
  return Name(kOrder, s);
}
std::string_view ToString(PaymentStatus s) {
  return Name(kPay, s);
}
std::string_view ToString(SubscriptionStatus s) {
  return Name(kSub, s);
}
std::string_view ToString(PaymentMethodType t) {
  return Name(kPm, t);
}
std::string_view ToString(InvoiceKind k) {
  return Name(kInv, k);
}
std::optional<CartStatus> ParseCartStatus(std::string_view s) {
  return Parse(kCart, s);
}
std::optional<OrderStatus> ParseOrderStatus(std::string_view s) {
  return Parse(kOrder, s);
}
std::optional<PaymentStatus> ParsePaymentStatus(std::string_view s) {
  return Parse(kPay, s);
}
std::optional<SubscriptionStatus> ParseSubscriptionStatus(std::string_view s) {
  return Parse(kSub, s);
}
std::optional<PaymentMethodType> ParsePaymentMethodType(std::string_view s) {
  return Parse(kPm, s);
}
std::optional<InvoiceKind> ParseInvoiceKind(std::string_view s) {
  return Parse(kInv, s);
}

}  // namespace ld
