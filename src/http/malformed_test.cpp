// R14, table-driven: malformed requests each get a 4xx with the right error
// code (and field), never a 5xx, and change nothing in the database.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "support/server.h"

namespace {

namespace lt = ld::testing;
using lt::Json;

struct Case {
  std::string name;
  std::string method;
  std::string path;  // {cart} {sub} {user} {sku} {card} {tenant} {invoice} {order} are replaced
  std::optional<std::string> body;
  int status;
  std::string code;    // the app's code: commerce error.code, Graph innerError.code
  std::string target;  // expected error target, "" to skip
  httplib::Headers headers = {};
};

std::string AppCode(const lt::Response& r) {
  if (!r.json.is_object() || !r.json.contains("error")) return {};
  const Json& e = r.json["error"];
  if (e.contains("innerError") && e["innerError"].is_object())
    return e["innerError"].value("code", "");
  return e.value("code", "");
}

std::string AppTarget(const lt::Response& r) {
  if (!r.json.is_object() || !r.json.contains("error")) return {};
  const Json& e = r.json["error"];
  if (e.contains("innerError") && e["innerError"].is_object())
    return e["innerError"].value("target", "");
  return e["target"].is_string() ? e["target"].get<std::string>() : "";
}

std::string Replace(std::string s, const std::map<std::string, std::string>& vars) {
  for (const auto& [k, v] : vars) {
    for (size_t at = s.find(k); at != std::string::npos; at = s.find(k, at + v.size()))
      s.replace(at, k.size(), v);
  }
  return s;
}

std::vector<Case> Cases() {
  const std::string kLine = R"({"skuId":"{sku}","quantity":1,"billingCycle":"monthly"})";
  auto cart = [&](const std::string& line) { return R"({"lineItems":[)" + line + "]}"; };
  auto line_with = [&](const std::string& field) {
    return R"({"skuId":"{sku}","billingCycle":"monthly",)" + field + "}";
  };
  std::vector<Case> v;
  // Syntax errors, on every route that takes a body.
  const std::vector<std::pair<std::string, std::string>> body_routes{
      {"POST", "/api/v1/carts"},
      {"PUT", "/api/v1/carts/{cart}"},
      {"POST", "/api/v1/carts/{cart}/checkout"},
      {"POST", "/api/v1/paymentMethods"},
      {"PATCH", "/api/v1/subscriptions/{sub}"},
      {"PUT", "/api/v1/users/{user}/roles"},
      {"POST", "/v1.0/users"},
      {"PATCH", "/v1.0/users/{user}"},
      {"PATCH", "/v1.0/me"},
      {"POST", "/v1.0/users/{user}/assignLicense"},
      {"POST", "/api/v1/signup"},
      {"POST", "/api/v1/auth/token"},
      {"POST", "/api/v1/auth/session"},
      {"POST", "/v1.0/groups"},
      {"PATCH", "/v1.0/groups/{group}"},
      {"POST", "/v1.0/groups/{group}/members/$ref"},
      {"POST", "/v1.0/groups/{group}/assignLicense"},
      {"POST", "/api/v1/groups/{group}/licensePreview"},
      {"PUT", "/api/v1/organization/sso"},
      {"POST", "/api/v1/auth/oidc/start"},
  };
  for (const auto& [m, p] : body_routes) {
    v.push_back({"truncated " + m + " " + p, m, p, "{\"a\":", 400, "InvalidJson", ""});
    v.push_back({"not an object " + m + " " + p, m, p, "[1,2,3]", 400, "InvalidType", "body"});
    v.push_back({"empty body " + m + " " + p, m, p, "", 400, "EmptyBody", ""});
    v.push_back({"trailing garbage " + m + " " + p, m, p, "{} x", 400, "InvalidJson", ""});
  }
  // Encoding and size limits.
  v.push_back({"invalid UTF-8 (commerce)", "POST", "/api/v1/carts",
               "{\"lineItems\":[],\"x\":\"\xff\xfe\"}", 400, "InvalidUtf8", ""});
  v.push_back({"invalid UTF-8 (graph)", "PATCH", "/v1.0/users/{user}",
               "{\"displayName\":\"bad \xc3\x28 name\"}", 400, "InvalidUtf8", ""});
  v.push_back({"overlong UTF-8", "POST", "/v1.0/users", "{\"displayName\":\"\xc0\xaf\"}", 400,
               "InvalidUtf8", ""});
  v.push_back({"UTF-16 surrogate", "POST", "/api/v1/carts", "{\"x\":\"\xed\xa0\x80\"}", 400,
               "InvalidUtf8", ""});
  v.push_back({"number beyond a double", "POST", "/api/v1/carts",
               "{\"lineItems\":[{\"quantity\":1e400}]}", 400, "InvalidJson", ""});
  v.push_back({"nesting 40 deep", "POST", "/api/v1/carts",
               std::string(40, '[') + std::string(40, ']'), 400, "JsonTooDeep", ""});
  v.push_back({"nested objects 33 deep", "PATCH", "/v1.0/me",
               [] {
                 std::string s;
                 for (int i = 0; i < 33; ++i) s += "{\"a\":";
                 s += "1";
                 for (int i = 0; i < 33; ++i) s += "}";
                 return s;
               }(),
               400, "JsonTooDeep", ""});
  v.push_back({"string of 70 KiB", "POST", "/v1.0/users",
               "{\"displayName\":\"" + std::string(70 * 1024, 'a') + "\"}", 400, "StringTooLong",
               ""});
  v.push_back({"body over 1 MiB", "POST", "/api/v1/carts",
               "{\"lineItems\":[],\"pad\":\"" + std::string(1100 * 1024, 'a') + "\"}", 413,
               "BodyTooLarge", ""});
  v.push_back({"text/plain body",
               "POST",
               "/api/v1/carts",
               cart(kLine),
               400,
               "UnsupportedContentType",
               "Content-Type",
               {{"Content-Type", "text/plain"}}});
  // Carts: types, missing fields, absurd numbers, unknown fields.
  v.push_back(
      {"lineItems missing", "POST", "/api/v1/carts", "{}", 400, "MissingField", "lineItems"});
  v.push_back({"lineItems an object", "POST", "/api/v1/carts", R"({"lineItems":{}})", 400,
               "InvalidType", "lineItems"});
  v.push_back({"lineItems a string", "POST", "/api/v1/carts", R"({"lineItems":"x"})", 400,
               "InvalidType", "lineItems"});
  v.push_back({"line not an object", "POST", "/api/v1/carts", R"({"lineItems":[5]})", 400,
               "InvalidType", "lineItems[0]"});
  v.push_back({"quantity a string", "POST", "/api/v1/carts", cart(line_with(R"("quantity":"5")")),
               400, "InvalidType", "lineItems[0].quantity"});
  v.push_back({"quantity 1.5", "POST", "/api/v1/carts", cart(line_with(R"("quantity":1.5)")), 400,
               "InvalidType", "lineItems[0].quantity"});
  v.push_back({"quantity 1e30", "POST", "/api/v1/carts", cart(line_with(R"("quantity":1e30)")), 400,
               "InvalidType", "lineItems[0].quantity"});
  v.push_back({"quantity 2.0", "POST", "/api/v1/carts", cart(line_with(R"("quantity":2.0)")), 400,
               "InvalidType", "lineItems[0].quantity"});
  v.push_back({"quantity 1e2", "POST", "/api/v1/carts", cart(line_with(R"("quantity":1e2)")), 400,
               "InvalidType", "lineItems[0].quantity"});
  v.push_back({"quantity 2^64", "POST", "/api/v1/carts",
               cart(line_with(R"("quantity":18446744073709551616)")), 400, "InvalidType",
               "lineItems[0].quantity"});
  v.push_back({"quantity 2^63", "POST", "/api/v1/carts",
               cart(line_with(R"("quantity":9223372036854775808)")), 400, "NumberOutOfRange",
               "lineItems[0].quantity"});
  v.push_back({"quantity true", "POST", "/api/v1/carts", cart(line_with(R"("quantity":true)")), 400,
               "InvalidType", "lineItems[0].quantity"});
  v.push_back({"quantity null", "POST", "/api/v1/carts", cart(line_with(R"("quantity":null)")), 400,
               "MissingField", "lineItems[0].quantity"});
  v.push_back({"quantity missing", "POST", "/api/v1/carts",
               cart(R"({"skuId":"{sku}","billingCycle":"monthly"})"), 400, "MissingField",
               "lineItems[0].quantity"});
  v.push_back({"quantity -1", "POST", "/api/v1/carts", cart(line_with(R"("quantity":-1)")), 400,
               "QuantityOutOfRange", ""});
  v.push_back({"quantity 0", "POST", "/api/v1/carts", cart(line_with(R"("quantity":0)")), 400,
               "QuantityOutOfRange", ""});
  v.push_back({"quantity 1000000", "POST", "/api/v1/carts",
               cart(line_with(R"("quantity":1000000)")), 400, "QuantityOutOfRange", ""});
  v.push_back({"skuId a number", "POST", "/api/v1/carts",
               cart(R"({"skuId":5,"quantity":1,"billingCycle":"monthly"})"), 400, "InvalidType",
               "lineItems[0].skuId"});
  v.push_back({"skuId not a GUID", "POST", "/api/v1/carts",
               cart(R"({"skuId":"business-basic","quantity":1,"billingCycle":"monthly"})"), 400,
               "InvalidGuid", "lineItems[0].skuId"});
  v.push_back(
      {"skuId unknown", "POST", "/api/v1/carts",
       cart(
           R"({"skuId":"00000000-0000-0000-0000-000000000009","quantity":1,"billingCycle":"monthly"})"),
       400, "UnknownSku", ""});
  v.push_back({"billingCycle weekly", "POST", "/api/v1/carts",
               cart(R"({"skuId":"{sku}","quantity":1,"billingCycle":"weekly"})"), 400,
               "InvalidBillingCycle", "lineItems[0].billingCycle"});
  v.push_back({"billingCycle a number", "POST", "/api/v1/carts",
               cart(R"({"skuId":"{sku}","quantity":1,"billingCycle":12})"), 400, "InvalidType",
               "lineItems[0].billingCycle"});
  v.push_back({"autoAssign a string", "POST", "/api/v1/carts",
               cart(line_with(R"("quantity":1,"autoAssign":"yes")")), 400, "InvalidType",
               "lineItems[0].autoAssign"});
  v.push_back({"unknown line field", "POST", "/api/v1/carts",
               cart(line_with(R"("quantity":1,"discount":50)")), 400, "UnknownField",
               "lineItems[0].discount"});
  v.push_back({"unknown cart field", "POST", "/api/v1/carts",
               R"({"lineItems":[],"tenantId":"00000000-0000-0000-0000-000000000001"})", 400,
               "UnknownField", "tenantId"});
  v.push_back({"101 line items", "POST", "/api/v1/carts",
               [&] {
                 std::string s = R"({"lineItems":[)";
                 for (int i = 0; i < 101; ++i) s += (i ? "," : "") + kLine;
                 return s + "]}";
               }(),
               400, "TooManyItems", "lineItems"});
  v.push_back({"PUT cart with bad quantity", "PUT", "/api/v1/carts/{cart}",
               cart(line_with(R"("quantity":"ten")")), 400, "InvalidType",
               "lineItems[0].quantity"});
  v.push_back({"carts ?status=weird", "GET", "/api/v1/carts?status=weird", std::nullopt, 400,
               "InvalidStatus", "status"});
  // Checkout.
  v.push_back({"checkout without paymentMethodId", "POST", "/api/v1/carts/{cart}/checkout", "{}",
               400, "MissingField", "paymentMethodId"});
  v.push_back({"checkout paymentMethodId not a GUID", "POST", "/api/v1/carts/{cart}/checkout",
               R"({"paymentMethodId":"visa"})", 400, "InvalidGuid", "paymentMethodId"});
  v.push_back({"checkout paymentMethodId a number", "POST", "/api/v1/carts/{cart}/checkout",
               R"({"paymentMethodId":4242})", 400, "InvalidType", "paymentMethodId"});
  v.push_back({"checkout unknown field", "POST", "/api/v1/carts/{cart}/checkout",
               R"({"paymentMethodId":"{card}","amount":1})", 400, "UnknownField", "amount"});
  v.push_back({"checkout unknown payment method", "POST", "/api/v1/carts/{cart}/checkout",
               R"({"paymentMethodId":"00000000-0000-0000-0000-000000000007"})", 400,
               "InvalidPaymentMethod", ""});
  v.push_back({"checkout Idempotency-Key of 256",
               "POST",
               "/api/v1/carts/{cart}/checkout",
               R"({"paymentMethodId":"{card}"})",
               400,
               "InvalidIdempotencyKey",
               "Idempotency-Key",
               {{"Idempotency-Key", std::string(256, 'k')}}});
  v.push_back({"checkout non-ASCII Idempotency-Key",
               "POST",
               "/api/v1/carts/{cart}/checkout",
               R"({"paymentMethodId":"{card}"})",
               400,
               "InvalidIdempotencyKey",
               "Idempotency-Key",
               {{"Idempotency-Key", "cl\xc3\xa9-1"}}});
  v.push_back({"checkout of a bad cart id", "POST", "/api/v1/carts/not-a-cart/checkout",
               R"({"paymentMethodId":"{card}"})", 400, "InvalidGuid", "id"});
  // Payment methods.
  auto card_with = [](const std::string& fields) {
    return R"({"type":"card","card":{)" + fields + "}}";
  };
  const std::string kCard =
      R"("number":"4242424242424242","expMonth":12,"expYear":2030,"cvc":"123","holderName":"H")";
  v.push_back({"payment type missing", "POST", "/api/v1/paymentMethods", R"({"card":{}})", 400,
               "MissingField", "type"});
  v.push_back({"payment type bitcoin", "POST", "/api/v1/paymentMethods", R"({"type":"bitcoin"})",
               400, "InvalidType", "type"});
  v.push_back({"card missing", "POST", "/api/v1/paymentMethods", R"({"type":"card"})", 400,
               "MissingField", "card"});
  v.push_back(
      {"card number a number", "POST", "/api/v1/paymentMethods",
       card_with(
           R"("number":4242424242424242,"expMonth":12,"expYear":2030,"cvc":"123","holderName":"H")"),
       400, "InvalidType", "card.number"});
  v.push_back(
      {"card expMonth 13", "POST", "/api/v1/paymentMethods",
       card_with(
           R"("number":"4242424242424242","expMonth":13,"expYear":2030,"cvc":"123","holderName":"H")"),
       400, "NumberOutOfRange", "card.expMonth"});
  v.push_back(
      {"card expMonth a string", "POST", "/api/v1/paymentMethods",
       card_with(
           R"("number":"4242424242424242","expMonth":"12","expYear":2030,"cvc":"123","holderName":"H")"),
       400, "InvalidType", "card.expMonth"});
  v.push_back(
      {"card expYear 99999", "POST", "/api/v1/paymentMethods",
       card_with(
           R"("number":"4242424242424242","expMonth":12,"expYear":99999,"cvc":"123","holderName":"H")"),
       400, "NumberOutOfRange", "card.expYear"});
  v.push_back(
      {"card cvc a number", "POST", "/api/v1/paymentMethods",
       card_with(
           R"("number":"4242424242424242","expMonth":12,"expYear":2030,"cvc":123,"holderName":"H")"),
       400, "InvalidType", "card.cvc"});
  v.push_back({"card unknown field", "POST", "/api/v1/paymentMethods",
               card_with(kCard + R"(,"pin":"0000")"), 400, "UnknownField", "card.pin"});
  v.push_back(
      {"card fails Luhn", "POST", "/api/v1/paymentMethods",
       card_with(
           R"("number":"4242424242424241","expMonth":12,"expYear":2030,"cvc":"123","holderName":"H")"),
       400, "InvalidCardNumber", "card.number"});
  v.push_back(
      {"card expired", "POST", "/api/v1/paymentMethods",
       card_with(
           R"("number":"4242424242424242","expMonth":1,"expYear":2001,"cvc":"123","holderName":"H")"),
       400, "CardExpired", ""});
  v.push_back({"invoice with extra field", "POST", "/api/v1/paymentMethods",
               R"({"type":"invoice","card":{}})", 400, "UnknownField", "card"});
  v.push_back({"delete payment method bad id", "DELETE", "/api/v1/paymentMethods/xyz", std::nullopt,
               400, "InvalidGuid", "id"});
  // Subscriptions.
  v.push_back({"subscription patch empty", "PATCH", "/api/v1/subscriptions/{sub}", "{}", 400,
               "EmptyChange", ""});
  v.push_back({"subscription quantity a string", "PATCH", "/api/v1/subscriptions/{sub}",
               R"({"quantity":"10"})", 400, "InvalidType", "quantity"});
  v.push_back({"subscription quantity 2.5", "PATCH", "/api/v1/subscriptions/{sub}",
               R"({"quantity":2.5})", 400, "InvalidType", "quantity"});
  v.push_back({"subscription quantity 0", "PATCH", "/api/v1/subscriptions/{sub}",
               R"({"quantity":0})", 400, "QuantityOutOfRange", ""});
  v.push_back({"subscription autoRenew a string", "PATCH", "/api/v1/subscriptions/{sub}",
               R"({"autoRenew":"no"})", 400, "InvalidType", "autoRenew"});
  v.push_back({"subscription unknown field", "PATCH", "/api/v1/subscriptions/{sub}",
               R"({"status":"active"})", 400, "UnknownField", "status"});
  v.push_back({"subscription bad id", "GET", "/api/v1/subscriptions/123", std::nullopt, 400,
               "InvalidGuid", "id"});
  v.push_back({"subscription patch bad id", "PATCH", "/api/v1/subscriptions/123",
               R"({"quantity":1})", 400, "InvalidGuid", "id"});
  v.push_back({"cancel with a body field", "POST", "/api/v1/subscriptions/{sub}/cancel",
               R"({"refund":true})", 400, "UnknownField", "refund"});
  v.push_back({"reactivate bad id", "POST", "/api/v1/subscriptions/zzz/reactivate", "{}", 400,
               "InvalidGuid", "id"});
  // Other commerce ids.
  v.push_back(
      {"cart bad id", "GET", "/api/v1/carts/{cart}x", std::nullopt, 400, "InvalidGuid", "id"});
  v.push_back({"order bad id", "GET", "/api/v1/orders/1", std::nullopt, 400, "InvalidGuid", "id"});
  v.push_back(
      {"invoice bad id", "GET", "/api/v1/invoices/INV-1", std::nullopt, 400, "InvalidGuid", "id"});
  v.push_back({"invoice pdf bad id", "GET", "/api/v1/invoices/INV-1/pdf", std::nullopt, 400,
               "InvalidGuid", "id"});
  v.push_back({"invoice pdf bad locale", "GET", "/api/v1/invoices/{invoice}/pdf?locale=xx-YY",
               std::nullopt, 400, "UnsupportedLanguage", "locale"});
  // Roles.
  v.push_back(
      {"roles missing", "PUT", "/api/v1/users/{user}/roles", "{}", 400, "MissingField", "roles"});
  v.push_back({"roles a string", "PUT", "/api/v1/users/{user}/roles",
               R"({"roles":"Global Administrator"})", 400, "InvalidType", "roles"});
  v.push_back({"roles of numbers", "PUT", "/api/v1/users/{user}/roles", R"({"roles":[1]})", 400,
               "InvalidType", "roles[0]"});
  v.push_back({"unknown role", "PUT", "/api/v1/users/{user}/roles", R"({"roles":["Emperor"]})", 400,
               "UnknownRole", "roles[0]"});
  // Graph users.
  v.push_back({"user displayName a number", "POST", "/v1.0/users",
               R"({"displayName":5,"userPrincipalName":"n@x.test"})", 400, "InvalidType",
               "displayName"});
  v.push_back({"user accountEnabled a string", "POST", "/v1.0/users",
               R"({"displayName":"N","userPrincipalName":"n@x.test","accountEnabled":"true"})", 400,
               "InvalidType", "accountEnabled"});
  v.push_back({"user passwordProfile a string", "POST", "/v1.0/users",
               R"({"displayName":"N","userPrincipalName":"n@x.test","passwordProfile":"pw"})", 400,
               "InvalidType", "passwordProfile"});
  v.push_back({"user passwordProfile without password", "POST", "/v1.0/users",
               R"({"displayName":"N","userPrincipalName":"n@x.test","passwordProfile":{}})", 400,
               "MissingField", "passwordProfile.password"});
  v.push_back({"user unknown field", "POST", "/v1.0/users",
               R"({"displayName":"N","userPrincipalName":"n@x.test","salary":1})", 400,
               "UnknownField", "salary"});
  v.push_back({"user without userPrincipalName", "POST", "/v1.0/users", R"({"displayName":"N"})",
               400, "MissingField", "userPrincipalName"});
  v.push_back({"user with a foreign domain", "POST", "/v1.0/users",
               R"({"displayName":"N","userPrincipalName":"n@evil.test"})", 400,
               "InvalidUserPrincipalName", ""});
  v.push_back({"user empty displayName", "POST", "/v1.0/users",
               R"({"displayName":"","userPrincipalName":"n@{domain}"})", 400, "InvalidDisplayName",
               ""});
  v.push_back(
      {"user weak password", "POST", "/v1.0/users",
       R"({"displayName":"N","userPrincipalName":"n@{domain}","passwordProfile":{"password":"short"}})",
       400, "InvalidPassword", ""});
  v.push_back({"user bad usageLocation", "POST", "/v1.0/users",
               R"({"displayName":"N","userPrincipalName":"n@{domain}","usageLocation":"usa"})", 400,
               "InvalidUsageLocation", ""});
  v.push_back({"patch displayName null", "PATCH", "/v1.0/users/{user}", R"({"displayName":null})",
               400, "InvalidType", "displayName"});
  v.push_back({"patch unsupported language", "PATCH", "/v1.0/me",
               R"({"preferredLanguage":"fr-FR"})", 400, "UnsupportedLanguage", ""});
  v.push_back({"patch language a number", "PATCH", "/v1.0/me", R"({"preferredLanguage":7})", 400,
               "InvalidType", "preferredLanguage"});
  // assignLicense.
  v.push_back({"assign addLicenses missing", "POST", "/v1.0/users/{user}/assignLicense",
               R"({"removeLicenses":[]})", 400, "MissingField", "addLicenses"});
  v.push_back({"assign addLicenses a string", "POST", "/v1.0/users/{user}/assignLicense",
               R"({"addLicenses":"x","removeLicenses":[]})", 400, "InvalidType", "addLicenses"});
  v.push_back({"assign skuId not a GUID", "POST", "/v1.0/users/{user}/assignLicense",
               R"({"addLicenses":[{"skuId":"E3"}],"removeLicenses":[]})", 400, "InvalidGuid",
               "addLicenses[0].skuId"});
  v.push_back({"assign disabledPlans of numbers", "POST", "/v1.0/users/{user}/assignLicense",
               R"({"addLicenses":[{"skuId":"{sku}","disabledPlans":[1]}],"removeLicenses":[]})",
               400, "InvalidType", "addLicenses[0].disabledPlans[0]"});
  v.push_back({"assign removeLicenses not GUIDs", "POST", "/v1.0/users/{user}/assignLicense",
               R"({"addLicenses":[],"removeLicenses":["nope"]})", 400, "InvalidGuid",
               "removeLicenses[0]"});
  v.push_back(
      {"assign unknown SKU", "POST", "/v1.0/users/{user}/assignLicense",
       R"({"addLicenses":[{"skuId":"00000000-0000-0000-0000-00000000000a"}],"removeLicenses":[]})",
       400, "UnknownSku", ""});
  v.push_back({"assign both empty", "POST", "/v1.0/users/{user}/assignLicense",
               R"({"addLicenses":[],"removeLicenses":[]})", 400, "EmptyRequest", ""});
  v.push_back({"subscribedSku malformed id", "GET", "/v1.0/subscribedSkus/xyz", std::nullopt, 400,
               "InvalidId", "id"});
  v.push_back({"subscribedSku half GUID", "GET", "/v1.0/subscribedSkus/{tenant}_abc", std::nullopt,
               400, "InvalidId", "id"});
  // OData.
  v.push_back(
      {"$top=0", "GET", "/v1.0/users?$top=0", std::nullopt, 400, "Request_UnsupportedQuery", ""});
  v.push_back({"$top=-1", "GET", "/v1.0/users?$top=-1", std::nullopt, 400, "", ""});
  v.push_back({"$top=1.5", "GET", "/v1.0/users?$top=1.5", std::nullopt, 400, "", ""});
  v.push_back({"$top twice", "GET", "/v1.0/users?$top=1&$top=2", std::nullopt, 400, "", ""});
  v.push_back(
      {"$filter garbage", "GET", "/v1.0/users?$filter=%27%27%27", std::nullopt, 400, "", ""});
  v.push_back({"$filter unknown property", "GET", "/v1.0/users?$filter=salary eq 5", std::nullopt,
               400, "Request_UnsupportedQuery", ""});
  v.push_back({"$filter bad GUID", "GET",
               "/v1.0/users?$filter=assignedLicenses/any(x:x/skuId eq nope)", std::nullopt, 400, "",
               ""});
  v.push_back({"$filter or", "GET",
               "/v1.0/users?$filter=accountEnabled eq true or accountEnabled eq false",
               std::nullopt, 400, "Request_UnsupportedQuery", "$filter"});
  v.push_back({"$count=maybe", "GET", "/v1.0/users?$count=maybe", std::nullopt, 400, "", ""});
  v.push_back({"$count without ConsistencyLevel", "GET", "/v1.0/users?$count=true", std::nullopt,
               400, "Request_BadRequest", "ConsistencyLevel"});
  v.push_back({"license count without ConsistencyLevel", "GET",
               "/v1.0/users?$filter=assignedLicenses/$count eq 0", std::nullopt, 400,
               "Request_UnsupportedQuery", "ConsistencyLevel"});
  v.push_back(
      {"$select unknown", "GET", "/v1.0/users?$select=password", std::nullopt, 400, "", ""});
  v.push_back({"$expand", "GET", "/v1.0/users?$expand=manager", std::nullopt, 400, "", ""});
  v.push_back({"$skiptoken garbage", "GET", "/v1.0/users?$skiptoken=AAAA", std::nullopt, 400,
               "InvalidSkipToken", "$skiptoken"});
  v.push_back(
      {"audit $top=0", "GET", "/api/v1/auditLogs?$top=0", std::nullopt, 400, "InvalidTop", "$top"});
  v.push_back({"audit bad $skiptoken", "GET", "/api/v1/auditLogs?$skiptoken=zz", std::nullopt, 400,
               "InvalidSkipToken", "$skiptoken"});
  // Issue 13 #4: every paged commerce list refuses a bad $top or $skiptoken.
  for (std::string list : {"orders", "invoices", "subscriptions"}) {
    v.push_back({list + " $top=1001", "GET", "/api/v1/" + list + "?$top=1001", std::nullopt, 400,
                 "InvalidTop", "$top"});
    v.push_back({list + " $top=x", "GET", "/api/v1/" + list + "?$top=x", std::nullopt, 400,
                 "InvalidTop", "$top"});
    v.push_back({list + " bad $skiptoken", "GET", "/api/v1/" + list + "?$skiptoken=zz",
                 std::nullopt, 400, "InvalidSkipToken", "$skiptoken"});
  }
  // Issue 13 #1 #5 #9: passwords and the last Global Administrator ({me} is
  // the organization's only one).
  v.push_back({"self password through PATCH /me", "PATCH", "/v1.0/me",
               R"({"passwordProfile":{"password":"Another-Pass-77"}})", 400, "UseChangePassword",
               ""});
  v.push_back({"changePassword wrong current", "POST", "/v1.0/me/changePassword",
               R"({"currentPassword":"not-the-one-1","newPassword":"Fresh-Pass-123"})", 400,
               "InvalidCurrentPassword", ""});
  v.push_back({"changePassword new missing", "POST", "/v1.0/me/changePassword",
               R"({"currentPassword":"not-the-one-1"})", 400, "MissingField", "newPassword"});
  v.push_back({"reset to a common password", "PATCH", "/v1.0/users/{user}",
               R"({"passwordProfile":{"password":"password"}})", 400, "PasswordTooCommon", ""});
  v.push_back({"reset to a short password", "PATCH", "/v1.0/users/{user}",
               R"({"passwordProfile":{"password":"Ab1-"}})", 400, "InvalidPassword", ""});
  v.push_back({"disable the last Global Administrator", "PATCH", "/v1.0/users/{me}",
               R"({"accountEnabled":false})", 409, "LastGlobalAdministrator", ""});
  v.push_back(
      {"delete oneself", "DELETE", "/v1.0/users/{me}", std::nullopt, 400, "CannotDeleteSelf", ""});
  // Signup and sign-in bodies.
  v.push_back({"signup admin missing", "POST", "/api/v1/signup",
               R"({"organizationName":"O","domainPrefix":"o-o","countryCode":"US"})", 400,
               "MissingField", "admin"});
  v.push_back(
      {"signup admin password a number", "POST", "/api/v1/signup",
       R"({"organizationName":"O","domainPrefix":"oo","countryCode":"US","admin":{"displayName":"A","password":12345678}})",
       400, "InvalidType", "admin.password"});
  v.push_back(
      {"signup unknown field", "POST", "/api/v1/signup",
       R"({"organizationName":"O","domainPrefix":"oo","countryCode":"US","admin":{"displayName":"A","password":"Pass-word-1"},"invoiceEligible":true})",
       400, "UnknownField", "invoiceEligible"});
  v.push_back(
      {"signup bad prefix", "POST", "/api/v1/signup",
       R"({"organizationName":"O","domainPrefix":"-bad-","countryCode":"US","admin":{"displayName":"A","password":"Pass-word-1"}})",
       400, "InvalidDomainPrefix", ""});
  v.push_back(
      {"signup unsupported country", "POST", "/api/v1/signup",
       R"({"organizationName":"O","domainPrefix":"okok","countryCode":"DE","admin":{"displayName":"A","password":"Pass-word-1"}})",
       400, "UnsupportedCountry", ""});
  v.push_back({"token password missing", "POST", "/api/v1/auth/token",
               R"({"userPrincipalName":"a@b.test"})", 400, "MissingField", "password"});
  v.push_back({"token upn a number", "POST", "/api/v1/auth/token",
               R"({"userPrincipalName":1,"password":"x"})", 400, "InvalidType",
               "userPrincipalName"});
  v.push_back({"session unknown field", "POST", "/api/v1/auth/session",
               R"({"userPrincipalName":"a@b.test","password":"x","remember":true})", 400,
               "UnknownField", "remember"});
  // Single sign-on (issue 17): each a clear 4xx, nothing configured.
  v.push_back({"sso issuer missing", "PUT", "/api/v1/organization/sso",
               R"({"clientId":"c","clientSecret":"s"})", 400, "MissingField", "issuer"});
  v.push_back({"sso issuer not https", "PUT", "/api/v1/organization/sso",
               R"({"issuer":"http://idp.test","clientId":"c","clientSecret":"s"})", 400,
               "InvalidIssuer", "issuer"});
  v.push_back({"sso issuer not a URL", "PUT", "/api/v1/organization/sso",
               R"({"issuer":"idp","clientId":"c","clientSecret":"s"})", 400, "InvalidIssuer",
               "issuer"});
  v.push_back(
      {"sso enforced a string", "PUT", "/api/v1/organization/sso",
       R"({"issuer":"https://idp.test","clientId":"c","clientSecret":"s","enforced":"yes"})", 400,
       "InvalidType", "enforced"});
  v.push_back({"sso unknown field", "PUT", "/api/v1/organization/sso",
               R"({"issuer":"https://idp.test","clientId":"c","clientSecret":"s","x":1})", 400,
               "UnknownField", "x"});
  v.push_back(
      {"sso break-glass not a guid", "PUT", "/api/v1/organization/sso",
       R"({"issuer":"https://idp.test","clientId":"c","clientSecret":"s","breakGlassUserId":"x"})",
       400, "", "breakGlassUserId"});
  v.push_back({"sso secret empty", "PUT", "/api/v1/organization/sso",
               R"({"issuer":"https://idp.test","clientId":"c","clientSecret":""})", 400,
               "InvalidClientSecret", "clientSecret"});
  v.push_back({"oidc start upn missing", "POST", "/api/v1/auth/oidc/start", "{}", 400,
               "MissingField", "userPrincipalName"});
  v.push_back({"oidc start upn a number", "POST", "/api/v1/auth/oidc/start",
               R"({"userPrincipalName":5})", 400, "InvalidType", "userPrincipalName"});
  // Groups (issue 16): each a clear 4xx, nothing written ({group} is
  // "Existing", with {user} as its member).
  const std::string kNewGroup = R"("mailNickname":"n","mailEnabled":false,"securityEnabled":true)";
  const std::string kUnknown = "00000000-0000-7000-8000-00000000abcd";
  v.push_back({"group name taken", "POST", "/v1.0/groups",
               R"({"displayName":"existing",)" + kNewGroup + "}", 400, "", ""});
  v.push_back({"group name of 257", "POST", "/v1.0/groups",
               R"({"displayName":")" + std::string(257, 'g') + R"(",)" + kNewGroup + "}", 400, "",
               ""});
  v.push_back({"group name empty", "POST", "/v1.0/groups",
               R"({"displayName":"",)" + kNewGroup + "}", 400, "", ""});
  v.push_back(
      {"group mailEnabled", "POST", "/v1.0/groups",
       R"({"displayName":"M","mailNickname":"m","mailEnabled":true,"securityEnabled":true})", 400,
       "", ""});
  v.push_back({"group unified", "POST", "/v1.0/groups",
               R"({"displayName":"U","groupTypes":["Unified"],)" + kNewGroup + "}", 400, "", ""});
  v.push_back({"group unknown field", "POST", "/v1.0/groups",
               R"({"displayName":"F","visibility":"Public",)" + kNewGroup + "}", 400, "", ""});
  v.push_back({"group bind of a users URL", "POST", "/v1.0/groups",
               R"({"displayName":"B","members@odata.bind":["http://x/v1.0/users/{user}"],)" +
                   kNewGroup + "}",
               400, "", ""});
  v.push_back({"group bind of an unknown user", "POST", "/v1.0/groups",
               R"({"displayName":"B","members@odata.bind":["http://x/v1.0/directoryObjects/)" +
                   kUnknown + R"("],)" + kNewGroup + "}",
               404, "", ""});
  std::string binds;
  for (int i = 0; i < 21; ++i)
    binds += std::string(i ? "," : "") + R"("http://x/v1.0/directoryObjects/{user}")";
  v.push_back({"21 binds", "PATCH", "/v1.0/groups/{group}",
               R"({"members@odata.bind":[)" + binds + "]}", 400, "", ""});
  v.push_back({"a member again", "POST", "/v1.0/groups/{group}/members/$ref",
               R"({"@odata.id":"http://x/v1.0/directoryObjects/{user}"})", 400, "", ""});
  v.push_back({"member ref not a directoryObjects URL", "POST", "/v1.0/groups/{group}/members/$ref",
               R"({"@odata.id":"{user}"})", 400, "", ""});
  v.push_back(
      {"member ref missing", "POST", "/v1.0/groups/{group}/members/$ref", "{}", 400, "", ""});
  v.push_back({"unknown group", "GET", "/v1.0/groups/" + kUnknown, std::nullopt, 404, "", ""});
  v.push_back({"group id not a GUID", "GET", "/v1.0/groups/nope", std::nullopt, 400, "", ""});
  v.push_back({"delete a member that is none", "DELETE",
               "/v1.0/groups/{group}/members/" + kUnknown + "/$ref", std::nullopt, 404, "", ""});
  v.push_back({"group license of an unknown SKU", "POST", "/v1.0/groups/{group}/assignLicense",
               R"({"addLicenses":[{"skuId":")" + kUnknown + R"("}],"removeLicenses":[]})", 400, "",
               ""});
  v.push_back({"group license with an unknown plan", "POST", "/v1.0/groups/{group}/assignLicense",
               R"({"addLicenses":[{"skuId":"{sku}","disabledPlans":[")" + kUnknown +
                   R"("]}],"removeLicenses":[]})",
               400, "", ""});
  v.push_back({"group license removal of one it does not give", "POST",
               "/v1.0/groups/{group}/assignLicense",
               R"({"addLicenses":[],"removeLicenses":["{sku}"]})", 400, "", ""});
  v.push_back({"group license on an unknown group", "POST",
               "/v1.0/groups/" + kUnknown + "/assignLicense",
               R"({"addLicenses":[{"skuId":"{sku}"}],"removeLicenses":[]})", 404, "", ""});
  v.push_back({"groups $filter on mail", "GET", "/v1.0/groups?$filter=mail eq 'x'", std::nullopt,
               400, "", ""});
  v.push_back({"groups $top=0", "GET", "/v1.0/groups?$top=0", std::nullopt, 400, "", ""});
  v.push_back(
      {"groups bad $skiptoken", "GET", "/v1.0/groups?$skiptoken=zz", std::nullopt, 400, "", ""});
  v.push_back(
      {"groups $select unknown", "GET", "/v1.0/groups?$select=owners", std::nullopt, 400, "", ""});
  return v;
}

