// libFuzzer target for the request path of the transport: the bytes go to
// http/request_reader.h (Boost.Beast's request parser with licensedesk's
// limits, the head checks and the conversion into HttpRequest), exactly as
// the transport feeds what it reads. Run: make fuzz FUZZERS=wire (seeds:
// tests/fuzz/corpus/wire).
//
// Properties checked beyond "no crash, no sanitizer report":
//   - a read consumes no more than it was given, and a refusal is a 4xx or a
//     501/505 with a message;
//   - reading is split-stable: the same bytes fed in two pieces (split where
//     the first byte says) or one byte at a time give the same request and
//     consume the same bytes;
//   - a request's body never exceeds the limit, its path and parameter names
//     are what the conversion produced (no empty parameter name);
//   - after a whole request, the rest reads as the next one without harm.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/request_reader.h"

namespace {

using ld::http::HttpRequest;
using ld::http::RequestReader;
using State = RequestReader::State;

void Check(bool ok) {
  if (!ok) std::abort();
}

ld::http::wire::Limits SmallLimits() {
  ld::http::wire::Limits limits;
  limits.maxHeadBytes = 4096;  // small limits reach the limit paths often
  limits.maxTargetBytes = 512;
  limits.maxBodyBytes = 1024;
  limits.maxHeaders = 16;
  return limits;
}

struct Outcome {
  State state;
  size_t consumed = 0;
  int status = 0;
  HttpRequest req;
};

bool Final(State s) {
  return s == State::kDone || s == State::kError;
}

// Feeds `in` in pieces of `step` bytes (0: all at once), as the transport
// does: the unconsumed bytes stay at the front of its buffer.
Outcome Read(RequestReader& r, std::string_view in, size_t step) {
  std::string buf;
  Outcome o{};
  size_t at = 0;
  do {
    size_t n = step == 0 ? in.size() - at : std::min(step, in.size() - at);
    buf.append(in.substr(at, n));
    at += n;
    size_t used = r.Feed(buf);
    Check(used <= buf.size());
    o.consumed += used;
    buf.erase(0, used);
  } while (!Final(r.state()) && at < in.size());
  o.state = r.state();
  o.status = r.status();
  if (o.state == State::kError) {
    Check(!r.message().empty());
    Check((o.status >= 400 && o.status < 500) || o.status == 501 || o.status == 505);
  }
  o.req = r.request();
  return o;
}

// Two whole requests read from the same bytes are the same request. (A
// refusal may differ with the split: a chunked body's bounded leftovers are
// checked per read.)
bool Same(const Outcome& a, const Outcome& b) {
  if (a.state != State::kDone || b.state != State::kDone) return true;
  if (a.consumed != b.consumed) return false;
  return a.req.method == b.req.method && a.req.path == b.req.path && a.req.params == b.req.params &&
         a.req.headers == b.req.headers && a.req.body == b.req.body;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto limits = SmallLimits();
  RequestReader whole(limits);
  Outcome a = Read(whole, in, 0);
  Check(a.consumed <= in.size());
  if (a.state == State::kDone) {
    Check(a.req.body.size() <= limits.maxBodyBytes);
    for (const auto& [k, v] : a.req.params) Check(!k.empty());
    Check(!a.req.method.empty() && a.req.method != "HEAD");
  }
  // The same bytes in two pieces, then byte by byte (short inputs only).
  size_t split = size == 0 ? 0 : 1 + data[0] % 64;
  RequestReader halves(limits);
  Outcome b = Read(halves, in, split);
  Check(Same(a, b));
  if (size <= 2048) {
    RequestReader bytes(limits);
    Outcome c = Read(bytes, in, 1);
    Check(Same(a, c));
  }
  // Pipelining: what follows a whole request reads as the next one.
  if (a.state == State::kDone) {
    whole.Reset();
    Outcome next = Read(whole, in.substr(a.consumed), 0);
    Check(next.consumed <= in.size() - a.consumed);
  }
  return 0;
}
