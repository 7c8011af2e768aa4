// The client's address: the socket peer, or, when the peer is a configured
// trusted proxy (`serve --trusted-proxy`), what its X-Forwarded-For says.
// Pure functions.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ld::http {

// One address or network: an IPv4 or IPv6 address with an optional /prefix.
struct IpNetwork {
  std::array<unsigned char, 16> bytes{};  // IPv4 as IPv4-mapped IPv6
  int prefix = 128;
};
using TrustedProxies = std::vector<IpNetwork>;

// "10.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"; several separated by commas.
// nullopt when any part is not such an address or network.
std::optional<TrustedProxies> ParseTrustedProxies(std::string_view spec);

// The address the throttles and the access log see. `peer` is the socket's
// peer; `forwarded_for` every X-Forwarded-For value in order, joined by ",".
// Unless the peer is trusted, the peer. Otherwise X-Forwarded-For is walked
// from the right (the hop nearest to us): trusted proxies are skipped, the
// first address that is not one is the client; a malformed entry stops the
// walk at the last trusted hop.
std::string ClientAddress(const std::string& peer, std::string_view forwarded_for,
                          const TrustedProxies& trusted);

}  // namespace ld::http
