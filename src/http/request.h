// An HTTP request as the transports hand it to the pipeline and the handlers
// see it. No dependencies beyond the standard library, so the transport
// (http/transport.h) builds on its own (the benchmark's hello-world uses it).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ld::http {

struct HttpRequest {
  std::string method;
  std::string path;                                 // URL-decoded, without the query string
  std::multimap<std::string, std::string> params;   // URL-decoded query parameters
  std::multimap<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string remoteAddr;
  bool tls = false;

  std::optional<std::string> Header(std::string_view lower_name) const;
  std::optional<std::string> Param(std::string_view name) const;
  // scheme://host as the client addressed us (Host header), for absolute links.
  std::string BaseUrl() const;
};

}  // namespace ld::http
