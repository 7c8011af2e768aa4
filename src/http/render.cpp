#include "http/render.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace ld::http {

Json MoneyJson(int64_t amount, std::string_view currency) {
  return Json{{"amount", amount}, {"currency", std::string(currency)}};
}

Json TimeJson(Instant t) {
  return t == 0 ? Json(nullptr) : Json(FormatRfc3339(t));
}

Json GuidJson(const std::optional<Guid>& g) {
  return g ? Json(g->str()) : Json(nullptr);
}

namespace {

Json OptText(const std::optional<std::string>& s) {
  return s ? Json(*s) : Json(nullptr);
}

Json GuidList(const std::vector<Guid>& ids) {
  Json a = Json::array();
  for (const auto& g : ids) a.push_back(g.str());
  return a;
}

Json AssignedLicensesJson(const std::vector<LicenseAssignment>& ls) {
  Json a = Json::array();
  for (const auto& l : ls)
    a.push_back({{"disabledPlans", GuidList(l.disabledPlans)}, {"skuId", l.skuId.str()}});
  return a;
}

std::string_view SkuName(const Catalog& catalog, const Guid& sku) {
  const Sku* s = catalog.FindSku(sku);
  return s ? std::string_view(s->name) : std::string_view();
}

}  // namespace

namespace {
// Every property $select may name, in Graph's order, and whether a user
// without $select shows it (Graph's defaults plus accountEnabled,
// usageLocation and assignedLicenses).
struct UserProperty {
  std::string_view name;
  bool byDefault;
};
constexpr UserProperty kUserProperties[] = {
    {"id", true},
    {"businessPhones", true},
    {"displayName", true},
    {"givenName", true},
    {"jobTitle", true},
    {"mail", true},
    {"mobilePhone", true},
    {"officeLocation", true},
    {"preferredLanguage", true},
    {"surname", true},
    {"userPrincipalName", true},
    {"accountEnabled", true},
    {"usageLocation", true},
    {"assignedLicenses", true},
    {"mailNickname", false},
    {"createdDateTime", false},
    {"licenseAssignmentStates", false},
    {"signInActivity", false},
};
}  // namespace

const std::vector<std::string_view>& SelectableUserProperties() {
  static const std::vector<std::string_view> kProps = [] {
    std::vector<std::string_view> v;
    for (const auto& p : kUserProperties) v.push_back(p.name);
    return v;
  }();
  return kProps;
}

namespace {
// The properties of a user without $select, sorted as a JSON tree (a
// std::map) writes them.
const std::vector<std::string>& DefaultUserProperties() {
  static const std::vector<std::string> kDefault = [] {
    std::vector<std::string> v;
    for (const auto& p : kUserProperties)
      if (p.byDefault) v.emplace_back(p.name);
    std::sort(v.begin(), v.end());
    return v;
  }();
  return kDefault;
}
}  // namespace

Json LicenseAssignmentStatesJson(const std::vector<LicenseSource>& sources) {
  Json out = Json::array();
  for (const auto& s : sources) {
    Json plans = Json::array();
    for (const auto& p : s.disabledPlans) plans.push_back(p.str());
    out.push_back({{"assignedByGroup", s.groupId ? Json(s.groupId->str()) : Json(nullptr)},
                   {"disabledPlans", plans},
                   {"error", ToString(s.error)},
                   {"lastUpdatedDateTime", TimeJson(s.updatedAt)},
                   {"skuId", s.skuId.str()},
                   {"state", ToString(s.state)}});
  }
  return out;
}

// Graph's signInActivity: only successful sign-ins are recorded, so
// lastSuccessfulSignInDateTime is lastSignInDateTime. Request ids are not kept.
Json SignInActivityJson(const std::optional<app::SignInActivity>& a) {
  auto t = [](const std::optional<Instant>& i) {
    return i ? Json(FormatRfc3339(*i)) : Json(nullptr);
  };
  std::optional<Instant> last = a ? a->lastSignIn : std::nullopt;
  std::optional<Instant> non = a ? a->lastNonInteractiveSignIn : std::nullopt;
  return {{"lastNonInteractiveSignInDateTime", t(non)},
          {"lastNonInteractiveSignInRequestId", nullptr},
          {"lastSignInDateTime", t(last)},
          {"lastSignInRequestId", nullptr},
          {"lastSuccessfulSignInDateTime", t(last)},
          {"lastSuccessfulSignInRequestId", nullptr}};
}

