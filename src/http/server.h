// The HTTP server: binds a socket, routes every request through the route
// table (http/routes.h) with authentication, CSRF, permission checks, body
// limits, error mapping, the access log and metrics applied in one place,
// serves the admin center's static files, and shuts down gracefully.
//
// Thread-safety: Start/Stop from one thread (the composition root); requests
// run on the server's worker pool and share only the thread-safe Context and
// Metrics.
#pragma once

#include <memory>
#include <string>

#include "app/context.h"
#include "domain/result.h"
#include "http/routes.h"

namespace ld::http {

class Metrics;

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;      // 0: any free port (Port() tells which)
  std::string tlsCert;  // both set: HTTPS
  std::string tlsKey;
  std::string webRoot;  // the admin center's built files; empty: none
  int workers =
      64;  // handler threads (a request in its handler holds one; an idle connection none)
  int ioThreads = 1;              // event-loop threads (accept, TLS, parsing, writes)
  size_t maxConnections = 16384;  // open connections; past it a 503 and close
  std::string logFile;            // JSON-lines access log; empty: stderr
  int readTimeoutSeconds = 10;
  int writeTimeoutSeconds = 10;
  int keepAliveTimeoutSeconds = 60;  // an idle connection holds no thread, only a socket
  size_t keepAliveMaxCount = 100000;
  int listenBacklog = 1024;
  InvoicePdfRenderer invoicePdf;  // GET /api/v1/invoices/{id}/pdf; unset: 503
  // `serve --test-clock`: the clock of the Context, which POST
  // /api/v1/testClock/advance moves. Null: the routes answer 404.
  SettableClock* testClock = nullptr;
  // The base of absolute links (serve --public-url): http(s)://host[:port][/path].
  // Empty: the scheme, host and bound port of the listening socket (localhost
  // for a wildcard address). Never the request's Host header.
  std::string publicUrl;
  // `serve --trusted-proxy`: peers whose X-Forwarded-For names the client
  // (http/client_address.h). Empty: the socket peer is the client.
  std::string trustedProxies;
};

class Server {
 public:
  // `ctx` must outlive the server.
  Server(app::Context& ctx, ServerOptions options);
  ~Server();  // Stop()s if still running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket. Returns the bound port, or an error (address
  // in use, bad TLS files). Call once, before Start().
  Result<int> Bind();
  // Starts accepting on a background thread. Precondition: Bind() succeeded.
  void Start();
  // Stops accepting, lets in-flight requests finish, joins the workers.
  // Idempotent. The store may be closed after it returns.
  void Stop();

  int Port() const;
  bool Tls() const;
  Metrics& metrics();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ld::http
