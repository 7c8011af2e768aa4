#include "http/request.h"

#include <algorithm>
#include <cctype>

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
  if (!publicBase.empty()) return std::string(publicBase);
  return tls ? "https://localhost" : "http://localhost";
}

namespace {
bool Alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
}  // namespace

std::optional<std::string> NormalizePublicUrl(std::string_view url) {
  std::string_view rest;
  std::string scheme;
  if (url.substr(0, 7) == "http://") {
    scheme = "http://";
    rest = url.substr(7);
  } else if (url.substr(0, 8) == "https://") {
    scheme = "https://";
    rest = url.substr(8);
  } else {
    return std::nullopt;
  }
  if (url.size() > 2048) return std::nullopt;
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  // Host: a DNS name or IPv4 address, or [IPv6].
  std::string_view host = authority, port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos || close < 3) return std::nullopt;
    host = authority.substr(0, close + 1);
    for (char c : host.substr(1, host.size() - 2))
      if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.'))
        return std::nullopt;
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port = after.substr(1);
      if (port.empty()) return std::nullopt;
    }
  } else {
    size_t colon = authority.find(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
      if (port.empty()) return std::nullopt;
    }
    if (host.empty() || host.size() > 253 || host.front() == '.' || host.front() == '-')
      return std::nullopt;
    for (char c : host)
      if (!(Alnum(c) || c == '.' || c == '-')) return std::nullopt;
  }
  if (!port.empty()) {
    if (port.size() > 5) return std::nullopt;
    int p = 0;
    for (char c : port) {
      if (c < '0' || c > '9') return std::nullopt;
      p = p * 10 + (c - '0');
    }
    if (p < 1 || p > 65535) return std::nullopt;
  }
  // Path: unreserved characters, '/', '%'-escapes passed through as they are.
  for (char c : path)
    if (!(Alnum(c) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~' || c == '%'))
      return std::nullopt;
  std::string out = scheme + std::string(authority) + std::string(path);
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out;
}

}  // namespace ld::http
