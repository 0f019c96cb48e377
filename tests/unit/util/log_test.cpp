#include "util/log.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <csignal>
#include <cstring>
#include <functional>
#include <future>
#include <memory>
#include <thread>

namespace eem::util {
namespace {

std::string read_all(int fd) {
  std::string out;
  std::array<char, 4096> buf{};
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n <= 0) return out;
    out.append(buf.data(), static_cast<std::size_t>(n));
  }
}

// Runs `work` on a detached thread and says whether it returned within
// `limit`: a hang becomes a test failure instead of a stuck suite. The
// limit is a liveness bound far above the log's own deadlines, not a speed
// claim.
bool returns_within(std::function<void()> work, std::chrono::seconds limit) {
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> finished = done->get_future();
  std::thread([work = std::move(work), done] {
    work();
    done->set_value();
  }).detach();
  return finished.wait_for(limit) == std::future_status::ready;
}

std::atomic<int> g_sigpipes{0};

TEST(JsonLog, WritesOneParsableLinePerCall) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  {
    JsonLog log(fds[1], LogLevel::kInfo);
    log.write(LogLevel::kInfo, "request",
              {{"path", std::string_view("/a\"b\n")},
               {"status", std::int64_t{200}},
               {"bytes", std::uint64_t{5}},
               {"ms", 0.5},
               {"ok", true}});
    log.write(LogLevel::kDebug, "dropped", {});
    log.write(LogLevel::kError, "second", {});
  }  // destructor flushes
  ::close(fds[1]);
  const std::string text = read_all(fds[0]);
  ::close(fds[0]);
  const auto newline = text.find('\n');
  ASSERT_NE(newline, std::string::npos);
  const auto first = nlohmann::json::parse(text.substr(0, newline));
  EXPECT_EQ(first["msg"], "request");
  EXPECT_EQ(first["level"], "info");
  EXPECT_EQ(first["path"], "/a\"b\n");
  EXPECT_EQ(first["status"], 200);
  EXPECT_EQ(first["bytes"], 5);
  EXPECT_EQ(first["ms"], 0.5);
  EXPECT_EQ(first["ok"], true);
  EXPECT_EQ(first["time"].get<std::string>().size(), std::string("2026-01-01T00:00:00.000Z").size());
  const auto second = nlohmann::json::parse(text.substr(newline + 1));
  EXPECT_EQ(second["msg"], "second");
  EXPECT_EQ(second["level"], "error");
}

// A pipe nobody reads yet: writers must not wait for it, what does not fit
// is dropped and counted, and the count follows the kept lines.
TEST(JsonLog, BlockedOutputDropsAndCountsInsteadOfWaiting) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const std::string padding(200, 'x');
  constexpr std::uint64_t kLines = 20000;  // about 5 MB: more than the pipe and kMaxBuffered
  std::string text;
  std::thread reader;
  {
    JsonLog log(fds[1], LogLevel::kInfo, std::chrono::milliseconds(5));
    for (std::uint64_t i = 0; i < kLines; ++i) {
      log.write(LogLevel::kInfo, "line", {{"n", i}, {"pad", std::string_view(padding)}});
    }
    reader = std::thread([&text, fd = fds[0]] { text = read_all(fd); });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    log.write(LogLevel::kInfo, "after", {});
  }  // the destructor writes the rest while the reader drains the pipe
  ::close(fds[1]);
  reader.join();
  ::close(fds[0]);
  // Lines may be dropped in more than one stretch (a busy machine runs the
  // flusher late): each stretch gets its own report after the kept lines.
  std::uint64_t kept = 0, dropped = 0, next = 0;
  bool after = false;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    const auto line = nlohmann::json::parse(text.substr(start, end - start));
    if (line["msg"] == "line") {
      EXPECT_GE(line["n"].get<std::uint64_t>(), next);
      EXPECT_EQ(line["n"].get<std::uint64_t>(), kept + dropped) << "a line lost without being counted";
      next = line["n"].get<std::uint64_t>() + 1;
      ++kept;
    } else if (line["msg"] == "log output was blocked; lines dropped") {
      EXPECT_EQ(line["level"], "warn");
      dropped += line["dropped_lines"].get<std::uint64_t>();
    } else {
      EXPECT_EQ(line["msg"], "after");
      after = true;
    }
  }
  EXPECT_EQ(start, text.size()) << "a partial last line";
  EXPECT_TRUE(after);
  EXPECT_GT(dropped, 0u);
  EXPECT_GT(kept, JsonLog::kMaxBuffered / (padding.size() + 100));
  EXPECT_EQ(kept + dropped, kLines);
}

