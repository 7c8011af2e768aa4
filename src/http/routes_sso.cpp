// Single sign-on (issue 17): the organization's OpenID Connect configuration
// and the sign-in's two steps (app/sso.h).
#include "app/sso.h"
#include "http/render.h"
#include "http/routes.h"

namespace ld::http {
namespace {

constexpr const char* kCallbackPath = "/api/v1/auth/oidc/callback";

std::string RedirectUri(const Call& c) {
  return c.req.BaseUrl() + kCallbackPath;
}

Json SsoJson(const app::SsoView& v) {
  return {
      {"issuer", v.issuer},
      {"clientId", v.clientId},
      {"enforced", v.enforced},
      {"breakGlassUserId", v.breakGlassUserId ? Json(v.breakGlassUserId->str()) : Json(nullptr)},
      {"redirectUri", v.redirectUri},
      {"updatedDateTime", FormatRfc3339(v.updatedAt)}};
}

Result<Reply> PutSsoH(Call& c) {
  LD_ASSIGN_OR_RETURN(Fields f, Fields::Of(c.body));
  LD_TRY(f.OnlyKnown({"issuer", "clientId", "clientSecret", "enforced", "breakGlassUserId"}));
  app::SsoSettings s;
  LD_ASSIGN_OR_RETURN(s.issuer, f.String("issuer"));
  LD_ASSIGN_OR_RETURN(s.clientId, f.String("clientId"));
  LD_ASSIGN_OR_RETURN(s.clientSecret, f.String("clientSecret"));
  LD_ASSIGN_OR_RETURN(auto enforced, f.OptBool("enforced"));
  s.enforced = enforced.value_or(false);
  if (f.Has("breakGlassUserId") && !f.IsNull("breakGlassUserId")) {
    LD_ASSIGN_OR_RETURN(s.breakGlassUserId, f.GuidField("breakGlassUserId"));
  }
  LD_ASSIGN_OR_RETURN(app::SsoView v, app::PutSso(c.ctx, c.actor(), s, RedirectUri(c)));
  return Reply::Ok(SsoJson(v));
}

Result<Reply> GetSsoH(Call& c) {
  LD_ASSIGN_OR_RETURN(app::SsoView v, app::GetSso(c.ctx, c.actor(), RedirectUri(c)));
  return Reply::Ok(SsoJson(v));
}

Result<Reply> DeleteSsoH(Call& c) {
  LD_TRY(app::DeleteSso(c.ctx, c.actor()));
  return Reply::NoContent();
}

Result<Reply> StartH(Call& c) {
  LD_ASSIGN_OR_RETURN(Fields f, Fields::Of(c.body));
  LD_TRY(f.OnlyKnown({"userPrincipalName"}));
  LD_ASSIGN_OR_RETURN(std::string upn, f.String("userPrincipalName"));
  LD_ASSIGN_OR_RETURN(auto url, app::StartSso(c.ctx, upn, RedirectUri(c)));
  if (!url) return Reply::Ok({{"sso", false}});
  return Reply::Ok({{"sso", true}, {"redirect", *url}});
}

// A failed callback: a browser (Accept: text/html) goes back to the sign-in
// page, which says so; anything else gets the 401 error envelope. No cookie
// either way.
Result<Reply> BrowserFailure(const Call& c, Error e) {
  if (c.req.Header("accept").value_or("").find("text/html") == std::string::npos) return e;
  Reply r;
  r.status = 302;
  r.raw = std::string();
  r.headers.emplace_back("Location", c.req.BaseUrl() + "/signin?ssoError=" + e.code);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

// The provider sends the browser here. On success the session cookie is set
// and a small page moves the browser on to the admin center: a navigation
// started by this site, so the SameSite=Strict cookie goes with it (a 302
// would continue the provider's cross-site redirect chain).
Result<Reply> CallbackH(Call& c) {
  auto error = c.req.Param("error");
  if (error) {
    // The provider refused (the user cancelled): the state is spent all the same.
    (void)app::FinishSso(c.ctx, "", c.req.Param("state").value_or(""), RedirectUri(c));
    return BrowserFailure(c, Error{ErrorKind::kUnauthorized,
                                   "SsoFailed",
                                   "Single sign-on failed: the identity provider answered '" +
                                       error->substr(0, 64) + "'.",
                                   {},
                                   nullptr});
  }
  auto done = app::FinishSso(c.ctx, c.req.Param("code").value_or(""),
                             c.req.Param("state").value_or(""), RedirectUri(c));
  if (!done.ok()) return BrowserFailure(c, done.error());
  const app::IssuedToken& t = *done;
  Reply r;
  r.status = 200;
  r.contentType = "text/html; charset=utf-8";
  const std::string home = c.req.BaseUrl() + "/";  // no quotes or '<' (NormalizePublicUrl)
  r.raw = "<!doctype html><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"0;url=" +
          home + "\"><title>licensedesk</title><a href=\"" + home +
          "\">Continue to the admin center</a>";
  r.headers.emplace_back("Set-Cookie", SessionCookie(c, t.secret, t.expiresInSeconds));
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

}  // namespace

std::vector<RouteInfo> SsoRoutes() {
  return {
      {.method = "GET",
       .path = "/api/v1/organization/sso",
       .access = Access::kPermission,
       .permission = Permission::kManageRoles,
       .summary = "The organization's single sign-on (OpenID Connect) configuration, without "
                  "the client secret (Global Administrator).",
       .response = {200, "SsoConfig"},
       .handler = GetSsoH},
      {.method = "PUT",
       .path = "/api/v1/organization/sso",
       .access = Access::kPermission,
       .permission = Permission::kManageRoles,
       .body = BodyRule::kRequired,
       .summary = "Configure single sign-on (Global Administrator). The server reads the "
                  "issuer's discovery document and JWKS and refuses a configuration it cannot "
                  "read; register redirectUri at the provider.",
       .requestSchema = "SsoConfigRequest",
       .response = {200, "SsoConfig"},
       .handler = PutSsoH},
      {.method = "DELETE",
       .path = "/api/v1/organization/sso",
       .access = Access::kPermission,
       .permission = Permission::kManageRoles,
       .summary = "Turn single sign-on off (Global Administrator).",
       .response = {204, ""},
       .handler = DeleteSsoH},
      {.method = "POST",
       .path = "/api/v1/auth/oidc/start",
       .access = Access::kPublic,
       .body = BodyRule::kRequired,
       .summary = "Start a sign-in: the identity provider's URL when the user principal name's "
                  "domain signs in with single sign-on, else {sso: false}.",
       .requestSchema = "SsoStartRequest",
       .response = {200, "SsoStart"},
       .handler = StartH},
      {.method = "GET",
       .path = kCallbackPath,
       .access = Access::kPublic,
       .summary = "Where the identity provider sends the browser back (code and state): sets "
                  "the session cookie and moves on to the admin center.",
       .response = {200, "binary:text/html"},
       .queryParams = {"code", "state", "error"},
       .handler = CallbackH},
  };
}

}  // namespace ld::http
