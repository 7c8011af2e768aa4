// Small utilities the benchmark programs share: clocks, latency summaries,
// child processes (servers) with their memory, UUIDv7 ids, formatting.
// Nothing here includes the project's own headers: the benchmarks drive the
// real `licensedesk serve` from the outside, over HTTP and the SQLite file.
#pragma once

#include <sys/types.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ldb {

using Clock = std::chrono::steady_clock;

// Seconds on the monotonic clock.
double Now();
// Milliseconds since the Unix epoch (wall clock).
int64_t UnixMs();

// Latency summary in milliseconds of a set of samples in nanoseconds.
struct Stats {
  int64_t n = 0;
  double mean = 0, p50 = 0, p99 = 0, p999 = 0, max = 0;
};
// Sorts `ns` in place.
Stats Summarize(std::vector<int64_t>& ns);

// Memory of a process from /proc/<pid>/status, in KiB (0 when unreadable).
struct ProcMem {
  int64_t rssKb = 0;
  int64_t hwmKb = 0;
};
ProcMem ReadMem(pid_t pid);
// CPU time (user + system) a process has used so far, in microseconds; -1 if unknown.
int64_t ReadCpuUs(pid_t pid);
// Resets the peak RSS (VmHWM) of `pid` to its current RSS through
// /proc/<pid>/clear_refs (Linux >= 4.0). False when the kernel refused.
bool ResetPeak(pid_t pid);
double Mib(int64_t kb);

// A server started by the benchmark: a child process on 127.0.0.1 whose
// stdout is read until the line "... listening on http://HOST:PORT", then
// drained into `logPath` by a background thread. The child gets SIGKILL when
// the benchmark dies (PR_SET_PDEATHSIG), so nothing outlives a crashed run;
// Stop() sends SIGTERM, waits, then SIGKILL. Not thread-safe.
class ServerProcess {
 public:
  // Starts argv[0] with the arguments; stdout and stderr go to `logPath`
  // after the ready line. Throws std::runtime_error when the process exits or
  // prints no ready line within `timeoutS`.
  static std::unique_ptr<ServerProcess> Start(const std::vector<std::string>& argv,
                                              const std::string& logPath, double timeoutS = 120);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  // Seconds from fork() to the ready line.
  double secondsToListening() const { return toListening_; }
  // Seconds from fork() to the first 200 of GET `path` (polled every 1 ms).
  double WaitHttpOk(const std::string& path, double timeoutS = 120);
  bool Alive();
  // SIGTERM, wait up to graceS, then SIGKILL. Returns the exit status text.
  std::string Stop(double graceS = 20);

 private:
  ServerProcess() = default;
  pid_t pid_ = -1;
  int port_ = 0;
  int outFd_ = -1;
  double started_ = 0;
  double toListening_ = 0;
  std::string logPath_;
  struct Drain;
  std::unique_ptr<Drain> drain_;
};

// Kills (SIGKILL) every server still running; safe in a signal handler.
void KillAllServers();

// A UUIDv7 as 16 bytes: 48-bit Unix milliseconds, version 7, random rest.
std::array<uint8_t, 16> NewV7(int64_t unixMs);
// A UUIDv7 whose 74 bits after the timestamp are `seq` (RFC 9562's
// counter method): ids minted in one millisecond still increase.
std::array<uint8_t, 16> SeqV7(int64_t unixMs, uint64_t seq);
std::string GuidText(const uint8_t* b16);

// printf-style formatting into a std::string.
std::string Format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// Reads a whole file; throws std::runtime_error when it cannot.
std::string ReadFile(const std::string& path);

}  // namespace ldb
