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
  // The configured public base URL (serve --public-url, else from --listen),
  // set by the server; never taken from the Host header, which the client
  // controls.
  std::string_view publicBase;

  std::optional<std::string> Header(std::string_view lower_name) const;
  std::optional<std::string> Param(std::string_view name) const;
  // The base of absolute links (nextLink, @odata.context, Location):
  // publicBase, or http(s)://localhost when the server set none.
  std::string BaseUrl() const;
};

// A public base URL as `serve --public-url` takes it: http or https, a host
// name or address (IPv6 in brackets), an optional port and path; no user info,
// query or fragment. Returns it without a trailing slash; nullopt when it is
// not such a URL.
std::optional<std::string> NormalizePublicUrl(std::string_view url);

}  // namespace ld::http
