#include "http/wire.h"

#include <algorithm>
#include <charconv>

namespace ld::http::wire {
namespace {

Parsed Fail(int status, std::string message) {
  return {State::kError, 0, status, std::move(message)};
}

bool IsTchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

char LowerAscii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = LowerAscii(c);
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The next line of `buf` from `pos` (without CRLF or LF); npos when incomplete.
size_t LineEnd(std::string_view buf, size_t pos, size_t* next) {
  size_t lf = buf.find('\n', pos);
  if (lf == std::string_view::npos) return std::string_view::npos;
  *next = lf + 1;
  return (lf > pos && buf[lf - 1] == '\r') ? lf - 1 : lf;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Comma-separated tokens of a header value, lower-cased and trimmed.
std::vector<std::string> Tokens(std::string_view v) {
  std::vector<std::string> out;
  while (true) {
    size_t comma = v.find(',');
    std::string_view t = Trim(v.substr(0, comma));
    if (!t.empty()) out.push_back(Lower(t));
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

Parsed ParseHead(std::string_view buf, const Limits& limits, Head* out) {
  // A client may send empty lines before the request line (RFC 9112 2.2).
  size_t start = 0;
  while (start < buf.size() && (buf[start] == '\r' || buf[start] == '\n')) ++start;
  if (start > 8) return Fail(400, "Too many empty lines before the request line.");
  // Find the blank line that ends the head.
  size_t end = std::string_view::npos, body = 0;
  for (size_t pos = start;;) {
    size_t next = 0;
    size_t le = LineEnd(buf, pos, &next);
    if (le == std::string_view::npos) break;
    if (le == pos && pos > start) {
      end = pos;
      body = next;
      break;
    }
    pos = next;
  }
  if (end == std::string_view::npos) {
    if (buf.size() > limits.maxHeadBytes)
      return Fail(431, "The request line and headers are larger than 64 KiB.");
    // A request line longer than the target limit can be refused early.
    size_t first_lf = buf.find('\n', start);
    if (first_lf == std::string_view::npos && buf.size() - start > limits.maxTargetBytes + 64)
      return Fail(414, "The request target is longer than 8192 bytes.");
    return {};
  }
  if (body > limits.maxHeadBytes)
    return Fail(431, "The request line and headers are larger than 64 KiB.");

  *out = Head{};
  size_t next = 0;
  size_t le = LineEnd(buf, start, &next);
  std::string_view line = buf.substr(start, le - start);
  // request-line = method SP request-target SP HTTP-version
  size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos || sp1 == 0) return Fail(400, "Malformed request line.");
  size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || sp2 == sp1 + 1 || line.find(' ', sp2 + 1) != line.npos)
    return Fail(400, "Malformed request line.");
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!std::all_of(method.begin(), method.end(), IsTchar))
    return Fail(400, "Malformed request method.");
  if (target.size() > limits.maxTargetBytes)
    return Fail(414, "The request target is longer than 8192 bytes.");
  if (version.size() != 8 || version.substr(0, 7) != "HTTP/1.") {
    if (version.size() == 8 && version.substr(0, 5) == "HTTP/" && version[6] == '.')
      return Fail(505, "Only HTTP/1.0 and HTTP/1.1 are supported.");
    return Fail(400, "Malformed HTTP version.");
  }
  if (version[7] != '0' && version[7] != '1')
    return Fail(505, "Only HTTP/1.0 and HTTP/1.1 are supported.");
  out->minor = version[7] - '0';
  out->keepAlive = out->minor == 1;
  for (char c : target)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F)
      return Fail(400, "Malformed request target.");
  // origin-form, absolute-form (a proxy's), or "*" (OPTIONS).
  if (target.rfind("http://", 0) == 0 || target.rfind("https://", 0) == 0) {
    size_t slash = target.find('/', target.find("//") + 2);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  if (target != "*" && (target.empty() || target.front() != '/'))
    return Fail(400, "Malformed request target.");
  out->method = std::string(method);
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  size_t hash = path.find('#');
  if (hash != std::string_view::npos) path = path.substr(0, hash);
  out->path = DecodeUrl(path, false);
  if (q != std::string_view::npos) {
    std::string_view query = target.substr(q + 1);
    out->query = std::string(query.substr(0, query.find('#')));
  }

  bool have_length = false, have_te = false;
  for (size_t pos = next; pos < end;) {
    le = LineEnd(buf, pos, &next);
    line = buf.substr(pos, le - pos);
    pos = next;
    if (line.front() == ' ' || line.front() == '\t')
      return Fail(400, "Folded header lines are not accepted.");
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return Fail(400, "Malformed header line.");
    std::string_view name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), IsTchar)) return Fail(400, "Malformed header name.");
    std::string_view value = Trim(line.substr(colon + 1));
    for (char c : value)
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F)
        return Fail(400, "A header value holds a control character.");
    if (out->headers.size() >= limits.maxHeaders) return Fail(431, "Too many header fields.");
    std::string lname = Lower(name);
    if (lname == "content-length") {
      // Repeated or listed values must agree (RFC 9110 8.6).
      for (const auto& t : Tokens(value)) {
        size_t n = 0;
        auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
        if (ec == std::errc::result_out_of_range)
          return Fail(413, "The request body is larger than 1 MiB.");
        if (ec != std::errc() || p != t.data() + t.size() || t[0] == '+' || t[0] == '-')
          return Fail(400, "Malformed Content-Length.");
        if (have_length && n != out->contentLength)
          return Fail(400, "Conflicting Content-Length values.");
        out->contentLength = n;
        have_length = true;
      }
      if (!have_length) return Fail(400, "Malformed Content-Length.");
    } else if (lname == "transfer-encoding") {
      auto codings = Tokens(value);
      if (codings.empty()) return Fail(400, "Malformed Transfer-Encoding.");
      for (const auto& c : codings)
        if (c != "chunked")
          return Fail(
              501, "Transfer-Encoding " + c.substr(0, 64) + " is not supported (only chunked is).");
      if (codings.size() != 1 || have_te)
        return Fail(501, "Only the chunked transfer coding is supported.");
      have_te = true;
      out->chunked = true;
    } else if (lname == "connection") {
      for (const auto& t : Tokens(value)) {
        if (t == "close") out->keepAlive = false;
        if (t == "keep-alive" && out->minor == 0) out->keepAlive = true;
      }
    } else if (lname == "expect") {
      if (Lower(value) != "100-continue")
        return Fail(417, "Only Expect: 100-continue is supported.");
      out->expectContinue = out->minor == 1;
    }
    out->headers.emplace_back(std::move(lname), std::string(value));
  }
  if (have_te && have_length)
    return Fail(400, "Content-Length and Transfer-Encoding cannot both be sent.");
  if (have_te && out->minor == 0) return Fail(400, "HTTP/1.0 has no chunked transfer coding.");
  if (out->contentLength > limits.maxBodyBytes)
    return Fail(413, "The request body is larger than 1 MiB.");
  return {State::kDone, body, 0, {}};
}

