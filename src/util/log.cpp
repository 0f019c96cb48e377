#include "util/log.h"

#include <unistd.h>

#include <array>
#include <charconv>
#include <ctime>

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

JsonLog::JsonLog(int fd, LogLevel min_level, std::chrono::milliseconds flush_interval)
    : fd_(fd), min_level_(min_level), flush_interval_(flush_interval) {
  flusher_ = std::jthread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      wake_.wait_for(lock, flush_interval_);
      flush_locked(lock);
    }
  });
}

JsonLog::~JsonLog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  flusher_.join();
  flush();
}

void JsonLog::write(LogLevel level, std::string_view message,
                    std::initializer_list<LogField> fields) {
  if (!enabled(level)) return;
  std::unique_lock lock(mutex_);
  buffer_.append("{\"time\":\"");
  append_utc_now(buffer_);
  buffer_.append("\",\"level\":\"").append(level_name(level)).append("\",\"msg\":\"");
  append_json_escaped(buffer_, message);
  buffer_.push_back('"');
  for (const auto& field : fields) {
    // Keys are identifiers chosen in code, not input: no escaping needed.
    buffer_.append(",\"").append(field.key).append("\":");
    append_value(buffer_, field);
  }
  buffer_.append("}\n");
  if (buffer_.size() >= kFlushAt) flush_locked(lock);
}

void JsonLog::flush() {
  std::unique_lock lock(mutex_);
  flush_locked(lock);
}

void JsonLog::flush_locked(std::unique_lock<std::mutex>& lock) {
  if (buffer_.empty()) return;
  writing_.swap(buffer_);
  // Write outside the lock would reorder lines between concurrent flushes;
  // writes are rare (batched), so holding it is cheap.
  std::string_view rest = writing_;
  while (!rest.empty()) {
    const ssize_t n = ::write(fd_, rest.data(), rest.size());
    if (n <= 0) break;  // stdout closed: logs are best effort, never fatal
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  writing_.clear();
  (void)lock;
}

}  // namespace eem::util
