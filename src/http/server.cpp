// HTTP and HTTPS go through one transport (http/transport.h: Boost.Beast and
// Boost.Asio, TLS by asio::ssl), which hands every request to the pipeline
// here (Handle), every refusal to Refuse and every response to Finish: the
// rest of http/ sees HttpRequest and Reply only.
#include "http/server.h"

#include "http/client_address.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "app/auth.h"
#include "http/access_log.h"
#include "http/errors.h"
#include "http/metrics.h"
#include "http/render.h"
#include "http/transport.h"

namespace ld::http {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// What the access log and metrics need to know about the request a worker
// thread is answering (one request at a time per thread).
struct RequestState {
  Clock::time_point start{};
  std::string requestId;
  std::string route;
  std::string tenantId;
};
thread_local RequestState tls_state;

constexpr const char* kJsonType = "application/json; charset=utf-8";

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool IsApiPath(std::string_view p) {
  return p.rfind("/api/", 0) == 0 || p == "/api" || p == "/v1.0" || p.rfind("/v1.0/", 0) == 0 ||
         p == "/healthz" || p == "/readyz" || p == "/metrics" || p == "/openapi.json";
}

std::optional<std::string> CookieValue(const HttpRequest& req, std::string_view name) {
  auto header = req.Header("cookie");
  if (!header) return std::nullopt;
  std::string_view h = *header;
  while (!h.empty()) {
    size_t semi = h.find(';');
    std::string_view part = h.substr(0, semi);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    size_t eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name)
      return std::string(part.substr(eq + 1));
    if (semi == std::string_view::npos) break;
    h.remove_prefix(semi + 1);
  }
  return std::nullopt;
}

Error Unauthorized(std::string message) {
  return {ErrorKind::kUnauthorized, "InvalidAuthenticationToken", std::move(message), {}, nullptr};
}

std::string MimeOf(const fs::path& p) {
  static const std::map<std::string, std::string> kTypes{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
  };
  auto it = kTypes.find(Lower(p.extension().string()));
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

}  // namespace

struct Server::Impl {
  app::Context& ctx;
  ServerOptions opts;
  Metrics metrics;
  std::unique_ptr<AccessLog> log;
  int port = 0;
  bool tls = false;
  std::atomic<bool> running{false};
  fs::path web_root;        // canonical, or empty
  std::string public_base;  // ServerOptions::publicUrl, resolved at Bind
  TrustedProxies trusted;   // ServerOptions::trustedProxies, parsed at Bind
  SystemClock wall;         // log times and request ids, even on a test clock

  Impl(app::Context& c, ServerOptions o) : ctx(c), opts(std::move(o)) {
    log = std::make_unique<AccessLog>(opts.logFile);
    if (!opts.webRoot.empty()) {
      std::error_code ec;
      fs::path root = fs::canonical(opts.webRoot, ec);
      if (!ec && fs::is_directory(root, ec)) web_root = root;
    }
  }

  void LogLine(Json j) {
    j["ts"] = FormatRfc3339(wall.Now());
    log->Write(Dump(j), j.value("level", "") == "error");
  }

  // ---- the one pipeline every API request goes through ----

  Status Authenticate(Call& c) {
    const HttpRequest& req = c.req;
    if (auto authz = req.Header("authorization")) {
      std::string_view a = *authz;
      if (a.size() < 7 || Lower(std::string(a.substr(0, 7))) != "bearer ")
        return Unauthorized("Use the header Authorization: Bearer <token>.");
      std::string token(a.substr(7));
      while (!token.empty() && token.front() == ' ') token.erase(token.begin());
      LD_ASSIGN_OR_RETURN(app::Authenticated auth, app::Authenticate(ctx, token));
      if (auth.kind != "bearer") return Unauthorized("The access token is invalid.");
      c.auth = std::move(auth);
      c.credential = std::move(token);
      return Ok();
    }
    auto cookie = CookieValue(req, "ld_session");
    if (!cookie || cookie->empty())
      return Unauthorized("Sign in first: send Authorization: Bearer <token> or a session cookie.");
    LD_ASSIGN_OR_RETURN(app::Authenticated auth, app::Authenticate(ctx, *cookie));
    if (auth.kind != "session") return Unauthorized("The session is invalid or expired.");
    c.auth = std::move(auth);
    c.credential = *cookie;
    c.viaCookie = true;
    // A browser session needs the CSRF token on every state-changing request.
    if (req.method != "GET" && req.method != "HEAD") {
      auto csrf = req.Header("x-csrf-token");
      if (!csrf || csrf->empty())
        return Error{ErrorKind::kForbidden,
                     "CsrfTokenMissing",
                     "This request needs the X-CSRF-Token header of your session.",
                     {},
                     nullptr};
      if (!app::CsrfMatches(*c.auth, *csrf))
        return Error{ErrorKind::kForbidden,
                     "CsrfTokenInvalid",
                     "The X-CSRF-Token header does not match your session.",
                     {},
                     nullptr};
    }
    return Ok();
  }