Parsed DecodeChunked(std::string_view buf, const Limits& limits, std::string* body) {
  ChunkedState st;
  return DecodeChunked(buf, limits, body, &st);
}

// Resumable: `st` keeps the chunks already decoded and where the next item
// (chunk or trailer line) starts, so a call on a longer buffer reads only the
// new bytes (a body sent one byte at a time costs linear work, not quadratic).
Parsed DecodeChunked(std::string_view buf, const Limits& limits, std::string* body,
                     ChunkedState* st) {
  std::string& data = st->data;
  size_t& pos = st->pos;
  while (!st->inTrailer) {
    size_t next = 0;
    size_t le = LineEnd(buf, pos, &next);
    if (le == std::string_view::npos) {
      if (buf.size() - pos > 1024) return Fail(400, "Malformed chunk size line.");
      return {};
    }
    std::string_view line = buf.substr(pos, le - pos);
    line = line.substr(0, line.find(';'));  // chunk extensions are ignored
    line = Trim(line);
    if (line.empty() || line.size() > 16) return Fail(400, "Malformed chunk size.");
    size_t size = 0;
    for (char c : line) {
      int h = HexValue(c);
      if (h < 0) return Fail(400, "Malformed chunk size.");
      size = size * 16 + static_cast<size_t>(h);
    }
    if (size > limits.maxBodyBytes || data.size() + size > limits.maxBodyBytes)
      return Fail(413, "The request body is larger than 1 MiB.");
    if (size == 0) {
      pos = next;
      st->inTrailer = true;
      break;
    }
    size_t at = next;
    if (buf.size() < at + size + 1) return {};
    size_t end = at + size;
    if (buf[end] == '\r') {
      if (buf.size() < end + 2) return {};
      if (buf[end + 1] != '\n') return Fail(400, "A chunk does not end with CRLF.");
      end += 2;
    } else if (buf[end] == '\n') {
      end += 1;
    } else {
      return Fail(400, "A chunk does not end with CRLF.");
    }
    data.append(buf.substr(at, size));
    pos = end;
  }
  // Trailer fields until an empty line.
  while (true) {
    size_t next = 0;
    size_t le = LineEnd(buf, pos, &next);
    if (le == std::string_view::npos) {
      if (buf.size() - pos > limits.maxHeadBytes) return Fail(431, "The trailer is too large.");
      return {};
    }
    st->trailerBytes += next - pos;
    if (st->trailerBytes > limits.maxHeadBytes) return Fail(431, "The trailer is too large.");
    bool empty = le == pos;
    pos = next;
    if (empty) break;
  }
  body->append(data);
  return {State::kDone, pos, 0, {}};
}

std::string DecodeUrl(std::string_view s, bool plus_as_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%' && i + 2 < s.size()) {
      int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (plus_as_space && c == '+') ? ' ' : c;
  }
  return out;
}

void ParseQuery(std::string_view query, std::multimap<std::string, std::string>* out) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    std::string name = DecodeUrl(pair.substr(0, eq), true);
    if (!name.empty())
      out->emplace(std::move(name), eq == std::string_view::npos
                                        ? std::string()
                                        : DecodeUrl(pair.substr(eq + 1), true));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 402:
      return "Payment Required";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 417:
      return "Expectation Failed";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

void AppendResponseHead(int status, const std::vector<std::pair<std::string, std::string>>& headers,
                        size_t content_length, bool keep_alive, std::string* out,
                        std::string_view fixed) {
  char num[24];
  auto [end, ec] = std::to_chars(num, num + sizeof num, status);
  (void)ec;
  out->append("HTTP/1.1 ");
  out->append(num, end);
  out->push_back(' ');
  out->append(ReasonPhrase(status));
  out->append("\r\n");
  for (const auto& [k, v] : headers) {
    out->append(k);
    out->append(": ");
    out->append(v);
    out->append("\r\n");
  }
  out->append(fixed);
  if (status >= 200 && status != 204 && status != 304) {
    auto [e2, ec2] = std::to_chars(num, num + sizeof num, content_length);
    (void)ec2;
    out->append("Content-Length: ");
    out->append(num, e2);
    out->append("\r\n");
  }
  if (!keep_alive) out->append("Connection: close\r\n");
  out->append("\r\n");
}

}  // namespace ld::http::wire
