// ld-bench-hello: the HTTP layer's own limit. By default licensedesk's own
// transport (src/http/transport.cpp on Boost.Beast/Asio, compiled in), set up
// as licensedesk sets it up (a worker pool sized like the server's, unlimited
// keep-alive, a widened listen backlog); with --transport httplib a
// cpp-httplib server set up the same way (what licensedesk used for HTTPS
// before the Beast transport). Trivial routes and nothing else:
//   GET  /hello         {"hello":"world"}
//   POST /hello         {"hello":"world"} (reads the body)
//   GET  /blob/{bytes}  a JSON body of that many bytes (a Graph page's size)
//   GET  /readyz        {"status":"ready"}
// Prints "ld-bench-hello listening on http://127.0.0.1:PORT" when ready and
// stops on SIGTERM or SIGINT.
#include <httplib.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "http/transport.h"

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  int port = 0;
  int workers = 64;
  std::string transport = "wire";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--listen") {
      std::string v = argv[i + 1];
      auto colon = v.rfind(':');
      host = v.substr(0, colon);
      port = std::atoi(v.c_str() + colon + 1);
    } else if (a == "--workers") {
      workers = std::atoi(argv[i + 1]);
    } else if (a == "--transport") {
      transport = argv[i + 1];
    } else {
      std::cerr << "usage: ld-bench-hello [--listen 127.0.0.1:0] [--workers 64] [--transport "
                   "wire|httplib]\n";
      return 2;
    }
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  const std::string hello = "{\"hello\":\"world\"}";
  std::mutex blobMu;
  std::map<size_t, std::string> blobs;
  // A copy of a body of n bytes, as a server serializing a page makes one.
  auto blob = [&](size_t n) {
    n = std::min<size_t>(n, 64 << 20);
    std::lock_guard<std::mutex> l(blobMu);
    auto it = blobs.find(n);
    if (it == blobs.end()) {
      std::string b = "{\"v\":\"";
      while (b.size() + 2 < n) b += 'x';
      b += "\"}";
      it = blobs.emplace(n, std::move(b)).first;
    }
    return it->second;
  };

  if (transport == "wire") {
    ld::http::TransportOptions o;
    o.host = host;
    o.port = port;
    o.workers = workers;
    ld::http::Transport t(
        o,
        [&](ld::http::HttpRequest& req, ld::http::WireResponse& res) {
          res.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
          if (req.path == "/hello") {
            res.body = hello;
          } else if (req.path == "/readyz") {
            res.body = "{\"status\":\"ready\"}";
          } else if (req.path.rfind("/blob/", 0) == 0) {
            res.body = blob(std::strtoull(req.path.c_str() + 6, nullptr, 10));
          } else {
            res.status = 404;
            res.body = "{}";
          }
        },
        [](int status, std::string_view, const std::string&, ld::http::WireResponse& res) {
          res.status = status;
        },
        [](const ld::http::HttpRequest&, const ld::http::WireResponse&) {});
    auto bound = t.Bind();
    if (!bound.ok()) {
      std::cerr << "ld-bench-hello: cannot listen on " << host << ":" << port << "\n";
      return 1;
    }
    t.Start();
    std::cout << "ld-bench-hello listening on http://" << host << ":" << *bound << std::endl;
    int sig = 0;
    sigwait(&set, &sig);
    t.Stop();
    return 0;
  }
  if (transport != "httplib") {
    std::cerr << "ld-bench-hello: --transport is wire or httplib\n";
    return 2;
  }

  httplib::Server svr;
  svr.set_tcp_nodelay(true);
  svr.set_keep_alive_max_count(100000);
  svr.set_keep_alive_timeout(2);
  svr.new_task_queue = [workers] { return new httplib::ThreadPool(static_cast<size_t>(workers)); };
  std::atomic<int> listenFd{-1};
  svr.set_socket_options([&](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    listenFd = sock;
  });
  svr.Get("/hello", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(hello, "application/json; charset=utf-8");
  });
  svr.Post("/hello", [&](const httplib::Request& req, httplib::Response& res) {
    res.set_content(req.body.empty() ? hello : hello, "application/json; charset=utf-8");
  });
  svr.Get("/readyz", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"status\":\"ready\"}", "application/json; charset=utf-8");
  });
  svr.Get(R"(/blob/(\d+))", [&](const httplib::Request& req, httplib::Response& res) {
    res.set_content(blob(std::strtoull(req.matches[1].str().c_str(), nullptr, 10)),
                    "application/json; charset=utf-8");
  });

  int bound = port == 0 ? svr.bind_to_any_port(host) : (svr.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    std::cerr << "ld-bench-hello: cannot listen on " << host << ":" << port << "\n";
    return 1;
  }
  if (int fd = listenFd.load(); fd >= 0) ::listen(fd, 1024);
  std::thread th([&] { svr.listen_after_bind(); });
  std::cout << "ld-bench-hello listening on http://" << host << ":" << bound << std::endl;
  int sig = 0;
  sigwait(&set, &sig);
  svr.stop();
  th.join();
  return 0;
}
