// libFuzzer target for JSON request bodies (R14): the bytes go through the
// server's body check and parser (ParseJsonBody: UTF-8, depth, string length)
// and then, parsed, through the body decoder of every route that takes a
// body, by calling the route table's handlers directly (no HTTP server).
// Run: make fuzz FUZZERS=json_body (seed corpus: tests/fuzz/corpus/json_body).
//
// The handlers run against a context whose store answers every call with
// "unavailable" and a caller who holds no role: a handler decodes the body
// (the decoders run before any use case), then the use case stops at its
// permission check or at the store. So each input costs microseconds, and
// nothing but decoding is exercised.
//
// Properties checked beyond "no crash, no sanitizer report":
//   - ParseJsonBody refuses with a 400 of a documented code, or accepts JSON
//     within the limits (depth, string length) that renders (dump) without
//     throwing and parses back to the same value;
//   - no handler throws on any accepted body (an exception would be a 500 for
//     bad input), and none answers 500 (kInternal).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "app/test_gateway.h"
#include "domain/catalog.h"
#include "http/json_io.h"
#include "http/metrics.h"
#include "http/routes.h"

namespace {

using ld::Error;
using ld::ErrorKind;
using ld::Status;
using ld::http::Json;

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "json_body_fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

// Every call fails as if the database were down.
class DownStore final : public ld::app::Store {
 public:
  Status Write(const Fn&) override { return Error::Unavailable("fuzz: no database"); }
  Status Read(const Fn&) override { return Error::Unavailable("fuzz: no database"); }
  bool Ready() override { return false; }
  std::string Backend() const override { return "sqlite"; }
};

struct Harness {
  DownStore store;
  ld::SettableClock clock{1'767'225'600'000};  // 2026-01-01
  ld::app::TestGateway gateway;
  ld::Catalog catalog;
  std::unique_ptr<ld::app::Context> ctx;
  ld::http::Metrics metrics;
  std::vector<const ld::http::RouteInfo*> routes;
  ld::http::HttpRequest req;
  const std::string id = "0190a0b0-0000-7000-8000-000000000001";

  Harness() {
    ld::app::Config cfg;
    cfg.signupEnabled = false;
    ctx = std::make_unique<ld::app::Context>(ld::app::Context{store, clock, gateway, catalog, cfg});
    for (const auto& r : ld::http::Routes())
      if (r.body != ld::http::BodyRule::kNone) routes.push_back(&r);
    req.method = "POST";
    req.remoteAddr = "192.0.2.1";
  }

  void Run(const ld::http::RouteInfo& r, const Json& body) {
    auto n = std::count_if(r.segments.begin(), r.segments.end(),
                           [](const std::string& s) { return !s.empty() && s.front() == '{'; });
    std::vector<std::string> params(static_cast<size_t>(n), id);
    ld::http::Call c{*ctx, req, r, params, metrics};
    c.testClock = &clock;
    // A signed-in caller without any role (tenant and user exist nowhere).
    c.auth = ld::app::Authenticated{{*ld::Guid::Parse(id), *ld::Guid::Parse(id), {}}, "bearer", ""};
    c.body = body;
    if (r.money) c.idem = ld::app::IdempotencyInput{"fuzz-key", "fuzz-hash"};
    try {
      auto reply = r.handler(c);
      if (!reply.ok() && reply.error().kind == ErrorKind::kInternal)
        Fail("500 from a body decoder", r.Id() + ": " + reply.error().message);
    } catch (const std::exception& e) {
      Fail("exception from a body decoder", r.Id() + ": " + e.what());
    }
  }
};

// Depth and longest string of an accepted value.
void Measure(const Json& j, int depth, int* max_depth, size_t* max_string) {
  if (j.is_structured()) {
    *max_depth = std::max(*max_depth, depth + 1);
    if (j.is_object()) {
      for (const auto& [k, v] : j.items()) {
        *max_string = std::max(*max_string, k.size());
        Measure(v, depth + 1, max_depth, max_string);
      }
    } else {
      for (const auto& v : j) Measure(v, depth + 1, max_depth, max_string);
    }
  } else if (j.is_string()) {
    *max_string = std::max(*max_string, j.get_ref<const std::string&>().size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness* h = new Harness();
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  auto parsed = ld::http::ParseJsonBody(body);
  if (!parsed.ok()) {
    const Error& e = parsed.error();
    if (e.kind != ErrorKind::kInvalid) Fail("refusal that is not a 400", e.code);
    static const std::string_view kCodes[] = {"InvalidUtf8", "JsonTooDeep", "StringTooLong",
                                              "InvalidJson", "EmptyBody"};
    bool known = false;
    for (auto c : kCodes) known |= e.code == c;
    if (!known) Fail("undocumented refusal code", e.code);
    return 0;
  }
  const Json& j = *parsed;
  if (!ld::http::IsValidUtf8(body)) Fail("accepted invalid UTF-8", "");
  int depth = 0;
  size_t longest = 0;
  Measure(j, 0, &depth, &longest);
  if (depth > ld::http::kMaxJsonDepth) Fail("accepted too deep", std::to_string(depth));
  if (longest > ld::http::kMaxJsonString) Fail("accepted too long", std::to_string(longest));
  std::string text;
  try {
    text = j.dump();  // what the server hashes for Idempotency-Key
  } catch (const std::exception& e) {
    Fail("dump threw", e.what());
  }
  if (ld::http::Dump(j) != text) Fail("Dump differs from dump", text);
  auto again = ld::http::ParseJsonBody(text);
  if (!again.ok() || *again != j) Fail("does not round-trip", text);

  for (const auto* r : h->routes) h->Run(*r, j);
  return 0;
}
