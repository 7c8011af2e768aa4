#include "http/wire.h"

#include <gtest/gtest.h>

namespace ld::http::wire {
namespace {

Parsed Head1(std::string_view s, Head* h, Limits l = {}) {
  return ParseHead(s, l, h);
}

TEST(WireHead, ParsesRequestLineHeadersAndQuery) {
  Head h;
  std::string req =
      "GET /v1.0/users%2Fx?$top=5&$filter=a%20b HTTP/1.1\r\nHost: x\r\nX-Thing:  v  \r\n\r\nNEXT";
  auto p = Head1(req, &h);
  ASSERT_EQ(p.state, State::kDone);
  EXPECT_EQ(p.consumed, req.size() - 4);  // the next request is left alone
  EXPECT_EQ(h.method, "GET");
  EXPECT_EQ(h.path, "/v1.0/users/x");
  EXPECT_EQ(h.query, "$top=5&$filter=a%20b");
  EXPECT_TRUE(h.keepAlive);
  ASSERT_EQ(h.headers.size(), 2u);
  EXPECT_EQ(h.headers[1].first, "x-thing");
  EXPECT_EQ(h.headers[1].second, "v");
}

TEST(WireHead, IncompleteUntilTheBlankLine) {
  std::string req = "POST /a HTTP/1.1\r\nContent-Length: 2\r\n\r\n";
  for (size_t n = 0; n < req.size(); ++n) {
    Head h;
    EXPECT_EQ(Head1(req.substr(0, n), &h).state, State::kIncomplete) << n;
  }
  Head h;
  EXPECT_EQ(Head1(req, &h).state, State::kDone);
  EXPECT_EQ(h.contentLength, 2u);
}

TEST(WireHead, KeepAliveFollowsVersionAndConnection) {
  Head h;
  ASSERT_EQ(Head1("GET / HTTP/1.0\r\n\r\n", &h).state, State::kDone);
  EXPECT_FALSE(h.keepAlive);
  ASSERT_EQ(Head1("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &h).state, State::kDone);
  EXPECT_TRUE(h.keepAlive);
  ASSERT_EQ(Head1("GET / HTTP/1.1\r\nConnection: foo, close\r\n\r\n", &h).state, State::kDone);
  EXPECT_FALSE(h.keepAlive);
}

TEST(WireHead, AcceptsBareLfLeadingBlankLinesAndAbsoluteForm) {
  Head h;
  ASSERT_EQ(Head1("\r\nGET http://host:1/p?q=1 HTTP/1.1\nHost: a\n\n", &h).state, State::kDone);
  EXPECT_EQ(h.path, "/p");
  EXPECT_EQ(h.query, "q=1");
  ASSERT_EQ(Head1("OPTIONS * HTTP/1.1\r\n\r\n", &h).state, State::kDone);
  EXPECT_EQ(h.path, "*");
}

struct Bad {
  std::string request;
  int status;
};

TEST(WireHead, RefusesMalformedAndOversizedRequests) {
  std::vector<Bad> cases{
      {"GET /\r\n\r\n", 400},
      {"GET  / HTTP/1.1\r\n\r\n", 400},
      {"GET / HTTP/1.1 x\r\n\r\n", 400},
      {"G@T / HTTP/1.1\r\n\r\n", 400},
      {"GET nopath HTTP/1.1\r\n\r\n", 400},
      {"GET / HTTP/2.0\r\n\r\n", 505},
      {"GET / HTTP/1.2\r\n\r\n", 505},
      {"GET / HTTPS/1.1\r\n\r\n", 400},
      {"GET /\x01 HTTP/1.1\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nNoColon\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nName : v\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nA: b\x01\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: 1048577\r\n\r\n", 413},
      {"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400},
      {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nExpect: something\r\n\r\n", 417},
      {"GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n", 414},
      {"GET / HTTP/1.1\r\nBig: " + std::string(70000, 'a') + "\r\n\r\n", 431},
      {"GET / HTTP/1.1\r\nBig: " + std::string(70000, 'a'), 431},  // no end in sight
      {"GET /" + std::string(9000, 'a'), 414},                     // nor here
  };
  std::string many = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 101; ++i) many += "H" + std::to_string(i) + ": v\r\n";
  cases.push_back({many + "\r\n", 431});
  for (const auto& c : cases) {
    Head h;
    auto p = Head1(c.request, &h);
    EXPECT_EQ(p.state, State::kError) << c.request.substr(0, 80);
    EXPECT_EQ(p.status, c.status) << c.request.substr(0, 80);
    EXPECT_FALSE(p.message.empty());
  }
}

TEST(WireHead, AgreeingContentLengthsAndExpectContinue) {
  Head h;
  ASSERT_EQ(Head1("POST / HTTP/1.1\r\nContent-Length: 7\r\ncontent-length: 7\r\nExpect: "
                  "100-Continue\r\n\r\n",
                  &h)
                .state,
            State::kDone);
  EXPECT_EQ(h.contentLength, 7u);
  EXPECT_TRUE(h.expectContinue);
  ASSERT_EQ(Head1("POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n", &h).state, State::kDone);
  EXPECT_TRUE(h.chunked);
}

TEST(WireChunked, DecodesChunksExtensionsAndTrailers) {
  std::string body =
      "4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nT: x\r\n\r\nNEXT";
  std::string out;
  auto p = DecodeChunked(body, {}, &out);
  ASSERT_EQ(p.state, State::kDone);
  EXPECT_EQ(out, "Wikipedia in\r\n\r\nchunks.");
  EXPECT_EQ(body.substr(p.consumed), "NEXT");
  // Every prefix is incomplete and appends nothing.
  for (size_t n = 0; n < body.size() - 4; ++n) {
    std::string partial;
    EXPECT_EQ(DecodeChunked(body.substr(0, n), {}, &partial).state, State::kIncomplete) << n;
    EXPECT_TRUE(partial.empty());
  }
}

TEST(WireChunked, RefusesBadSizesAndTooMuch) {
  std::string out;
  EXPECT_EQ(DecodeChunked("zz\r\n", {}, &out).status, 400);
  EXPECT_EQ(DecodeChunked("\r\n", {}, &out).status, 400);
  EXPECT_EQ(DecodeChunked("3\r\nabcX", {}, &out).status, 400);
  EXPECT_EQ(DecodeChunked("FFFFFFFFFFFFFFFFF\r\n", {}, &out).status, 400);
  EXPECT_EQ(DecodeChunked("100001\r\n", {}, &out).status, 413);
  Limits small;
  small.maxBodyBytes = 5;
  EXPECT_EQ(DecodeChunked("3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n", small, &out).status, 413);
  EXPECT_TRUE(out.empty());
}

TEST(WireUrl, DecodesEscapesAndQueries) {
  EXPECT_EQ(DecodeUrl("a%41%zz%4", false), "aA%zz%4");
  EXPECT_EQ(DecodeUrl("a+b%2B", false), "a+b+");
  EXPECT_EQ(DecodeUrl("a+b%2B", true), "a b+");
  std::multimap<std::string, std::string> q;
  ParseQuery("a=1&b=&&=x&c&d=e=f&%24top=2&a=3", &q);
  EXPECT_EQ(q.count("a"), 2u);
  EXPECT_EQ(q.find("b")->second, "");
  EXPECT_EQ(q.find("c")->second, "");
  EXPECT_EQ(q.find("d")->second, "e=f");
  EXPECT_EQ(q.find("$top")->second, "2");
  EXPECT_EQ(q.count(""), 0u);
}

TEST(WireResponse, HeadHasLengthUnlessNoContentAndSaysClose) {
  std::string out;
  AppendResponseHead(200, {{"A", "b"}}, 12, true, &out);
  EXPECT_EQ(out, "HTTP/1.1 200 OK\r\nA: b\r\nContent-Length: 12\r\n\r\n");
  out.clear();
  AppendResponseHead(204, {}, 0, false, &out);
  EXPECT_EQ(out, "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(ReasonPhrase(431), "Request Header Fields Too Large");
}

// Issue 13 #14: the 501 names the coding it does not support.
TEST(Wire, AnUnsupportedTransferCodingIsA501NamingIt) {
  Head h;
  Parsed p = Head1("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", &h);
  EXPECT_EQ(p.status, 501);
  EXPECT_NE(p.message.find("gzip"), std::string::npos) << p.message;
}

// Issue 13 #3: the resumable decoder, fed a byte at a time, gives the same
// body as one call on the whole buffer.
TEST(Wire, ResumableChunkedDecodingMatchesOneCall) {
  std::string all = "3\r\nabc\r\n1;x=y\r\nd\r\n0\r\nT: v\r\n\r\n";
  ChunkedState st;
  std::string body;
  Parsed p;
  for (size_t n = 1; n <= all.size(); ++n) {
    p = DecodeChunked(std::string_view(all).substr(0, n), Limits{}, &body, &st);
    if (n < all.size()) {
      ASSERT_EQ(p.state, State::kIncomplete) << n;
    }
  }
  EXPECT_EQ(p.state, State::kDone);
  EXPECT_EQ(p.consumed, all.size());
  EXPECT_EQ(body, "abcd");
}

}  // namespace
}  // namespace ld::http::wire
