// The plain-HTTP/1.1 transport: a listening socket, an accept thread and a
// pool of worker threads, each serving one keep-alive connection at a time
// with blocking reads and one write per response (head and body together).
// It replaced cpp-httplib for plain HTTP, whose poll before every read and
// separate writes for head and body cost about three times the CPU per
// request (docs/benchmarks.md); HTTPS still goes through cpp-httplib.
//
// Framing errors (malformed request line or headers, a body over the limit,
// an unsupported transfer coding, a timeout in the middle of a request) are
// answered through `on_error` and close the connection.
//
// Thread-safety: Bind/Start/Stop from one thread; the handlers run on the
// worker threads, one request at a time per thread.
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
  int port = 0;  // 0: any free port
  int workers = 64;
  int readTimeoutSeconds = 10;        // a whole request (head and body) from its first byte
  int writeTimeoutSeconds = 10;       // each write of a response
  int keepAliveTimeoutSeconds = 2;    // idle between requests
  size_t keepAliveMaxCount = 100000;  // requests per connection
  int listenBacklog = 1024;
  size_t maxBodyBytes = 1 << 20;
  // Sent with every response, refusals included (rendered once, at start).
  std::vector<std::pair<std::string, std::string>> defaultHeaders;
};

class PlainTransport {
 public:
  // `req.method` is GET for a HEAD request (the body is then not sent).
  using Handler = std::function<void(HttpRequest& req, WireResponse& res)>;
  // A request the transport refused before any handler: `path` is its
  // decoded path when the request line could be read, else empty.
  using ErrorHandler = std::function<void(int status, std::string_view message,
                                          const std::string& path, WireResponse& res)>;
  // After each response was written (or failed to be): access log, metrics.
  using DoneHandler = std::function<void(const HttpRequest& req, const WireResponse& res)>;

  PlainTransport(TransportOptions options, Handler handler, ErrorHandler on_error,
                 DoneHandler on_done);
  ~PlainTransport();  // Stop()s if still running
  PlainTransport(const PlainTransport&) = delete;
  PlainTransport& operator=(const PlainTransport&) = delete;

  // Binds and listens. Returns the bound port.
  Result<int> Bind();
  // Starts the accept thread and the workers.
  void Start();
  // Stops accepting, closes idle keep-alive connections, lets requests in
  // flight finish (their response says Connection: close), joins the threads.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ld::http
