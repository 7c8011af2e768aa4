// The HTTP/1.1 transport, plain and TLS: an event loop on Boost.Asio (a few
// I/O threads running one io_context) with one asynchronous session per
// connection (read a request → run the handler → write the response → loop
// for keep-alive), requests read by Boost.Beast's parser through
// http/request_reader.h. Handlers (store reads, argon2id) run on a bounded
// worker pool, never on the I/O threads; an idle connection holds no thread,
// only its socket and a few hundred bytes. It replaced a thread-per-connection
// transport (plain HTTP) and cpp-httplib (HTTPS): one stack to secure, and
// idle or slow clients can no longer fill the workers.
//
// Requests on one connection are answered in order (pipelining); a HEAD
// response has no body; `Expect: 100-continue` gets "100 Continue" before the
// body is read; TCP_NODELAY on every connection and one write per response
// (head and body together); TCP_QUICKACK when a request is incomplete, so a
// client that writes its head and body in two writes without TCP_NODELAY is
// not held ~40 ms by our delayed ACK.
//
// Refusals go through `on_error` (the pipeline renders the error envelope),
// say `Connection: close`, and close after a bounded lingering drain: 400
// malformed, 408 a request not whole within the read timeout of its first
// byte (a trickle cannot extend it), 413, 414, 417, 431, 501, 505
// (http/request_reader.h), and 503 for a connection past `maxConnections`.
//
// Thread-safety: Bind/Start/Stop from one thread; the handlers run on the
// worker threads, the error handler on the I/O threads; `on_done` runs on
// the thread that produced the response, right after it (before the write).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/result.h"
#include "http/request.h"

namespace ld::http {

struct WireResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Length is added
  std::string body;
};

struct TransportOptions {
  std::string host = "127.0.0.1";
  int port = 0;                       // 0: any free port
  int ioThreads = 1;                  // the event loop: accept, TLS, parsing, writes
  int workers = 64;                   // handler threads (a request in its handler holds one)
  int readTimeoutSeconds = 10;        // a whole request (head and body) from its first byte
  int writeTimeoutSeconds = 10;       // each write of a response
  int keepAliveTimeoutSeconds = 2;    // idle between requests
  size_t keepAliveMaxCount = 100000;  // requests per connection
  int listenBacklog = 1024;
  size_t maxBodyBytes = 1 << 20;
  // Open connections; past it a connection gets a 503 and is closed. The
  // soft RLIMIT_NOFILE is raised to the hard one at Bind.
  size_t maxConnections = 10000;
  // Both set: HTTPS (PEM files); Bind fails when they cannot be loaded.
  std::string tlsCert;
  std::string tlsKey;
  // Sent with every response, refusals included (rendered once, at start).
  std::vector<std::pair<std::string, std::string>> defaultHeaders;
};

class Transport {
 public:
  // `req.method` is GET for a HEAD request (the body is then not sent).
  using Handler = std::function<void(HttpRequest& req, WireResponse& res)>;
  // A request the transport refused before any handler: `path` is its
  // decoded path when the request line could be read, else empty.
  using ErrorHandler = std::function<void(int status, std::string_view message,
                                          const std::string& path, WireResponse& res)>;
  // Once per response, right after the handler or the error handler filled
  // it, on the same thread: access log, metrics.
  using DoneHandler = std::function<void(const HttpRequest& req, const WireResponse& res)>;

  Transport(TransportOptions options, Handler handler, ErrorHandler on_error, DoneHandler on_done);
  ~Transport();  // Stop()s if still running
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Loads the TLS certificate and key (if set), binds and listens. Returns
  // the bound port.
  Result<int> Bind();
  // Starts the I/O threads and the workers.
  void Start();
  // Stops accepting, closes idle keep-alive connections, lets requests in
  // flight finish (their response says Connection: close), joins the threads.
  void Stop();

  struct Impl;  // opaque (public so the sessions in transport.cpp can name it)

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ld::http
