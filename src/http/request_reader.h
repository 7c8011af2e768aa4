// Reading one HTTP/1.1 request from bytes (RFC 9112): Boost.Beast's request
// parser with licensedesk's limits, plus the checks Beast leaves to its user
// (HTTP version, target length and form, header count, transfer codings,
// Expect, folded lines), and the conversion into the HttpRequest the pipeline
// sees. No sockets: the transport (http/transport.cpp) feeds it what it reads,
// the fuzzer (wire_fuzz.cpp) and the unit tests feed it buffers.
//
// Every refusal is a status and a message, the same ones the hand-written
// framing gave before it: 400 malformed, 413 body over the limit (from
// Content-Length before the body is read; a chunked body when it passes it),
// 414 target too long, 417 unsupported Expect, 431 head too large or too many
// fields, 501 unsupported transfer coding (naming it), 505 HTTP version.
//
// Thread-safety: none; one reader per connection.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "http/request.h"
#include "http/wire.h"

namespace ld::http {

class RequestReader {
 public:
  enum class State {
    kIdle,   // nothing of a request yet (empty lines between requests are skipped)
    kHead,   // a request started; its head is not complete
    kBody,   // the head was accepted; its body is not complete
    kDone,   // a whole request: request() is it
    kError,  // refused: status() and message()
  };

  explicit RequestReader(wire::Limits limits = {});
  ~RequestReader();
  RequestReader(const RequestReader&) = delete;
  RequestReader& operator=(const RequestReader&) = delete;

  // Reads what it can from the start of `data` (the bytes not consumed by
  // earlier calls, with any new ones appended) and returns how many bytes it
  // consumed. While the state is kIdle, kHead or kBody, the rest of `data`
  // is not enough to go on: more bytes are needed. Once kDone, the rest is
  // the next request's (pipelining). Work is linear in the bytes fed.
  size_t Feed(std::string_view data);

  State state() const { return state_; }
  // kBody: the client waits for "100 Continue" before sending the body.
  bool expectContinue() const { return expect_continue_; }
  // From kBody: what the client asked for (HTTP/1.1 default on, Connection).
  bool keepAlive() const { return keep_alive_; }
  // From kBody: a HEAD request (request().method is then GET).
  bool headOnly() const { return head_only_; }
  int status() const { return status_; }
  const std::string& message() const { return message_; }
  // From kBody: method, path, params and headers; kDone: the body too.
  // The path is set whenever the request line could be read (refusals
  // report it).
  HttpRequest& request() { return request_; }

  // Ready for the next request on the same connection.
  void Reset();

 private:
  void Fail(int status, std::string message);
  // kHead: checks the bytes so far before Beast sees a whole head.
  bool CheckPartialHead(std::string_view head);
  // The head parsed: the checks Beast leaves out, then the conversion.
  bool AcceptHead(std::string_view raw_head);
  void FailFromParser(int code, std::string_view raw, bool in_body);

  struct Parser;
  wire::Limits limits_;
  std::unique_ptr<Parser> parser_;
  State state_ = State::kIdle;
  size_t empty_lines_ = 0;  // CR/LF bytes before the request line
  size_t scanned_ = 0;      // kHead: bytes of the head already scanned
  bool seen_lf_ = false;    // kHead: the request line ended
  bool expect_continue_ = false;
  bool keep_alive_ = true;
  bool head_only_ = false;
  int status_ = 0;
  std::string message_;
  HttpRequest request_;
};

}  // namespace ld::http
