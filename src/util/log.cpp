#include "util/log.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <climits>
#include <condition_variable>
#include <ctime>
#include <limits>
#include <mutex>
#include <utility>

namespace eem::util {

namespace {

// Above this, a writer flushes at once instead of waiting for the flusher:
// bounds memory under bursts.
constexpr std::size_t kFlushAt = 64 * 1024;

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};

void append_value(std::string& out, const LogField& field) {
  std::visit(Overloaded{
                 [&](std::string_view s) {
                   out.push_back('"');
                   append_json_escaped(out, s);
                   out.push_back('"');
                 },
                 [&](bool b) { out.append(b ? "true" : "false"); },
                 [&](Millis m) {
                   char digits[32];
                   auto [end, ec] =
                       std::to_chars(digits, digits + sizeof digits, m.micros / 1000);
                   const auto frac = m.micros % 1000;
                   *end++ = '.';
                   *end++ = static_cast<char>('0' + frac / 100);
                   *end++ = static_cast<char>('0' + frac / 10 % 10);
                   *end++ = static_cast<char>('0' + frac % 10);
                   out.append(digits, end);
                 },
                 [&](auto number) {
                   char digits[32];
                   const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, number);
                   out.append(digits, end);
                 },
             },
             field.value);
}

// Length of the valid UTF-8 sequence starting at text[i], or 0 when invalid
// (RFC 3629 section 4).
std::size_t utf8_sequence(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b0 = byte(i);
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) len = 2;
  else if (b0 >= 0xE0 && b0 <= 0xEF) { len = 3; if (b0 == 0xE0) lo = 0xA0; if (b0 == 0xED) hi = 0x9F; }
  else if (b0 >= 0xF0 && b0 <= 0xF4) { len = 4; if (b0 == 0xF0) lo = 0x90; if (b0 == 0xF4) hi = 0x8F; }
  else return 0;
  if (i + len > text.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < len; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return len;
}

}  // namespace