  Status ReadBody(Call& c) {
    const RouteInfo& r = c.route;
    if (r.body == BodyRule::kNone) return Ok();
    const std::string& body = c.req.body;
    bool blank = body.find_first_not_of(" \t\r\n") == std::string::npos;
    if (r.body == BodyRule::kOptional && blank) return Ok();
    if (auto ct = c.req.Header("content-type"); ct && !blank) {
      std::string t = Lower(ct->substr(0, ct->find(';')));
      while (!t.empty() && t.back() == ' ') t.pop_back();
      if (t != "application/json")
        return Error::Invalid("UnsupportedContentType",
                              "Send the body as JSON with Content-Type: application/json.",
                              "Content-Type");
    }
    LD_ASSIGN_OR_RETURN(c.body, ParseJsonBody(body));
    return Ok();
  }

  Status ReadIdempotencyKey(Call& c) {
    if (!c.route.money) return Ok();
    auto key = c.req.Header("idempotency-key");
    if (!key) return Ok();
    bool printable =
        std::all_of(key->begin(), key->end(), [](char ch) { return ch >= 0x20 && ch <= 0x7E; });
    if (key->empty() || key->size() > 255 || !printable)
      return Error::Invalid("InvalidIdempotencyKey",
                            "Idempotency-Key must have 1 to 255 printable ASCII characters.",
                            "Idempotency-Key");
    std::string canonical = c.body.is_null() ? std::string() : c.body.dump();
    c.idem = app::IdempotencyInput{
        *key, app::Sha256Hex(c.req.method + " " + c.req.path + "\n" + canonical)};
    return Ok();
  }

  // The operator's routes: the operator token, else 401 for no or a bad
  // credential and 403 for any organization's.
  Status AuthenticateOperator(Call& c) {
    auto authz = c.req.Header("authorization");
    std::string token;
    if (authz && authz->size() > 7 && Lower(authz->substr(0, 7)) == "bearer ") {
      token = authz->substr(7);
      while (!token.empty() && token.front() == ' ') token.erase(token.begin());
    }
    if (!token.empty() && app::RequireOperator(ctx, token).ok()) {
      c.credential = std::move(token);
      return Ok();
    }
    LD_TRY(Authenticate(c));  // 401 unless an organization's credential
    return app::RequireOperator(ctx, "");
  }

  Result<Reply> Run(Call& c) {
    const RouteInfo& r = c.route;
    if (r.testClockOnly && c.testClock == nullptr)
      return Error{ErrorKind::kNotFound,
                   "NotFound",
                   "The test clock is off (start the server with --test-clock).",
                   {},
                   nullptr};
    if (r.access == Access::kOperator) {
      LD_TRY(AuthenticateOperator(c));
    } else if (r.access != Access::kPublic) {
      LD_TRY(Authenticate(c));
      tls_state.tenantId = c.actor().tenantId.str();
      // R12: the route's permission, checked the same way for every route.
      if (r.access == Access::kPermission) LD_TRY(app::Require(c.actor(), r.permission));
    }
    LD_TRY(ReadBody(c));
    LD_TRY(ReadIdempotencyKey(c));
    return r.handler(c);
  }

  Result<Reply> RunGuarded(Call& c) {
    try {
      return Run(c);
    } catch (const app::StoreError& e) {
      if (e.kind() == app::StoreError::Kind::kUnavailable)
        return Error::Unavailable("The database is not available. Try again.");
      if (e.kind() == app::StoreError::Kind::kConflict)
        return Error::Concurrent("ConcurrentChange",
                                 "Another change touched the same data. Try again.");
      return Error::Internal(std::string("storage: ") + e.what());
    } catch (const std::exception& e) {
      return Error::Internal(std::string("exception: ") + e.what());
    }
  }

