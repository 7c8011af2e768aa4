#include "common.h"

#include <fcntl.h>
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace ldb {

double Now() {
  return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

int64_t UnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Stats Summarize(std::vector<int64_t>& ns) {
  Stats s;
  s.n = static_cast<int64_t>(ns.size());
  if (ns.empty()) return s;
  std::sort(ns.begin(), ns.end());
  auto at = [&](double q) {
    size_t i = static_cast<size_t>(q * static_cast<double>(ns.size() - 1) + 0.5);
    return static_cast<double>(ns[std::min(i, ns.size() - 1)]) / 1e6;
  };
  double sum = 0;
  for (int64_t v : ns) sum += static_cast<double>(v);
  s.mean = sum / static_cast<double>(ns.size()) / 1e6;
  s.p50 = at(0.50);
  s.p99 = at(0.99);
  s.p999 = at(0.999);
  s.max = static_cast<double>(ns.back()) / 1e6;
  return s;
}

int64_t ReadCpuUs(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close = all.rfind(')');  // the command name may contain spaces
  if (close == std::string::npos) return -1;
  std::istringstream fields(all.substr(close + 2));
  std::string f;
  long long utime = -1, stime = -1;
  // After the name: state is field 3; utime and stime are fields 14 and 15.
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stoll(f);
    if (i == 15) stime = std::stoll(f);
  }
  if (utime < 0 || stime < 0) return -1;
  return (utime + stime) * 1'000'000 / sysconf(_SC_CLK_TCK);
}

ProcMem ReadMem(pid_t pid) {
  ProcMem m;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) m.rssKb = std::atoll(line.c_str() + 6);
    if (line.rfind("VmHWM:", 0) == 0) m.hwmKb = std::atoll(line.c_str() + 6);
  }
  return m;
}

bool ResetPeak(pid_t pid) {
  std::ofstream out("/proc/" + std::to_string(pid) + "/clear_refs");
  if (!out) return false;
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

double Mib(int64_t kb) {
  return static_cast<double>(kb) / 1024.0;
}

// ---- child processes ----

namespace {
void WriteAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    data += w;
    n -= static_cast<size_t>(w);
  }
}

constexpr int kMaxServers = 64;
std::atomic<pid_t> g_servers[kMaxServers];

void Register(pid_t pid) {
  for (auto& slot : g_servers) {
    pid_t empty = 0;
    if (slot.compare_exchange_strong(empty, pid)) return;
  }
}
void Unregister(pid_t pid) {
  for (auto& slot : g_servers) {
    pid_t p = pid;
    if (slot.compare_exchange_strong(p, 0)) return;
  }
}
}  // namespace

void KillAllServers() {
  for (auto& slot : g_servers) {
    pid_t p = slot.load();
    if (p > 0) ::kill(p, SIGKILL);
  }
}

struct ServerProcess::Drain {
  std::thread thread;
};

std::unique_ptr<ServerProcess> ServerProcess::Start(const std::vector<std::string>& argv,
                                                    const std::string& logPath, double timeoutS) {
  if (argv.empty()) throw std::runtime_error("no program to start");
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int logFd = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (logFd < 0) throw std::runtime_error("cannot open " + logPath);
  int pipeFd[2];
  if (::pipe2(pipeFd, O_CLOEXEC) != 0) {
    ::close(logFd);
    throw std::runtime_error("pipe failed");
  }
  pid_t parent = ::getpid();
  std::unique_ptr<ServerProcess> p(new ServerProcess());
  p->logPath_ = logPath;
  p->started_ = Now();
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // Only async-signal-safe calls until exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(pipeFd[1], 1);
    ::dup2(logFd, 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(pipeFd[1]);
  p->pid_ = pid;
  p->outFd_ = pipeFd[0];
  Register(pid);

  // Read stdout until the ready line.
  std::string seen;
  const std::string marker = "listening on http";
  double deadline = p->started_ + timeoutS;
  while (true) {
    size_t nl = seen.find('\n');
    while (nl != std::string::npos) {
      std::string line = seen.substr(0, nl);
      seen.erase(0, nl + 1);
      line += "\n";
      WriteAll(logFd, line.data(), line.size());
      if (line.find(marker) != std::string::npos) {
        p->toListening_ = Now() - p->started_;
        auto colon = line.rfind(':');
        p->port_ = std::atoi(line.c_str() + colon + 1);
        break;
      }
      nl = seen.find('\n');
    }
    if (p->port_ > 0) break;
    double left = deadline - Now();
    if (left <= 0) {
      p->Stop(1);
      ::close(logFd);
      throw std::runtime_error("no ready line from " + argv[0] + " within the timeout; see " +
                               logPath);
    }
    pollfd pfd{p->outFd_, POLLIN, 0};
    int r = ::poll(&pfd, 1, static_cast<int>(std::min(left, 1.0) * 1000) + 1);
    if (r < 0 && errno == EINTR) continue;
    if (r > 0) {
      char buf[4096];
      ssize_t n = ::read(p->outFd_, buf, sizeof buf);
      if (n <= 0) {
        std::string status = p->Stop(1);
        ::close(logFd);
        throw std::runtime_error(argv[0] + " exited before it was ready (" + status + "); see " +
                                 logPath);
      }
      seen.append(buf, static_cast<size_t>(n));
    }
  }
  // Drain the rest of stdout into the log so the child never blocks on a full pipe.
  p->drain_ = std::make_unique<Drain>();
  int fd = p->outFd_;
  p->drain_->thread = std::thread([fd, logFd, rest = seen] {
    if (!rest.empty()) WriteAll(logFd, rest.data(), rest.size());
    char buf[4096];
    while (true) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      WriteAll(logFd, buf, static_cast<size_t>(n));
    }
    ::close(logFd);
  });
  return p;
}