std::string_view level_name(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

void append_json_escaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  static constexpr auto kPlain = [] {
    std::array<bool, 256> table{};
    for (int c = 0x20; c < 0x80; ++c) table[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
    return table;
  }();
  const auto plain = [](unsigned char c) { return kPlain[c]; };
  for (std::size_t i = 0; i < text.size();) {
    // Most text needs no escaping: copy runs of plain characters at once.
    std::size_t run = i;
    while (run < text.size() && plain(static_cast<unsigned char>(text[run]))) ++run;
    out.append(text.data() + i, run - i);
    i = run;
    if (i == text.size()) break;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t len = utf8_sequence(text, i);
      if (len == 0) {
        out.append("\xEF\xBF\xBD");  // U+FFFD
        ++i;
      } else {
        out.append(text.substr(i, len));
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default:
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
    ++i;
  }
}

void append_utc_now(std::string& out) {
  const auto now = std::chrono::system_clock::now();
  const auto seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                          now.time_since_epoch()).count() % 1000;
  // Formatting the date is the costly part; it changes once a second.
  thread_local std::time_t cached_second = -1;
  thread_local char text[32];
  thread_local std::size_t length = 0;
  if (seconds != cached_second) {
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
    cached_second = seconds;
  }
  out.append(text, length);
  char ms[8];
  ms[0] = '.';
  ms[1] = static_cast<char>('0' + millis / 100);
  ms[2] = static_cast<char>('0' + millis / 10 % 10);
  ms[3] = static_cast<char>('0' + millis % 10);
  ms[4] = 'Z';
  out.append(ms, 5);
}

namespace {

void append_line(std::string& out, LogLevel level, std::string_view message,
                 std::initializer_list<LogField> fields) {
  out.append("{\"time\":\"");
  append_utc_now(out);
  out.append("\",\"level\":\"").append(level_name(level)).append("\",\"msg\":\"");
  append_json_escaped(out, message);
  out.push_back('"');
  for (const auto& field : fields) {
    // Keys are identifiers chosen in code, not input: no escaping needed.
    out.append(",\"").append(field.key).append("\":");
    append_value(out, field);
  }
  out.append("}\n");
}

enum class Output {
  kPlain,     // a regular file or /dev/null: writes finish
  kPollable,  // a pipe or terminal: wait for room, write at most PIPE_BUF
  kSocket,    // send with MSG_DONTWAIT
};

Output output_of(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Output::kPlain;
  if (S_ISSOCK(st.st_mode)) return Output::kSocket;
  if (S_ISREG(st.st_mode) || (S_ISCHR(st.st_mode) && ::isatty(fd) == 0)) return Output::kPlain;
  return Output::kPollable;
}

}  // namespace

struct JsonLog::Shared {
  using Clock = std::chrono::steady_clock;

  Shared(int out_fd, std::chrono::milliseconds interval, std::chrono::milliseconds final_timeout)
      : fd(out_fd), output(output_of(out_fd)), flush_interval(interval), final_flush_timeout(final_timeout) {}

  void run();
  // Writes all of `data` unless the output fails or the stop deadline
  // passes; false then.
  bool write_out(std::string_view data);
  bool past_deadline() const {
    return stopping && Clock::now().time_since_epoch().count() >= give_up_at.load();
  }

  const int fd;
  const Output output;
  const std::chrono::milliseconds flush_interval;
  const std::chrono::milliseconds final_flush_timeout;

  std::mutex mutex;  // guards the members below up to `stopping`
  std::condition_variable wake;
  std::condition_variable finished;
  std::string buffer;
  std::uint64_t dropped = 0;  // lines dropped since the last report
  bool flush_now = false;
  bool done = false;  // the flusher returned
  std::atomic<bool> stopping = false;
  // When stopping: the steady clock count after which the flusher gives up.
  std::atomic<Clock::rep> give_up_at = std::numeric_limits<Clock::rep>::max();
};

JsonLog::JsonLog(int fd, LogLevel min_level, std::chrono::milliseconds flush_interval,
                 std::chrono::milliseconds final_flush_timeout)
    : min_level_(min_level), shared_(std::make_shared<Shared>(fd, flush_interval, final_flush_timeout)) {
  flusher_ = std::thread([shared = shared_] { shared->run(); });
}

JsonLog::~JsonLog() {
  Shared& s = *shared_;
  const auto give_up = Shared::Clock::now() + s.final_flush_timeout;
  std::unique_lock lock(s.mutex);
  s.give_up_at = give_up.time_since_epoch().count();
  s.stopping = true;
  s.wake.notify_all();
  // A little past the deadline: the flusher notices it within one 100 ms poll.
  if (s.finished.wait_until(lock, give_up + std::chrono::milliseconds(500), [&s] { return s.done; })) {
    lock.unlock();
    flusher_.join();
  } else {
    // Stuck in a write the kernel does not finish (a terminal that stopped,
    // a pipe another writer filled). It owns its state; the process ends it.
    lock.unlock();
    flusher_.detach();
  }
}

void JsonLog::write(LogLevel level, std::string_view message,
                    std::initializer_list<LogField> fields) {
  if (!enabled(level)) return;
  Shared& s = *shared_;
  std::unique_lock lock(s.mutex);
  if (s.buffer.size() >= kMaxBuffered) {
    ++s.dropped;
    return;
  }
  append_line(s.buffer, level, message, fields);
  if (s.buffer.size() >= kFlushAt && !s.flush_now) {
    s.flush_now = true;
    lock.unlock();
    s.wake.notify_one();
  }
}

void JsonLog::flush() {
  {
    std::lock_guard lock(shared_->mutex);
    shared_->flush_now = true;
  }
  shared_->wake.notify_one();
}

void JsonLog::Shared::run() {
  // A reader that went away makes write() fail with EPIPE here instead of
  // raising SIGPIPE, which would end the process. Only this thread writes.
  sigset_t pipe_signal;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
  std::string writing;
  std::unique_lock lock(mutex);
  for (;;) {
    wake.wait_for(lock, flush_interval, [this] { return flush_now || stopping; });
    flush_now = false;
    if (stopping && buffer.empty() && dropped == 0) break;
    writing.swap(buffer);
    const std::uint64_t lost = std::exchange(dropped, 0);
    lock.unlock();
    bool written = write_out(writing);
    writing.clear();
    if (lost > 0) {
      // After the lines that were kept, so the gap shows where it was.
      append_line(writing, LogLevel::kWarn, "log output was blocked; lines dropped", {{"dropped_lines", lost}});
      written = written && write_out(writing);
      writing.clear();
    }
    lock.lock();
    // Output that failed or stayed blocked past the stop deadline: give up on
    // what is left rather than keep the process from exiting.
    if (stopping && !written) break;
  }
  done = true;
  finished.notify_all();
}

bool JsonLog::Shared::write_out(std::string_view data) {
  while (!data.empty()) {
    if (past_deadline()) return false;
    if (output == Output::kPollable) {
      // Wait for room in slices, so the stop deadline is noticed.
      pollfd p{fd, POLLOUT, 0};
      const int ready = ::poll(&p, 1, 100);
      if (ready < 0 && errno != EINTR) return false;
      if (ready <= 0) continue;
      if ((p.revents & (POLLERR | POLLNVAL)) != 0) return false;
    }
    ssize_t n = 0;
    if (output == Output::kSocket) {
      n = ::send(fd, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        pollfd p{fd, POLLOUT, 0};
        ::poll(&p, 1, 100);
        continue;
      }
    } else {
      // A pipe that polls writable takes PIPE_BUF bytes without blocking.
      const std::size_t size =
          output == Output::kPollable ? std::min<std::size_t>(data.size(), PIPE_BUF) : data.size();
      n = ::write(fd, data.data(), size);
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n <= 0) return false;  // closed or broken: logs are best effort, never fatal
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace eem::util
