// The route table, the OpenAPI document generated from it, error mapping and
// strict JSON parsing (no server needed).
#include <gtest/gtest.h>

#include <random>
#include <regex>
#include <set>

#include "http/errors.h"
#include "http/json_io.h"
#include "http/openapi.h"
#include "http/render.h"
#include "http/routes.h"

namespace {

using ld::ErrorKind;
using ld::http::Json;

TEST(RouteTable, EveryRouteIsWellFormedAndUnique) {
  std::set<std::string> ids;
  for (const auto& r : ld::http::Routes()) {
    EXPECT_TRUE(ids.insert(r.Id()).second) << "duplicate " << r.Id();
    EXPECT_TRUE(r.handler) << r.Id();
    EXPECT_FALSE(r.summary.empty()) << r.Id();
    EXPECT_TRUE(r.method == "GET" || r.method == "POST" || r.method == "PUT" ||
                r.method == "PATCH" || r.method == "DELETE")
        << r.Id();
    if (r.money) {
      EXPECT_NE(r.method, "GET") << r.Id();
    }
    if (r.body == ld::http::BodyRule::kRequired) {
      EXPECT_FALSE(r.requestSchema.empty()) << r.Id();
    }
    EXPECT_EQ(r.family == ld::http::Family::kGraph, r.path.rfind("/v1.0", 0) == 0) << r.Id();
  }
  // api.md's routes (and the brief's additions) are all there.
  for (const char* id : {"GET /v1.0/me",
                         "PATCH /v1.0/me",
                         "GET /v1.0/organization",
                         "GET /v1.0/users",
                         "POST /v1.0/users",
                         "GET /v1.0/users/{id}",
                         "PATCH /v1.0/users/{id}",
                         "DELETE /v1.0/users/{id}",
                         "GET /v1.0/subscribedSkus",
                         "GET /v1.0/subscribedSkus/{id}",
                         "POST /v1.0/users/{id}/assignLicense",
                         "GET /v1.0/users/{id}/licenseDetails",
                         "POST /api/v1/signup",
                         "POST /api/v1/auth/token",
                         "POST /api/v1/auth/logout",
                         "POST /api/v1/auth/session",
                         "GET /api/v1/auth/session",
                         "GET /api/v1/config",
                         "GET /api/v1/offers",
                         "POST /api/v1/carts",
                         "GET /api/v1/carts",
                         "GET /api/v1/carts/{id}",
                         "PUT /api/v1/carts/{id}",
                         "POST /api/v1/carts/{id}/checkout",
                         "GET /api/v1/orders",
                         "GET /api/v1/orders/{id}",
                         "POST /api/v1/paymentMethods",
                         "GET /api/v1/paymentMethods",
                         "DELETE /api/v1/paymentMethods/{id}",
                         "GET /api/v1/subscriptions",
                         "GET /api/v1/subscriptions/{id}",
                         "PATCH /api/v1/subscriptions/{id}",
                         "POST /api/v1/subscriptions/{id}/cancel",
                         "POST /api/v1/subscriptions/{id}/reactivate",
                         "GET /api/v1/invoices",
                         "GET /api/v1/invoices/{id}",
                         "GET /api/v1/invoices/{id}/pdf",
                         "GET /api/v1/users/{id}/roles",
                         "PUT /api/v1/users/{id}/roles",
                         "GET /api/v1/auditLogs",
                         "GET /healthz",
                         "GET /readyz",
                         "GET /metrics",
                         "GET /openapi.json"})
    EXPECT_TRUE(ids.count(id)) << id << " is not routed";
  // Money routes accept an Idempotency-Key.
  for (const char* id :
       {"POST /api/v1/carts/{id}/checkout", "PATCH /api/v1/subscriptions/{id}",
        "POST /api/v1/subscriptions/{id}/cancel", "POST /api/v1/subscriptions/{id}/reactivate"})
    for (const auto& r : ld::http::Routes())
      if (r.Id() == id) {
        EXPECT_TRUE(r.money) << id;
      }
}

TEST(RouteTable, PathsMatchTheirTemplatesOnly) {
  auto find = [](const std::string& method, const std::string& path) -> std::string {
    for (const auto& r : ld::http::Routes())
      if (r.method == method && r.Matches(path, nullptr)) return r.path;
    return "";
  };
  EXPECT_EQ(find("GET", "/v1.0/users/a@b.test"), "/v1.0/users/{id}");
  EXPECT_EQ(find("POST", "/v1.0/users/x/assignLicense"), "/v1.0/users/{id}/assignLicense");
  EXPECT_EQ(find("GET", "/v1.0/users/x/y"), "");
  EXPECT_EQ(find("GET", "/v1X0/me"), "");  // the dot is literal
  EXPECT_EQ(find("GET", "/api/v1/invoices/1/pdf"), "/api/v1/invoices/{id}/pdf");
}

// The regex a path template means: each {name} is one non-empty segment.
std::regex TemplateRegex(const std::string& tmpl) {
  std::string re;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    char c = tmpl[i];
    if (c == '{') {
      re += "([^/]+)";
      i = tmpl.find('}', i);
      continue;
    }
    if (std::string_view(".^$|()[]*+?\\").find(c) != std::string_view::npos) re += '\\';
    re += c;
  }
  return std::regex(re);
}

