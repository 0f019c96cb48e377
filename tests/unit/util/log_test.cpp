#include "util/log.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <array>

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