// Output that stays blocked must not keep the process from ending.
TEST(JsonLog, GivesUpOnOutputThatStaysBlocked) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const std::string padding(1000, 'x');
  {
    JsonLog log(fds[1], LogLevel::kInfo, std::chrono::milliseconds(5), std::chrono::milliseconds(100));
    for (int i = 0; i < 1000; ++i) log.write(LogLevel::kInfo, "line", {{"pad", std::string_view(padding)}});
  }  // returns although nobody reads
  ::close(fds[1]);
  EXPECT_GT(read_all(fds[0]).size(), 0u);
  ::close(fds[0]);
}

// A reader that went away: poll reports POLLERR and the flusher stops
// writing, quietly (SIGPIPE is blocked in it too, for a reader that closes
// between poll and write).
TEST(JsonLog, ClosedReaderEndsWritingQuietly) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);
  // Count SIGPIPEs instead of dying of one, so the assertion names it.
  struct sigaction counting{};
  struct sigaction previous{};
  counting.sa_handler = [](int) { g_sigpipes.fetch_add(1); };
  ASSERT_EQ(::sigaction(SIGPIPE, &counting, &previous), 0);
  g_sigpipes = 0;
  const bool returned = returns_within(
      [fd = fds[1]] {
        JsonLog log(fd, LogLevel::kInfo);
        log.write(LogLevel::kInfo, "nobody reads this", {});
        log.flush();
      },
      std::chrono::seconds(30));
  ::sigaction(SIGPIPE, &previous, nullptr);
  EXPECT_TRUE(returned) << "the log did not end with its reader gone";
  EXPECT_EQ(g_sigpipes.load(), 0) << "writing to a closed reader raised SIGPIPE";
  if (returned) ::close(fds[1]);
}

// A terminal nobody reads (ECS pseudoTerminal, docker run -t with a stalled
// log driver): a write there can block inside the kernel whatever poll said,
// so the destructor must not wait for the flusher past its deadline.
TEST(JsonLog, GivesUpOnAStoppedTerminal) {
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  ASSERT_GE(master, 0) << "no pseudo-terminal: " << std::strerror(errno);
  ASSERT_EQ(::grantpt(master), 0);
  ASSERT_EQ(::unlockpt(master), 0);
  const int terminal = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
  ASSERT_GE(terminal, 0);
  const bool returned = returns_within(
      [terminal] {
        const std::string padding(1000, 'x');
        JsonLog log(terminal, LogLevel::kInfo, std::chrono::milliseconds(5), std::chrono::milliseconds(100));
        for (int i = 0; i < 1000; ++i) log.write(LogLevel::kInfo, "line", {{"pad", std::string_view(padding)}});
      },  // the destructor must return although nobody reads the terminal
      std::chrono::seconds(30));
  EXPECT_TRUE(returned) << "the destructor waited for a terminal nobody reads";
  // Hanging up the terminal ends a write still blocked in the left-behind flusher.
  ::close(master);
  if (returned) ::close(terminal);
}

TEST(JsonLog, MillisAreExactWithThreeDecimals) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  {
    JsonLog log(fds[1], LogLevel::kInfo);
    log.write(LogLevel::kInfo, "t",
              {{"a", Millis{0}}, {"b", Millis{7}}, {"c", Millis{1250}}, {"d", Millis{123456789}}});
  }
  ::close(fds[1]);
  const std::string text = read_all(fds[0]);
  ::close(fds[0]);
  EXPECT_NE(text.find(R"("a":0.000,"b":0.007,"c":1.250,"d":123456.789})"), std::string::npos)
      << text;
  const auto line = nlohmann::json::parse(text);
  EXPECT_TRUE(line["a"].is_number_float());
  EXPECT_DOUBLE_EQ(line["c"].get<double>(), 1.25);
}

TEST(JsonEscape, EscapesOnlyWhatJsonRequires) {
  std::string out;
  append_json_escaped(out, "GET /a?b=c d\"e\\f\x7f\x1f");
  EXPECT_EQ(out, "GET /a?b=c d\\\"e\\\\f\x7f\\u001f");
}

TEST(JsonEscape, RoundTripsThroughAJsonParser) {
  const std::string inputs[] = {
      std::string("plain"), std::string("quote\" back\\slash"), std::string("\x01\x1f\t\r\n", 5),
      std::string("日本語"), std::string("\xF0\x9F\x98\x80"), std::string("nul\0x", 5)};
  for (const auto& input : inputs) {
    std::string out = "\"";
    append_json_escaped(out, input);
    out += "\"";
    EXPECT_EQ(nlohmann::json::parse(out).get<std::string>(), input) << out;
  }
}

TEST(JsonEscape, InvalidUtf8BecomesReplacementCharacter) {
  for (const std::string bad : {"\xC0\xAF", "\xED\xA0\x80", "\xE3\x81", "\xFF", "\x80"}) {
    std::string out = "\"";
    append_json_escaped(out, bad);
    out += "\"";
    const auto decoded = nlohmann::json::parse(out).get<std::string>();
    EXPECT_NE(decoded.find("\xEF\xBF\xBD"), std::string::npos);
  }
}

}  // namespace
}  // namespace eem::util
