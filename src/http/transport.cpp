#include "http/transport.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "http/wire.h"

namespace ld::http {
namespace {

void SetTimeoutMs(int fd, int option, int64_t ms) {
  ms = std::max<int64_t>(ms, 1);  // 0 would mean "wait forever"
  timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
  setsockopt(fd, SOL_SOCKET, option, &tv, sizeof tv);
}

std::string PeerAddress(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "";
  char host[NI_MAXHOST];
  if (getnameinfo(reinterpret_cast<sockaddr*>(&ss), len, host, sizeof host, nullptr, 0,
                  NI_NUMERICHOST) != 0)
    return "";
  return host;
}

// Writes every byte of the iovecs; false on error or timeout.
bool WriteAll(int fd, iovec* iov, int count) {
  while (count > 0) {
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = static_cast<size_t>(count);
    ssize_t n = sendmsg(fd, &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    auto left = static_cast<size_t>(n);
    while (count > 0 && left >= iov->iov_len) {
      left -= iov->iov_len;
      ++iov;
      --count;
    }
    if (count > 0) {
      iov->iov_base = static_cast<char*>(iov->iov_base) + left;
      iov->iov_len -= left;
    }
  }
  return true;
}

}  // namespace

struct PlainTransport::Impl {
  TransportOptions opts;
  Handler handler;
  ErrorHandler on_error;
  DoneHandler on_done;
  wire::Limits limits;
  std::string default_headers;  // opts.defaultHeaders as "Name: value\r\n" lines

  int listen_fd = -1;
  std::thread acceptor;
  std::vector<std::thread> workers;
  std::atomic<bool> stopping{false};
  bool started = false;

  std::mutex mu;  // guards the queue and the connection registry
  std::condition_variable cv;
  std::deque<int> queue;                  // accepted, not yet served
  std::unordered_map<int, bool> serving;  // fd -> idle (waiting between requests)

  // Marks `fd` idle (waiting for a request) or busy. False when stopping:
  // an idle connection is then closed instead of waited on.
  bool SetIdle(int fd, bool idle) {
    std::lock_guard lock(mu);
    if (idle && stopping) return false;
    serving[fd] = idle;
    return true;
  }

  enum class Fill { kData, kClosed, kTimeout };
  Fill Read(int fd, std::string& buf) {
    char tmp[16384];
    while (true) {
      ssize_t n = recv(fd, tmp, sizeof tmp, 0);
      if (n > 0) {
        buf.append(tmp, static_cast<size_t>(n));
        return Fill::kData;
      }
      if (n == 0) return Fill::kClosed;
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return Fill::kTimeout;
      return Fill::kClosed;
    }
  }

  // After an error answer: stop sending, then read what the client is still
  // sending for a moment, so closing does not reset the connection before
  // the client has read the answer. Bounded in total (time and bytes),
  // whatever the client keeps sending: a refused connection never holds a
  // worker past kLingerMs.
  static constexpr int64_t kLingerMs = 1000;
  static constexpr size_t kLingerBytes = 1u << 20;
  void LingeringClose(int fd) {
    shutdown(fd, SHUT_WR);
    using Steady = std::chrono::steady_clock;
    const auto until = Steady::now() + std::chrono::milliseconds(kLingerMs);
    char tmp[16384];
    size_t drained = 0;
    while (drained < kLingerBytes) {
      int64_t left =
          std::chrono::duration_cast<std::chrono::milliseconds>(until - Steady::now()).count();
      if (left <= 0) break;
      SetTimeoutMs(fd, SO_RCVTIMEO, left);
      ssize_t n = recv(fd, tmp, sizeof tmp, 0);
      if (n <= 0) break;
      drained += static_cast<size_t>(n);
    }
    close(fd);
  }

  bool Send(int fd, const WireResponse& res, bool head_only, bool keep_alive) {
    std::string head;
    head.reserve(256);
    wire::AppendResponseHead(res.status, res.headers, res.body.size(), keep_alive, &head,
                             default_headers);
    iovec iov[2];
    iov[0] = {head.data(), head.size()};
    int count = 1;
    if (!head_only && !res.body.empty() && res.status != 204 && res.status != 304) {
      iov[1] = {const_cast<char*>(res.body.data()), res.body.size()};
      count = 2;
    }
    return WriteAll(fd, iov, count);
  }

