#include "http/openapi.h"

#include <cctype>

#include "http/routes.h"

namespace ld::http {
namespace {

Json Ref(std::string_view name) {
  return Json{{"$ref", "#/components/schemas/" + std::string(name)}};
}
Json Str() {
  return Json{{"type", "string"}};
}
Json NullableStr() {
  return Json{{"type", Json::array({"string", "null"})}};
}
Json GuidS() {
  return Json{{"type", "string"}, {"format", "uuid"}};
}
Json NullableGuid() {
  return Json{{"type", Json::array({"string", "null"})}, {"format", "uuid"}};
}
Json Time() {
  return Json{{"type", Json::array({"string", "null"})}, {"format", "date-time"}};
}
Json Int() {
  return Json{{"type", "integer"}};
}
Json Bool() {
  return Json{{"type", "boolean"}};
}
Json Enum(std::initializer_list<const char*> values) {
  Json e = Json::array();
  for (const char* v : values) e.push_back(v);
  return Json{{"type", "string"}, {"enum", e}};
}
Json ArrayOf(Json items) {
  return Json{{"type", "array"}, {"items", std::move(items)}};
}
Json Obj(Json props, std::initializer_list<const char*> required = {}, bool closed = false) {
  Json o{{"type", "object"}, {"properties", std::move(props)}};
  if (required.size() > 0) {
    Json r = Json::array();
    for (const char* k : required) r.push_back(k);
    o["required"] = r;
  }
  if (closed) o["additionalProperties"] = false;
  return o;
}
Json ListOf(std::string_view item) {
  return Obj({{"value", ArrayOf(Ref(item))},
              {"@odata.nextLink", Str()},
              {"@odata.count", Int()},
              {"@odata.context", Str()}},
             {"value"});
}

Json Schemas() {
  Json s = Json::object();
  s["Money"] = Obj({{"amount", Json{{"type", "integer"}, {"description", "minor units"}}},
                    {"currency", Json{{"type", "string"}, {"pattern", "^[A-Z]{3}$"}}}},
                   {"amount", "currency"});
  s["Error"] = Obj({{"error", Obj({{"code", Str()},
                                   {"message", Str()},
                                   {"target", NullableStr()},
                                   {"details", Json::object()}},
                                  {"code", "message"})}},
                   {"error"});
  s["GraphError"] = Obj({{"error", Obj({{"code", Str()},
                                        {"message", Str()},
                                        {"innerError", Obj({{"code", Str()},
                                                            {"date", Str()},
                                                            {"request-id", Str()},
                                                            {"client-request-id", Str()}})}},
                                       {"code", "message"})}},
                        {"error"});
  s["Health"] = Obj({{"status", Str()}, {"backend", Str()}}, {"status"});
  s["Config"] =
      Obj({{"cloud", Enum({"worldwide", "germany", "china"})},
           {"defaultLocale", Str()},
           {"locales", ArrayOf(Str())},
           {"signupEnabled", Bool()},
           {"testClock", Bool()},
           {"deploymentDomain", Str()},
           {"catalogVersion", Str()},
           {"markets", ArrayOf(Obj({{"country", Str()}, {"currency", Str()}}))}},
          {"cloud", "defaultLocale", "locales", "signupEnabled", "deploymentDomain", "markets"});
  s["SignupRequest"] = Obj(
      {{"organizationName", Str()},
       {"domainPrefix", Json{{"type", "string"}, {"pattern", "^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$"}}},
       {"countryCode", Json{{"type", "string"}, {"pattern", "^[A-Z]{2}$"}}},
       {"admin",
        Obj({{"displayName", Str()}, {"password", Str()}}, {"displayName", "password"}, true)},
       {"preferredLanguage", Enum({"en-US", "zh-TW", "de-DE", "zh-CN"})}},
      {"organizationName", "domainPrefix", "countryCode", "admin"}, true);
  s["SignupResponse"] = Obj({{"tenantId", GuidS()},
                             {"domain", Str()},
                             {"adminUserPrincipalName", Str()},
                             {"adminId", GuidS()}},
                            {"tenantId", "domain", "adminUserPrincipalName"});
  s["Credentials"] = Obj({{"userPrincipalName", Str()}, {"password", Str()}},
                         {"userPrincipalName", "password"}, true);
  s["TokenResponse"] =
      Obj({{"accessToken", Str()}, {"tokenType", Enum({"Bearer"})}, {"expiresIn", Int()}},
          {"accessToken", "tokenType", "expiresIn"});
  s["Session"] = Obj({{"csrfToken", NullableStr()},
                      {"user", Obj({{"id", GuidS()},
                                    {"userPrincipalName", Str()},
                                    {"displayName", Str()},
                                    {"preferredLanguage", NullableStr()},
                                    {"roles", ArrayOf(Str())}})},
                      {"organization", Obj({{"id", GuidS()},
                                            {"displayName", Str()},
                                            {"countryLetterCode", Str()},
                                            {"currency", Str()},
                                            {"invoiceEligible", Bool()}})}},
                     {"csrfToken", "user", "organization"});
  s["SsoConfigRequest"] = Obj({{"issuer", Str()},
                               {"clientId", Str()},
                               {"clientSecret", Str()},
                               {"enforced", Bool()},
                               {"breakGlassUserId", NullableGuid()}},
                              {"issuer", "clientId", "clientSecret"}, true);
  s["SsoConfig"] = Obj({{"issuer", Str()},
                        {"clientId", Str()},
                        {"enforced", Bool()},
                        {"breakGlassUserId", NullableGuid()},
                        {"redirectUri", Str()},
                        {"updatedDateTime", Time()}},
                       {"issuer", "clientId", "enforced", "redirectUri"});
  s["SsoStartRequest"] = Obj({{"userPrincipalName", Str()}}, {"userPrincipalName"}, true);
  s["SsoStart"] = Obj({{"sso", Bool()}, {"redirect", Str()}}, {"sso"});
  Json license = Obj({{"skuId", GuidS()}, {"disabledPlans", ArrayOf(GuidS())}}, {"skuId"});
  s["AssignedLicense"] = license;
  s["User"] =
      Obj({{"id", GuidS()},
           {"businessPhones", ArrayOf(Str())},
           {"displayName", Str()},
           {"givenName", NullableStr()},
           {"jobTitle", NullableStr()},
           {"mail", NullableStr()},
           {"mobilePhone", NullableStr()},
           {"officeLocation", NullableStr()},
           {"preferredLanguage", NullableStr()},
           {"surname", NullableStr()},
           {"userPrincipalName", Str()},
           {"accountEnabled", Bool()},
           {"usageLocation", NullableStr()},
           {"assignedLicenses", ArrayOf(Ref("AssignedLicense"))},
           {"mailNickname", Str()},
           {"createdDateTime", Time()},
           {"licenseAssignmentStates",
            ArrayOf(Obj({{"skuId", GuidS()},
                         {"disabledPlans", ArrayOf(GuidS())},
                         {"assignedByGroup", NullableGuid()},
                         {"state", Enum({"Active", "ActiveWithError", "Disabled", "Error"})},
                         {"error", Enum({"None", "CountViolation", "MutuallyExclusiveViolation",
                                         "DependencyViolation",
                                         "ProhibitedInUsageLocationViolation", "Other"})},
                         {"lastUpdatedDateTime", Time()}}))},
           {"signInActivity", Obj({{"lastSignInDateTime", Time()},
                                   {"lastSignInRequestId", NullableStr()},
                                   {"lastNonInteractiveSignInDateTime", Time()},
                                   {"lastNonInteractiveSignInRequestId", NullableStr()},
                                   {"lastSuccessfulSignInDateTime", Time()},
                                   {"lastSuccessfulSignInRequestId", NullableStr()}})}});
  s["UserList"] = ListOf("User");
  Json password = Obj({{"password", Str()},
                       {"forceChangePasswordNextSignIn", Bool()},
                       {"forceChangePasswordNextSignInWithMfa", Bool()}},
                      {"password"}, true);
  // A new user and a PATCH take the same properties; only what is required differs.
  auto user_fields = [&](std::initializer_list<const char*> required) {
    return Obj({{"accountEnabled", Bool()},
                {"displayName", Str()},
                {"mailNickname", Str()},
                {"userPrincipalName", Str()},
                {"passwordProfile", password},
                {"usageLocation", NullableStr()},
                {"preferredLanguage", NullableStr()}},
               required, true);
  };
  s["NewUser"] = user_fields({"displayName", "userPrincipalName"});
  s["UserPatch"] = user_fields({});
  s["ChangePassword"] = Obj({{"currentPassword", Str()}, {"newPassword", Str()}},
                            {"currentPassword", "newPassword"}, true);
  s["Organization"] = Obj({{"id", GuidS()},
                           {"displayName", Str()},
                           {"countryLetterCode", Str()},
                           {"createdDateTime", Time()},
                           {"currency", Str()},
                           {"verifiedDomains", ArrayOf(Obj({{"name", Str()},
                                                            {"isDefault", Bool()},
                                                            {"isInitial", Bool()},
                                                            {"type", Str()},
                                                            {"capabilities", Str()}}))}});
  s["OrganizationList"] = ListOf("Organization");
  s["ServicePlan"] = Obj({{"servicePlanId", GuidS()},
                          {"servicePlanName", Str()},
                          {"appliesTo", Str()},
                          {"provisioningStatus", Str()}});
  s["SubscribedSku"] = Obj(
      {{"id", Str()},
       {"accountId", GuidS()},
       {"skuId", GuidS()},
       {"skuPartNumber", Str()},
       {"appliesTo", Str()},
       {"capabilityStatus", Enum({"Enabled", "Warning", "Suspended", "LockedOut"})},
       {"consumedUnits", Int()},
       {"prepaidUnits",
        Obj({{"enabled", Int()}, {"suspended", Int()}, {"warning", Int()}, {"lockedOut", Int()}})},
       {"servicePlans", ArrayOf(Ref("ServicePlan"))},
       {"subscriptionIds", ArrayOf(GuidS())}});
  s["SubscribedSkuList"] = ListOf("SubscribedSku");
  s["AssignLicense"] =
      Obj({{"addLicenses", ArrayOf(license)}, {"removeLicenses", ArrayOf(GuidS())}},
          {"addLicenses", "removeLicenses"}, true);
  s["LicenseDetails"] = Obj({{"id", Str()},
                             {"skuId", GuidS()},
                             {"skuPartNumber", Str()},
                             {"servicePlans", ArrayOf(Ref("ServicePlan"))}});
  s["LicenseDetailsList"] = ListOf("LicenseDetails");
  // Groups (issue 16).
  s["Group"] =
      Obj({{"id", GuidS()},
           {"displayName", Str()},
           {"description", NullableStr()},
           {"mailNickname", Str()},
           {"mailEnabled", Bool()},
           {"securityEnabled", Bool()},
           {"groupTypes", ArrayOf(Str())},
           {"createdDateTime", Time()},
           {"assignedLicenses", ArrayOf(Ref("AssignedLicense"))},
           {"licenseProcessingState",
            Obj({{"state",
                  Enum({"QueuedForProcessing", "ProcessingInProgress", "ProcessingComplete"})}})}});
  s["GroupList"] = ListOf("Group");
  s["NewGroup"] = Obj({{"displayName", Str()},
                       {"mailNickname", Str()},
                       {"mailEnabled", Bool()},
                       {"securityEnabled", Bool()},
                       {"description", NullableStr()},
                       {"groupTypes", ArrayOf(Str())},
                       {"members@odata.bind", ArrayOf(Str())}},
                      {"displayName", "mailNickname", "mailEnabled", "securityEnabled"});
  s["GroupPatch"] = Obj({{"displayName", Str()},
                         {"mailNickname", Str()},
                         {"mailEnabled", Bool()},
                         {"securityEnabled", Bool()},
                         {"description", NullableStr()},
                         {"groupTypes", ArrayOf(Str())},
                         {"members@odata.bind", ArrayOf(Str())}});
  s["DirectoryObjectRef"] = Obj({{"@odata.id", Str()}}, {"@odata.id"}, true);
  s["LicensePreview"] = Obj(
      {{"membersAffected", Int()},
       {"wouldAssign", Int()},
       {"wouldFail", Json{{"type", "object"}, {"additionalProperties", Int()}}},
       {"additionalLicensesNeeded",
        ArrayOf(Obj({{"skuId", GuidS()}, {"quantity", Int()}, {"monthlyCost", Ref("Money")}}))}},
      {"membersAffected", "wouldAssign", "wouldFail", "additionalLicensesNeeded"});
  Json cycle = Enum({"monthly", "annual"});
  s["Offer"] =
      Obj({{"skuId", GuidS()},
           {"skuPartNumber", Str()},
           {"name", Str()},
           {"localizedNames", Json{{"type", "object"}, {"additionalProperties", Str()}}},
           {"description", Str()},
           {"localizedDescriptions", Json{{"type", "object"}, {"additionalProperties", Str()}}},
           {"servicePlans", ArrayOf(Ref("ServicePlan"))},
           {"minQuantity", Int()},
           {"maxQuantity", Int()},
           {"isAddOn", Bool()},
           {"prerequisiteSkuIds", ArrayOf(GuidS())},
           {"prices", ArrayOf(Obj({{"billingCycle", cycle}, {"unitPrice", Ref("Money")}}))},
           {"purchased", Bool()}});
  s["OfferList"] = ListOf("Offer");
  s["CartRequest"] = Obj({{"lineItems", ArrayOf(Obj({{"skuId", GuidS()},
                                                     {"quantity", Int()},
                                                     {"billingCycle", cycle},
                                                     {"autoAssign", Bool()}},
                                                    {"skuId", "quantity", "billingCycle"}, true))}},
                         {"lineItems"}, true);
  s["Cart"] = Obj({{"id", GuidS()},
                   {"status", Enum({"active", "ordered"})},
                   {"lineItems", ArrayOf(Obj({{"id", GuidS()},
                                              {"skuId", GuidS()},
                                              {"name", Str()},
                                              {"quantity", Int()},
                                              {"billingCycle", cycle},
                                              {"autoAssign", Bool()},
                                              {"unitPrice", Ref("Money")},
                                              {"amount", Ref("Money")},
                                              {"tax", Ref("Money")}}))},
                   {"currency", Str()},
                   {"subtotal", Ref("Money")},
                   {"tax", Ref("Money")},
                   {"total", Ref("Money")},
                   {"createdAt", Time()},
                   {"updatedAt", Time()},
                   {"expiresAt", Time()}});
  s["CartList"] = ListOf("Cart");
  s["CheckoutRequest"] = Obj({{"paymentMethodId", GuidS()}}, {"paymentMethodId"}, true);
  s["Order"] = Obj({{"id", GuidS()},
                    {"cartId", GuidS()},
                    {"status", Enum({"pending", "completed", "failed"})},
                    {"lineItems", ArrayOf(Obj({{"skuId", GuidS()},
                                               {"name", Str()},
                                               {"quantity", Int()},
                                               {"billingCycle", cycle},
                                               {"autoAssign", Bool()},
                                               {"unitPrice", Ref("Money")},
                                               {"amount", Ref("Money")},
                                               {"tax", Ref("Money")},
                                               {"subscriptionId", NullableGuid()},
                                               {"licensesAutoAssigned", Int()}}))},
                    {"currency", Str()},
                    {"subtotal", Ref("Money")},
                    {"tax", Ref("Money")},
                    {"total", Ref("Money")},
                    {"payment", Obj({{"status", Enum({"pending", "captured", "declined", "due",
                                                      "refunded", "voided", "overdue", "paid"})},
                                     {"paymentMethodId", NullableGuid()},
                                     {"brand", NullableStr()},
                                     {"last4", NullableStr()},
                                     {"failureCode", Str()}})},
                    {"createdAt", Time()}});
  s["OrderList"] = ListOf("Order");
  s["PaymentMethodRequest"] =
      Json{{"oneOf",
            Json::array(
                {Obj({{"type", Enum({"card"})},
                      {"card", Obj({{"number", Str()},
                                    {"expMonth", Int()},
                                    {"expYear", Int()},
                                    {"cvc", Str()},
                                    {"holderName", Str()}},
                                   {"number", "expMonth", "expYear", "cvc", "holderName"}, true)}},
                     {"type", "card"}, true),
                 Obj({{"type", Enum({"invoice"})}}, {"type"}, true)})}};
  s["PaymentMethod"] = Obj({{"id", GuidS()},
                            {"type", Enum({"card", "invoice"})},
                            {"brand", Str()},
                            {"last4", Str()},
                            {"expMonth", Int()},
                            {"expYear", Int()},
                            {"holderName", Str()},
                            {"createdAt", Time()}},
                           {"id", "type"});
  s["PaymentMethodList"] = ListOf("PaymentMethod");
  s["Subscription"] = Obj({{"id", GuidS()},
                           {"skuId", GuidS()},
                           {"name", Str()},
                           {"quantity", Int()},
                           {"assignedLicenses", Int()},
                           {"billingCycle", cycle},
                           {"status", Enum({"active", "expired", "disabled", "deleted"})},
                           {"startDate", Time()},
                           {"currentPeriodStart", Time()},
                           {"currentPeriodEnd", Time()},
                           {"autoRenew", Bool()},
                           {"orderId", GuidS()},
                           {"paymentMethodId", NullableGuid()},
                           {"unitPrice", Ref("Money")},
                           {"createdAt", Time()}});
  s["SubscriptionList"] = ListOf("Subscription");
  s["SubscriptionPatch"] = Obj({{"quantity", Int()}, {"autoRenew", Bool()}}, {}, true);
  s["Invoice"] = Obj({{"id", GuidS()},
                      {"number", Str()},
                      {"kind", Enum({"invoice", "creditNote"})},
                      {"orderId", NullableGuid()},
                      {"subscriptionId", NullableGuid()},
                      {"currency", Str()},
                      {"subtotal", Ref("Money")},
                      {"tax", Ref("Money")},
                      {"total", Ref("Money")},
                      {"status", Str()},
                      {"issuedAt", Time()},
                      {"dueDate", Time()},
                      {"lineItems", ArrayOf(Obj({{"description", Str()},
                                                 {"skuId", NullableGuid()},
                                                 {"quantity", Int()},
                                                 {"unitPrice", Ref("Money")},
                                                 {"amount", Ref("Money")},
                                                 {"tax", Ref("Money")},
                                                 {"periodStart", Time()},
                                                 {"periodEnd", Time()}}))}});
  s["InvoiceList"] = ListOf("Invoice");
  s["Roles"] = Obj(
      {{"roles", ArrayOf(Enum({"Global Administrator", "Billing Administrator",
                               "License Administrator", "User Administrator", "Global Reader"}))}},
      {"roles"}, true);
  s["AuditEntry"] = Obj({{"id", GuidS()},
                         {"activityDateTime", Time()},
                         {"actorId", NullableGuid()},
                         {"action", Str()},
                         {"targetType", Str()},
                         {"targetId", Str()},
                         {"before", Json::object()},
                         {"after", Json::object()}});
  s["AuditList"] = ListOf("AuditEntry");
  s["TestClockAdvance"] =
      Obj({{"to", Time()}, {"days", Int()}, {"hours", Int()}, {"minutes", Int()}}, {}, true);
  s["TestClock"] = Obj({{"now", Time()},
                        {"events", ArrayOf(Obj({{"at", Time()},
                                                {"tenantId", GuidS()},
                                                {"subscriptionId", GuidS()},
                                                {"type", Str()},
                                                {"status", Str()},
                                                {"amount", Ref("Money")},
                                                {"userId", GuidS()},
                                                {"invoiceId", GuidS()}}))}},
                       {"now"});
  return s;
}

Json ErrorResponse(const RouteInfo& r, const char* description) {
  return Json{{"description", description},
              {"content",
               {{"application/json",
                 {{"schema", Ref(r.family == Family::kGraph ? "GraphError" : "Error")}}}}}};
}

// "GET /v1.0/users/{id}/licenseDetails" -> "get_v1.0_users_id_licenseDetails":
// unique per route and URL-safe, so code generators take it as it is.
std::string OperationId(const RouteInfo& r) {
  std::string id;
  for (char c : r.method) id += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (char c : r.path) {
    bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
    if (keep) {
      id += c;
    } else if (id.back() != '_') {
      id += '_';
    }
  }
  while (id.back() == '_') id.pop_back();
  return id;
}

Json Operation(const RouteInfo& r) {
  Json op{{"summary", r.summary}, {"operationId", OperationId(r)}};
  op["tags"] = Json::array({r.family == Family::kGraph        ? "graph"
                            : r.path.rfind("/api/v1", 0) == 0 ? "commerce"
                                                              : "operations"});
  Json params = Json::array();
  for (const auto& seg : r.segments)
    if (!seg.empty() && seg.front() == '{')
      params.push_back({{"name", seg.substr(1, seg.size() - 2)},
                        {"in", "path"},
                        {"required", true},
                        {"schema", Str()}});
  for (const auto& q : r.queryParams)
    params.push_back({{"name", q}, {"in", "query"}, {"required", false}, {"schema", Str()}});
  if (r.money)
    params.push_back({{"name", "Idempotency-Key"},
                      {"in", "header"},
                      {"required", false},
                      {"schema", {{"type", "string"}, {"minLength", 1}, {"maxLength", 255}}}});
  if (r.path == "/v1.0/users")
    params.push_back({{"name", "ConsistencyLevel"},
                      {"in", "header"},
                      {"required", false},
                      {"schema", Enum({"eventual"})}});
  if (!params.empty()) op["parameters"] = params;
  if (!r.requestSchema.empty())
    op["requestBody"] = {{"required", r.body == BodyRule::kRequired},
                         {"content", {{"application/json", {{"schema", Ref(r.requestSchema)}}}}}};
  Json responses = Json::object();
  Json ok{{"description", "Success"}};
  std::string_view schema = r.response.schema;
  if (schema.rfind("binary:", 0) == 0) {
    ok["content"] = {{std::string(schema.substr(7)), {{"schema", Str()}}}};
  } else if (!schema.empty()) {
    ok["content"] = {{"application/json", {{"schema", Ref(schema)}}}};
  }
  responses[std::to_string(r.response.status)] = ok;
  if (r.body != BodyRule::kNone || !r.queryParams.empty() || r.path.find('{') != std::string::npos)
    responses["400"] = ErrorResponse(r, "Bad request");
  if (r.access != Access::kPublic) responses["401"] = ErrorResponse(r, "Not signed in");
  if (r.access == Access::kPermission) responses["403"] = ErrorResponse(r, "Not allowed");
  if (r.access == Access::kOperator)
    responses["403"] = ErrorResponse(r, "Not the operator's token (an organization's)");
  if (r.path.find('{') != std::string::npos || r.testClockOnly)
    responses["404"] =
        ErrorResponse(r, r.testClockOnly ? "No test clock on this server" : "Not found");
  if (r.money) {
    responses["409"] = ErrorResponse(r, "Conflict (already done, or a twin request running)");
    responses["422"] = ErrorResponse(r, "Idempotency-Key reused with another body");
  }
  if (r.path == "/api/v1/carts/{id}/checkout")
    responses["402"] = ErrorResponse(r, "Payment declined");
  if (r.path == "/api/v1/auth/token" || r.path == "/api/v1/auth/session")
    responses["429"] = ErrorResponse(r, "Too many failed sign-ins (see Retry-After)");
  responses["default"] = ErrorResponse(r, "Error");
  op["responses"] = responses;
  if (r.access == Access::kPublic) {
    op["security"] = Json::array();
  } else if (r.access == Access::kPermission) {
    op["x-permission"] = std::string(ToString(r.permission));
  } else if (r.access == Access::kOperator) {
    op["security"] = Json::array({{{"operator", Json::array()}}});
  }
  if (r.money) op["x-idempotent"] = true;
  return op;
}

Json Build() {
  Json paths = Json::object();
  for (const auto& r : Routes()) {
    std::string m = r.method;
    for (auto& ch : m) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    paths[r.path][m] = Operation(r);
  }
  return Json{
      {"openapi", "3.1.0"},
      {"info",
       {{"title", "licensedesk API"},
        {"version", "1.0"},
        {"description",
         "A Microsoft Graph v1.0 subset (/v1.0) for the directory and licensing, and the "
         "commerce API (/api/v1)."}}},
      {"servers", Json::array({{{"url", "/"}}})},
      {"paths", paths},
      {"components",
       {{"schemas", Schemas()},
        {"securitySchemes",
         {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}},
          {"operator",
           {{"type", "http"},
            {"scheme", "bearer"},
            {"description", "The deployment operator's token (serve --operator-token)."}}},
          {"session", {{"type", "apiKey"}, {"in", "cookie"}, {"name", "ld_session"}}}}}}},
      {"security", Json::array({{{"bearer", Json::array()}}, {{"session", Json::array()}}})}};
}

}  // namespace

const Json& OpenApiDocument() {
  static const Json kDoc = Build();
  return kDoc;
}

const std::string& OpenApiText() {
  static const std::string kText = OpenApiDocument().dump(2);
  return kText;
}

}  // namespace ld::http