// The server matches with RouteInfo::Matches; it must agree with the regex
// of the same template on every path, parameters included.
TEST(RouteTable, SegmentMatcherAgreesWithTheRegexOnEveryPath) {
  std::vector<std::string> paths{
      "",        "/",           "//",        "/v1.0",
      "/v1.0/",  "/v1.0/me/",   "/v1.0//me", "/v1.0/users//assignLicense",
      "v1.0/me", "/v1.0/me?x=1"};
  std::mt19937_64 rng(7);
  const std::vector<std::string> pieces{"", "x", "a@b.test", "%2F", ".", "..", "{id}", " ", "é"};
  for (const auto& r : ld::http::Routes()) {
    paths.push_back(r.path);
    // Each route's template with its parameters and literals replaced at random.
    for (int k = 0; k < 40; ++k) {
      std::string p;
      for (const auto& seg : r.segments) {
        p += '/';
        int dice = static_cast<int>(rng() % 6);
        if (dice == 0) {
          p += pieces[rng() % pieces.size()];
        } else if (dice == 1) {
          p += seg + "x";
        } else {
          p += seg.front() == '{' ? pieces[1 + rng() % (pieces.size() - 1)] : seg;
        }
      }
      if (rng() % 8 == 0) p += "/";
      if (rng() % 8 == 0) p += "/extra";
      paths.push_back(p);
    }
  }
  std::vector<std::regex> regexes;
  for (const auto& r : ld::http::Routes()) regexes.push_back(TemplateRegex(r.path));
  size_t matched = 0;
  for (const auto& r : ld::http::Routes()) {
    for (const auto& p : paths) {
      std::smatch m;
      bool want = std::regex_match(p, m, regexes[&r - ld::http::Routes().data()]);
      std::vector<std::string> params{"before"};
      ASSERT_EQ(r.Matches(p, &params), want) << r.Id() << " on " << p;
      std::vector<std::string> expected{"before"};
      if (want)
        for (size_t i = 1; i < m.size(); ++i) expected.push_back(m[i].str());
      EXPECT_EQ(params, expected) << r.Id() << " on " << p;
      matched += want;
    }
  }
  EXPECT_GT(matched, ld::http::Routes().size());  // every template matched itself, and more
}

TEST(OpenApi, DocumentCoversEveryRouteAndEveryReferenceResolves) {
  const Json& doc = ld::http::OpenApiDocument();
  EXPECT_EQ(doc["openapi"], "3.1.0");
  size_t ops = 0;
  for (const auto& [path, item] : doc["paths"].items()) ops += item.size();
  EXPECT_EQ(ops, ld::http::Routes().size());
  const Json& schemas = doc["components"]["schemas"];
  std::function<void(const Json&)> walk = [&](const Json& j) {
    if (j.is_object()) {
      if (j.contains("$ref")) {
        std::string ref = j["$ref"];
        const std::string prefix = "#/components/schemas/";
        ASSERT_EQ(ref.rfind(prefix, 0), 0u) << ref;
        EXPECT_TRUE(schemas.contains(ref.substr(prefix.size()))) << "unresolved " << ref;
      }
      for (const auto& [k, v] : j.items()) walk(v);
    } else if (j.is_array()) {
      for (const auto& v : j) walk(v);
    }
  };
  walk(doc);
  // Public routes declare no security; others do (inherited).
  EXPECT_EQ(doc["paths"]["/healthz"]["get"]["security"], Json::array());
  EXPECT_FALSE(doc["paths"]["/v1.0/me"]["get"].contains("security"));
  EXPECT_TRUE(doc["paths"]["/api/v1/carts/{id}/checkout"]["post"]["x-idempotent"].get<bool>());
}

