#include "http/wire.h"

#include "http/request_reader.h"

#include <gtest/gtest.h>

namespace ld::http::wire {
namespace {

using ld::http::HttpRequest;
using ld::http::RequestReader;

// The request path (http/request_reader.h): Beast's parser with our limits
// and checks. Fed in one piece, then byte by byte: the same result.
struct Read {
  RequestReader::State state;
  int status = 0;
  std::string message;
  HttpRequest req;
  size_t consumed = 0;
  bool keepAlive = true, expectContinue = false, headOnly = false;
};

Read ReadAll(std::string_view bytes, Limits limits = {}) {
  RequestReader r(limits);
  Read out{};
  out.consumed = r.Feed(bytes);
  out.state = r.state();
  out.status = r.status();
  out.message = r.message();
  out.req = r.request();
  out.keepAlive = r.keepAlive();
  out.expectContinue = r.expectContinue();
  out.headOnly = r.headOnly();
  return out;
}

// Byte by byte, as a trickling client sends it.
Read ReadTrickled(std::string_view bytes) {
  RequestReader r;
  std::string buf;
  size_t consumed = 0;
  for (char c : bytes) {
    buf += c;
    size_t n = r.Feed(buf);
    consumed += n;
    buf.erase(0, n);
    if (r.state() == RequestReader::State::kDone || r.state() == RequestReader::State::kError)
      break;
  }
  Read out{};
  out.state = r.state();
  out.status = r.status();
  out.req = r.request();
  out.consumed = consumed;
  return out;
}

using S = RequestReader::State;

TEST(WireReader, ParsesRequestLineHeadersQueryAndLeavesTheNextRequest) {
  std::string req =
      "GET /v1.0/users%2Fx?$top=5&$filter=a%20b HTTP/1.1\r\nHost: x\r\nX-Thing:  v  \r\n\r\nNEXT";
  Read r = ReadAll(req);
  ASSERT_EQ(r.state, S::kDone) << r.message;
  EXPECT_EQ(r.consumed, req.size() - 4);  // the next request is left alone
  EXPECT_EQ(r.req.method, "GET");
  EXPECT_EQ(r.req.path, "/v1.0/users/x");
  EXPECT_EQ(r.req.Param("$filter"), "a b");
  EXPECT_EQ(r.req.Param("$top"), "5");
  EXPECT_EQ(r.req.Header("x-thing"), "v");
  EXPECT_TRUE(r.keepAlive);
  Read t = ReadTrickled(req);
  EXPECT_EQ(t.state, S::kDone);
  EXPECT_EQ(t.consumed, req.size() - 4);
  EXPECT_EQ(t.req.path, "/v1.0/users/x");
}

TEST(WireReader, IncompleteUntilTheBlankLineThenTheBody) {
  std::string req = "POST /a HTTP/1.1\r\nContent-Length: 2\r\n\r\nab";
  for (size_t n = 1; n < req.size(); ++n) {
    Read r = ReadAll(req.substr(0, n));
    EXPECT_TRUE(r.state == S::kHead || r.state == S::kBody) << n;
  }
  Read r = ReadAll(req);
  ASSERT_EQ(r.state, S::kDone);
  EXPECT_EQ(r.req.body, "ab");
  EXPECT_EQ(ReadAll("\r\n\r\n").state, S::kIdle);
}

TEST(WireReader, KeepAliveHeadAndExpectContinue) {
  EXPECT_FALSE(ReadAll("GET / HTTP/1.0\r\n\r\n").keepAlive);
  EXPECT_TRUE(ReadAll("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keepAlive);
  EXPECT_FALSE(ReadAll("GET / HTTP/1.1\r\nConnection: foo, close\r\n\r\n").keepAlive);
  Read h = ReadAll("HEAD /h HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(h.headOnly);
  EXPECT_EQ(h.req.method, "GET");
  Read e = ReadAll(
      "POST / HTTP/1.1\r\nContent-Length: 7\r\ncontent-length: 7\r\nExpect: 100-Continue\r\n\r\n");
  EXPECT_EQ(e.state, S::kBody) << e.message;
  EXPECT_TRUE(e.expectContinue);
}

TEST(WireReader, AcceptsLeadingBlankLinesAbsoluteFormAndAsterisk) {
  Read r = ReadAll("\r\nGET http://host:1/p?q=1 HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_EQ(r.state, S::kDone) << r.message;
  EXPECT_EQ(r.req.path, "/p");
  EXPECT_EQ(r.req.Param("q"), "1");
  EXPECT_EQ(ReadAll("OPTIONS * HTTP/1.1\r\n\r\n").req.path, "*");
}

TEST(WireReader, DecodesChunkedBodiesWithExtensionsAndTrailers) {
  std::string req =
      "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nT: x\r\n\r\nNEXT";
  Read r = ReadAll(req);
  ASSERT_EQ(r.state, S::kDone) << r.message;
  EXPECT_EQ(r.req.body, "Wikipedia in\r\n\r\nchunks.");
  EXPECT_EQ(req.substr(r.consumed), "NEXT");
  Read t = ReadTrickled(req);
  ASSERT_EQ(t.state, S::kDone);
  EXPECT_EQ(t.req.body, "Wikipedia in\r\n\r\nchunks.");
}

struct Bad {
  std::string request;
  int status;
};

TEST(WireReader, RefusesMalformedAndOversizedRequests) {
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
      {"GET / HTTP/1.1\nHost: a\n\n", 400},  // bare LF
      {"\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: 1048577\r\n\r\n", 413},
      {"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nExpect: something\r\n\r\n", 417},
      {"GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n", 414},
      {"GET / HTTP/1.1\r\nBig: " + std::string(70000, 'a') + "\r\n\r\n", 431},
      {"GET / HTTP/1.1\r\nBig: " + std::string(70000, 'a'), 431},  // no end in sight
      {"GET /" + std::string(9000, 'a'), 414},                     // nor here
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzzzz\r\n", 400},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY\r\n", 400},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n100001\r\n", 413},
  };
  std::string many = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 101; ++i) many += "H" + std::to_string(i) + ": v\r\n";
  cases.push_back({many + "\r\n", 431});
  for (const auto& c : cases) {
    Read r = ReadAll(c.request);
    EXPECT_EQ(r.state, S::kError) << c.request.substr(0, 80);
    EXPECT_EQ(r.status, c.status) << c.request.substr(0, 80) << " -> " << r.message;
    EXPECT_FALSE(r.message.empty());
  }
  // A chunked body is cut when it passes the limit.
  Limits small;
  small.maxBodyBytes = 5;
  Read cut = ReadAll(
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n",
      small);
  EXPECT_EQ(cut.status, 413);
  EXPECT_TRUE(cut.req.body.empty());
}

// Issue 13 #14: the 501 names the coding it does not support.
TEST(Wire, AnUnsupportedTransferCodingIsA501NamingIt) {
  Read r = ReadAll("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
  EXPECT_EQ(r.status, 501);
  EXPECT_NE(r.message.find("gzip"), std::string::npos) << r.message;
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

}  // namespace
}  // namespace ld::http::wire
