#include "load.h"

#include <algorithm>
#include <atomic>
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

std::unique_ptr<httplib::Client> MakeClient(const std::string& host, int port, int readTimeoutS) {
  auto c = std::make_unique<httplib::Client>(host, port);
  c->set_keep_alive(true);
  c->set_tcp_nodelay(true);
  c->set_connection_timeout(5, 0);
  c->set_read_timeout(readTimeoutS, 0);
  c->set_write_timeout(30, 0);
  return c;
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

  auto worker = [&](int t) {
    auto cli = MakeClient(o.host, o.port, o.readTimeoutS);
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
      if (t0 < countFrom) continue;  // warmup
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
  out.seconds = std::max(1e-9, lastEnd.load() - countFrom);
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
