#include "load.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace ldb {

OpResult Unexpected(const httplib::Result& res, int expected) {
  if (!res) return OpResult::Fail("transport: " + httplib::to_string(res.error()));
  if (res->status == expected) return OpResult::Ok();
  // The error envelope carries a code: {"error":{"code":"..."}}.
  std::string code;
  auto at = res->body.find("\"code\":\"");
  if (at != std::string::npos) {
    auto end = res->body.find('"', at + 8);
    if (end != std::string::npos) code = res->body.substr(at + 8, end - at - 8);
  }
  return OpResult::Fail("HTTP " + std::to_string(res->status) + (code.empty() ? "" : " " + code),
                        res->body.substr(0, 300));
}

WireClient::WireClient(std::string host, int port, int readTimeoutS, bool nagle)
    : host_(std::move(host)), port_(port), readTimeoutS_(readTimeoutS), nagle_(nagle) {}

WireClient::~WireClient() {
  Close();
}

void WireClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buf_.clear();
}

bool WireClient::Connect() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port_));
  if (::inet_pton(AF_INET, host_.c_str(), &a.sin_addr) != 1 ||
      ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    Close();
    return false;
  }
  int one = 1;
  if (!nagle_) ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval tv{readTimeoutS_, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  timeval wt{30, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &wt, sizeof wt);
  return true;
}

httplib::Result WireClient::Get(const std::string& path, const httplib::Headers& headers) {
  return Send("GET", path, headers, nullptr, "");
}

httplib::Result WireClient::Post(const std::string& path, const httplib::Headers& headers,
                                 const std::string& body, const std::string& contentType) {
  return Send("POST", path, headers, &body, contentType);
}

httplib::Result WireClient::Patch(const std::string& path, const httplib::Headers& headers,
                                  const std::string& body, const std::string& contentType) {
  return Send("PATCH", path, headers, &body, contentType);
}

httplib::Result WireClient::Send(const std::string& method, const std::string& path,
                                 const httplib::Headers& headers, const std::string* body,
                                 const std::string& contentType) {
  std::string req =
      method + " " + path + " HTTP/1.1\r\nHost: " + host_ + ":" + std::to_string(port_) + "\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  if (body) {
    req += "Content-Type: " + contentType + "\r\nContent-Length: " + std::to_string(body->size()) +
           "\r\n\r\n" + *body;
  } else {
    req += "\r\n";
  }
  // A kept-alive connection the server closed meanwhile is retried once on a
  // fresh one (only when nothing of the answer was read).
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (fd_ < 0 && !Connect()) return httplib::Result(nullptr, httplib::Error::Connection);
    bool failed = false;
    auto write_all = [&](std::string_view part) {
      size_t sent = 0;
      while (!failed && sent < part.size()) {
        ssize_t n = ::send(fd_, part.data() + sent, part.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) failed = true;
        if (n > 0) sent += static_cast<size_t>(n);
      }
    };
    size_t head_size = req.find("\r\n\r\n") + 4;
    if (nagle_ && body && head_size < req.size()) {
      write_all(std::string_view(req).substr(0, head_size));
      write_all(std::string_view(req).substr(head_size));
    } else {
      write_all(req);
    }
    if (failed) {
      Close();
      continue;
    }
    // Status line and headers.
    auto res = std::make_unique<httplib::Response>();
    size_t headEnd;
    char tmp[65536];
    bool got_any = false;
    while ((headEnd = buf_.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n <= 0) {
        bool retry = !got_any && attempt == 0;
        Close();
        if (retry) break;
        return httplib::Result(nullptr, n == 0 ? httplib::Error::Read : httplib::Error::Read);
      }
      got_any = true;
      buf_.append(tmp, static_cast<size_t>(n));
    }
    if (headEnd == std::string::npos) continue;  // retry on a new connection
    std::string_view head(buf_.data(), headEnd);
    size_t lineEnd = head.find("\r\n");
    std::string_view status = head.substr(0, lineEnd);
    if (status.size() < 12 || status.substr(0, 5) != "HTTP/") {
      Close();
      return httplib::Result(nullptr, httplib::Error::Read);
    }
    res->status = std::atoi(std::string(status.substr(9, 3)).c_str());
    size_t length = 0;
    bool close = false;
    size_t pos = lineEnd == std::string_view::npos ? head.size() : lineEnd + 2;
    while (pos < head.size()) {
      size_t e = head.find("\r\n", pos);
      if (e == std::string_view::npos) e = head.size();
      std::string_view line = head.substr(pos, e - pos);
      pos = e + 2;
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string name(line.substr(0, colon));
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      std::string lname = name;
      for (auto& ch : lname) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (lname == "content-length")
        length = std::strtoull(std::string(value).c_str(), nullptr, 10);
      if (lname == "connection" && value == "close") close = true;
      res->headers.emplace(std::move(name), std::string(value));
    }
    size_t bodyAt = headEnd + 4;
    bool noBody = res->status == 204 || res->status == 304 || res->status < 200;
    if (noBody) length = 0;
    while (buf_.size() < bodyAt + length) {
      ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n <= 0) {
        Close();
        return httplib::Result(nullptr, httplib::Error::Read);
      }
      buf_.append(tmp, static_cast<size_t>(n));
    }
    res->body.assign(buf_, bodyAt, length);
    buf_.erase(0, bodyAt + length);
    if (close) Close();
    return httplib::Result(std::move(res), httplib::Error::Success);
  }
  return httplib::Result(nullptr, httplib::Error::Connection);
}

