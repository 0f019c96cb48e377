#pragma once
// Structured logs: one JSON object per line, the format CloudWatch Logs
// Insights parses without configuration. Used by the service (access and
// lifecycle lines) on stdout.
//
// Lines are buffered and written by a background flusher at most
// `flush_interval` later (or at once when the buffer is large), so a busy
// server pays no system call per request. flush() and the destructor write
// everything still buffered.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <variant>

namespace eem::util {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// "debug", "info", "warn", "error".
std::string_view level_name(LogLevel level) noexcept;

// A duration written as milliseconds with three decimals ("1.250"): exact,
// and much cheaper to format than a double.
struct Millis {
  std::uint64_t micros;
};

// One key/value of a log line. String values are JSON-escaped when written;
// keys are written as they are, so they must be plain identifiers.
struct LogField {
  std::string_view key;
  std::variant<std::string_view, std::int64_t, std::uint64_t, double, bool, Millis> value;
};

class JsonLog {
 public:
  // Writes to file descriptor `fd` (not owned). Lines below `min_level` are
  // dropped before any formatting.
  explicit JsonLog(int fd, LogLevel min_level = LogLevel::kInfo,
                   std::chrono::milliseconds flush_interval = std::chrono::milliseconds(200));
  ~JsonLog();
  JsonLog(const JsonLog&) = delete;
  JsonLog& operator=(const JsonLog&) = delete;

  [[nodiscard]] bool enabled(LogLevel level) const noexcept { return level >= min_level_; }

  // Appends {"time":..., "level":..., "msg": `message`, fields...}.
  void write(LogLevel level, std::string_view message, std::initializer_list<LogField> fields);

  void flush();

 private:
  void flush_locked(std::unique_lock<std::mutex>& lock);

  int fd_;
  LogLevel min_level_;
  std::chrono::milliseconds flush_interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::string buffer_;
  std::string writing_;
  bool stopping_ = false;
  std::jthread flusher_;
};

// Appends `text` to `out` as the inside of a JSON string (RFC 8259 section 7).
// Invalid UTF-8 bytes are replaced with U+FFFD so every line stays valid JSON.
void append_json_escaped(std::string& out, std::string_view text);

// Appends the current UTC time as RFC 3339 with milliseconds.
void append_utc_now(std::string& out);

}  // namespace eem::util
