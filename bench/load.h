// The load driver: N threads, each with its own keep-alive HTTP connection
// (WireClient below, TCP_NODELAY), run one operation after another
// against a server on loopback until a time limit or an operation count is
// reached. An operation may make several requests (a checkout is two); its
// latency is the wall time of all of them. Reports throughput, p50/p99/p999,
// errors by kind with samples, and the server's memory (peak RSS sampled
// during the run and VmHWM at the end).
#pragma once

#include <httplib.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "common.h"

namespace ldb {

struct LoadOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  int threads = 32;
  double seconds = 10;  // stop starting operations after this (plus warmup)
  double warmupS = 1;   // operations that start earlier are not counted
  int64_t maxOps = std::numeric_limits<int64_t>::max();  // counted and warmup together
  double slowMs = 1000;  // operations slower than this are reported as stalls
  pid_t serverPid = -1;  // for memory; -1: none
  int readTimeoutS = 60;
  // Clients as cpp-httplib's (and many others') defaults: no TCP_NODELAY, and
  // a request's head and body in two writes. Against a server that waits for
  // its delayed ACK that costs each POST about 40 ms.
  bool nagle = false;
};

// What one operation returns: ok, or why not ("HTTP 409 CartAlreadyOrdered",
// "transport: Read", ...). `kind` groups errors for the report.
struct OpResult {
  bool ok = true;
  std::string kind;
  std::string detail;
  static OpResult Ok() { return {}; }
  static OpResult Fail(std::string kind, std::string detail = {}) {
    return {false, std::move(kind), std::move(detail)};
  }
};
// An HTTP result that is not the expected status, as an OpResult.
OpResult Unexpected(const httplib::Result& res, int expected);

// A lean keep-alive HTTP/1.1 client for the load threads: blocking socket,
// one write per request (or, with `nagle`, no TCP_NODELAY and the head and
// the body in two writes), responses framed by Content-Length or chunked. It
// costs the machine's 2 cores far less per request than cpp-httplib's client
// (which polls before each read and write), so more of them is left for the
// server under test. The methods mirror httplib::Client's and return its
// Result, so scenarios read like ordinary client code.
class WireClient {
 public:
  WireClient(std::string host, int port, int readTimeoutS, bool nagle = false);
  ~WireClient();
  WireClient(const WireClient&) = delete;
  WireClient& operator=(const WireClient&) = delete;
  httplib::Result Get(const std::string& path, const httplib::Headers& headers = {});
  httplib::Result Post(const std::string& path, const httplib::Headers& headers,
                       const std::string& body, const std::string& contentType);
  httplib::Result Patch(const std::string& path, const httplib::Headers& headers,
                        const std::string& body, const std::string& contentType);

 private:
  httplib::Result Send(const std::string& method, const std::string& path,
                       const httplib::Headers& headers, const std::string* body,
                       const std::string& contentType);
  bool Connect();
  void Close();
  std::string host_;
  int port_;
  int readTimeoutS_;
  bool nagle_;
  int fd_ = -1;
  std::string buf_;
};

// op(client, thread index, operation index). The operation index is unique
// across threads, from 0 up; it may exceed maxOps never.
using OpFn = std::function<OpResult(WireClient&, int, int64_t)>;

struct LoadResult {
  int64_t ops = 0;     // counted operations that succeeded
  int64_t errors = 0;  // counted operations that failed
  int64_t stalls = 0;  // counted operations slower than slowMs
  double seconds = 0;  // the counted window
  double opsPerS = 0;
  Stats lat;  // of successful counted operations, ms
  std::map<std::string, int64_t> errorKinds;
  std::vector<std::string> errorSamples;  // at most 5
  ProcMem memEnd;                         // at the end (VmHWM = peak since the last reset)
  int64_t sampledPeakKb = 0;              // the highest VmRSS sampled every 20 ms
  bool countBound = false;                // ended because maxOps operations were started
  // The server's CPU time (user + system) per operation over the whole run,
  // warmup included: a figure that other load on the machine barely moves.
  double serverCpuUsPerOp = -1;
  std::string Describe() const;  // "1234/s p50 ... errors ..."
};

LoadResult RunLoad(const LoadOptions& opts, const OpFn& op);

}  // namespace ldb