Json UserJson(const app::UserWithLicenses& w, const std::vector<std::string>& select) {
  const User& u = w.user;
  auto value = [&](std::string_view p) -> Json {
    if (p == "id") return u.id.str();
    if (p == "businessPhones") return Json::array();
    if (p == "displayName") return u.displayName;
    if (p == "givenName" || p == "jobTitle" || p == "mobilePhone" || p == "officeLocation" ||
        p == "surname")
      return nullptr;
    // Every user here has a mailbox named after its sign-in name.
    if (p == "mail") return u.userPrincipalName;
    if (p == "preferredLanguage") return OptText(u.preferredLanguage);
    if (p == "userPrincipalName") return u.userPrincipalName;
    if (p == "accountEnabled") return u.accountEnabled;
    if (p == "usageLocation") return OptText(u.usageLocation);
    if (p == "assignedLicenses") return AssignedLicensesJson(w.licenses);
    if (p == "mailNickname") return u.mailNickname;
    if (p == "createdDateTime") return TimeJson(u.createdAt);
    if (p == "licenseAssignmentStates") return LicenseAssignmentStatesJson(w.sources);
    if (p == "signInActivity") return SignInActivityJson(w.signInActivity);
    return nullptr;
  };
  Json out = Json::object();
  if (select.empty()) {
    for (const auto& p : DefaultUserProperties()) out[p] = value(p);
  } else {
    for (const auto& p : select) out[p] = value(p);
  }
  return out;
}

void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  // The bytes that end a run copied as it is: control characters, '"', '\\'
  // and non-ASCII (checked as UTF-8 below).
  static constexpr auto kSpecial = [] {
    std::array<bool, 256> t{};
    for (int c = 0; c < 256; ++c) t[c] = c < 0x20 || c == '"' || c == '\\' || c >= 0x80;
    return t;
  }();
  const size_t start = out.size();
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    // Copy the longest run that needs no escaping in one append.
    size_t run = i;
    while (run < s.size() && !kSpecial[static_cast<unsigned char>(s[run])]) ++run;
    out.append(s.data() + i, run - i);
    if (run == s.size()) break;
    auto c = static_cast<unsigned char>(s[run]);
    if (c >= 0x80) {
      // Non-ASCII text: nlohmann's own check of the UTF-8 and its replacement
      // of invalid bytes, so both paths stay identical.
      out.resize(start);
      out += Dump(Json(std::string(s)));
      return;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out.append(esc, sizeof esc);
      }
    }
    i = run + 1;
  }
  out.push_back('"');
}

namespace {
enum class UserProp {
  kId,
  kBusinessPhones,
  kDisplayName,
  kUpn,  // mail and userPrincipalName
  kPreferredLanguage,
  kAccountEnabled,
  kUsageLocation,
  kAssignedLicenses,
  kMailNickname,
  kCreatedDateTime,
  kLicenseAssignmentStates,
  kSignInActivity,
  kNull,  // givenName, jobTitle, mobilePhone, officeLocation, surname
};

UserProp PropOf(std::string_view p) {
  if (p == "id") return UserProp::kId;
  if (p == "businessPhones") return UserProp::kBusinessPhones;
  if (p == "displayName") return UserProp::kDisplayName;
  if (p == "mail" || p == "userPrincipalName") return UserProp::kUpn;
  if (p == "preferredLanguage") return UserProp::kPreferredLanguage;
  if (p == "accountEnabled") return UserProp::kAccountEnabled;
  if (p == "usageLocation") return UserProp::kUsageLocation;
  if (p == "assignedLicenses") return UserProp::kAssignedLicenses;
  if (p == "mailNickname") return UserProp::kMailNickname;
  if (p == "createdDateTime") return UserProp::kCreatedDateTime;
  if (p == "licenseAssignmentStates") return UserProp::kLicenseAssignmentStates;
  if (p == "signInActivity") return UserProp::kSignInActivity;
  return UserProp::kNull;
}

// A Guid as a JSON string: its canonical form needs no escaping.
void AppendGuid(std::string& out, const Guid& g) {
  out.push_back('"');
  g.AppendTo(out);
  out.push_back('"');
}
}  // namespace

UserJsonWriter::UserJsonWriter(const std::vector<std::string>& select) {
  std::vector<std::string> keys = select.empty() ? DefaultUserProperties() : select;
  std::sort(keys.begin(), keys.end());  // the order Dump() writes a tree's keys in
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  bool first = true;
  for (const auto& k : keys) {
    std::string prefix = first ? "" : ",";
    first = false;
    AppendJsonString(prefix, k);
    prefix.push_back(':');
    fields_.push_back({std::move(prefix), static_cast<int>(PropOf(k))});
  }
}

