// libFuzzer target for the HTTP/1.1 request framing of the plain transport
// (http/wire.h): request heads and chunked bodies, the first bytes any
// client controls. Run: make fuzz FUZZERS=wire (seeds: tests/fuzz/corpus/wire).
//
// Properties checked beyond "no crash, no sanitizer report":
//   - a parse consumes no more than it was given, and an error is a 4xx or a
//     505/501 with a message;
//   - parsing is prefix-stable: a head that parses from a buffer parses the
//     same from exactly its consumed bytes, and every shorter prefix is
//     incomplete or an error, never a different request;
//   - a Content-Length or a chunked body never exceeds the limit;
//   - the decoded path and the query parameters are produced without throwing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "http/wire.h"

namespace {

using namespace ld::http::wire;

void Check(bool ok) {
  if (!ok) std::abort();
}

bool SameHead(const Head& a, const Head& b) {
  return a.method == b.method && a.path == b.path && a.query == b.query && a.minor == b.minor &&
         a.headers == b.headers && a.contentLength == b.contentLength && a.chunked == b.chunked &&
         a.expectContinue == b.expectContinue && a.keepAlive == b.keepAlive;
}

void CheckError(const Parsed& p) {
  Check(!p.message.empty());
  Check((p.status >= 400 && p.status < 500) || p.status == 501 || p.status == 505);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  Limits limits;
  limits.maxHeadBytes = 4096;  // small limits reach the limit paths often
  limits.maxTargetBytes = 512;
  limits.maxBodyBytes = 1024;
  Head h;
  Parsed p = ParseHead(in, limits, &h);
  if (p.state == State::kError) CheckError(p);
  if (p.state == State::kDone) {
    Check(p.consumed > 0 && p.consumed <= in.size());
    Check(h.contentLength <= limits.maxBodyBytes);
    Check(!(h.chunked && h.contentLength > 0));
    Head again;
    Parsed q = ParseHead(in.substr(0, p.consumed), limits, &again);
    Check(q.state == State::kDone && q.consumed == p.consumed && SameHead(h, again));
    // A shorter prefix never yields a request.
    Head shorter;
    Check(ParseHead(in.substr(0, p.consumed - 1), limits, &shorter).state != State::kDone);
    std::multimap<std::string, std::string> params;
    ParseQuery(h.query, &params);
    for (const auto& [k, v] : params) Check(!k.empty());
    // Whatever follows the head, read as a chunked body.
    std::string body;
    Parsed c = DecodeChunked(in.substr(p.consumed), limits, &body);
    if (c.state == State::kError) CheckError(c);
    if (c.state == State::kDone) {
      Check(c.consumed <= in.size() - p.consumed);
      Check(body.size() <= limits.maxBodyBytes);
    } else {
      Check(body.empty());
    }
  }
  return 0;
}
