#include "http/transport.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <unordered_map>

#include "http/request_reader.h"
#include "http/wire.h"

namespace ld::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using Steady = std::chrono::steady_clock;

constexpr size_t kReadChunk = 16384;
// After a refusal: stop sending, then read what the client is still sending
// for a moment, so closing does not reset the connection before the client
// has read the answer. Bounded in total (time and bytes), whatever the
// client keeps sending.
constexpr auto kLinger = std::chrono::milliseconds(1000);
constexpr size_t kLingerBytes = 1u << 20;
// Connections past maxConnections still get their 503, up to this many at
// once; beyond that they are closed at accept.
constexpr size_t kOverLimitSlack = 1024;
constexpr std::string_view kLateHead = "The request was not completed in time.";
constexpr std::string_view kLateBody = "The request body was not completed in time.";
constexpr std::string_view kTooMany = "The server has too many open connections. Try again later.";
constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";

// The handlers' threads: a fixed number, a queue of tasks.
class WorkerPool {
 public:
  void Start(int n) {
    for (int i = 0; i < n; ++i) threads_.emplace_back([this] { Run(); });
  }
  void Post(std::function<void()> task) {
    {
      std::lock_guard lock(mu_);
      queue_.push_back(std::move(task));
    }
    cv_.notify_one();
  }
  // Runs what is queued, then joins.
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
    threads_.clear();
  }

 private:
  void Run() {
    while (true) {
      std::function<void()> task;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        task = std::move(queue_.front());
        queue_.pop_front();
      }
      task();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // On the session's executor, when the transport stops: an idle or
  // lingering connection closes; one with a request in flight finishes it.
  virtual void OnStop() = 0;
  virtual asio::any_io_executor Executor() const = 0;
};

}  // namespace

struct Transport::Impl {
  TransportOptions opts;
  Handler handler;
  ErrorHandler on_error;
  DoneHandler on_done;
  wire::Limits limits;
  std::string default_headers;  // opts.defaultHeaders as "Name: value\r\n" lines

  std::atomic<bool> stopping{false};
  bool started = false;
  WorkerPool pool;
  std::unique_ptr<asio::ssl::context> ssl;

  std::mutex mu;  // guards the counters and the registry
  std::condition_variable cv;
  size_t open = 0;         // sessions alive
  size_t open_normal = 0;  // of which not refused for the limit
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions;

  std::vector<std::thread> io_threads;
  // Declared after what sessions use: destroying the io_context destroys
  // the handlers still queued, and with them the last sessions.
  asio::io_context ioc;
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::steady_timer> accept_retry;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;

  explicit Impl(int io_threads) : ioc(std::max(1, io_threads)) {}

  void Register(const std::shared_ptr<SessionBase>& s) {
    std::lock_guard lock(mu);
    sessions[s.get()] = s;
  }
  void Unregister(SessionBase* s, bool over_limit) {
    {
      std::lock_guard lock(mu);
      sessions.erase(s);
      --open;
      if (!over_limit) --open_normal;
    }
    cv.notify_all();
  }

  void DoAccept();
  void OnAccepted(tcp::socket sock);
};

namespace {

template <bool kTls>
class Session : public SessionBase, public std::enable_shared_from_this<Session<kTls>> {
  using Stream = std::conditional_t<kTls, asio::ssl::stream<tcp::socket>, tcp::socket>;
  using State = RequestReader::State;
  enum class After { kNext, kClose, kLinger };

 public:
  template <class... StreamArgs>
  Session(Transport::Impl& m, bool over_limit, StreamArgs&&... args)
      : m_(m),
        stream_(std::forward<StreamArgs>(args)...),
        exec_(stream_.get_executor()),
        timer_(exec_),
        reader_(m.limits),
        over_limit_(over_limit) {}

  ~Session() override { m_.Unregister(this, over_limit_); }

  asio::any_io_executor Executor() const override { return exec_; }

  void OnStop() override {
    if (idle_ || lingering_) Close();
  }

