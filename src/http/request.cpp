#include "http/request.h"

#include <algorithm>

namespace ld::http {

std::optional<std::string> HttpRequest::Header(std::string_view lower_name) const {
  auto it = headers.find(std::string(lower_name));
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> HttpRequest::Param(std::string_view name) const {
  auto it = params.find(std::string(name));
  if (it == params.end()) return std::nullopt;
  return it->second;
}

std::string HttpRequest::BaseUrl() const {
  std::string host = Header("host").value_or("localhost");
  // A Host header is attacker-controlled: keep only characters a host:port may hold.
  bool sane =
      !host.empty() && host.size() <= 255 && std::all_of(host.begin(), host.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
      });
  if (!sane) host = "localhost";
  return std::string(tls ? "https://" : "http://") + host;
}

}  // namespace ld::http