std::string LoadResult::Describe() const {
  std::string s = Format(
      "%.0f ops/s (%lld ops in %.2f s), p50 %.2f ms, p99 %.2f ms, p999 %.2f ms, "
      "max %.1f ms",
      opsPerS, static_cast<long long>(ops), seconds, lat.p50, lat.p99, lat.p999, lat.max);
  if (errors > 0) {
    s += Format(", %lld errors:", static_cast<long long>(errors));
    for (const auto& [k, n] : errorKinds)
      s += Format(" %s x%lld;", k.c_str(), static_cast<long long>(n));
  }
  if (stalls > 0) s += Format(", %lld stalls", static_cast<long long>(stalls));
  if (serverCpuUsPerOp >= 0) s += Format(", server CPU %.0f us/op", serverCpuUsPerOp);
  return s;
}

LoadResult RunLoad(const LoadOptions& o, const OpFn& op) {
  struct PerThread {
    std::vector<int64_t> ns;
    int64_t errors = 0, stalls = 0;
    std::map<std::string, int64_t> kinds;
    std::vector<std::string> samples;
  };
  std::vector<PerThread> per(static_cast<size_t>(o.threads));
  std::atomic<int64_t> next{0};
  std::atomic<bool> stop{false};
  std::atomic<int> ready{0};
  const double start = Now() + 0.05;  // every thread starts at the same moment
  const double countFrom = start + o.warmupS;
  const double deadline = countFrom + o.seconds;
  std::atomic<double> lastEnd{start};
  // A count-bound run may be shorter than its warmup: then the warmup ends
  // after a fifth of the operations, so the rest are still measured.
  const int64_t warmupOps =
      o.maxOps == std::numeric_limits<int64_t>::max() ? o.maxOps : o.maxOps / 5;
  std::atomic<double> firstCounted{std::numeric_limits<double>::max()};

  auto worker = [&](int t) {
    auto cli = std::make_unique<WireClient>(o.host, o.port, o.readTimeoutS, o.nagle);
    PerThread& me = per[static_cast<size_t>(t)];
    me.ns.reserve(1 << 16);
    ready.fetch_add(1);
    while (Now() < start) std::this_thread::yield();
    while (!stop.load(std::memory_order_relaxed)) {
      double t0 = Now();
      if (t0 >= deadline) break;
      int64_t i = next.fetch_add(1);
      if (i >= o.maxOps) break;
      auto c0 = Clock::now();
      OpResult r;
      try {
        r = op(*cli, t, i);
      } catch (const std::exception& e) {
        r = OpResult::Fail("exception", e.what());
      }
      auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - c0).count();
      double t1 = Now();
      double prev = lastEnd.load();
      while (t1 > prev && !lastEnd.compare_exchange_weak(prev, t1)) {
      }
      if (t0 < countFrom && i < warmupOps) continue;  // warmup
      double first = firstCounted.load();
      while (t0 < first && !firstCounted.compare_exchange_weak(first, t0)) {
      }
      if (ns > static_cast<int64_t>(o.slowMs * 1e6)) ++me.stalls;
      if (r.ok) {
        me.ns.push_back(ns);
      } else {
        ++me.errors;
        ++me.kinds[r.kind];
        if (me.samples.size() < 2) me.samples.push_back(r.kind + ": " + r.detail);
      }
    }
  };

  std::atomic<int64_t> peak{0};
  std::atomic<bool> samplerStop{false};
  std::thread sampler;
  if (o.serverPid > 0) {
    sampler = std::thread([&] {
      while (!samplerStop.load()) {
        int64_t rss = ReadMem(o.serverPid).rssKb;
        if (rss > peak.load()) peak.store(rss);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  }
  int64_t cpu0 = o.serverPid > 0 ? ReadCpuUs(o.serverPid) : -1;
  std::vector<std::thread> threads;
  for (int t = 0; t < o.threads; ++t) threads.emplace_back(worker, t);
  for (auto& th : threads) th.join();
  samplerStop = true;
  if (sampler.joinable()) sampler.join();

  LoadResult out;
  std::vector<int64_t> all;
  for (auto& p : per) {
    all.insert(all.end(), p.ns.begin(), p.ns.end());
    out.errors += p.errors;
    out.stalls += p.stalls;
    for (const auto& [k, n] : p.kinds) out.errorKinds[k] += n;
    for (auto& s : p.samples)
      if (out.errorSamples.size() < 5) out.errorSamples.push_back(s);
  }
  out.ops = static_cast<int64_t>(all.size());
  out.countBound = next.load() >= o.maxOps;
  // The counted window ends when the last counted operation ended (a count
  // limit may end the run before the deadline).
  out.seconds = std::max(1e-9, lastEnd.load() - std::min(countFrom, firstCounted.load()));
  out.opsPerS = static_cast<double>(out.ops) / out.seconds;
  out.lat = Summarize(all);
  if (o.serverPid > 0) {
    out.memEnd = ReadMem(o.serverPid);
    out.sampledPeakKb = peak.load();
    int64_t cpu1 = ReadCpuUs(o.serverPid);
    int64_t done = std::min(next.load(), o.maxOps);
    if (cpu0 >= 0 && cpu1 >= cpu0 && done > 0)
      out.serverCpuUsPerOp = static_cast<double>(cpu1 - cpu0) / static_cast<double>(done);
  }
  return out;
}

}  // namespace ldb