TEST(ApiMalformed, EveryMalformedRequestIsA4xxAndChangesNothing) {
  lt::ServerProcess srv;
  auto org = srv.SignUp("malformed");
  auto c = srv.NewClient(org.token);
  std::string sku = lt::SkuIdOf(c, "BUSINESS_BASIC");
  std::string card = lt::AddCard(c);
  auto order = lt::Buy(c, sku, 3, card);
  std::map<std::string, std::string> vars{
      {"{sku}", sku},
      {"{card}", card},
      {"{cart}", lt::CreateCart(c, sku, 1)},
      {"{sub}", order["lineItems"][0]["subscriptionId"]},
      {"{order}", order["id"]},
      {"{user}", lt::CreateUser(c, org.domain, "victim")},
      {"{tenant}", org.tenantId},
      {"{domain}", org.domain},
      {"{me}", c.Get("/v1.0/me").json["id"]},
      {"{invoice}", c.Get("/api/v1/invoices").json["value"][0]["id"]},
  };
  {
    const int64_t items = lt::TableCounts(srv.dbPath())["work_items"];
    auto g = c.Post("/v1.0/groups",
                    {{"displayName", "Existing"},
                     {"mailNickname", "existing"},
                     {"mailEnabled", false},
                     {"securityEnabled", true},
                     {"members@odata.bind", {"http://x/v1.0/directoryObjects/" + vars["{user}"]}}});
    ASSERT_EQ(g.status, 201) << g;
    vars["{group}"] = g.json["id"];
    // The member's licensing item runs in the background: let it finish
    // before the counts are taken.
    for (int i = 0; i < 100 && lt::TableCounts(srv.dbPath())["work_items"] > items; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto cases = Cases();
  ASSERT_GE(cases.size(), 100u);

  auto before = lt::TableCounts(srv.dbPath());
  auto audit_before = c.Get("/api/v1/auditLogs?$top=1").json["value"];
  for (const auto& cs : cases) {
    std::string path = Replace(cs.path, vars);
    std::optional<std::string> body;
    if (cs.body) body = Replace(*cs.body, vars);
    auto r = c.Send(cs.method, path, body, cs.headers);
    std::string what = cs.name + " (" + cs.method + " " + path + "): " + r.body.substr(0, 400);
    EXPECT_EQ(r.status, cs.status) << what;
    if (!cs.code.empty()) {
      EXPECT_EQ(AppCode(r), cs.code) << what;
    }
    if (!cs.target.empty()) {
      EXPECT_EQ(AppTarget(r), cs.target) << what;
    }
    EXPECT_FALSE(r.Header("request-id").empty()) << what;
    ASSERT_TRUE(r.json.is_object() && r.json.contains("error")) << what;
    if (path.rfind("/v1.0", 0) == 0) {
      EXPECT_TRUE(r.json["error"].contains("innerError")) << what;
      if (r.status == 400) {
        std::string code = r.json["error"]["code"];
        EXPECT_TRUE(code == "Request_BadRequest" || code == "Request_UnsupportedQuery") << what;
      }
    } else {
      EXPECT_TRUE(r.json["error"].contains("target") && r.json["error"].contains("details"))
          << what;
    }
  }
  // R14: no partial writes.
  EXPECT_EQ(lt::TableCounts(srv.dbPath()), before);
  EXPECT_EQ(c.Get("/api/v1/auditLogs?$top=1").json["value"], audit_before);
  // And the server is still well.
  EXPECT_EQ(c.Get("/readyz").status, 200);
}

// Issue 13 finding 11: a checkout with autoAssign by a role that may not
// assign licenses (Billing Administrator) is 403 AutoAssignNotAllowed, in the
// error envelope, and changes nothing (nothing is ordered or charged).
TEST(ApiMalformed, AutoAssignCheckoutWithoutLicenseRoleIs403AndChangesNothing) {
  lt::ServerProcess srv;
  auto org = srv.SignUp("malformedaa");
  auto admin = srv.NewClient(org.token);
  std::string sku = lt::SkuIdOf(admin, "BUSINESS_BASIC");
  std::string id = lt::CreateUser(admin, org.domain, "billing", "US", "Billing-Pass-123");
  ASSERT_EQ(
      admin.Put("/api/v1/users/" + id + "/roles", {{"roles", {"Billing Administrator"}}}).status,
      200);
  auto c = srv.NewClient(srv.Token("billing@" + org.domain, "Billing-Pass-123"));
  std::string card = lt::AddCard(c);
  auto cart = c.Post("/api/v1/carts", Json::parse(R"({"lineItems":[{"skuId":")" + sku +
                                                  R"(","quantity":2,"billingCycle":"monthly",)"
                                                  R"("autoAssign":true}]})"));
  ASSERT_EQ(cart.status, 201) << cart;
  auto before = lt::TableCounts(srv.dbPath());
  auto r = c.Post("/api/v1/carts/" + std::string(cart.json["id"]) + "/checkout",
                  {{"paymentMethodId", card}});
  EXPECT_EQ(r.status, 403) << r;
  EXPECT_EQ(AppCode(r), "AutoAssignNotAllowed") << r;
  EXPECT_EQ(AppTarget(r), "lineItems[0].autoAssign") << r;
  EXPECT_NE(r.json["error"]["message"].get<std::string>().find("autoAssign"), std::string::npos);
  EXPECT_EQ(lt::TableCounts(srv.dbPath()), before);
  EXPECT_EQ(c.Get("/api/v1/orders").json["value"].size(), 0u);
}

}  // namespace