void UserJsonWriter::Append(std::string& out, const app::UserWithLicenses& w) const {
  const User& u = w.user;
  auto opt = [&](const std::optional<std::string>& v) {
    if (v) {
      AppendJsonString(out, *v);
    } else {
      out += "null";
    }
  };
  out.push_back('{');
  for (const auto& f : fields_) {
    out += f.prefix;
    switch (static_cast<UserProp>(f.prop)) {
      case UserProp::kId:
        AppendGuid(out, u.id);
        break;
      case UserProp::kBusinessPhones:
        out += "[]";
        break;
      case UserProp::kDisplayName:
        AppendJsonString(out, u.displayName);
        break;
      case UserProp::kUpn:
        AppendJsonString(out, u.userPrincipalName);
        break;
      case UserProp::kPreferredLanguage:
        opt(u.preferredLanguage);
        break;
      case UserProp::kAccountEnabled:
        out += u.accountEnabled ? "true" : "false";
        break;
      case UserProp::kUsageLocation:
        opt(u.usageLocation);
        break;
      case UserProp::kAssignedLicenses:
        out.push_back('[');
        for (size_t i = 0; i < w.licenses.size(); ++i) {
          const auto& l = w.licenses[i];
          if (i) out.push_back(',');
          out += "{\"disabledPlans\":[";
          for (size_t k = 0; k < l.disabledPlans.size(); ++k) {
            if (k) out.push_back(',');
            AppendGuid(out, l.disabledPlans[k]);
          }
          out += "],\"skuId\":";
          AppendGuid(out, l.skuId);
          out.push_back('}');
        }
        out.push_back(']');
        break;
      case UserProp::kMailNickname:
        AppendJsonString(out, u.mailNickname);
        break;
      case UserProp::kCreatedDateTime:
        if (u.createdAt == 0) {
          out += "null";
        } else {
          AppendJsonString(out, FormatRfc3339(u.createdAt));
        }
        break;
      case UserProp::kLicenseAssignmentStates:
        // Rare ($select only): through the tree, so both paths stay identical.
        out += Dump(LicenseAssignmentStatesJson(w.sources));
        break;
      case UserProp::kSignInActivity:
        out += Dump(SignInActivityJson(w.signInActivity));
        break;
      case UserProp::kNull:
        out += "null";
        break;
    }
  }
  out.push_back('}');
}

void AppendUserJson(std::string& out, const app::UserWithLicenses& w,
                    const std::vector<std::string>& select) {
  UserJsonWriter(select).Append(out, w);
}

Json OrganizationJson(const app::OrganizationView& o) {
  Json domains = Json::array();
  for (const auto& d : o.domains)
    domains.push_back({{"capabilities", "Email, OfficeCommunicationsOnline"},
                       {"isDefault", d.isDefault},
                       {"isInitial", d.isInitial},
                       {"name", d.name},
                       {"type", "Managed"}});
  return Json{{"id", o.tenant.id.str()},
              {"displayName", o.tenant.displayName},
              {"countryLetterCode", o.tenant.country},
              {"createdDateTime", TimeJson(o.tenant.createdAt)},
              {"verifiedDomains", domains},
              {"currency", o.currency}};
}

Json ServicePlanJson(const ServicePlan& p, bool disabled, bool with_status) {
  Json j{{"servicePlanId", p.id.str()}, {"servicePlanName", p.name}, {"appliesTo", p.appliesTo}};
  if (with_status) j["provisioningStatus"] = disabled ? "Disabled" : "Success";
  return j;
}

Json SubscribedSkuJson(const app::SubscribedSku& s, const Guid& tenant) {
  Json plans = Json::array();
  for (const auto& p : s.sku->servicePlans) plans.push_back(ServicePlanJson(p, false, true));
  return Json{{"id", tenant.str() + "_" + s.sku->id.str()},
              {"accountId", tenant.str()},
              {"skuId", s.sku->id.str()},
              {"skuPartNumber", s.sku->partNumber},
              {"appliesTo", s.sku->appliesTo},
              {"capabilityStatus", s.capabilityStatus},
              {"consumedUnits", s.counts.consumed},
              {"prepaidUnits",
               {{"enabled", s.counts.enabled},
                {"suspended", s.counts.suspended},
                {"warning", s.counts.warning},
                {"lockedOut", 0}}},
              {"servicePlans", plans},
              {"subscriptionIds", GuidList(s.subscriptionIds)}};
}

