// The route table: one declarative list of every API route with its method,
// path, access rule, body, idempotency support, error family and handler.
// The server (http/server.cpp) applies authentication, CSRF, the permission
// check, body parsing, Idempotency-Key validation, error mapping, the access
// log and metrics to every route the same way, from this table; the OpenAPI
// document (http/openapi.cpp) is generated from it; tests walk it.
//
// Handlers never see the HTTP library: they get a Call (the parsed request,
// the caller and the context) and return Result<Reply>.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/auth.h"
#include "app/commerce.h"
#include "app/context.h"
#include "app/licensing.h"
#include "domain/roles.h"
#include "http/errors.h"
#include "http/json_io.h"
#include "http/request.h"

namespace ld::http {

class Metrics;

// Who may call a route. The use case still applies its own rules (R12, R13):
// this is the first, uniform gate.
enum class Access {
  kPublic,      // no credentials needed
  kSignedIn,    // any signed-in user; the use case applies the "self" rule
  kPermission,  // the caller's roles must allow `permission` (else 403)
  kOperator,    // the deployment operator's token (serve --operator-token); any
                // organization's token gets 403
};

enum class BodyRule {
  kNone,      // a body is ignored
  kRequired,  // a JSON object
  kOptional,  // empty, or a JSON object
};

// What a route answers when the request is well-formed (for OpenAPI).
struct ResponseSpec {
  int status = 200;
  std::string_view schema;  // component name, "" for none; "binary:<mime>" for non-JSON
};

// A response as the handlers produce it.
struct Reply {
  int status = 200;
  Json json;  // the body, unless `raw` is set
  std::optional<std::string> raw;
  std::string contentType = "application/json; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the server renders this error (status and envelope) and still
  // adds `headers` (e.g. Idempotent-Replayed on a replayed 402).
  std::optional<Error> error;

  static Reply Ok(Json j, int status = 200) {
    Reply r;
    r.status = status;
    r.json = std::move(j);
    return r;
  }
  static Reply NoContent() {
    Reply r;
    r.status = 204;
    r.raw = std::string();
    return r;
  }
};

// Renders an invoice PDF; injected by the composition root (cli), which links
// the pdf layer. Returns the PDF bytes.
struct InvoicePdfInput {
  Invoice invoice;
  Tenant buyer;
  std::string locale;
  TaxRateBp taxRateBp = 0;
  std::vector<std::string> lineNames;  // per invoice line, localized product name
  std::string sellerName, sellerAddress;
};
using InvoicePdfRenderer = std::function<std::string(const InvoicePdfInput&)>;

struct RouteInfo;

// Everything a handler needs for one request.
struct Call {
  app::Context& ctx;
  const HttpRequest& req;
  const RouteInfo& route;
  const std::vector<std::string>& pathParams;  // the {name} segments, in order
  Metrics& metrics;
  const InvoicePdfRenderer* pdf = nullptr;
  SettableClock* testClock = nullptr;  // set when the deployment runs on a test clock

  std::optional<app::Authenticated> auth;     // set on non-public routes
  std::string credential;                     // the bearer token or session secret used
  bool viaCookie = false;                     // authenticated by the session cookie
  Json body;                                  // parsed body (null when none)
  std::optional<app::IdempotencyInput> idem;  // money routes with an Idempotency-Key

  const app::Actor& actor() const { return auth->actor; }
  const std::string& Param(size_t i) const { return pathParams.at(i); }
};

using Handler = std::function<Result<Reply>(Call&)>;

struct RouteInfo {
  std::string method;  // GET POST PUT PATCH DELETE
  std::string path;    // template: /v1.0/users/{id}
  Access access = Access::kSignedIn;
  Permission permission = Permission::kReadDirectory;  // when access == kPermission
  BodyRule body = BodyRule::kNone;
  bool money = false;          // moves money: accepts Idempotency-Key (1..255 chars)
  bool testClockOnly = false;  // 404 for everyone unless the server runs on a test clock
  Family family = Family::kCommerce;
  std::string summary;
  std::string requestSchema;  // OpenAPI component of the body, "" for none
  ResponseSpec response;
  std::vector<std::string> queryParams;  // documented query parameters
  Handler handler;
  // `path` split at '/'; a "{name}" segment matches any non-empty segment.
  std::vector<std::string> segments;

  std::string Id() const { return method + " " + path; }
  // Whether `p` fits the template (the server matches every request against
  // the table); fills `params` with the {name} segments, in order.
  bool Matches(std::string_view p, std::vector<std::string>* params) const;
};

// The table, built once (thread-safe static init).
const std::vector<RouteInfo>& Routes();

// The handlers, grouped by area (routes_*.cpp); used only by Routes().
std::vector<RouteInfo> OpsRoutes();
std::vector<RouteInfo> AuthRoutes();
std::vector<RouteInfo> GraphRoutes();
std::vector<RouteInfo> GroupRoutes();  // routes_groups.cpp (issue 16)
std::vector<RouteInfo> CommerceRoutes();
std::vector<RouteInfo> SsoRoutes();  // routes_sso.cpp (issue 17)

// The Set-Cookie value of a new browser session (routes_ops.cpp): HttpOnly,
// SameSite=Strict, Secure over TLS.
std::string SessionCookie(const Call& c, const std::string& secret, int64_t max_age_seconds);

// Helpers shared by the handlers.
Result<Guid> PathGuid(const Call& c, size_t i, std::string_view name);
std::string ServerNowRfc3339(const app::Context& ctx);
std::string Base64UrlEncode(const std::string& bin);
std::optional<std::string> Base64UrlDecode(const std::string& text);
// Percent-encodes everything but RFC 3986 unreserved characters.
std::string PercentEncode(std::string_view s);

// Graph's user $select (routes_graph.cpp): the parsed properties (empty
// without $select), and the properties a page reads besides the users
// (licenseAssignmentStates, signInActivity), read for the whole page at once.
Result<std::vector<std::string>> ParseUserSelect(const Call& c);
Status FillSelectedExtras(Call& c, const std::vector<std::string>& select,
                          std::vector<app::UserWithLicenses>& users);

// The body of Graph's assignLicense, for a user or a group (routes_graph.cpp):
// {"addLicenses": [{"skuId", "disabledPlans"?}], "removeLicenses": [skuId]}.
struct LicenseChange {
  std::vector<app::LicenseAdd> add;
  std::vector<Guid> remove;
};
Result<LicenseChange> ReadLicenseChange(const Json& body);

}  // namespace ld::http