  void Start() {
    error_code e;
    auto ep = Raw().remote_endpoint(e);
    if (!e) peer_ = ep.address().to_string();
    m_.Register(this->shared_from_this());
    if constexpr (kTls) {
      Arm(Steady::now() + std::chrono::seconds(m_.opts.readTimeoutSeconds));
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](error_code ec) {
                                if (self->closed_) return;
                                self->Disarm();
                                if (ec) return self->Close();
                                self->Begin();
                              });
    } else {
      Begin();
    }
  }

 private:
  tcp::socket& Raw() {
    if constexpr (kTls) {
      return stream_.next_layer();
    } else {
      return stream_;
    }
  }

  void Begin() {
    if (over_limit_) return Refuse(503, kTooMany, {});
    Process();
  }

  // The timer: one deadline at a time (handshake, request, idle, write,
  // linger). When it passes, the pending operation is cancelled and sees
  // timed_out_.
  void Arm(Steady::time_point at) {
    timed_out_ = false;
    timer_.expires_at(at);
    uint64_t gen = ++timer_gen_;
    timer_.async_wait([self = this->shared_from_this(), gen](error_code ec) {
      if (ec || gen != self->timer_gen_ || self->closed_) return;
      self->timed_out_ = true;
      error_code e;
      self->Raw().cancel(e);
    });
  }
  void Disarm() {
    ++timer_gen_;
    timer_.cancel();
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    idle_ = false;
    lingering_ = false;
    Disarm();
    error_code e;
    Raw().close(e);
  }

  // What the buffered bytes make: a request to run, a refusal, or a wait.
  void Process() {
    if (closed_) return;
    size_t n = reader_.Feed(
        std::string_view(static_cast<const char*>(buf_.data().data()), buf_.data().size()));
    buf_.consume(n);
    switch (reader_.state()) {
      case State::kDone:
        return Dispatch();
      case State::kError:
        return Refuse(reader_.status(), reader_.message(), reader_.request().path);
      case State::kIdle:
        return WaitIdle();
      case State::kHead:
      case State::kBody:
        break;
    }
    // A request started: all of it must arrive within the read timeout of
    // its first byte, however it trickles in.
    if (!deadline_set_) {
      deadline_set_ = true;
      Arm(Steady::now() + std::chrono::seconds(m_.opts.readTimeoutSeconds));
    }
    // Acknowledge now what came: a client without TCP_NODELAY holds the rest
    // of its request until it has our ACK, which Linux would delay ~40 ms.
#ifdef TCP_QUICKACK
    int one = 1;
    setsockopt(Raw().native_handle(), IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
#endif
    if (reader_.state() == State::kBody && reader_.expectContinue() && !sent_continue_) {
      sent_continue_ = true;
      asio::async_write(stream_, asio::buffer(kContinue, sizeof kContinue - 1),
                        [self = this->shared_from_this()](error_code ec, size_t) {
                          if (self->closed_) return;
                          if (ec) return self->Close();
                          self->ReadMore();
                        });
      return;
    }
    ReadMore();
  }

  void ReadMore() {
    if (timed_out_) return OnTimeout();
    stream_.async_read_some(
        buf_.prepare(kReadChunk),
        [self = this->shared_from_this()](error_code ec, size_t n) { self->OnRead(ec, n); });
  }

  void OnRead(error_code ec, size_t n) {
    if (closed_) return;
    if (ec) {
      if (timed_out_) return OnTimeout();
      return Close();  // the client closed, or the connection failed
    }
    buf_.commit(n);
    if (idle_) {
      idle_ = false;
      Disarm();
    }
    Process();
  }

  void OnTimeout() {
    if (reader_.state() == State::kIdle) return Close();  // idle past the keep-alive timeout
    Refuse(408, reader_.state() == State::kHead ? kLateHead : kLateBody, reader_.request().path);
  }

  // Between requests: the keep-alive timeout. A plain connection waits for
  // readability with no buffer at all, so an idle one costs little memory.
  void WaitIdle() {
    if (m_.stopping) return Close();
    idle_ = true;
    Arm(Steady::now() + std::chrono::seconds(m_.opts.keepAliveTimeoutSeconds));
    if constexpr (!kTls) {
      if (buf_.size() == 0) {
        buf_.shrink_to_fit();
        stream_.async_wait(tcp::socket::wait_read,
                           [self = this->shared_from_this()](error_code ec) {
                             if (self->closed_) return;
                             if (ec) return self->Close();
                             self->ReadMore();
                           });
        return;
      }
    }
    ReadMore();
  }

  // A whole request: to the workers; the response comes back here.
  void Dispatch() {
    Disarm();
    deadline_set_ = false;
    sent_continue_ = false;
    head_only_ = reader_.headOnly();
    keep_alive_ = reader_.keepAlive();
    HttpRequest req = std::move(reader_.request());
    req.remoteAddr = peer_;
    req.tls = kTls;
    m_.pool.Post([self = this->shared_from_this(), req = std::move(req)]() mutable {
      WireResponse res;
      try {
        self->m_.handler(req, res);
      } catch (const std::exception&) {
        res = WireResponse{};
        res.status = 500;
        self->m_.on_error(500, "The server failed to answer the request.", req.path, res);
      }
      self->m_.on_done(req, res);
      asio::post(self->exec_, [self, res = std::move(res)]() mutable { self->Respond(res); });
    });
  }

  void Respond(WireResponse& res) {
    if (closed_) return;
    ++served_;
    bool keep = keep_alive_ && served_ < m_.opts.keepAliveMaxCount && !m_.stopping;
    Write(res, head_only_, keep, keep ? After::kNext : After::kClose);
  }

  // A request the transport answers itself, then closes the connection.
  void Refuse(int status, std::string_view message, std::string path) {
    HttpRequest req;
    req.path = std::move(path);
    req.remoteAddr = peer_;
    req.tls = kTls;
    WireResponse res;
    res.status = status;
    m_.on_error(status, message, req.path, res);
    // Past the connection limit: come back in a second (the server's error
    // envelope says so already; a bare ErrorHandler may not).
    bool has_retry = std::any_of(res.headers.begin(), res.headers.end(),
                                 [](const auto& h) { return h.first == "Retry-After"; });
    if (status == 503 && !has_retry) res.headers.emplace_back("Retry-After", "1");
    m_.on_done(req, res);
    Write(res, false, false, After::kLinger);
  }

  // Head and body in one buffer, one write (one TLS record run), when the
  // body is small; a large one (a page of users, a PDF) is written from its
  // own buffer after the head in the same gathered write, not copied.
  void Write(WireResponse& res, bool head_only, bool keep, After after) {
    static constexpr size_t kCopyUpTo = 64 * 1024;
    out_.clear();
    body_.clear();
    bool body = !head_only && res.status != 204 && res.status != 304;
    bool gather = body && res.body.size() > kCopyUpTo;
    out_.reserve(256 + (body && !gather ? res.body.size() : 0));
    wire::AppendResponseHead(res.status, res.headers, res.body.size(), keep, &out_,
                             m_.default_headers);
    if (gather) {
      body_ = std::move(res.body);
    } else if (body) {
      out_ += res.body;
    }
    Arm(Steady::now() + std::chrono::seconds(m_.opts.writeTimeoutSeconds));
    std::array<asio::const_buffer, 2> bufs{asio::buffer(out_), asio::buffer(body_)};
    asio::async_write(stream_, bufs,
                      [self = this->shared_from_this(), after](error_code ec, size_t) {
                        self->OnWritten(ec, after);
                      });
  }

  void OnWritten(error_code ec, After after) {
    if (closed_) return;
    Disarm();
    out_ = std::string();
    body_ = std::string();
    if (ec) return Close();
    switch (after) {
      case After::kNext:
        reader_.Reset();
        return Process();  // a pipelined request may be buffered already
      case After::kClose:
      case After::kLinger:
        return Linger();
    }
  }

  void Linger() {
    error_code e;
    Raw().shutdown(tcp::socket::shutdown_send, e);
    if (m_.stopping) return Close();
    lingering_ = true;
    drained_ = 0;
    Arm(Steady::now() + kLinger);
    Drain();
  }

  void Drain() {
    if (timed_out_ || drained_ >= kLingerBytes) return Close();
    Raw().async_read_some(buf_.prepare(kReadChunk),
                          [self = this->shared_from_this()](error_code ec, size_t n) {
                            if (self->closed_) return;
                            if (ec) return self->Close();
                            self->drained_ += n;
                            self->Drain();
                          });
  }

  Transport::Impl& m_;
  Stream stream_;
  asio::any_io_executor exec_;
  asio::steady_timer timer_;
  boost::beast::flat_buffer buf_;
  RequestReader reader_;
  std::string out_;   // the response being written (its head, or all of it)
  std::string body_;  // a large body, written after out_ without a copy
  std::string peer_;
  const bool over_limit_;
  uint64_t timer_gen_ = 0;
  size_t served_ = 0;
  size_t drained_ = 0;
  bool timed_out_ = false;
  bool closed_ = false;
  bool idle_ = false;
  bool lingering_ = false;
  bool deadline_set_ = false;
  bool sent_continue_ = false;
  bool head_only_ = false;
  bool keep_alive_ = true;
};

}  // namespace