  void WriteError(const Error& e, Family family, WireResponse& res) {
    if (e.kind == ErrorKind::kInternal)
      LogLine({{"level", "error"}, {"msg", e.message}, {"requestId", tls_state.requestId}});
    WriteReply(RenderError(e, family, tls_state.requestId, ctx.Now()), res);
  }

  void WriteRefusal(const Refusal& r, Family family, WireResponse& res) {
    WriteReply(RenderRefusal(r, family, tls_state.requestId, ctx.Now()), res);
  }

  static void WriteReply(ErrorReply er, WireResponse& res) {
    res.status = er.status;
    for (auto& [k, v] : er.headers) res.headers.emplace_back(k, v);
    SetBody(res, Dump(er.body), kJsonType);
  }

  static void SetBody(WireResponse& res, std::string body, std::string_view type) {
    res.headers.emplace_back("Content-Type", type);
    res.body = std::move(body);
  }

  void Write(Result<Reply>& r, Family family, WireResponse& res) {
    res.headers.emplace_back("Cache-Control", "no-store");
    if (!r.ok()) return WriteError(r.error(), family, res);
    Reply& reply = r.value();
    for (const auto& [k, v] : reply.headers) res.headers.emplace_back(k, v);
    if (reply.error) return WriteError(*reply.error, family, res);
    res.status = reply.status;
    if (reply.status == 204) return;
    if (reply.raw) {
      SetBody(res, std::move(*reply.raw), reply.contentType);
    } else {
      SetBody(res, Dump(reply.json), reply.contentType);
    }
  }

  static Error NoRoute() {
    return {ErrorKind::kNotFound, "NotFound", "No resource matches this path.", {}, nullptr};
  }

  void Dispatch(const HttpRequest& req, WireResponse& res) {
    Family family = FamilyOfPath(req.path);
    const RouteInfo* route = nullptr;
    std::vector<std::string> params;
    std::string allow;
    for (const auto& r : Routes()) {
      if (r.method == req.method) {
        if (!r.Matches(req.path, &params)) continue;
        route = &r;
        break;
      }
      if (r.Matches(req.path, nullptr)) allow += (allow.empty() ? "" : ", ") + r.method;
    }
    if (route == nullptr) {
      if (!allow.empty()) {
        tls_state.route = "unmatched";
        res.headers.emplace_back("Allow", allow);
        if (req.method == "OPTIONS") {
          res.status = 204;
          return;
        }
        Refusal r = RefusalFor(405);
        r.error.message = "This path supports " + allow + ".";
        return WriteRefusal(r, family, res);
      }
      if (req.method == "GET" && !IsApiPath(req.path)) return ServeStatic(req, res);
      tls_state.route = "unmatched";
      Error e = NoRoute();
      if (family == Family::kGraph) {
        e.message = "Resource not found for the segment '" +
                    req.path.substr(req.path.rfind('/') + 1).substr(0, 100) + "'.";
      }
      return WriteError(e, family, res);
    }
    tls_state.route = route->Id();
    Call call{ctx, req, *route, params, metrics, opts.invoicePdf ? &opts.invoicePdf : nullptr};
    call.testClock = opts.testClock;
    Result<Reply> reply = RunGuarded(call);
    Write(reply, route->family, res);
  }

