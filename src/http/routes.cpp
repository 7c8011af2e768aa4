#include "http/routes.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>

namespace ld::http {

Result<Guid> PathGuid(const Call& c, size_t i, std::string_view name) {
  const std::string& s = c.Param(i);
  auto g = Guid::Parse(s);
  if (!g) return InvalidGuid(std::string(name));
  return *g;
}

std::string ServerNowRfc3339(const app::Context& ctx) {
  return FormatRfc3339(ctx.Now());
}

std::string PercentEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string o;
  for (unsigned char ch : s) {
    if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
        ch == '-' || ch == '.' || ch == '_' || ch == '~') {
      o += static_cast<char>(ch);
    } else {
      o += '%';
      o += kHex[ch >> 4];
      o += kHex[ch & 15];
    }
  }
  return o;
}

std::string Base64UrlEncode(const std::string& bin) {
  std::string out(sodium_base64_ENCODED_LEN(bin.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bin.data()),
                    bin.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::optional<std::string> Base64UrlDecode(const std::string& text) {
  std::string bin(text.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(bin.data()), bin.size(), text.data(),
                        text.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    return std::nullopt;
  bin.resize(len);
  return bin;
}

namespace {

std::vector<RouteInfo> Build() {
  std::vector<RouteInfo> all;
  for (auto part :
       {OpsRoutes(), AuthRoutes(), GraphRoutes(), GroupRoutes(), CommerceRoutes(), SsoRoutes()})
    for (auto& r : part) all.push_back(std::move(r));
  for (auto& r : all) {
    std::string_view t(r.path);
    for (size_t at = 1; at <= t.size();) {
      size_t slash = std::min(t.find('/', at), t.size());
      r.segments.emplace_back(t.substr(at, slash - at));
      at = slash + 1;
    }
    r.family = FamilyOfPath(r.path);
  }
  return all;
}

}  // namespace

bool RouteInfo::Matches(std::string_view p, std::vector<std::string>* params) const {
  if (p.empty() || p[0] != '/') return false;
  std::string_view got[8];
  size_t n = 0;
  size_t at = 1;
  for (const std::string& want : segments) {
    if (at > p.size()) return false;
    size_t slash = std::min(p.find('/', at), p.size());
    std::string_view seg = p.substr(at, slash - at);
    if (!want.empty() && want.front() == '{') {
      if (seg.empty() || n == std::size(got)) return false;
      got[n++] = seg;
    } else if (seg != want) {
      return false;
    }
    at = slash + 1;
  }
  if (at != p.size() + 1) return false;  // the path has more segments
  if (params)
    for (size_t i = 0; i < n; ++i) params->emplace_back(got[i]);
  return true;
}

const std::vector<RouteInfo>& Routes() {
  static const std::vector<RouteInfo> kRoutes = Build();
  return kRoutes;
}

}  // namespace ld::http