void Transport::Impl::DoAccept() {
  acceptor->async_accept(asio::make_strand(ioc), [this](error_code ec, tcp::socket sock) {
    if (stopping) return;
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
      // Out of descriptors or memory: back off briefly, keep accepting.
      accept_retry->expires_after(std::chrono::milliseconds(10));
      accept_retry->async_wait([this](error_code e) {
        if (!e && !stopping) DoAccept();
      });
      return;
    }
    OnAccepted(std::move(sock));
    DoAccept();
  });
}

void Transport::Impl::OnAccepted(tcp::socket sock) {
  error_code e;
  sock.set_option(tcp::no_delay(true), e);
  bool over = false;
  {
    std::lock_guard lock(mu);
    if (open >= opts.maxConnections + kOverLimitSlack) return;  // closed at once
    over = open_normal >= opts.maxConnections;
    ++open;
    if (!over) ++open_normal;
  }
  // Each session runs on its own strand, from its first step on.
  if (ssl) {
    auto s = std::make_shared<Session<true>>(*this, over, std::move(sock), *ssl);
    asio::post(s->Executor(), [s] { s->Start(); });
  } else {
    auto s = std::make_shared<Session<false>>(*this, over, std::move(sock));
    asio::post(s->Executor(), [s] { s->Start(); });
  }
}

