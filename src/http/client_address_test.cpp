#include "http/client_address.h"

#include <gtest/gtest.h>

namespace ld::http {
namespace {

TEST(ClientAddress, ForwardedForOnlyFromATrustedProxy) {
  auto t = ParseTrustedProxies("10.0.0.0/8, 192.0.2.1,::1");
  ASSERT_TRUE(t.has_value());
  // An untrusted peer: its header is ignored.
  EXPECT_EQ(ClientAddress("203.0.113.9", "1.2.3.4", *t), "203.0.113.9");
  // A trusted peer: the nearest untrusted hop is the client.
  EXPECT_EQ(ClientAddress("192.0.2.1", "198.51.100.4", *t), "198.51.100.4");
  EXPECT_EQ(ClientAddress("10.1.2.3", "6.6.6.6, 198.51.100.4, 10.9.9.9", *t), "198.51.100.4");
  EXPECT_EQ(ClientAddress("::1", "2001:db8::5", *t), "2001:db8::5");
  // Everything trusted: the leftmost. Malformed: the last trusted hop.
  EXPECT_EQ(ClientAddress("10.0.0.1", "10.0.0.2", *t), "10.0.0.2");
  EXPECT_EQ(ClientAddress("10.0.0.1", "bogus, 10.0.0.2", *t), "10.0.0.2");
  EXPECT_EQ(ClientAddress("10.0.0.1", "not-an-ip", *t), "10.0.0.1");
  EXPECT_EQ(ClientAddress("10.0.0.1", "", *t), "10.0.0.1");
  // No trusted proxies configured: always the peer.
  EXPECT_EQ(ClientAddress("10.0.0.1", "1.2.3.4", {}), "10.0.0.1");
}

TEST(ClientAddress, TrustedProxySpecs) {
  EXPECT_TRUE(ParseTrustedProxies("127.0.0.1").has_value());
  EXPECT_TRUE(ParseTrustedProxies("fd00::/8").has_value());
  EXPECT_TRUE(ParseTrustedProxies("0.0.0.0/0").has_value());
  for (const char* bad : {"", "10.0.0.0/33", "::/129", "10.0.0.1/", "10.0.0.1/x", "host.example",
                          "10.0.0.1,", "1.2.3.4/8/8"})
    EXPECT_FALSE(ParseTrustedProxies(bad).has_value()) << bad;
  auto t = ParseTrustedProxies("10.128.0.0/9");
  EXPECT_EQ(ClientAddress("10.200.0.1", "1.1.1.1", *t), "1.1.1.1");
  EXPECT_EQ(ClientAddress("10.100.0.1", "1.1.1.1", *t), "10.100.0.1");
}

}  // namespace
}  // namespace ld::http