TEST(ErrorMapping, KindsToStatusesAndEnvelopes) {
  using ld::http::StatusOf;
  EXPECT_EQ(StatusOf(ErrorKind::kInvalid), 400);
  EXPECT_EQ(StatusOf(ErrorKind::kUnauthorized), 401);
  EXPECT_EQ(StatusOf(ErrorKind::kPaymentFailed), 402);
  EXPECT_EQ(StatusOf(ErrorKind::kForbidden), 403);
  EXPECT_EQ(StatusOf(ErrorKind::kNotFound), 404);
  EXPECT_EQ(StatusOf(ErrorKind::kConflict), 409);
  EXPECT_EQ(StatusOf(ErrorKind::kUnprocessable), 422);
  EXPECT_EQ(StatusOf(ErrorKind::kTooMany), 429);
  EXPECT_EQ(StatusOf(ErrorKind::kUnavailable), 503);
  EXPECT_EQ(StatusOf(ErrorKind::kInternal), 500);

  auto bad = ld::Error::Invalid("QuantityOutOfRange", "quantity must be 1..300", "quantity");
  auto g = ld::http::RenderError(bad, ld::http::Family::kGraph, "rid", 0);
  EXPECT_EQ(g.status, 400);
  EXPECT_EQ(g.body["error"]["code"], "Request_BadRequest");
  EXPECT_EQ(g.body["error"]["innerError"]["code"], "QuantityOutOfRange");
  EXPECT_EQ(g.body["error"]["innerError"]["request-id"], "rid");
  auto c = ld::http::RenderError(bad, ld::http::Family::kCommerce, "rid", 0);
  EXPECT_EQ(c.body["error"]["code"], "QuantityOutOfRange");
  EXPECT_EQ(c.body["error"]["target"], "quantity");
  EXPECT_TRUE(c.body["error"].contains("details"));

  ld::Error many{
      ErrorKind::kTooMany, "TooManyAttempts", "wait", {}, Json{{"retryAfterSeconds", 42}}};
  auto t = ld::http::RenderError(many, ld::http::Family::kCommerce, "r", 0);
  EXPECT_EQ(t.status, 429);
  bool retry = false;
  for (const auto& [k, v] : t.headers) retry = retry || (k == "Retry-After" && v == "42");
  EXPECT_TRUE(retry);

  auto internal = ld::http::RenderError(ld::Error::Internal("SELECT * FROM secrets failed"),
                                        ld::http::Family::kCommerce, "r", 0);
  EXPECT_EQ(internal.status, 500);
  EXPECT_EQ(internal.body.dump().find("secrets"), std::string::npos);

  EXPECT_EQ(ld::http::RenderError(ld::Error::NotFound("x"), ld::http::Family::kGraph, "r", 0)
                .body["error"]["code"],
            "Request_ResourceNotFound");
  EXPECT_EQ(ld::http::RenderError(ld::Error::Forbidden("x"), ld::http::Family::kGraph, "r", 0)
                .body["error"]["code"],
            "Authorization_RequestDenied");
}

TEST(JsonIo, Utf8Validation) {
  using ld::http::IsValidUtf8;
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("商務基本版 ä €"));
  EXPECT_TRUE(IsValidUtf8("\xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xe4\xb8"));          // truncated
}

