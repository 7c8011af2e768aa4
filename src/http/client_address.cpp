#include "http/client_address.h"

#include <arpa/inet.h>

#include <cstring>

namespace ld::http {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// An address (IPv4 becomes IPv4-mapped IPv6); `is_v4` tells which it was.
std::optional<std::array<unsigned char, 16>> ParseIp(std::string_view s, bool* is_v4) {
  if (s.empty() || s.size() > 45) return std::nullopt;
  std::string z(s);
  std::array<unsigned char, 16> out{};
  unsigned char v4[4];
  if (inet_pton(AF_INET, z.c_str(), v4) == 1) {
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, v4, 4);
    if (is_v4) *is_v4 = true;
    return out;
  }
  if (inet_pton(AF_INET6, z.c_str(), out.data()) == 1) {
    if (is_v4) *is_v4 = false;
    return out;
  }
  return std::nullopt;
}

std::optional<IpNetwork> ParseNetwork(std::string_view s) {
  s = Trim(s);
  auto slash = s.find('/');
  bool v4 = false;
  auto ip = ParseIp(s.substr(0, slash), &v4);
  if (!ip) return std::nullopt;
  IpNetwork n;
  n.bytes = *ip;
  n.prefix = 128;
  if (slash != std::string_view::npos) {
    std::string_view p = s.substr(slash + 1);
    if (p.empty() || p.size() > 3) return std::nullopt;
    int bits = 0;
    for (char c : p) {
      if (c < '0' || c > '9') return std::nullopt;
      bits = bits * 10 + (c - '0');
    }
    if (bits > (v4 ? 32 : 128)) return std::nullopt;
    n.prefix = v4 ? bits + 96 : bits;
  }
  return n;
}

bool Contains(const IpNetwork& n, const std::array<unsigned char, 16>& a) {
  int full = n.prefix / 8, rest = n.prefix % 8;
  if (std::memcmp(n.bytes.data(), a.data(), static_cast<size_t>(full)) != 0) return false;
  if (rest == 0) return true;
  unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (n.bytes[static_cast<size_t>(full)] & mask) == (a[static_cast<size_t>(full)] & mask);
}

bool Trusted(const TrustedProxies& t, const std::array<unsigned char, 16>& a) {
  for (const auto& n : t)
    if (Contains(n, a)) return true;
  return false;
}

}  // namespace

std::optional<TrustedProxies> ParseTrustedProxies(std::string_view spec) {
  TrustedProxies out;
  while (true) {
    auto comma = spec.find(',');
    auto n = ParseNetwork(spec.substr(0, comma));
    if (!n) return std::nullopt;
    out.push_back(*n);
    if (comma == std::string_view::npos) break;
    spec.remove_prefix(comma + 1);
  }
  return out;
}

std::string ClientAddress(const std::string& peer, std::string_view forwarded_for,
                          const TrustedProxies& trusted) {
  if (trusted.empty() || forwarded_for.empty()) return peer;
  auto p = ParseIp(peer, nullptr);
  if (!p || !Trusted(trusted, *p)) return peer;
  std::string client = peer;
  while (!forwarded_for.empty()) {
    auto comma = forwarded_for.rfind(',');
    std::string_view hop =
        Trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    forwarded_for =
        comma == std::string_view::npos ? std::string_view{} : forwarded_for.substr(0, comma);
    auto a = ParseIp(hop, nullptr);
    if (!a) break;  // malformed: the last trusted hop is as far as we can tell
    client = std::string(hop);
    if (!Trusted(trusted, *a)) break;
  }
  return client;
}

}  // namespace ld::http