Json LicenseDetailJson(const LicenseAssignment& a, const Catalog& catalog) {
  const Sku* sku = catalog.FindSku(a.skuId);
  Json plans = Json::array();
  if (sku != nullptr) {
    for (const auto& p : sku->servicePlans) {
      bool disabled = false;
      for (const auto& d : a.disabledPlans) disabled = disabled || d == p.id;
      plans.push_back(ServicePlanJson(p, disabled, true));
    }
  }
  return Json{{"id", a.userId.str() + "_" + a.skuId.str()},
              {"skuId", a.skuId.str()},
              {"skuPartNumber", sku ? sku->partNumber : std::string()},
              {"servicePlans", plans}};
}

Json OfferJson(const app::Offer& o) {
  const Sku& s = *o.sku;
  Json plans = Json::array();
  for (const auto& p : s.servicePlans) plans.push_back(ServicePlanJson(p));
  Json names = Json::object();
  for (const auto& [loc, name] : s.localizedNames) names[loc] = name;
  Json descriptions = Json::object();
  for (const auto& [loc, d] : s.localizedDescriptions) descriptions[loc] = d;
  return Json{
      {"skuId", s.id.str()},
      {"skuPartNumber", s.partNumber},
      {"name", s.name},
      {"localizedNames", names},
      {"description", s.description},
      {"localizedDescriptions", descriptions},
      {"servicePlans", plans},
      {"minQuantity", s.minQuantity},
      {"maxQuantity", s.maxQuantity},
      {"isAddOn", s.isAddOn},
      {"prerequisiteSkuIds", GuidList(s.prerequisiteSkuIds)},
      {"prices",
       Json::array(
           {{{"billingCycle", "monthly"}, {"unitPrice", MoneyJson(o.prices.monthly, o.currency)}},
            {{"billingCycle", "annual"}, {"unitPrice", MoneyJson(o.prices.annual, o.currency)}}})},
      {"purchased", o.purchased}};
}

Json CartJson(const app::CartView& v, const Catalog& catalog) {
  const Cart& c = v.cart;
  const std::string& cur = v.priced.currency;
  Json lines = Json::array();
  for (size_t i = 0; i < c.lines.size(); ++i) {
    const CartLine& l = c.lines[i];
    Json j{{"id", l.id.str()},
           {"skuId", l.skuId.str()},
           {"name", SkuName(catalog, l.skuId)},
           {"quantity", l.quantity},
           {"billingCycle", ToString(l.cycle)},
           {"autoAssign", l.autoAssign}};
    if (i < v.priced.lines.size()) {
      j["unitPrice"] = MoneyJson(v.priced.lines[i].unitPrice, cur);
      j["amount"] = MoneyJson(v.priced.lines[i].amount, cur);
      j["tax"] = MoneyJson(v.priced.lines[i].tax, cur);
    }
    lines.push_back(std::move(j));
  }
  return Json{{"id", c.id.str()},
              {"status", ToString(c.status)},
              {"lineItems", lines},
              {"currency", cur},
              {"subtotal", MoneyJson(v.priced.subtotal, cur)},
              {"tax", MoneyJson(v.priced.tax, cur)},
              {"total", MoneyJson(v.priced.total, cur)},
              {"createdAt", TimeJson(c.createdAt)},
              {"updatedAt", TimeJson(c.updatedAt)},
              {"expiresAt", TimeJson(c.expiresAt)}};
}

Json OrderJson(const Order& o, const Catalog& catalog) {
  Json lines = Json::array();
  for (const auto& l : o.lines)
    lines.push_back({{"skuId", l.skuId.str()},
                     {"name", SkuName(catalog, l.skuId)},
                     {"quantity", l.quantity},
                     {"billingCycle", ToString(l.cycle)},
                     {"autoAssign", l.autoAssign},
                     {"unitPrice", MoneyJson(l.unitPrice, o.currency)},
                     {"amount", MoneyJson(l.amount, o.currency)},
                     {"tax", MoneyJson(l.tax, o.currency)},
                     {"subscriptionId", GuidJson(l.subscriptionId)},
                     {"licensesAutoAssigned", l.licensesAutoAssigned}});
  Json payment{
      {"status", ToString(o.paymentStatus)},
      {"paymentMethodId", o.paymentMethodId.nil() ? Json(nullptr) : Json(o.paymentMethodId.str())},
      {"brand", o.brand.empty() ? Json(nullptr) : Json(o.brand)},
      {"last4", o.last4.empty() ? Json(nullptr) : Json(o.last4)}};
  if (!o.failureCode.empty()) payment["failureCode"] = o.failureCode;
  return Json{{"id", o.id.str()},
              {"cartId", o.cartId.str()},
              {"status", ToString(o.status)},
              {"lineItems", lines},
              {"currency", o.currency},
              {"subtotal", MoneyJson(o.subtotal, o.currency)},
              {"tax", MoneyJson(o.tax, o.currency)},
              {"total", MoneyJson(o.total, o.currency)},
              {"payment", payment},
              {"createdAt", TimeJson(o.createdAt)}};
}