TEST(JsonIo, StrictReaders) {
  auto body = ld::http::ParseJsonBody(
      R"({"q":5,"f":1.5,"s":"5","big":1e30,"neg":-1,"b":true,"n":null,"g":"0190a5c4-0000-7000-8000-000000000001","o":{"x":1}})");
  ASSERT_TRUE(body.ok());
  auto f = ld::http::Fields::Of(*body);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(*f->Int("q", 1, 10), 5);
  EXPECT_EQ(f->Int("f", 1, 10).error().code, "InvalidType");
  EXPECT_EQ(f->Int("s", 1, 10).error().code, "InvalidType");
  EXPECT_EQ(f->Int("big", 1, 10).error().code, "InvalidType");
  EXPECT_EQ(f->Int("neg", 1, 10).error().code, "NumberOutOfRange");
  EXPECT_EQ(f->Int("missing", 1, 10).error().code, "MissingField");
  EXPECT_EQ(f->Int("n", 1, 10).error().code, "MissingField");
  EXPECT_EQ(f->String("q").error().target, "q");
  EXPECT_TRUE(*f->Bool("b"));
  EXPECT_TRUE(f->GuidField("g").ok());
  EXPECT_EQ(f->GuidField("s").error().code, "InvalidGuid");
  auto nested = f->Object("o");
  ASSERT_TRUE(nested.ok());
  EXPECT_EQ(nested->String("x").error().target, "o.x");
  EXPECT_EQ(nested->OnlyKnown({"y"}).error().target, "o.x");
  auto nullable = f->NullableString("n");
  ASSERT_TRUE(nullable.ok());
  EXPECT_TRUE(nullable->has_value() && !nullable->value().has_value());

  EXPECT_EQ(ld::http::ParseJsonBody("").error().code, "EmptyBody");
  EXPECT_EQ(ld::http::ParseJsonBody("{").error().code, "InvalidJson");
  EXPECT_EQ(ld::http::ParseJsonBody(std::string(33, '[') + std::string(33, ']')).error().code,
            "JsonTooDeep");
  EXPECT_TRUE(ld::http::ParseJsonBody(std::string(32, '[') + std::string(32, ']')).ok());
  EXPECT_EQ(ld::http::ParseJsonBody("\"" + std::string(70000, 'x') + "\"").error().code,
            "StringTooLong");
  // Brackets inside strings do not count as nesting.
  EXPECT_TRUE(ld::http::ParseJsonBody("{\"a\":\"" + std::string(100, '[') + "\"}").ok());
}

}  // namespace

// Graph paging writes users without a JSON tree; the bytes must be the ones
// Dump(UserJson(...)) writes, for any text (quotes, control characters,
// non-ASCII, invalid UTF-8), any licenses and any $select.
TEST(Render, StreamedUserIsByteForByteTheTreeUser) {
  std::mt19937_64 rng(20261124);
  auto text = [&](size_t max) {
    static const std::vector<std::string> kPieces{
        "a",      "Z",    " ",    "\"",   "\\",       "/",    "\b",      "\f",
        "\n",     "\r",   "\t",   "\x01", "\x1f",     "\x7f", "é",       "王小明",
        "Müller", "\xff", "\xc3", "😀",    "<script>", "&",    "\xe2\x82"};
    std::string s;
    size_t n = rng() % (max + 1);
    for (size_t i = 0; i < n; ++i) s += kPieces[rng() % kPieces.size()];
    return s;
  };
  const auto& props = ld::http::SelectableUserProperties();
  for (int round = 0; round < 2000; ++round) {
    ld::app::UserWithLicenses w;
    w.user.id = ld::Guid::NewV7(1700000000000 + round);
    w.user.userPrincipalName = text(6);
    w.user.displayName = text(8);
    w.user.mailNickname = text(4);
    if (rng() % 2) w.user.usageLocation = text(2);
    if (rng() % 2) w.user.preferredLanguage = text(3);
    w.user.accountEnabled = rng() % 2;
    w.user.createdAt = rng() % 3 ? static_cast<ld::Instant>(rng() % 4102444800000ULL) : 0;
    for (size_t l = rng() % 4; l > 0; --l) {
      ld::LicenseAssignment a;
      a.skuId = ld::Guid::NewV7(static_cast<ld::Instant>(rng() % 1000));
      for (size_t d = rng() % 3; d > 0; --d) a.disabledPlans.push_back(ld::Guid::NewV7(5));
      w.licenses.push_back(a);
    }
    std::vector<std::string> select;
    if (round % 3) {
      for (size_t k = rng() % 6; k > 0; --k) select.emplace_back(props[rng() % props.size()]);
    }
    std::string streamed;
    ld::http::AppendUserJson(streamed, w, select);
    ASSERT_EQ(streamed, ld::http::Dump(ld::http::UserJson(w, select)))
        << "round " << round << " displayName "
        << Json(w.user.displayName).dump(-1, ' ', true, Json::error_handler_t::replace);
  }
}
