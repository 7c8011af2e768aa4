// The access log: JSON lines to a file or stderr, written in batches.
//
// A request appends its line to a buffer under a short lock; the buffer goes
// to the file when it holds 64 KiB, every 200 ms from a background thread,
// for every error line at once, and on Flush() (the server calls it when it
// stops). One write() per line cost as much as a third of a small request.
// Lines may be lost only if the process dies within 200 ms of writing them;
// the log is diagnostic, never the record of money or licenses.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace ld::http {

class AccessLog {
 public:
  // `path` empty: stderr. Throws std::runtime_error when the file cannot be opened.
  explicit AccessLog(const std::string& path);
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  // Appends `line` and a newline. `urgent`: written before this returns.
  void Write(std::string_view line, bool urgent = false);
  void Flush();

 private:
  void WriteOut(std::unique_lock<std::mutex>& held);  // writes buf_; called with mu_ held

  int fd_ = 2;
  bool own_fd_ = false;
  std::mutex mu_;
  std::mutex io_;  // orders the writes of swapped-out buffers
  std::condition_variable cv_;
  std::string buf_;
  bool stopping_ = false;
  std::thread flusher_;
};

}  // namespace ld::http
