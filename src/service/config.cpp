#include "service/config.h"

#include <charconv>
#include <thread>

#include "util/strings.h"

namespace eem::service {

namespace {

struct Variable {
  std::string_view name;
  std::string_view fallback;  // shown in --help; "" when computed
  std::string_view help;
};

// The one list of variables: --help prints it; load_config reads each.
constexpr Variable kVariables[] = {
    {"PORT", "8080", "TCP port to listen on (1-65535)"},
    {"LISTEN_ADDRESS", "0.0.0.0", "IPv4 or IPv6 address to bind (\"::\" for dual stack)"},
    {"WORKER_THREADS", "CPUs", "worker threads, 1-256 (default: CPUs available to the task)"},
    {"LOG_LEVEL", "info", "debug, info, warn or error"},
    {"ACCESS_LOG", "true", "one JSON line per request on stdout (true/false)"},
    {"MAX_BODY_BYTES", "1048576", "largest request body accepted, 0-1073741824 (413 above)"},
    {"BODY_BUFFER_BYTES", "134217728",
     "request bodies being received at once, all connections, 1024-17179869184, at least "
     "MAX_BODY_BYTES; further bodies wait unread (TCP flow control)"},
    {"MAX_HEADER_BYTES", "8192", "largest request line + headers, 1024-1048576 (431 above)"},
    {"MAX_CONNECTIONS", "10000", "open connections at most, 1-1000000 (503 above)"},
    {"HEADER_TIMEOUT_MS", "10000", "time to receive a request's header, 100-600000"},
    {"BODY_TIMEOUT_MS", "30000", "time to receive a request's body, 100-600000"},
    {"SEND_TIMEOUT_MS", "30000",
     "time a response may wait for the client to read more of it, 100-600000 (then close)"},
    {"IDLE_TIMEOUT_MS", "75000",
     "keep-alive idle time, 1000-3600000; keep above the ALB idle timeout (60 s)"},
    {"DRAIN_TIMEOUT_MS", "25000",
     "on SIGTERM, time for in-flight requests, 0-600000; keep below ECS stopTimeout (30 s)"},
};

util::Result<std::uint64_t> parse_uint(std::string_view name, std::string_view text,
                                       std::uint64_t min, std::uint64_t max) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < min ||
      value > max) {
    return util::fail(util::ErrorKind::kInvalidInput,
                      std::string(name) + "=" + std::string(text) +
                          ": expected an integer from " + std::to_string(min) + " to " +
                          std::to_string(max));
  }
  return value;
}

util::Result<bool> parse_bool(std::string_view name, std::string_view text) {
  const std::string lower = util::to_lower(text);
  if (lower == "true" || lower == "1" || lower == "yes" || lower == "on") return true;
  if (lower == "false" || lower == "0" || lower == "no" || lower == "off") return false;
  return util::fail(util::ErrorKind::kInvalidInput,
                    std::string(name) + "=" + std::string(text) + ": expected true or false");
}

util::Result<util::LogLevel> parse_level(std::string_view text) {
  const std::string lower = util::to_lower(text);
  for (auto level : {util::LogLevel::kDebug, util::LogLevel::kInfo, util::LogLevel::kWarn,
                     util::LogLevel::kError}) {
    if (lower == util::level_name(level)) return level;
  }
  return util::fail(util::ErrorKind::kInvalidInput,
                    "LOG_LEVEL=" + std::string(text) + ": expected debug, info, warn or error");
}

unsigned default_threads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

// Reads the variable `name` as an integer within bounds, leaving `out`
// unchanged when it is unset.
template <class T>
util::Result<void> read_uint(const util::EnvLookup& env, std::string_view name, T& out,
                             std::uint64_t min, std::uint64_t max) {
  const auto text = env(name);
  if (!text) return {};
  auto value = parse_uint(name, *text, min, max);
  if (!value) return std::unexpected(value.error());
  out = static_cast<T>(*value);
  return {};
}

util::Result<void> read_millis(const util::EnvLookup& env, std::string_view name,
                               std::chrono::milliseconds& out, std::uint64_t min,
                               std::uint64_t max) {
  std::uint64_t ms = static_cast<std::uint64_t>(out.count());
  if (auto r = read_uint(env, name, ms, min, max); !r) return r;
  out = std::chrono::milliseconds(static_cast<std::int64_t>(ms));
  return {};
}

}  // namespace

util::Result<Config> load_config(const util::EnvLookup& env) {
  Config c;
  auto& s = c.server;
  s.threads = default_threads();
  for (auto step : {
           read_uint(env, "PORT", s.port, 1, 65535),
           read_uint(env, "WORKER_THREADS", s.threads, 1, 256),
           read_uint(env, "MAX_BODY_BYTES", s.max_body_bytes, 0, 1u << 30),
           read_uint(env, "BODY_BUFFER_BYTES", s.max_buffered_body_bytes, 1024,
                     std::uint64_t{1} << 34),
           read_uint(env, "MAX_HEADER_BYTES", s.max_header_bytes, 1024, 1u << 20),
           read_uint(env, "MAX_CONNECTIONS", s.max_connections, 1, 1'000'000),
           read_millis(env, "HEADER_TIMEOUT_MS", s.header_timeout, 100, 600'000),
           read_millis(env, "BODY_TIMEOUT_MS", s.body_timeout, 100, 600'000),
           read_millis(env, "SEND_TIMEOUT_MS", s.send_timeout, 100, 600'000),
           read_millis(env, "IDLE_TIMEOUT_MS", s.idle_timeout, 1000, 3'600'000),
           read_millis(env, "DRAIN_TIMEOUT_MS", s.drain_timeout, 0, 600'000),
       }) {
    if (!step) return std::unexpected(step.error());
  }
  if (s.max_buffered_body_bytes < s.max_body_bytes) {
    return util::fail(util::ErrorKind::kInvalidInput,
                      "BODY_BUFFER_BYTES=" + std::to_string(s.max_buffered_body_bytes) +
                          " is below MAX_BODY_BYTES=" + std::to_string(s.max_body_bytes) +
                          ": raise BODY_BUFFER_BYTES or lower MAX_BODY_BYTES");
  }
  if (auto address = env("LISTEN_ADDRESS")) s.address = *address;
  if (auto level = env("LOG_LEVEL")) {
    auto parsed = parse_level(*level);
    if (!parsed) return std::unexpected(parsed.error());
    c.log_level = *parsed;
  }
  if (auto access = env("ACCESS_LOG")) {
    auto parsed = parse_bool("ACCESS_LOG", *access);
    if (!parsed) return std::unexpected(parsed.error());
    c.access_log = *parsed;
  }
  return c;
}

std::string config_help() {
  std::string out = "Environment variables:\n";
  for (const auto& v : kVariables) {
    std::string row = "  " + std::string(v.name);
    row.resize(22, ' ');
    row += std::string(v.fallback);
    row.resize(33, ' ');
    out += row + std::string(v.help) + "\n";
  }
  return out;
}

}  // namespace eem::service