Json PaymentMethodJson(const PaymentMethod& p) {
  Json j{{"id", p.id.str()}, {"type", ToString(p.type)}, {"createdAt", TimeJson(p.createdAt)}};
  if (p.type == PaymentMethodType::kCard) {
    j["brand"] = p.brand;
    j["last4"] = p.last4;
    j["expMonth"] = p.expMonth;
    j["expYear"] = p.expYear;
    j["holderName"] = p.holderName;
  }
  return j;
}

Json SubscriptionJson(const app::SubscriptionView& v, const Catalog& catalog) {
  const Subscription& s = v.sub;
  return Json{
      {"id", s.id.str()},
      {"skuId", s.skuId.str()},
      {"name", SkuName(catalog, s.skuId)},
      {"quantity", s.quantity},
      {"assignedLicenses", v.assignedLicenses},
      {"billingCycle", ToString(s.cycle)},
      {"status", ToString(s.status)},
      {"startDate", TimeJson(s.startDate)},
      {"currentPeriodStart", TimeJson(s.periodStart)},
      {"currentPeriodEnd", TimeJson(s.currentPeriodEnd)},
      {"autoRenew", s.autoRenew},
      {"orderId", s.orderId.str()},
      {"paymentMethodId", s.paymentMethodId.nil() ? Json(nullptr) : Json(s.paymentMethodId.str())},
      {"unitPrice", MoneyJson(s.unitPrice, s.currency)},
      {"createdAt", TimeJson(s.createdAt)}};
}

std::string InvoiceNumber(int64_t number) {
  return fmt::format("INV-{:06d}", number);
}

Json InvoiceJson(const Invoice& inv) {
  Json lines = Json::array();
  for (const auto& l : inv.lines)
    lines.push_back({{"description", l.description},
                     {"skuId", l.skuId.nil() ? Json(nullptr) : Json(l.skuId.str())},
                     {"quantity", l.quantity},
                     {"unitPrice", MoneyJson(l.unitPrice, inv.currency)},
                     {"amount", MoneyJson(l.amount, inv.currency)},
                     {"tax", MoneyJson(l.tax, inv.currency)},
                     {"periodStart", TimeJson(l.periodStart)},
                     {"periodEnd", TimeJson(l.periodEnd)}});
  return Json{{"id", inv.id.str()},
              {"number", InvoiceNumber(inv.number)},
              {"kind", ToString(inv.kind)},
              {"orderId", GuidJson(inv.orderId)},
              {"subscriptionId", GuidJson(inv.subscriptionId)},
              {"currency", inv.currency},
              {"subtotal", MoneyJson(inv.subtotal, inv.currency)},
              {"tax", MoneyJson(inv.tax, inv.currency)},
              {"total", MoneyJson(inv.total, inv.currency)},
              {"status", ToString(inv.paymentStatus)},
              {"issuedAt", TimeJson(inv.issuedAt)},
              {"dueDate", TimeJson(inv.dueAt)},
              {"lineItems", lines}};
}

Json AuditJson(const AuditEntry& e) {
  auto parsed = [](const std::string& s) -> Json {
    if (s.empty()) return nullptr;
    Json j = Json::parse(s, nullptr, false);
    return j.is_discarded() ? Json(s) : j;
  };
  return Json{{"id", e.id.str()},
              {"activityDateTime", TimeJson(e.at)},
              {"actorId", GuidJson(e.actorId)},
              {"action", e.action},
              {"targetType", e.targetType},
              {"targetId", e.targetId},
              {"before", parsed(e.before)},
              {"after", parsed(e.after)}};
}

Json RolesJson(const RoleSet& roles) {
  Json a = Json::array();
  for (Role r : roles) a.push_back(std::string(ToString(r)));
  return a;
}

}  // namespace ld::http
