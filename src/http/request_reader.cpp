#include "http/request_reader.h"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <optional>
#include <vector>

namespace ld::http {
namespace {

namespace bhttp = boost::beast::http;

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

// The values of the raw head's fields named `lower_name` (Beast reports only
// that a field was bad, not which value).
std::vector<std::string_view> RawValues(std::string_view raw, std::string_view lower_name) {
  std::vector<std::string_view> out;
  size_t pos = raw.find('\n');
  while (pos != std::string_view::npos && pos + 1 < raw.size()) {
    size_t start = pos + 1;
    size_t end = raw.find('\n', start);
    std::string_view line = raw.substr(start, end == std::string_view::npos ? end : end - start);
    if (line.size() > lower_name.size() && line[lower_name.size()] == ':' &&
        Lower(line.substr(0, lower_name.size())) == lower_name)
      out.push_back(Trim(line.substr(lower_name.size() + 1)));
    pos = end;
  }
  return out;
}

// A Content-Length that is all digits but too large for any integer: a body
// over the limit, not a malformed request.
bool ContentLengthOverflows(std::string_view raw) {
  for (std::string_view v : RawValues(raw, "content-length")) {
    for (const auto& t : Tokens(v)) {
      bool digits = !t.empty() && t.find_first_not_of("0123456789\r") == std::string::npos;
      if (digits && t.size() > 19) return true;
    }
  }
  return false;
}

constexpr std::string_view kHeadTooLarge = "The request line and headers are larger than 64 KiB.";
constexpr std::string_view kTargetTooLong = "The request target is longer than 8192 bytes.";
constexpr std::string_view kBodyTooLarge = "The request body is larger than 1 MiB.";
constexpr std::string_view kBothLengths =
    "Content-Length and Transfer-Encoding cannot both be sent.";

}  // namespace

struct RequestReader::Parser {
  std::optional<bhttp::request_parser<bhttp::string_body>> p;
};

RequestReader::RequestReader(wire::Limits limits)
    : limits_(limits), parser_(std::make_unique<Parser>()) {
  Reset();
}

RequestReader::~RequestReader() = default;

void RequestReader::Reset() {
  auto& p = parser_->p.emplace();
  // Our own checks refuse a head over the limit first, with our message.
  p.header_limit(static_cast<std::uint32_t>(limits_.maxHeadBytes + 4));
  p.body_limit(limits_.maxBodyBytes);
  state_ = State::kIdle;
  empty_lines_ = 0;
  scanned_ = 0;
  seen_lf_ = false;
  expect_continue_ = false;
  keep_alive_ = true;
  head_only_ = false;
  status_ = 0;
  message_.clear();
  request_ = HttpRequest{};
}

void RequestReader::Fail(int status, std::string message) {
  state_ = State::kError;
  status_ = status;
  message_ = std::move(message);
}

bool RequestReader::CheckPartialHead(std::string_view head) {
  // Only the new bytes: a head trickled a byte at a time costs linear work.
  // Each limit is checked at the byte that passes it, so the outcome does
  // not depend on how the bytes were split into reads.
  for (size_t i = scanned_; i < head.size(); ++i) {
    if (i >= limits_.maxHeadBytes) {
      Fail(431, std::string(kHeadTooLarge));
      return false;
    }
    if (!seen_lf_ && i >= limits_.maxTargetBytes + 64) {
      // A request line longer than the target limit allows.
      Fail(414, std::string(kTargetTooLong));
      return false;
    }
    if (head[i] != '\n') continue;
    seen_lf_ = true;
    if (i >= 3 && head.substr(i - 3, 4) == "\r\n\r\n") {
      scanned_ = i + 1;
      return true;  // the head is whole: Beast parses it
    }
    // A blank line ended by a bare LF would never end the head for Beast.
    if (i > 0 && head[i - 1] == '\n') {
      Fail(400, "Header lines must end with CRLF.");
      return false;
    }
  }
  scanned_ = head.size();
  return false;
}

void RequestReader::FailFromParser(int code, std::string_view raw, bool in_body) {
  using E = bhttp::error;
  switch (static_cast<E>(code)) {
    case E::header_limit:
      return Fail(431, in_body ? "The trailer is too large." : std::string(kHeadTooLarge));
    case E::body_limit:
      return Fail(413, std::string(kBodyTooLarge));
    case E::bad_method:
      return Fail(400, "Malformed request method.");
    case E::bad_target:
      return Fail(400, "Malformed request target.");
    case E::bad_version: {
      // HTTP/<digit>.<digit> that Beast could not take: another version.
      std::string_view line = raw.substr(0, raw.find('\r'));
      std::string_view v = line.substr(line.rfind(' ') + 1);
      if (v.size() == 8 && v.substr(0, 5) == "HTTP/" && v[6] == '.')
        return Fail(505, "Only HTTP/1.0 and HTTP/1.1 are supported.");
      return Fail(400, "Malformed HTTP version.");
    }
    case E::bad_field:
      return Fail(400, "Malformed header line.");
    case E::bad_value:
      return Fail(400, "A header value holds a control character.");
    case E::bad_obs_fold:
      return Fail(400, "Folded header lines are not accepted.");
    case E::bad_content_length:
      if (ContentLengthOverflows(raw)) return Fail(413, std::string(kBodyTooLarge));
      if (!RawValues(raw, "transfer-encoding").empty()) return Fail(400, std::string(kBothLengths));
      return Fail(400, "Malformed Content-Length.");
    case E::bad_transfer_encoding:
      if (!RawValues(raw, "content-length").empty()) return Fail(400, std::string(kBothLengths));
      return Fail(501, "Only the chunked transfer coding is supported.");
    case E::bad_chunk:
    case E::bad_chunk_extension:
      return Fail(400, "Malformed chunk size.");
    case E::bad_line_ending:
      return Fail(400, in_body ? "A chunk does not end with CRLF." : "Malformed request line.");
    default:
      return Fail(400, in_body ? "Malformed request body." : "Malformed request.");
  }
}

bool RequestReader::AcceptHead(std::string_view raw) {
  auto& msg = parser_->p->get();
  if (raw.size() > limits_.maxHeadBytes) {
    Fail(431, std::string(kHeadTooLarge));
    return false;
  }
  unsigned version = msg.version();
  std::string_view target(msg.target().data(), msg.target().size());
  if (target.size() > limits_.maxTargetBytes) {
    Fail(414, std::string(kTargetTooLong));
    return false;
  }
  if (version != 10 && version != 11) {
    Fail(505, "Only HTTP/1.0 and HTTP/1.1 are supported.");
    return false;
  }
  for (char c : target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) {
      Fail(400, "Malformed request target.");
      return false;
    }
  }
  // origin-form, absolute-form (a proxy's), or "*" (OPTIONS).
  if (target.rfind("http://", 0) == 0 || target.rfind("https://", 0) == 0) {
    size_t slash = target.find('/', target.find("//") + 2);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  if (target != "*" && (target.empty() || target.front() != '/')) {
    Fail(400, "Malformed request target.");
    return false;
  }
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  size_t hash = path.find('#');
  if (hash != std::string_view::npos) path = path.substr(0, hash);
  request_.path = wire::DecodeUrl(path, false);
  std::string_view method(msg.method_string().data(), msg.method_string().size());
  head_only_ = method == "HEAD";
  request_.method = head_only_ ? "GET" : std::string(method);
  if (q != std::string_view::npos) {
    std::string_view query = target.substr(q + 1);
    wire::ParseQuery(query.substr(0, query.find('#')), &request_.params);
  }
  // Beast unfolds obsolete line folding; we refuse it, as before.
  for (size_t at = raw.find('\n'); at != std::string_view::npos && at + 1 < raw.size();
       at = raw.find('\n', at + 1)) {
    if (raw[at + 1] == ' ' || raw[at + 1] == '\t') {
      Fail(400, "Folded header lines are not accepted.");
      return false;
    }
  }
  size_t fields = 0, te_fields = 0;
  bool expect = false;
  for (const auto& f : msg) {
    if (++fields > limits_.maxHeaders) {
      Fail(431, "Too many header fields.");
      return false;
    }
    std::string name = Lower(std::string_view(f.name_string().data(), f.name_string().size()));
    std::string_view value(f.value().data(), f.value().size());
    for (char c : value) {
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F) {
        Fail(400, "A header value holds a control character.");
        return false;
      }
    }
    if (name == "transfer-encoding") {
      ++te_fields;
      auto codings = Tokens(value);
      if (codings.empty()) {
        Fail(400, "Malformed Transfer-Encoding.");
        return false;
      }
      for (const auto& c : codings) {
        if (c != "chunked") {
          Fail(501,
               "Transfer-Encoding " + c.substr(0, 64) + " is not supported (only chunked is).");
          return false;
        }
      }
      if (codings.size() != 1 || te_fields > 1) {
        Fail(501, "Only the chunked transfer coding is supported.");
        return false;
      }
    } else if (name == "expect") {
      if (Lower(value) != "100-continue") {
        Fail(417, "Only Expect: 100-continue is supported.");
        return false;
      }
      expect = true;
    }
    request_.headers.emplace(std::move(name), std::string(value));
  }
  if (te_fields > 0 && version == 10) {
    Fail(400, "HTTP/1.0 has no chunked transfer coding.");
    return false;
  }
  keep_alive_ = msg.keep_alive();
  expect_continue_ = expect && version == 11;
  return true;
}

