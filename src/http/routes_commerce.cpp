// The commerce API (/api/v1): offers, carts, checkout, orders, payment
// methods, subscriptions, invoices, roles and the audit log.
#include <fmt/format.h>

#include <limits>

#include "app/commerce.h"
#include "app/directory.h"
#include "app/idempotency.h"
#include "app/subscriptions.h"
#include "http/metrics.h"
#include "http/render.h"
#include "http/routes.h"

namespace ld::http {
namespace {

Json List(Json value) {
  return Json{{"value", std::move(value)}};
}

// ---- paging: every growing commerce list, one mechanism ----
// `$top` (default 100, 1..1000, spec "Lists") and an opaque `$skiptoken`:
// base64url({"l": list, "o": organization, "k": key, "id": id}), the keyset
// position after which the next page starts. A token of another list or
// another organization, or one that does not decode, is a 400.
constexpr int64_t kDefaultTop = 100;
constexpr int64_t kMaxTop = 1000;

struct PageQuery {
  int top = static_cast<int>(kDefaultTop);
  std::optional<app::PageCursor> after;
};

Result<PageQuery> ReadPage(Call& c, std::string_view list) {
  PageQuery q;
  if (auto t = c.req.Param("$top")) {
    bool digits =
        !t->empty() && t->size() <= 4 && t->find_first_not_of("0123456789") == std::string::npos;
    int64_t top = digits ? std::stoll(*t) : 0;
    if (!digits || top < 1 || top > kMaxTop)
      return Error::Invalid("InvalidTop", "$top must be an integer from 1 to 1000.", "$top");
    q.top = static_cast<int>(top);
  }
  if (auto s = c.req.Param("$skiptoken")) {
    Error bad = Error::Invalid("InvalidSkipToken",
                               "The $skiptoken is not valid for this list; follow "
                               "@odata.nextLink as given.",
                               "$skiptoken");
    auto bin = s->size() <= 512 ? Base64UrlDecode(*s) : std::nullopt;
    if (!bin) return bad;
    Json j = Json::parse(*bin, nullptr, false);
    if (!j.is_object() || !j["l"].is_string() || !j["o"].is_string() ||
        !j["k"].is_number_integer() || !j["id"].is_string())
      return bad;
    if (j["l"].get<std::string>() != list || j["o"].get<std::string>() != c.actor().tenantId.str())
      return bad;
    auto id = Guid::Parse(j["id"].get<std::string>());
    if (!id) return bad;
    q.after = app::PageCursor{j["k"].get<int64_t>(), *id};
  }
  return q;
}

// {"value": [...]} plus @odata.nextLink when there is a next page.
Json PagedList(Call& c, Json value, std::string_view path, std::string_view list,
               const PageQuery& q, const std::optional<app::PageCursor>& next) {
  Json out{{"value", std::move(value)}};
  if (next) {
    Json tok{
        {"l", list}, {"o", c.actor().tenantId.str()}, {"k", next->key}, {"id", next->id.str()}};
    out["@odata.nextLink"] = c.req.BaseUrl() + std::string(path) +
                             "?$top=" + std::to_string(q.top) +
                             "&$skiptoken=" + Base64UrlEncode(tok.dump());
  }
  return out;
}

Result<Reply> OffersH(Call& c) {
  LD_ASSIGN_OR_RETURN(auto offers, app::ListOffers(c.ctx, c.actor()));
  Json v = Json::array();
  for (const auto& o : offers) v.push_back(OfferJson(o));
  return Reply::Ok(List(std::move(v)));
}

Result<std::vector<app::CartLineInput>> ReadCartBody(const Json& body) {
  LD_ASSIGN_OR_RETURN(Fields f, Fields::Of(body));
  LD_TRY(f.OnlyKnown({"lineItems"}));
  LD_ASSIGN_OR_RETURN(auto items, f.Array("lineItems", 100));
  std::vector<app::CartLineInput> lines;
  for (size_t i = 0; i < items.size(); ++i) {
    LD_ASSIGN_OR_RETURN(Fields l, Fields::Of(*items[i], fmt::format("lineItems[{}].", i)));
    LD_TRY(l.OnlyKnown({"skuId", "quantity", "billingCycle", "autoAssign"}));
    app::CartLineInput in;
    LD_ASSIGN_OR_RETURN(in.skuId, l.GuidField("skuId"));
    // R2: any integer is passed on; the use case checks the SKU's range and names it.
    LD_ASSIGN_OR_RETURN(in.quantity, l.Int("quantity", std::numeric_limits<int64_t>::min(),
                                           std::numeric_limits<int64_t>::max()));
    LD_ASSIGN_OR_RETURN(std::string cycle, l.String("billingCycle"));
    auto parsed = ParseBillingCycle(cycle);
    if (!parsed)
      return Error::Invalid("InvalidBillingCycle",
                            l.Target("billingCycle") + " must be \"monthly\" or \"annual\".",
                            l.Target("billingCycle"));
    in.cycle = *parsed;
    LD_ASSIGN_OR_RETURN(auto aa, l.OptBool("autoAssign"));
    in.autoAssign = aa.value_or(false);
    lines.push_back(in);
  }
  return lines;
}

Result<Reply> CreateCartH(Call& c) {
  LD_ASSIGN_OR_RETURN(auto lines, ReadCartBody(c.body));
  LD_ASSIGN_OR_RETURN(app::CartView v, app::CreateCart(c.ctx, c.actor(), lines));
  Reply r = Reply::Ok(CartJson(v, c.ctx.catalog), 201);
  r.headers.emplace_back("Location", "/api/v1/carts/" + v.cart.id.str());
  return r;
}

Result<Reply> ListCartsH(Call& c) {
  std::optional<CartStatus> status;
  if (auto s = c.req.Param("status")) {
    status = ParseCartStatus(*s);
    if (!status)
      return Error::Invalid("InvalidStatus", "status must be \"active\" or \"ordered\".", "status");
  }
  LD_ASSIGN_OR_RETURN(auto carts, app::ListCarts(c.ctx, c.actor(), status));
  Json v = Json::array();
  for (const auto& cv : carts) v.push_back(CartJson(cv, c.ctx.catalog));
  return Reply::Ok(List(std::move(v)));
}

Result<Reply> GetCartH(Call& c) {
  LD_ASSIGN_OR_RETURN(Guid id, PathGuid(c, 0, "id"));
  LD_ASSIGN_OR_RETURN(app::CartView v, app::GetCart(c.ctx, c.actor(), id));
  return Reply::Ok(CartJson(v, c.ctx.catalog));
}

Result<Reply> PutCartH(Call& c) {
  LD_ASSIGN_OR_RETURN(Guid id, PathGuid(c, 0, "id"));
  LD_ASSIGN_OR_RETURN(auto lines, ReadCartBody(c.body));
  LD_ASSIGN_OR_RETURN(app::CartView v, app::ReplaceCart(c.ctx, c.actor(), id, lines));
  return Reply::Ok(CartJson(v, c.ctx.catalog));
}

Result<Reply> CheckoutH(Call& c) {
  LD_ASSIGN_OR_RETURN(Guid cart, PathGuid(c, 0, "id"));
  LD_ASSIGN_OR_RETURN(Fields f, Fields::Of(c.body));
  LD_TRY(f.OnlyKnown({"paymentMethodId"}));
  LD_ASSIGN_OR_RETURN(Guid pm, f.GuidField("paymentMethodId"));
  auto r = app::Checkout(c.ctx, c.actor(), cart, pm, c.idem);
  if (!r.ok()) {
    c.metrics.CountCheckout("error");
    return r.error();
  }
  app::CheckoutResult& res = r.value();
  c.metrics.CountCheckout(res.replayed ? "replayed" : !res.declined ? "completed" : "declined");
  if (!res.replayed)
    for (const auto& l : res.order.lines) c.metrics.CountLicenses("auto", l.licensesAutoAssigned);
  Json order = OrderJson(res.order, c.ctx.catalog);
  if (res.declined || res.order.status == OrderStatus::kFailed) {
    Json details{{"order", order}};
    if (!res.order.failureCode.empty()) details["reason"] = res.order.failureCode;
    Error e{ErrorKind::kPaymentFailed, "PaymentDeclined",
            "The payment was declined. The cart is still open: choose another payment method.",
            "paymentMethodId", std::move(details)};
    Reply rep;
    rep.error = std::move(e);
    if (res.replayed) rep.headers.emplace_back("Idempotent-Replayed", "true");
    return rep;
  }
  Reply rep = Reply::Ok(std::move(order), 201);
  rep.headers.emplace_back("Location", "/api/v1/orders/" + res.order.id.str());
  if (res.replayed) rep.headers.emplace_back("Idempotent-Replayed", "true");
  return rep;
}

Result<Reply> ListOrdersH(Call& c) {
  LD_ASSIGN_OR_RETURN(PageQuery q, ReadPage(c, "orders"));
  LD_ASSIGN_OR_RETURN(auto page, app::ListOrdersPage(c.ctx, c.actor(), q.after, q.top));
  Json v = Json::array();
  for (const auto& o : page.items) v.push_back(OrderJson(o, c.ctx.catalog));
  return Reply::Ok(PagedList(c, std::move(v), "/api/v1/orders", "orders", q, page.next));
}

Result<Reply> GetOrderH(Call& c) {
  LD_ASSIGN_OR_RETURN(Guid id, PathGuid(c, 0, "id"));
  LD_ASSIGN_OR_RETURN(Order o, app::GetOrder(c.ctx, c.actor(), id));
  return Reply::Ok(OrderJson(o, c.ctx.catalog));
}

Result<Reply> AddPaymentMethodH(Call& c) {
  LD_ASSIGN_OR_RETURN(Fields f, Fields::Of(c.body));
  LD_ASSIGN_OR_RETURN(std::string type, f.String("type"));
  app::PaymentMethodInput in;
  auto t = ParsePaymentMethodType(type);
  if (!t) return Error::Invalid("InvalidType", "type must be \"card\" or \"invoice\".", "type");
  in.type = *t;
  if (in.type == PaymentMethodType::kInvoice) {
    LD_TRY(f.OnlyKnown({"type"}));
  } else {
    LD_TRY(f.OnlyKnown({"type", "card"}));
    LD_ASSIGN_OR_RETURN(Fields card, f.Object("card"));
    LD_TRY(card.OnlyKnown({"number", "expMonth", "expYear", "cvc", "holderName"}));
    LD_ASSIGN_OR_RETURN(in.card.number, card.String("number"));
    LD_ASSIGN_OR_RETURN(int64_t m, card.Int("expMonth", 1, 12));
    LD_ASSIGN_OR_RETURN(int64_t y, card.Int("expYear", 1000, 9999));
    in.card.expMonth = static_cast<int>(m);
    in.card.expYear = static_cast<int>(y);
    LD_ASSIGN_OR_RETURN(in.card.cvc, card.String("cvc"));
    LD_ASSIGN_OR_RETURN(in.card.holderName, card.String("holderName"));
  }
  LD_ASSIGN_OR_RETURN(PaymentMethod pm, app::AddPaymentMethod(c.ctx, c.actor(), in));
  return Reply::Ok(PaymentMethodJson(pm), 201);
}

Result<Reply> ListPaymentMethodsH(Call& c) {
  LD_ASSIGN_OR_RETURN(auto pms, app::ListPaymentMethods(c.ctx, c.actor()));
  Json v = Json::array();
  for (const auto& p : pms) v.push_back(PaymentMethodJson(p));
  return Reply::Ok(List(std::move(v)));
}

Result<Reply> DeletePaymentMethodH(Call& c) {
  LD_ASSIGN_OR_RETURN(Guid id, PathGuid(c, 0, "id"));
  LD_TRY(app::DeletePaymentMethod(c.ctx, c.actor(), id));
  return Reply::NoContent();
}

Result<Reply> ListSubscriptionsH(Call& c) {
  LD_ASSIGN_OR_RETURN(PageQuery q, ReadPage(c, "subscriptions"));
  LD_ASSIGN_OR_RETURN(auto page, app::ListSubscriptionsPage(c.ctx, c.actor(), q.after, q.top));
  Json v = Json::array();
  for (const auto& s : page.items) v.push_back(SubscriptionJson(s, c.ctx.catalog));
  return Reply::Ok(
      PagedList(c, std::move(v), "/api/v1/subscriptions", "subscriptions", q, page.next));
}

Result<Reply> GetSubscriptionH(Call& c) {
  LD_ASSIGN_OR_RETURN(Guid id, PathGuid(c, 0, "id"));
  LD_ASSIGN_OR_RETURN(app::SubscriptionView s, app::GetSubscription(c.ctx, c.actor(), id));
  return Reply::Ok(SubscriptionJson(s, c.ctx.catalog));
}

Result<Reply> PatchSubscriptionH(Call& c) {
  LD_ASSIGN_OR_RETURN(Guid id, PathGuid(c, 0, "id"));
  LD_ASSIGN_OR_RETURN(Fields f, Fields::Of(c.body));
  LD_TRY(f.OnlyKnown({"quantity", "autoRenew"}));
  app::SubscriptionChange ch;
  LD_ASSIGN_OR_RETURN(ch.quantity, f.OptInt("quantity", std::numeric_limits<int64_t>::min(),
                                            std::numeric_limits<int64_t>::max()));
  LD_ASSIGN_OR_RETURN(ch.autoRenew, f.OptBool("autoRenew"));
  if (!ch.quantity && !ch.autoRenew)
    return Error::Invalid("EmptyChange", "Give quantity or autoRenew.", "body");
  bool replay = false;
  LD_ASSIGN_OR_RETURN(app::SubscriptionView s,
                      app::ChangeSubscription(c.ctx, c.actor(), id, ch, c.idem, &replay));
  Reply r = Reply::Ok(SubscriptionJson(s, c.ctx.catalog));
  if (replay) r.headers.emplace_back("Idempotent-Replayed", "true");
  return r;
}

// Idempotency for the money routes whose use case takes no key (cancel,
// reactivate): app::RunKeyed keeps the first answer and replays it; a twin
// still running is 409; another body with the key is 422. Failures are not
// kept, so a retry runs again (nothing happened).
Result<Reply> Idempotent(Call& c, const std::function<Result<Reply>()>& run) {
  if (!c.idem) return run();
  std::optional<Reply> first;
  bool replayed = false;
  LD_ASSIGN_OR_RETURN(std::string body, app::RunKeyed(
                                            c.ctx, c.actor(), c.idem,
                                            [&]() -> Result<std::string> {
                                              LD_ASSIGN_OR_RETURN(Reply r, run());
                                              std::string text = r.raw ? *r.raw : Dump(r.json);
                                              first = std::move(r);
                                              return text;
                                            },
                                            &replayed));
  if (!replayed) return std::move(*first);
  Reply r;  // these routes answer 200 with the changed resource
  r.raw = std::move(body);
  r.headers.emplace_back("Idempotent-Replayed", "true");
  return r;
}

Status NoFields(const Json& body) {
  if (body.is_null()) return Ok();
  LD_ASSIGN_OR_RETURN(Fields f, Fields::Of(body));
  return f.OnlyKnown({});
}

Result<Reply> CancelH(Call& c) {
  LD_ASSIGN_OR_RETURN(Guid id, PathGuid(c, 0, "id"));
  LD_TRY(NoFields(c.body));
  return Idempotent(c, [&]() -> Result<Reply> {
    LD_ASSIGN_OR_RETURN(app::SubscriptionView s, app::CancelSubscription(c.ctx, c.actor(), id));
    return Reply::Ok(SubscriptionJson(s, c.ctx.catalog));
  });
}

Result<Reply> ReactivateH(Call& c) {
  LD_ASSIGN_OR_RETURN(Guid id, PathGuid(c, 0, "id"));
  LD_TRY(NoFields(c.body));
  return Idempotent(c, [&]() -> Result<Reply> {
    LD_ASSIGN_OR_RETURN(app::SubscriptionView s, app::ReactivateSubscription(c.ctx, c.actor(), id));
    return Reply::Ok(SubscriptionJson(s, c.ctx.catalog));
  });
}

Result<Reply> ListInvoicesH(Call& c) {
  LD_ASSIGN_OR_RETURN(PageQuery q, ReadPage(c, "invoices"));
  LD_ASSIGN_OR_RETURN(auto page, app::ListInvoicesPage(c.ctx, c.actor(), q.after, q.top));
  Json v = Json::array();
  for (const auto& i : page.items) v.push_back(InvoiceJson(i));
  return Reply::Ok(PagedList(c, std::move(v), "/api/v1/invoices", "invoices", q, page.next));
}

Result<Reply> GetInvoiceH(Call& c) {
  LD_ASSIGN_OR_RETURN(Guid id, PathGuid(c, 0, "id"));
  LD_ASSIGN_OR_RETURN(Invoice inv, app::GetInvoice(c.ctx, c.actor(), id));
  return Reply::Ok(InvoiceJson(inv));
}

Result<Reply> InvoicePdfH(Call& c) {
  LD_ASSIGN_OR_RETURN(Guid id, PathGuid(c, 0, "id"));
  LD_ASSIGN_OR_RETURN(Invoice inv, app::GetInvoice(c.ctx, c.actor(), id));
  if (c.pdf == nullptr || !*c.pdf) return Error::Unavailable("PDF rendering is not available.");
  LD_ASSIGN_OR_RETURN(app::OrganizationView org, app::GetOrganization(c.ctx, c.actor()));
  InvoicePdfInput in;
  // The page's language: ?locale=, else the reader's preferredLanguage, else the cloud's.
  in.locale = std::string(DefaultLocale(c.ctx.config.cloud));
  if (auto l = c.req.Param("locale")) {
    if (!app::IsSupportedLocale(*l))
      return Error::Invalid("UnsupportedLanguage",
                            "locale must be one of en-US, zh-TW, de-DE, zh-CN.", "locale");
    in.locale = *l;
  } else {
    auto me = app::GetUser(c.ctx, c.actor(), c.actor().userId.str());
    if (me.ok() && me->user.preferredLanguage) in.locale = *me->user.preferredLanguage;
  }
  if (const Market* m = c.ctx.catalog.FindMarket(org.tenant.country)) in.taxRateBp = m->taxRateBp;
  for (const auto& l : inv.lines) {
    std::string name = l.description;
    if (const Sku* s = c.ctx.catalog.FindSku(l.skuId)) {
      auto it = s->localizedNames.find(in.locale);
      name = it != s->localizedNames.end() ? it->second : s->name;
    }
    in.lineNames.push_back(name);
  }
  in.buyer = org.tenant;
  in.sellerName = c.ctx.config.sellerName;
  in.sellerAddress = c.ctx.config.sellerAddress;
  in.invoice = std::move(inv);
  Reply r;
  r.raw = (*c.pdf)(in);
  r.contentType = "application/pdf";
  r.headers.emplace_back("Content-Disposition",
                         "inline; filename=\"" + InvoiceNumber(in.invoice.number) + ".pdf\"");
  return r;
}

Result<Reply> GetRolesH(Call& c) {
  LD_ASSIGN_OR_RETURN(RoleSet roles, app::GetRoles(c.ctx, c.actor(), c.Param(0)));
  return Reply::Ok({{"roles", RolesJson(roles)}});
}

Result<Reply> PutRolesH(Call& c) {
  LD_ASSIGN_OR_RETURN(Fields f, Fields::Of(c.body));
  LD_TRY(f.OnlyKnown({"roles"}));
  LD_ASSIGN_OR_RETURN(auto items, f.Array("roles", 16));
  RoleSet roles;
  for (size_t i = 0; i < items.size(); ++i) {
    std::string target = fmt::format("roles[{}]", i);
    LD_ASSIGN_OR_RETURN(std::string name, StringValue(*items[i], target));
    auto r = ParseRole(name);
    if (!r)
      return Error::Invalid("UnknownRole",
                            target +
                                " must be one of Global Administrator, Billing "
                                "Administrator, License Administrator, User Administrator, "
                                "Global Reader.",
                            target);
    roles.push_back(*r);
  }
  LD_ASSIGN_OR_RETURN(RoleSet out, app::SetRoles(c.ctx, c.actor(), c.Param(0), roles));
  return Reply::Ok({{"roles", RolesJson(out)}});
}

Result<Reply> AuditH(Call& c) {
  LD_ASSIGN_OR_RETURN(PageQuery q, ReadPage(c, "auditLogs"));
  std::optional<app::AuditCursor> before;
  if (q.after) before = app::AuditCursor{q.after->key, q.after->id};
  LD_ASSIGN_OR_RETURN(app::AuditPage page, app::ListAudit(c.ctx, c.actor(), before, q.top));
  Json v = Json::array();
  for (const auto& e : page.entries) v.push_back(AuditJson(e));
  std::optional<app::PageCursor> next;
  if (page.next) next = app::PageCursor{page.next->at, page.next->id};
  return Reply::Ok(PagedList(c, std::move(v), "/api/v1/auditLogs", "auditLogs", q, next));
}

}  // namespace

std::vector<RouteInfo> CommerceRoutes() {
  constexpr auto P = Access::kPermission;
  constexpr auto kRead = Permission::kReadBilling;
  constexpr auto kManage = Permission::kManageBilling;
  return {
      // Billing readers buy from the offers; directory readers need the
      // product names, so the use case decides (kReadBilling or kReadDirectory).
      {.method = "GET",
       .path = "/api/v1/offers",
       .summary = "The offers the organization may buy, with prices in its currency (billing "
                  "or directory readers).",
       .response = {200, "OfferList"},
       .handler = OffersH},
      {.method = "POST",
       .path = "/api/v1/carts",
       .access = P,
       .permission = kManage,
       .body = BodyRule::kRequired,
       .summary = "Create a cart.",
       .requestSchema = "CartRequest",
       .response = {201, "Cart"},
       .handler = CreateCartH},
      {.method = "GET",
       .path = "/api/v1/carts",
       .access = P,
       .permission = kRead,
       .summary = "The caller's carts, newest first.",
       .response = {200, "CartList"},
       .queryParams = {"status"},
       .handler = ListCartsH},
      {.method = "GET",
       .path = "/api/v1/carts/{id}",
       .access = P,
       .permission = kRead,
       .summary = "A cart.",
       .response = {200, "Cart"},
       .handler = GetCartH},
      {.method = "PUT",
       .path = "/api/v1/carts/{id}",
       .access = P,
       .permission = kManage,
       .body = BodyRule::kRequired,
       .summary = "Replace the line items of an active cart.",
       .requestSchema = "CartRequest",
       .response = {200, "Cart"},
       .handler = PutCartH},
      {.method = "POST",
       .path = "/api/v1/carts/{id}/checkout",
       .access = P,
       .permission = kManage,
       .body = BodyRule::kRequired,
       .money = true,
       .summary = "Check a cart out: charge, create the order and the subscriptions. A declined "
                  "payment is 402 with the failed order in error.details.order.",
       .requestSchema = "CheckoutRequest",
       .response = {201, "Order"},
       .handler = CheckoutH},
      {.method = "GET",
       .path = "/api/v1/orders",
       .access = P,
       .permission = kRead,
       .summary = "The organization's orders.",
       .response = {200, "OrderList"},
       .queryParams = {"$top", "$skiptoken"},
       .handler = ListOrdersH},
      {.method = "GET",
       .path = "/api/v1/orders/{id}",
       .access = P,
       .permission = kRead,
       .summary = "An order.",
       .response = {200, "Order"},
       .handler = GetOrderH},
      {.method = "POST",
       .path = "/api/v1/paymentMethods",
       .access = P,
       .permission = kManage,
       .body = BodyRule::kRequired,
       .summary = "Save a card, or invoice payment where the organization is eligible.",
       .requestSchema = "PaymentMethodRequest",
       .response = {201, "PaymentMethod"},
       .handler = AddPaymentMethodH},
      {.method = "GET",
       .path = "/api/v1/paymentMethods",
       .access = P,
       .permission = kRead,
       .summary = "Saved payment methods.",
       .response = {200, "PaymentMethodList"},
       .handler = ListPaymentMethodsH},
      {.method = "DELETE",
       .path = "/api/v1/paymentMethods/{id}",
       .access = P,
       .permission = kManage,
       .summary = "Remove a payment method.",
       .response = {204, ""},
       .handler = DeletePaymentMethodH},
      {.method = "GET",
       .path = "/api/v1/subscriptions",
       .access = P,
       .permission = kRead,
       .summary = "The organization's subscriptions.",
       .response = {200, "SubscriptionList"},
       .queryParams = {"$top", "$skiptoken"},
       .handler = ListSubscriptionsH},
      {.method = "GET",
       .path = "/api/v1/subscriptions/{id}",
       .access = P,
       .permission = kRead,
       .summary = "A subscription.",
       .response = {200, "Subscription"},
       .handler = GetSubscriptionH},
      {.method = "PATCH",
       .path = "/api/v1/subscriptions/{id}",
       .access = P,
       .permission = kManage,
       .body = BodyRule::kRequired,
       .money = true,
       .summary = "Change the quantity (R9) or turn recurring billing on or off.",
       .requestSchema = "SubscriptionPatch",
       .response = {200, "Subscription"},
       .handler = PatchSubscriptionH},
      {.method = "POST",
       .path = "/api/v1/subscriptions/{id}/cancel",
       .access = P,
       .permission = kManage,
       .body = BodyRule::kOptional,
       .money = true,
       .summary = "Cancel within 7 days of purchase or renewal, refunding the unused days (R10).",
       .response = {200, "Subscription"},
       .handler = CancelH},
      {.method = "POST",
       .path = "/api/v1/subscriptions/{id}/reactivate",
       .access = P,
       .permission = kManage,
       .body = BodyRule::kOptional,
       .money = true,
       .summary = "Reactivate an expired or disabled subscription (charges a new period).",
       .response = {200, "Subscription"},
       .handler = ReactivateH},
      {.method = "GET",
       .path = "/api/v1/invoices",
       .access = P,
       .permission = kRead,
       .summary = "Invoices and credit notes.",
       .response = {200, "InvoiceList"},
       .queryParams = {"$top", "$skiptoken"},
       .handler = ListInvoicesH},
      {.method = "GET",
       .path = "/api/v1/invoices/{id}",
       .access = P,
       .permission = kRead,
       .summary = "An invoice.",
       .response = {200, "Invoice"},
       .handler = GetInvoiceH},
      {.method = "GET",
       .path = "/api/v1/invoices/{id}/pdf",
       .access = P,
       .permission = kRead,
       .summary = "An invoice as PDF.",
       .response = {200, "binary:application/pdf"},
       .queryParams = {"locale"},
       .handler = InvoicePdfH},
      {.method = "GET",
       .path = "/api/v1/users/{id}/roles",
       .summary = "A user's admin roles (yourself, or anyone with directory read).",
       .response = {200, "Roles"},
       .handler = GetRolesH},
      {.method = "PUT",
       .path = "/api/v1/users/{id}/roles",
       .access = P,
       .permission = Permission::kManageRoles,
       .body = BodyRule::kRequired,
       .summary = "Replace a user's admin roles.",
       .requestSchema = "Roles",
       .response = {200, "Roles"},
       .handler = PutRolesH},
      {.method = "GET",
       .path = "/api/v1/auditLogs",
       .access = P,
       .permission = Permission::kReadAudit,
       .summary = "The audit log, newest first (paged).",
       .response = {200, "AuditList"},
       .queryParams = {"$top", "$skiptoken"},
       .handler = AuditH},
  };
}

}  // namespace ld::http
