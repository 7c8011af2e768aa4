// HTTP/1.1 on the wire (RFC 9112), as the plain-HTTP transport needs it:
// parsing a request head and a chunked body from a byte buffer, decoding the
// request target, and writing a response head. Pure functions over buffers:
// no sockets, so they are unit-tested and fuzzed directly (wire_fuzz.cpp).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ld::http::wire {

// Bounds that make a request a 4xx before it can cost memory.
struct Limits {
  size_t maxHeadBytes = 64 * 1024;  // request line + headers: 431
  size_t maxTargetBytes = 8192;     // request target: 414
  size_t maxBodyBytes = 1 << 20;    // Content-Length or chunked total: 413
  size_t maxHeaders = 100;          // header fields: 431
};

struct Head {
  std::string method;  // as sent (case-sensitive tokens, RFC 9110)
  std::string path;    // percent-decoded, no query
  std::string query;   // raw, without '?'
  int minor = 1;       // HTTP/1.minor
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names, trimmed values
  size_t contentLength = 0;
  bool chunked = false;
  bool expectContinue = false;
  bool keepAlive = true;  // what the client asked for (HTTP/1.1 default on)
};

enum class State { kIncomplete, kDone, kError };

struct Parsed {
  State state = State::kIncomplete;
  size_t consumed = 0;  // kDone: bytes of the buffer that were used
  int status = 0;       // kError: the 4xx/5xx to answer
  std::string message;  // kError: why, for the error body
};

// Parses the request line and header fields at the start of `buf` (up to and
// including the empty line). kIncomplete when more bytes are needed.
Parsed ParseHead(std::string_view buf, const Limits& limits, Head* out);

// Decodes a chunked body at the start of `buf`, appending the data to `body`
// only once the last chunk and its trailers are complete (so a kIncomplete
// call can be repeated on a longer buffer). Trailer fields are discarded.
Parsed DecodeChunked(std::string_view buf, const Limits& limits, std::string* body);

// The same, resumable: pass the same state (fresh per body) and the same
// buffer grown at its end; each call reads only what the last one did not.
struct ChunkedState {
  size_t pos = 0;          // where the next chunk or trailer line starts
  std::string data;        // the chunks decoded so far
  bool inTrailer = false;  // the last chunk was read
  size_t trailerBytes = 0;
};
Parsed DecodeChunked(std::string_view buf, const Limits& limits, std::string* body,
                     ChunkedState* st);

// %XX decoding (invalid escapes are kept as they are); `plus_as_space` for
// query components.
std::string DecodeUrl(std::string_view s, bool plus_as_space);
// name=value pairs split at '&' and the first '=', each decoded; pairs with
// an empty name are skipped.
void ParseQuery(std::string_view query, std::multimap<std::string, std::string>* out);

std::string_view ReasonPhrase(int status);

// "HTTP/1.1 <status> <reason>", the headers, `fixed` (header lines already
// rendered, each ending in CRLF), Content-Length (unless 1xx or 204),
// Connection: close when !keep_alive, and the blank line.
void AppendResponseHead(int status, const std::vector<std::pair<std::string, std::string>>& headers,
                        size_t content_length, bool keep_alive, std::string* out,
                        std::string_view fixed = {});

}  // namespace ld::http::wire
