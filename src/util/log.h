#pragma once
// Structured logs: one JSON object per line, the format CloudWatch Logs
// Insights parses without configuration. Used by the service (access and
// lifecycle lines) on stdout.
//
// Lines are buffered and written by a background flusher at most
// `flush_interval` later (or at once when the buffer is large), so a busy
// server pays no system call per request. Writers never wait for the output:
// when it blocks (a log driver that cannot deliver, a reader that stopped),
// up to kMaxBuffered bytes wait (besides the batch being written); beyond
// that lines are dropped and counted, and one warn line says how many once
// the output takes data again. The destructor waits at most
// `final_flush_timeout` for what is buffered to be written, then gives up, so
// a process can always exit.
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
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
  static constexpr std::size_t kMaxBuffered = 1024 * 1024;

  // Writes to file descriptor `fd` (not owned). Lines below `min_level` are
  // dropped before any formatting.
  explicit JsonLog(int fd, LogLevel min_level = LogLevel::kInfo,
                   std::chrono::milliseconds flush_interval = std::chrono::milliseconds(200),
                   std::chrono::milliseconds final_flush_timeout = std::chrono::seconds(2));
  ~JsonLog();
  JsonLog(const JsonLog&) = delete;
  JsonLog& operator=(const JsonLog&) = delete;

  [[nodiscard]] bool enabled(LogLevel level) const noexcept { return level >= min_level_; }

  // Appends {"time":..., "level":..., "msg": `message`, fields...}; never
  // blocks on the output.
  void write(LogLevel level, std::string_view message, std::initializer_list<LogField> fields);

  // Has the flusher write what is buffered now; returns without waiting.
  void flush();

 private:
  // What the flusher thread works on. Shared with it, so that a thread stuck
  // in a write the kernel will not finish can be left behind at exit
  // without touching a destroyed object.
  struct Shared;

  LogLevel min_level_;
  std::shared_ptr<Shared> shared_;
  std::thread flusher_;
};

// Appends `text` to `out` as the inside of a JSON string (RFC 8259 section 7).
// Invalid UTF-8 bytes are replaced with U+FFFD so every line stays valid JSON.
void append_json_escaped(std::string& out, std::string_view text);

// Appends the current UTC time as RFC 3339 with milliseconds.
void append_utc_now(std::string& out);

}  // namespace eem::util
