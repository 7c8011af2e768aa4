// Operations (health, readiness, metrics, OpenAPI, public config) and
// authentication (signup, tokens, browser sessions, logout).
#include "app/auth.h"
#include "app/directory.h"
#include "app/lifecycle.h"
#include "app/signup.h"
#include "app/work.h"
#include "http/metrics.h"
#include "http/openapi.h"
#include "http/render.h"
#include "http/routes.h"

namespace ld::http {
namespace {

constexpr const char* kSessionCookie = "ld_session";

Result<Reply> Healthz(Call&) {
  return Reply::Ok({{"status", "ok"}});
}

Result<Reply> Readyz(Call& c) {
  if (!c.ctx.store.Ready())
    return Error::Unavailable("The database is not reachable or not migrated.");
  return Reply::Ok({{"status", "ready"}, {"backend", c.ctx.store.Backend()}});
}

Result<Reply> MetricsH(Call& c) {
  Reply r;
  std::string text = c.metrics.Render();
  if (auto st = c.ctx.store.BatchStats()) {
    text +=
        "# HELP ld_store_commits_total Write transactions committed (group commit).\n"
        "# TYPE ld_store_commits_total counter\n"
        "ld_store_commits_total " +
        std::to_string(st->commits) +
        "\n# HELP ld_store_writes_total Writes those transactions carried.\n"
        "# TYPE ld_store_writes_total counter\n"
        "ld_store_writes_total " +
        std::to_string(st->writes) + "\n";
  }
  // Durable background work, per kind, across the deployment's servers.
  if (auto work = app::WorkStatus(c.ctx); work.ok()) {
    const Instant now = c.ctx.Now();
    auto family = [&](const char* name, const char* help, auto value) {
      text += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n";
      for (const auto& k : *work)
        text += std::string(name) + "{kind=\"" + k.kind + "\"} " + value(k) + "\n";
    };
    family("ld_work_queued", "Work items waiting or running.",
           [](const app::WorkKindStats& k) { return std::to_string(k.queued); });
    family("ld_work_running", "Work items under a live lease.",
           [](const app::WorkKindStats& k) { return std::to_string(k.running); });
    family("ld_work_failed", "Work items given up after their last attempt.",
           [](const app::WorkKindStats& k) { return std::to_string(k.failed); });
    family("ld_work_oldest_due_age_seconds",
           "How long the oldest due item not running has waited (billing time).",
           [&](const app::WorkKindStats& k) {
             int64_t age = k.oldestDue && *k.oldestDue < now ? now - *k.oldestDue : 0;
             return std::to_string(age / 1000.0);
           });
  }
  r.raw = std::move(text);
  r.contentType = "text/plain; version=0.0.4; charset=utf-8";
  return r;
}

Result<Reply> OpenApiH(Call&) {
  Reply r;
  r.raw = OpenApiText();
  return r;
}

Result<Reply> ConfigH(Call& c) {
  const app::Config& cfg = c.ctx.config;
  Json markets = Json::array();
  for (const Market* m : c.ctx.catalog.MarketsFor(cfg.cloud))
    markets.push_back({{"country", m->country}, {"currency", m->currency}});
  return Reply::Ok({{"cloud", ToString(cfg.cloud)},
                    {"defaultLocale", DefaultLocale(cfg.cloud)},
                    {"locales", {"en-US", "zh-TW", "de-DE", "zh-CN"}},
                    {"signupEnabled", cfg.signupEnabled},
                    {"testClock", cfg.testClock},
                    {"deploymentDomain", cfg.deploymentDomain},
                    {"catalogVersion", c.ctx.catalog.version()},
                    {"markets", markets}});
}

Result<Reply> SignupH(Call& c) {
  LD_ASSIGN_OR_RETURN(Fields f, Fields::Of(c.body));
  LD_TRY(f.OnlyKnown(
      {"organizationName", "domainPrefix", "countryCode", "admin", "preferredLanguage"}));
  app::SignupRequest req;
  LD_ASSIGN_OR_RETURN(req.organizationName, f.String("organizationName"));
  LD_ASSIGN_OR_RETURN(req.domainPrefix, f.String("domainPrefix"));
  LD_ASSIGN_OR_RETURN(req.countryCode, f.String("countryCode"));
  LD_ASSIGN_OR_RETURN(Fields admin, f.Object("admin"));
  LD_TRY(admin.OnlyKnown({"displayName", "password"}));
  LD_ASSIGN_OR_RETURN(req.adminDisplayName, admin.String("displayName"));
  LD_ASSIGN_OR_RETURN(req.adminPassword, admin.String("password"));
  LD_ASSIGN_OR_RETURN(req.preferredLanguage, f.OptString("preferredLanguage"));
  req.remoteAddress = c.req.remoteAddr;  // throttled per address and overall
  LD_ASSIGN_OR_RETURN(app::SignupResult r, app::Signup(c.ctx, req));
  return Reply::Ok({{"tenantId", r.tenantId.str()},
                    {"domain", r.domain},
                    {"adminUserPrincipalName", r.adminUserPrincipalName},
                    {"adminId", r.adminId.str()}},
                   201);
}

struct Credentials {
  std::string upn, password;
};
Result<Credentials> ReadCredentials(const Json& body) {
  LD_ASSIGN_OR_RETURN(Fields f, Fields::Of(body));
  LD_TRY(f.OnlyKnown({"userPrincipalName", "password"}));
  Credentials out;
  LD_ASSIGN_OR_RETURN(out.upn, f.String("userPrincipalName"));
  LD_ASSIGN_OR_RETURN(out.password, f.String("password"));
  return out;
}

Result<Reply> TokenH(Call& c) {
  LD_ASSIGN_OR_RETURN(Credentials cr, ReadCredentials(c.body));
  LD_ASSIGN_OR_RETURN(app::IssuedToken t,
                      app::SignIn(c.ctx, cr.upn, cr.password, c.req.remoteAddr, "bearer"));
  return Reply::Ok(
      {{"accessToken", t.secret}, {"tokenType", "Bearer"}, {"expiresIn", t.expiresInSeconds}});
}

// {"csrfToken","user":{...},"organization":{...}}
Result<Json> SessionBody(Call& c, const app::Actor& actor, const std::string& csrf) {
  LD_ASSIGN_OR_RETURN(app::UserWithLicenses me, app::GetUser(c.ctx, actor, actor.userId.str()));
  LD_ASSIGN_OR_RETURN(app::OrganizationView org, app::GetOrganization(c.ctx, actor));
  const User& u = me.user;
  return Json{
      {"csrfToken", csrf.empty() ? Json(nullptr) : Json(csrf)},
      {"user",
       {{"id", u.id.str()},
        {"userPrincipalName", u.userPrincipalName},
        {"displayName", u.displayName},
        {"preferredLanguage", u.preferredLanguage ? Json(*u.preferredLanguage) : Json(nullptr)},
        {"roles", RolesJson(actor.roles)}}},
      {"organization",
       {{"id", org.tenant.id.str()},
        {"displayName", org.tenant.displayName},
        {"countryLetterCode", org.tenant.country},
        {"currency", org.currency},
        {"invoiceEligible", org.tenant.invoiceEligible}}}};
}

std::string CookieAttributes(const Call& c) {
  return std::string("; HttpOnly; SameSite=Strict; Path=/") + (c.req.tls ? "; Secure" : "");
}

Result<Reply> CreateSessionH(Call& c) {
  LD_ASSIGN_OR_RETURN(Credentials cr, ReadCredentials(c.body));
  LD_ASSIGN_OR_RETURN(app::IssuedToken t,
                      app::SignIn(c.ctx, cr.upn, cr.password, c.req.remoteAddr, "session"));
  LD_ASSIGN_OR_RETURN(Json body, SessionBody(c, t.actor, t.csrfToken));
  Reply r = Reply::Ok(std::move(body));
  r.headers.emplace_back("Set-Cookie", SessionCookie(c, t.secret, t.expiresInSeconds));
  return r;
}

Result<Reply> GetSessionH(Call& c) {
  std::string csrf;
  if (c.viaCookie) {
    LD_ASSIGN_OR_RETURN(csrf, app::RotateCsrf(c.ctx, c.credential));
  }
  LD_ASSIGN_OR_RETURN(Json body, SessionBody(c, c.actor(), csrf));
  return Reply::Ok(std::move(body));
}

Result<Reply> LogoutH(Call& c) {
  LD_TRY(app::SignOut(c.ctx, c.credential));
  Reply r = Reply::NoContent();
  if (c.viaCookie)
    r.headers.emplace_back("Set-Cookie",
                           std::string(kSessionCookie) + "=; Max-Age=0" + CookieAttributes(c));
  return r;
}

Result<Reply> GetTestClockH(Call& c) {
  return Reply::Ok({{"now", FormatRfc3339(c.ctx.Now())}});
}

// Moves the test clock forward — to an instant (`{"to": RFC 3339}`, as the
// issue specifies) or by `days`/`hours`/`minutes` — then runs every lifecycle
// step now due (renewals, expiry, disable, delete) and answers with those of
// every organization (the operator's view).
Result<Reply> AdvanceTestClockH(Call& c) {
  LD_ASSIGN_OR_RETURN(Fields f, Fields::Of(c.body));
  LD_TRY(f.OnlyKnown({"to", "days", "hours", "minutes"}));
  LD_ASSIGN_OR_RETURN(auto to_text, f.OptString("to"));
  LD_ASSIGN_OR_RETURN(auto days, f.OptInt("days", 0, 3660));
  LD_ASSIGN_OR_RETURN(auto hours, f.OptInt("hours", 0, 24 * 3660));
  LD_ASSIGN_OR_RETURN(auto minutes, f.OptInt("minutes", 0, 60 * 24 * 3660));
  Instant target = c.ctx.Now();
  if (to_text) {
    if (days || hours || minutes)
      return Error::Invalid("InvalidRequest", "Give either to or days/hours/minutes.", "to");
    auto parsed = ParseRfc3339(*to_text);
    if (!parsed)
      return Error::Invalid("InvalidDateTime", "to must be an RFC 3339 date and time.", "to");
    target = *parsed;
  } else {
    if (!days && !hours && !minutes)
      return Error::Invalid("EmptyChange", "Give to, or days, hours or minutes to advance by.",
                            "to");
    target +=
        days.value_or(0) * kMsPerDay + hours.value_or(0) * 3'600'000 + minutes.value_or(0) * 60'000;
  }
  LD_ASSIGN_OR_RETURN(auto events,
                      app::AdvanceTestClock(c.ctx, *c.testClock, c.credential, target));
  Json out = Json::array();
  for (const auto& e : events) {
    Json j{{"at", FormatRfc3339(e.at)},
           {"tenantId", e.tenantId.str()},
           {"subscriptionId", e.subscriptionId.str()},
           {"type", e.type},
           {"status", e.status}};
    if (!e.currency.empty()) j["amount"] = MoneyJson(e.amount, e.currency);
    if (e.userId) j["userId"] = e.userId->str();
    if (e.invoiceId) j["invoiceId"] = e.invoiceId->str();
    out.push_back(std::move(j));
  }
  return Reply::Ok({{"now", FormatRfc3339(c.ctx.Now())}, {"events", out}});
}

}  // namespace

std::string SessionCookie(const Call& c, const std::string& secret, int64_t max_age_seconds) {
  return std::string(kSessionCookie) + "=" + secret +
         "; Max-Age=" + std::to_string(max_age_seconds) + CookieAttributes(c);
}

std::vector<RouteInfo> OpsRoutes() {
  return {
      {.method = "GET",
       .path = "/healthz",
       .access = Access::kPublic,
       .summary = "Liveness: the process answers.",
       .response = {200, "Health"},
       .handler = Healthz},
      {.method = "GET",
       .path = "/readyz",
       .access = Access::kPublic,
       .summary = "Readiness: the database answers and its schema is current.",
       .response = {200, "Health"},
       .handler = Readyz},
      {.method = "GET",
       .path = "/metrics",
       .access = Access::kPublic,
       .summary = "Prometheus metrics (text format).",
       .response = {200, "binary:text/plain"},
       .handler = MetricsH},
      {.method = "GET",
       .path = "/openapi.json",
       .access = Access::kPublic,
       .summary = "This API as OpenAPI 3.1.",
       .response = {200, "binary:application/json"},
       .handler = OpenApiH},
      {.method = "GET",
       .path = "/api/v1/config",
       .access = Access::kPublic,
       .summary = "The deployment's public configuration (cloud, locales, markets).",
       .response = {200, "Config"},
       .handler = ConfigH},
      {.method = "GET",
       .path = "/api/v1/testClock",
       .access = Access::kOperator,
       .testClockOnly = true,
       .summary = "The test clock's time (the operator's token; servers started with "
                  "--test-clock, else 404).",
       .response = {200, "TestClock"},
       .handler = GetTestClockH},
      {.method = "POST",
       .path = "/api/v1/testClock/advance",
       .access = Access::kOperator,
       .body = BodyRule::kRequired,
       .testClockOnly = true,
       .summary = "Move the billing clock forward and run the lifecycle steps now due, for "
                  "every organization (the operator's token; servers started with "
                  "--test-clock, else 404). Token and session expiry follow the real clock.",
       .requestSchema = "TestClockAdvance",
       .response = {200, "TestClock"},
       .handler = AdvanceTestClockH},
  };
}

std::vector<RouteInfo> AuthRoutes() {
  return {
      {.method = "POST",
       .path = "/api/v1/signup",
       .access = Access::kPublic,
       .body = BodyRule::kRequired,
       .summary = "Create an organization and its first Global Administrator.",
       .requestSchema = "SignupRequest",
       .response = {201, "SignupResponse"},
       .handler = SignupH},
      {.method = "POST",
       .path = "/api/v1/auth/token",
       .access = Access::kPublic,
       .body = BodyRule::kRequired,
       .summary = "Sign in for a bearer token (scripts).",
       .requestSchema = "Credentials",
       .response = {200, "TokenResponse"},
       .handler = TokenH},
      {.method = "POST",
       .path = "/api/v1/auth/session",
       .access = Access::kPublic,
       .body = BodyRule::kRequired,
       .summary = "Sign in for a browser session (HttpOnly cookie ld_session and a CSRF token).",
       .requestSchema = "Credentials",
       .response = {200, "Session"},
       .handler = CreateSessionH},
      {.method = "GET",
       .path = "/api/v1/auth/session",
       .access = Access::kSignedIn,
       .summary = "The current session, with a fresh CSRF token.",
       .response = {200, "Session"},
       .handler = GetSessionH},
      {.method = "POST",
       .path = "/api/v1/auth/logout",
       .access = Access::kSignedIn,
       .body = BodyRule::kOptional,
       .summary = "Revoke the bearer token or the session.",
       .response = {204, ""},
       .handler = LogoutH},
  };
}

}  // namespace ld::http