  void RefuseAndClose(int fd, int status, std::string_view message, HttpRequest& req) {
    WireResponse res;
    res.status = status;
    on_error(status, message, req.path, res);
    Send(fd, res, false, false);
    on_done(req, res);
    LingeringClose(fd);
  }

  // Serves one connection until it closes, times out, or the server stops.
  void Serve(int fd) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    SetTimeoutMs(fd, SO_SNDTIMEO, int64_t{opts.writeTimeoutSeconds} * 1000);
    // Idle between requests: the keep-alive timeout. Once a request's first
    // byte came, all of it (head and body) must arrive within the read
    // timeout: a client trickling a byte at a time cannot hold a worker.
    using Steady = std::chrono::steady_clock;
    const int64_t idle_ms = int64_t{opts.keepAliveTimeoutSeconds} * 1000;
    int64_t rcv_ms = idle_ms;
    SetTimeoutMs(fd, SO_RCVTIMEO, rcv_ms);
    Steady::time_point deadline{};
    auto use_timeout = [&](int64_t ms) {
      if (ms != rcv_ms) SetTimeoutMs(fd, SO_RCVTIMEO, rcv_ms = ms);
    };
    // Milliseconds left of the request's read timeout (starting it if needed).
    auto left_ms = [&]() -> int64_t {
      auto now = Steady::now();
      if (deadline == Steady::time_point{})
        deadline = now + std::chrono::seconds(opts.readTimeoutSeconds);
      return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    };
    std::string peer = PeerAddress(fd);
    std::string buf;
    size_t served = 0;
    auto finish = [&](bool close_fd) {
      {
        std::lock_guard lock(mu);
        serving.erase(fd);
      }
      if (close_fd) close(fd);
    };
    // A request the transport answers itself, then closes the connection.
    auto refuse = [&](int status, std::string_view message, HttpRequest req = {}) {
      req.remoteAddr = peer;
      finish(false);
      RefuseAndClose(fd, status, message, req);
    };
    static constexpr std::string_view kLateHead = "The request was not completed in time.";
    static constexpr std::string_view kLateBody = "The request body was not completed in time.";
    while (true) {
      // The head: wait idle between requests, then with the read timeout.
      wire::Head head;
      wire::Parsed p;
      while ((p = wire::ParseHead(buf, limits, &head)).state == wire::State::kIncomplete) {
        bool between = buf.find_first_not_of("\r\n") == std::string::npos;
        int64_t left = between ? idle_ms : left_ms();
        if (left <= 0) return refuse(408, kLateHead);
        use_timeout(left);
        if (between && !SetIdle(fd, true)) return finish(true);
        Fill f = Read(fd, buf);
        if (between) SetIdle(fd, false);
        if (f == Fill::kData) continue;
        if (f == Fill::kTimeout && !between) return refuse(408, kLateHead);
        return finish(true);  // closed, or idle past the keep-alive timeout
      }
      if (p.state == wire::State::kError) return refuse(p.status, p.message);
      HttpRequest req;
      req.remoteAddr = peer;
      req.path = head.path;
      size_t at = p.consumed;
      // The body: Content-Length or chunked.
      bool sent_continue = false;
      auto more = [&]() -> bool {
        if (head.expectContinue && !sent_continue) {
          sent_continue = true;
          static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
          iovec iov{const_cast<char*>(kContinue), sizeof kContinue - 1};
          if (!WriteAll(fd, &iov, 1)) return false;
        }
        int64_t left = left_ms();
        if (left <= 0) return false;
        use_timeout(left);
        return Read(fd, buf) == Fill::kData;
      };
      if (head.chunked) {
        wire::Parsed c;
        wire::ChunkedState cs;
        while ((c = wire::DecodeChunked(std::string_view(buf).substr(at), limits, &req.body, &cs))
                   .state == wire::State::kIncomplete) {
          if (!more()) return refuse(408, kLateBody, std::move(req));
        }
        if (c.state == wire::State::kError) return refuse(c.status, c.message, std::move(req));
        at += c.consumed;
      } else {
        while (buf.size() - at < head.contentLength) {
          if (!more()) return refuse(408, kLateBody, std::move(req));
        }
        req.body.assign(buf, at, head.contentLength);
        at += head.contentLength;
      }
      buf.erase(0, at);
      deadline = Steady::time_point{};

      bool head_only = head.method == "HEAD";
      req.method = head_only ? "GET" : std::move(head.method);
      wire::ParseQuery(head.query, &req.params);
      for (auto& [k, v] : head.headers) req.headers.emplace(std::move(k), std::move(v));
      WireResponse res;
      handler(req, res);
      ++served;
      bool keep = head.keepAlive && served < opts.keepAliveMaxCount && !stopping;
      bool ok = Send(fd, res, head_only, keep);
      on_done(req, res);
      if (!ok || !keep) return finish(true);
    }
  }