double ServerProcess::WaitHttpOk(const std::string& path, double timeoutS) {
  httplib::Client cli("127.0.0.1", port_);
  cli.set_keep_alive(true);
  cli.set_tcp_nodelay(true);
  cli.set_connection_timeout(1, 0);
  cli.set_read_timeout(5, 0);
  double deadline = Now() + timeoutS;
  while (Now() < deadline) {
    auto res = cli.Get(path.c_str());
    if (res && res->status == 200) return Now() - started_;
    if (!Alive()) throw std::runtime_error("the server exited while starting; see " + logPath_);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  throw std::runtime_error("GET " + path + " did not answer 200 in time; see " + logPath_);
}

bool ServerProcess::Alive() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    Unregister(pid_);
    pid_ = -1;
    return false;
  }
  return true;
}

std::string ServerProcess::Stop(double graceS) {
  std::string out = "not running";
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    double deadline = Now() + graceS;
    int status = 0;
    pid_t r = 0;
    while ((r = ::waitpid(pid_, &status, WNOHANG)) == 0 && Now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (r == 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      out = "killed after " + Format("%.0f", graceS) + " s without exiting on SIGTERM";
    } else if (WIFEXITED(status)) {
      out = "exit " + std::to_string(WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
      out = std::string("signal ") + strsignal(WTERMSIG(status));
    }
    Unregister(pid_);
    pid_ = -1;
  }
  if (drain_) {
    if (drain_->thread.joinable()) drain_->thread.join();
    drain_.reset();
  }
  if (outFd_ >= 0) {
    ::close(outFd_);
    outFd_ = -1;
  }
  return out;
}

ServerProcess::~ServerProcess() {
  Stop(5);
}

// ---- ids and text ----

std::array<uint8_t, 16> NewV7(int64_t unixMs) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::array<uint8_t, 16> b{};
  auto ms = static_cast<uint64_t>(unixMs);
  for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(ms >> (8 * (5 - i)));
  uint64_t r1 = rng(), r2 = rng();
  b[6] = static_cast<uint8_t>(0x70 | (r1 & 0x0F));
  b[7] = static_cast<uint8_t>(r1 >> 8);
  b[8] = static_cast<uint8_t>(0x80 | ((r1 >> 16) & 0x3F));
  for (int i = 9; i < 16; ++i) b[i] = static_cast<uint8_t>(r2 >> (8 * (i - 9)));
  return b;
}

std::array<uint8_t, 16> SeqV7(int64_t unixMs, uint64_t seq) {
  std::array<uint8_t, 16> b{};
  auto ms = static_cast<uint64_t>(unixMs);
  for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(ms >> (8 * (5 - i)));
  b[6] = 0x70;
  b[8] = 0x80;
  for (int i = 9; i < 16; ++i) b[i] = static_cast<uint8_t>(seq >> (8 * (15 - i)));
  return b;
}

std::string GuidText(const uint8_t* b) {
  static const char* kHex = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(kHex[b[i] >> 4]);
    s.push_back(kHex[b[i] & 15]);
  }
  return s;
}

std::string Format(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  va_list ap2;
  va_copy(ap2, ap);
  int n = std::vsnprintf(nullptr, 0, fmt, ap);
  va_end(ap);
  std::string s(static_cast<size_t>(std::max(n, 0)) + 1, '\0');
  std::vsnprintf(s.data(), s.size(), fmt, ap2);
  va_end(ap2);
  s.resize(static_cast<size_t>(std::max(n, 0)));
  return s;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace ldb