  // The admin center: files under the web root, index.html for client routes.
  void ServeStatic(const HttpRequest& req, WireResponse& res) {
    tls_state.route = "static";
    auto not_found = [&] { WriteError(NoRoute(), Family::kCommerce, res); };
    if (web_root.empty()) return not_found();
    std::string rel = req.path.substr(1);
    fs::path file;
    bool traversal = rel.find("..") != std::string::npos || rel.find('\0') != std::string::npos;
    if (!traversal && !rel.empty()) {
      std::error_code ec;
      fs::path p = fs::weakly_canonical(web_root / rel, ec);
      auto [root_end, _] = std::mismatch(web_root.begin(), web_root.end(), p.begin(), p.end());
      if (!ec && root_end == web_root.end() && fs::is_regular_file(p, ec)) file = p;
    }
    if (file.empty()) {
      // SPA fallback: a client-side route (no file extension in the last segment).
      std::string last = rel.substr(rel.rfind('/') == std::string::npos ? 0 : rel.rfind('/') + 1);
      if (traversal || last.find('.') != std::string::npos) return not_found();
      file = web_root / "index.html";
      if (!fs::is_regular_file(file)) return not_found();
    }
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    bool immutable = req.path.rfind("/assets/", 0) == 0;
    res.headers.emplace_back("Cache-Control",
                             immutable ? "public, max-age=31536000, immutable" : "no-cache");
    res.status = 200;
    SetBody(res, ss.str(), MimeOf(file));
  }

  std::vector<std::pair<std::string, std::string>> SecurityHeaders() const {
    std::vector<std::pair<std::string, std::string>> h{
        {"Content-Security-Policy",
         "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
         "object-src 'none'; img-src 'self' data:; font-src 'self' data:; "
         "style-src 'self' 'unsafe-inline'"},
        {"X-Content-Type-Options", "nosniff"},
        {"Referrer-Policy", "no-referrer"},
        {"X-Frame-Options", "DENY"},
    };
    if (tls) h.emplace_back("Strict-Transport-Security", "max-age=31536000");
    return h;
  }

  // Every response: timing for the log, and a fresh request id.
  void StartRequest(WireResponse& res) {
    tls_state = RequestState{};
    tls_state.start = Clock::now();
    tls_state.requestId = Guid::NewV7(wall.Now()).str();
    res.headers.emplace_back("request-id", tls_state.requestId);
  }

  // Before routing: the request id, echoed client-request-id, timing.
  void Begin(const HttpRequest& req, WireResponse& res) {
    StartRequest(res);
    if (auto cid = req.Header("client-request-id")) {
      if (cid->size() <= 128 &&
          std::all_of(cid->begin(), cid->end(), [](char ch) { return ch > 0x20 && ch < 0x7F; }))
        res.headers.emplace_back("client-request-id", *cid);
    }
  }

  // One request through the pipeline (the transports add the security headers).
  void Handle(HttpRequest& req, WireResponse& res) {
    req.publicBase = public_base;
    if (!trusted.empty()) {
      std::string forwarded;
      auto [lo, hi] = req.headers.equal_range("x-forwarded-for");
      for (auto it = lo; it != hi; ++it) forwarded += (forwarded.empty() ? "" : ",") + it->second;
      req.remoteAddr = ClientAddress(req.remoteAddr, forwarded, trusted);
    }
    Begin(req, res);
    try {
      Dispatch(req, res);
    } catch (const std::exception& e) {
      res = WireResponse{};
      res.headers.emplace_back("request-id", tls_state.requestId);
      WriteError(Error::Internal(e.what()), FamilyOfPath(req.path), res);
    }
  }

  // A request refused before routing (malformed, too large, too slow).
  void Refuse(int status, std::string_view message, const std::string& path, WireResponse& res) {
    StartRequest(res);
    Refusal r = RefusalFor(status);
    if (!message.empty()) r.error.message = std::string(message);
    WriteRefusal(r, FamilyOfPath(path), res);
  }

  // Access log and metrics, once per response. Never a query string, a body,
  // a token, a cookie or a password.
  void Finish(std::string_view method, std::string_view path, std::string_view remote, int status) {
    double seconds = 0;
    if (tls_state.start != Clock::time_point{})
      seconds = std::chrono::duration<double>(Clock::now() - tls_state.start).count();
    std::string route = tls_state.route.empty() ? "unmatched" : tls_state.route;
    metrics.ObserveRequest(route, status, seconds);
    // Formatted by hand: one line per request, the hottest string built.
    std::string line = "{\"ts\":\"" + FormatRfc3339(wall.Now()) +
                       "\",\"level\":\"info\",\"msg\":\"request\",\"method\":";
    AppendJsonString(line, method);
    line += ",\"path\":";
    AppendJsonString(line, path.substr(0, 512));
    line += ",\"route\":";
    AppendJsonString(line, route);
    line += fmt::format(",\"status\":{},\"durationMs\":{:.2f},\"requestId\":\"{}\",\"tenantId\":",
                        status, seconds * 1000.0, tls_state.requestId);
    if (tls_state.tenantId.empty()) {
      line += "null";
    } else {
      AppendJsonString(line, tls_state.tenantId);
    }
    line += ",\"remote\":";
    AppendJsonString(line, remote);
    line += '}';
    log->Write(line);
    tls_state = RequestState{};
  }