Transport::Transport(TransportOptions options, Handler handler, ErrorHandler on_error,
                     DoneHandler on_done)
    : impl_(std::make_unique<Impl>(options.ioThreads)) {
  impl_->opts = std::move(options);
  impl_->handler = std::move(handler);
  impl_->on_error = std::move(on_error);
  impl_->on_done = std::move(on_done);
  impl_->limits.maxBodyBytes = impl_->opts.maxBodyBytes;
  for (const auto& [k, v] : impl_->opts.defaultHeaders)
    impl_->default_headers += k + ": " + v + "\r\n";
}

Transport::~Transport() {
  Stop();
}

Result<int> Transport::Bind() {
  Impl& m = *impl_;
  // Idle connections cost a descriptor each: allow as many as the system does.
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    if (rl.rlim_cur < rl.rlim_max) {
      rl.rlim_cur = rl.rlim_max;
      setrlimit(RLIMIT_NOFILE, &rl);
      getrlimit(RLIMIT_NOFILE, &rl);
    }
    // The limit must bind before the descriptors run out, so that a client
    // past it gets its 503 instead of waiting in the backlog while accept
    // fails (kept: the over-limit slack and 256 for the database and logs).
    constexpr rlim_t kReserved = kOverLimitSlack + 256;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur > kReserved &&
        m.opts.maxConnections > rl.rlim_cur - kReserved)
      m.opts.maxConnections = static_cast<size_t>(rl.rlim_cur - kReserved);
  }
  if (!m.opts.tlsCert.empty() || !m.opts.tlsKey.empty()) {
    auto fail = [&] {
      return Error::Invalid("TlsConfig", "Cannot load the TLS certificate " + m.opts.tlsCert +
                                             " or key " + m.opts.tlsKey + ".");
    };
    if (m.opts.tlsCert.empty() || m.opts.tlsKey.empty()) return fail();
    auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use |
                     asio::ssl::context::no_compression);
    SSL_CTX* native = ctx->native_handle();
