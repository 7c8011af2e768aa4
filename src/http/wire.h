// HTTP/1.1 on the wire (RFC 9112), the small pieces the transport keeps
// beside Boost.Beast's parser (http/request_reader.h): the request limits,
// decoding the request target and the query, and writing a response head.
// Pure functions over buffers: no sockets.
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