  void Work() {
    while (true) {
      int fd;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return stopping || !queue.empty(); });
        if (stopping) return;
        fd = queue.front();
        queue.pop_front();
        serving[fd] = false;
      }
      Serve(fd);
    }
  }

  void Accept() {
    while (!stopping) {
      int fd = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        if (stopping) break;
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
          continue;
        }
        break;  // the listening socket was shut down
      }
      {
        std::lock_guard lock(mu);
        if (stopping) {
          close(fd);
          break;
        }
        queue.push_back(fd);
      }
      cv.notify_one();
    }
  }
};

PlainTransport::PlainTransport(TransportOptions options, Handler handler, ErrorHandler on_error,
                               DoneHandler on_done)
    : impl_(std::make_unique<Impl>()) {
  impl_->opts = std::move(options);
  impl_->handler = std::move(handler);
  impl_->on_error = std::move(on_error);
  impl_->on_done = std::move(on_done);
  impl_->limits.maxBodyBytes = impl_->opts.maxBodyBytes;
  for (const auto& [k, v] : impl_->opts.defaultHeaders)
    impl_->default_headers += k + ": " + v + "\r\n";
}

PlainTransport::~PlainTransport() {
  Stop();
  if (impl_->listen_fd >= 0) close(impl_->listen_fd);
}

Result<int> PlainTransport::Bind() {
  Impl& m = *impl_;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  std::string port = std::to_string(m.opts.port);
  if (getaddrinfo(m.opts.host.c_str(), port.c_str(), &hints, &res) != 0 || res == nullptr)
    return Error::Unavailable("Cannot listen on " + m.opts.host + ": not an address.");
  int fd = -1;
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, m.opts.listenBacklog) == 0) break;
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0) {
    if (m.opts.port == 0) return Error::Unavailable("Cannot listen on " + m.opts.host + ".");
    return Error::Unavailable("Cannot listen on " + m.opts.host + ":" + port +
                              " (in use, or not an address of this machine).");
  }
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  int bound = ss.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port)
                                       : ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  m.listen_fd = fd;
  return bound;
}

void PlainTransport::Start() {
  Impl& m = *impl_;
  m.started = true;
  int n = std::max(1, m.opts.workers);
  for (int i = 0; i < n; ++i) m.workers.emplace_back([&m] { m.Work(); });
  m.acceptor = std::thread([&m] { m.Accept(); });
}

void PlainTransport::Stop() {
  Impl& m = *impl_;
  if (!m.started) return;
  m.started = false;
  {
    std::lock_guard lock(m.mu);
    m.stopping = true;
    // Idle keep-alive connections: wake their reads (they then close).
    for (const auto& [fd, idle] : m.serving)
      if (idle) shutdown(fd, SHUT_RD);
    for (int fd : m.queue) close(fd);
    m.queue.clear();
  }
  m.cv.notify_all();
  if (m.listen_fd >= 0) shutdown(m.listen_fd, SHUT_RDWR);
  if (m.acceptor.joinable()) m.acceptor.join();
  for (auto& t : m.workers)
    if (t.joinable()) t.join();
  m.workers.clear();
}

}  // namespace ld::http