  std::unique_ptr<Transport> transport;
};

Server::Server(app::Context& ctx, ServerOptions options)
    : impl_(std::make_unique<Impl>(ctx, std::move(options))) {}

Server::~Server() {
  Stop();
}

// The base of absolute links: the configured public URL, else the listening
// address (a wildcard address is shown as localhost).
static Result<std::string> ResolvePublicBase(const ServerOptions& o, bool tls, int port) {
  if (!o.publicUrl.empty()) {
    auto url = NormalizePublicUrl(o.publicUrl);
    if (!url)
      return Error::Invalid("PublicUrl", "--public-url wants http(s)://host[:port][/path], not '" +
                                             o.publicUrl + "'.");
    return *url;
  }
  std::string host = o.host;
  if (host.empty() || host == "0.0.0.0" || host == "::" || host == "[::]") host = "localhost";
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
  return std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(port);
}

Result<int> Server::Bind() {
  Impl& m = *impl_;
  if (!m.opts.publicUrl.empty() && !NormalizePublicUrl(m.opts.publicUrl))
    return ResolvePublicBase(m.opts, false, 0).error();
  if (!m.opts.trustedProxies.empty()) {
    auto t = ParseTrustedProxies(m.opts.trustedProxies);
    if (!t)
      return Error::Invalid("TrustedProxy",
                            "--trusted-proxy wants addresses or networks "
                            "(10.0.0.1, 10.0.0.0/8, ::1), comma-separated.");
    m.trusted = std::move(*t);
  }
  if (!m.opts.tlsCert.empty() || !m.opts.tlsKey.empty()) {
    if (m.opts.tlsCert.empty() || m.opts.tlsKey.empty())
      return Error::Invalid("TlsConfig", "TLS needs both a certificate and a key.");
    m.tls = true;
  }
  TransportOptions t;
  t.defaultHeaders = m.SecurityHeaders();
  t.host = m.opts.host;
  t.port = m.opts.port;
  t.tlsCert = m.opts.tlsCert;
  t.tlsKey = m.opts.tlsKey;
  t.ioThreads = std::max(1, m.opts.ioThreads);
  t.workers = std::max(4, m.opts.workers);
  t.maxConnections = std::max<size_t>(1, m.opts.maxConnections);
  t.readTimeoutSeconds = m.opts.readTimeoutSeconds;
  t.writeTimeoutSeconds = m.opts.writeTimeoutSeconds;
  t.keepAliveTimeoutSeconds = m.opts.keepAliveTimeoutSeconds;
  t.keepAliveMaxCount = m.opts.keepAliveMaxCount;
  t.listenBacklog = m.opts.listenBacklog;
  t.maxBodyBytes = kMaxBodyBytes;
  m.transport = std::make_unique<Transport>(
      t, [&m](HttpRequest& req, WireResponse& res) { m.Handle(req, res); },
      [&m](int status, std::string_view message, const std::string& path, WireResponse& res) {
        m.Refuse(status, message, path, res);
      },
      [&m](const HttpRequest& req, const WireResponse& res) {
        m.Finish(req.method, req.path, req.remoteAddr, res.status);
      });
  LD_ASSIGN_OR_RETURN(int port, m.transport->Bind());
  m.port = port;
  LD_ASSIGN_OR_RETURN(m.public_base, ResolvePublicBase(m.opts, m.tls, port));
  return port;
}

void Server::Start() {
  Impl& m = *impl_;
  m.running = true;
  m.transport->Start();
}

void Server::Stop() {
  Impl& m = *impl_;
  if (!m.running.exchange(false)) return;
  m.transport->Stop();
  m.log->Flush();
}

int Server::Port() const {
  return impl_->port;
}
bool Server::Tls() const {
  return impl_->tls;
}
Metrics& Server::metrics() {
  return impl_->metrics;
}

}  // namespace ld::http
