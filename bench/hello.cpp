// ld-bench-hello: the HTTP library's own limit. A cpp-httplib server, set up
// the way licensedesk's http/server.cpp sets it up (TCP_NODELAY, unlimited
// keep-alive, a worker pool sized like the server's, a widened listen
// backlog), with trivial routes and nothing else:
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

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  int port = 0;
  int workers = 64;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--listen") {
      std::string v = argv[i + 1];
      auto colon = v.rfind(':');
      host = v.substr(0, colon);
      port = std::atoi(v.c_str() + colon + 1);
    } else if (a == "--workers") {
      workers = std::atoi(argv[i + 1]);
    } else {
      std::cerr << "usage: ld-bench-hello [--listen 127.0.0.1:0] [--workers 64]\n";
      return 2;
    }
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

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
  const std::string hello = "{\"hello\":\"world\"}";
  svr.Get("/hello", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(hello, "application/json; charset=utf-8");
  });
  svr.Post("/hello", [&](const httplib::Request& req, httplib::Response& res) {
    res.set_content(req.body.empty() ? hello : hello, "application/json; charset=utf-8");
  });
  svr.Get("/readyz", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"status\":\"ready\"}", "application/json; charset=utf-8");
  });
  std::mutex blobMu;
  std::map<size_t, std::string> blobs;
  svr.Get(R"(/blob/(\d+))", [&](const httplib::Request& req, httplib::Response& res) {
    size_t n = std::min<size_t>(std::strtoull(req.matches[1].str().c_str(), nullptr, 10), 64 << 20);
    std::string body;
    {
      std::lock_guard<std::mutex> l(blobMu);
      auto it = blobs.find(n);
      if (it == blobs.end()) {
        std::string b = "{\"v\":\"";
        while (b.size() + 2 < n) b += 'x';
        b += "\"}";
        it = blobs.emplace(n, std::move(b)).first;
      }
      body = it->second;  // a copy, as a server serializing a page makes one
    }
    res.set_content(std::move(body), "application/json; charset=utf-8");
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