size_t RequestReader::Feed(std::string_view data) {
  auto& p = *parser_->p;
  size_t used = 0;
  while (true) {
    switch (state_) {
      case State::kDone:
      case State::kError:
        return used;
      case State::kIdle: {
        // A client may send empty lines before the request line (RFC 9112 2.2).
        while (used < data.size() && (data[used] == '\r' || data[used] == '\n')) {
          ++used;
          if (++empty_lines_ > 8) {
            Fail(400, "Too many empty lines before the request line.");
            return used;
          }
        }
        if (used == data.size()) return used;
        state_ = State::kHead;
        break;
      }
      case State::kHead: {
        std::string_view head = data.substr(used);
        if (!CheckPartialHead(head)) return used;  // more bytes needed, or refused
        head = head.substr(0, scanned_);
        boost::beast::error_code ec;
        size_t n = p.put(boost::asio::const_buffer(head.data(), head.size()), ec);
        if (ec == bhttp::error::need_more) return used;  // cannot happen: the head is whole
        if (ec) {
          FailFromParser(ec.value(), head, false);
          return used;
        }
        if (!AcceptHead(head.substr(0, n))) return used;
        used += n;
        p.eager(true);
        state_ = State::kBody;
        if (p.is_done()) {
          state_ = State::kDone;
          return used;
        }
        break;
      }
      case State::kBody: {
        std::string_view rest = data.substr(used);
        if (rest.empty()) return used;
        // Beast 1.74 asserts (debug builds) when it re-reads a last chunk
        // with fewer than 5 bytes; no chunked body can end in fewer anyway
        // ("0" CRLF CRLF), so wait for them.
        if (p.chunked() && rest.size() < 5) return used;
        boost::beast::error_code ec;
        size_t n = p.put(boost::asio::const_buffer(rest.data(), rest.size()), ec);
        used += n;
        if (ec == bhttp::error::need_more || (!ec && !p.is_done())) {
          // What is left is part of a chunk size line or trailer: bounded.
          if (data.size() - used > limits_.maxHeadBytes) Fail(400, "Malformed chunked body.");
          return used;
        }
        if (ec) {
          FailFromParser(ec.value(), {}, true);
          return used;
        }
        request_.body = std::move(p.get().body());
        state_ = State::kDone;
        return used;
      }
    }
  }
}

}  // namespace ld::http