#ifdef SSL_OP_NO_RENEGOTIATION
    SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
#endif
    // An idle TLS connection gives its record buffers back.
    SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
    error_code ec;
    ctx->use_certificate_chain_file(m.opts.tlsCert, ec);
    if (ec) return fail();
    ctx->use_private_key_file(m.opts.tlsKey, asio::ssl::context::pem, ec);
    if (ec || SSL_CTX_check_private_key(native) != 1) return fail();
    m.ssl = std::move(ctx);
  }
  error_code ec;
  tcp::resolver resolver(m.ioc);
  std::string port = std::to_string(m.opts.port);
  auto results = resolver.resolve(m.opts.host, port,
                                  tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty())
    return Error::Unavailable("Cannot listen on " + m.opts.host + ": not an address.");
  tcp::acceptor acc(asio::make_strand(m.ioc));
  bool bound = false;
  for (const auto& r : results) {
    error_code e;
    acc.open(r.endpoint().protocol(), e);
    if (e) continue;
    acc.set_option(tcp::acceptor::reuse_address(true), e);
    acc.bind(r.endpoint(), e);
    if (!e) acc.listen(m.opts.listenBacklog, e);
    if (!e) {
      bound = true;
      break;
    }
    acc.close(e);
  }
  if (!bound) {
    if (m.opts.port == 0) return Error::Unavailable("Cannot listen on " + m.opts.host + ".");
    return Error::Unavailable("Cannot listen on " + m.opts.host + ":" + port +
                              " (in use, or not an address of this machine).");
  }
  int bound_port = acc.local_endpoint(ec).port();
  m.accept_retry.emplace(acc.get_executor());
  m.acceptor.emplace(std::move(acc));
  return bound_port;
}

void Transport::Start() {
  Impl& m = *impl_;
  if (m.started || !m.acceptor) return;
  m.started = true;
  m.pool.Start(std::max(1, m.opts.workers));
  m.work.emplace(m.ioc.get_executor());
  for (int i = 0; i < std::max(1, m.opts.ioThreads); ++i) {
    m.io_threads.emplace_back([&m] {
      while (true) {
        try {
          m.ioc.run();
          return;
        } catch (const std::exception&) {
          // A handler threw (out of memory): that session is gone, the loop goes on.
        }
      }
    });
  }
  asio::post(m.acceptor->get_executor(), [&m] { m.DoAccept(); });
}

void Transport::Stop() {
  Impl& m = *impl_;
  if (!m.started) return;
  m.started = false;
  m.stopping = true;
  asio::post(m.acceptor->get_executor(), [&m] {
    error_code e;
    m.acceptor->close(e);
    m.accept_retry->cancel();
  });
  std::vector<std::shared_ptr<SessionBase>> live;
  {
    std::lock_guard lock(m.mu);
    for (auto& [p, w] : m.sessions)
      if (auto s = w.lock()) live.push_back(std::move(s));
  }
  for (auto& s : live) asio::post(s->Executor(), [s] { s->OnStop(); });
  live.clear();
  {
    // Idle connections close now; the others once their request is
    // answered (or their read or write deadline passes).
    std::unique_lock lock(m.mu);
    m.cv.wait(lock, [&] { return m.open == 0; });
  }
  m.work.reset();
  m.ioc.stop();
  for (auto& t : m.io_threads)
    if (t.joinable()) t.join();
  m.io_threads.clear();
  m.pool.Stop();
}

}  // namespace ld::http
