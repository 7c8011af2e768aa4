#include "http/access_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

namespace ld::http {

namespace {
constexpr size_t kFlushBytes = 64 * 1024;
constexpr auto kFlushEvery = std::chrono::milliseconds(200);

void WriteAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a full disk must not stop the server; lines are dropped
    off += static_cast<size_t>(n);
  }
}
}  // namespace

AccessLog::AccessLog(const std::string& path) {
  if (!path.empty()) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0)
      throw std::runtime_error("cannot open the log file " + path + ": " + std::strerror(errno));
    own_fd_ = true;
  }
  buf_.reserve(kFlushBytes * 2);
  flusher_ = std::thread([this] {
    std::unique_lock<std::mutex> l(mu_);
    while (!stopping_) {
      cv_.wait_for(l, kFlushEvery);
      if (!buf_.empty()) WriteOut(l);
    }
  });
}

AccessLog::~AccessLog() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  Flush();
  if (own_fd_) ::close(fd_);
}

void AccessLog::WriteOut(std::unique_lock<std::mutex>& held) {
  // Swap the buffer out and write it without holding mu_, so requests never
  // wait for the disk; io_ keeps the batches in order.
  std::string out;
  out.reserve(kFlushBytes * 2);
  out.swap(buf_);
  std::unique_lock<std::mutex> io(io_);  // taken before mu_ is let go: order kept
  held.unlock();
  WriteAll(fd_, out);
  io.unlock();  // never wait for mu_ while holding io_
  held.lock();
}

void AccessLog::Write(std::string_view line, bool urgent) {
  std::unique_lock<std::mutex> l(mu_);
  buf_.append(line);
  buf_.push_back('\n');
  if (urgent || buf_.size() >= kFlushBytes) WriteOut(l);
}

void AccessLog::Flush() {
  std::unique_lock<std::mutex> l(mu_);
  if (!buf_.empty()) WriteOut(l);
}

}  // namespace ld::http
