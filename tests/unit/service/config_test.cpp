#include "service/config.h"

#include <gtest/gtest.h>

namespace eem::service {
namespace {

using std::chrono::milliseconds;

TEST(Config, DefaultsSuitEcsExpressMode) {
  const auto c = load_config(util::map_env({}));
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->server.port, 8080);
  EXPECT_EQ(c->server.address, "0.0.0.0");
  EXPECT_GE(c->server.threads, 1u);
  EXPECT_EQ(c->server.max_body_bytes, 1024u * 1024u);
  // Longer than the ALB's 60 s idle timeout; drain shorter than ECS's 30 s.
  EXPECT_EQ(c->server.idle_timeout, milliseconds(75'000));
  EXPECT_EQ(c->server.drain_timeout, milliseconds(25'000));
  EXPECT_EQ(c->server.send_timeout, milliseconds(30'000));
  // A quarter of the smallest task size (0.5 GB) for bodies in flight.
  EXPECT_EQ(c->server.max_buffered_body_bytes, 128u * 1024u * 1024u);
  EXPECT_EQ(c->log_level, util::LogLevel::kInfo);
  EXPECT_TRUE(c->access_log);
}

TEST(Config, ReadsEveryVariable) {
  const auto c = load_config(util::map_env({
      {"PORT", "9000"},
      {"LISTEN_ADDRESS", "127.0.0.1"},
      {"WORKER_THREADS", "3"},
      {"LOG_LEVEL", "DEBUG"},
      {"ACCESS_LOG", "off"},
      {"MAX_BODY_BYTES", "10"},
      {"MAX_HEADER_BYTES", "2048"},
      {"MAX_CONNECTIONS", "5"},
      {"HEADER_TIMEOUT_MS", "200"},
      {"BODY_TIMEOUT_MS", "300"},
      {"IDLE_TIMEOUT_MS", "4000"},
      {"DRAIN_TIMEOUT_MS", "0"},
      {"SEND_TIMEOUT_MS", "500"},
      {"BODY_BUFFER_BYTES", "4096"},
  }));
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->server.port, 9000);
  EXPECT_EQ(c->server.address, "127.0.0.1");
  EXPECT_EQ(c->server.threads, 3u);
  EXPECT_EQ(c->log_level, util::LogLevel::kDebug);
  EXPECT_FALSE(c->access_log);
  EXPECT_EQ(c->server.max_body_bytes, 10u);
  EXPECT_EQ(c->server.max_header_bytes, 2048u);
  EXPECT_EQ(c->server.max_connections, 5u);
  EXPECT_EQ(c->server.header_timeout, milliseconds(200));
  EXPECT_EQ(c->server.body_timeout, milliseconds(300));
  EXPECT_EQ(c->server.idle_timeout, milliseconds(4000));
  EXPECT_EQ(c->server.drain_timeout, milliseconds(0));
  EXPECT_EQ(c->server.send_timeout, milliseconds(500));
  EXPECT_EQ(c->server.max_buffered_body_bytes, 4096u);
}

TEST(Config, BodyBufferMustHoldTheLargestBody) {
  const auto c = load_config(util::map_env({{"MAX_BODY_BYTES", "8192"}, {"BODY_BUFFER_BYTES", "4096"}}));
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().message,
            "BODY_BUFFER_BYTES=4096 is below MAX_BODY_BYTES=8192: raise BODY_BUFFER_BYTES or "
            "lower MAX_BODY_BYTES");
}

struct BadValue {
  const char* name;
  const char* value;
  const char* message;
};

class ConfigRejects : public testing::TestWithParam<BadValue> {};

TEST_P(ConfigRejects, NamesTheVariableAndWhatIsAccepted) {
  const auto& p = GetParam();
  const auto c = load_config(util::map_env({{p.name, p.value}}));
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().kind, util::ErrorKind::kInvalidInput);
  EXPECT_EQ(c.error().message, p.message);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ConfigRejects,
    testing::Values(
        BadValue{"PORT", "abc", "PORT=abc: expected an integer from 1 to 65535"},
        BadValue{"PORT", "0", "PORT=0: expected an integer from 1 to 65535"},
        BadValue{"PORT", "65536", "PORT=65536: expected an integer from 1 to 65535"},
        BadValue{"PORT", "80 ", "PORT=80 : expected an integer from 1 to 65535"},
        BadValue{"PORT", "", "PORT=: expected an integer from 1 to 65535"},
        BadValue{"PORT", "-1", "PORT=-1: expected an integer from 1 to 65535"},
        BadValue{"WORKER_THREADS", "0", "WORKER_THREADS=0: expected an integer from 1 to 256"},
        BadValue{"MAX_HEADER_BYTES", "100",
                 "MAX_HEADER_BYTES=100: expected an integer from 1024 to 1048576"},
        BadValue{"IDLE_TIMEOUT_MS", "1e3",
                 "IDLE_TIMEOUT_MS=1e3: expected an integer from 1000 to 3600000"},
        BadValue{"SEND_TIMEOUT_MS", "50",
                 "SEND_TIMEOUT_MS=50: expected an integer from 100 to 600000"},
        BadValue{"BODY_BUFFER_BYTES", "1000",
                 "BODY_BUFFER_BYTES=1000: expected an integer from 1024 to 17179869184"},
        BadValue{"LOG_LEVEL", "verbose", "LOG_LEVEL=verbose: expected debug, info, warn or error"},
        BadValue{"ACCESS_LOG", "maybe", "ACCESS_LOG=maybe: expected true or false"}));

TEST(Config, HelpListsEveryVariable) {
  const std::string help = config_help();
  for (const char* name : {"PORT", "LISTEN_ADDRESS", "WORKER_THREADS", "LOG_LEVEL", "ACCESS_LOG",
                           "MAX_BODY_BYTES", "MAX_HEADER_BYTES", "MAX_CONNECTIONS",
                           "HEADER_TIMEOUT_MS", "BODY_TIMEOUT_MS", "IDLE_TIMEOUT_MS",
                           "DRAIN_TIMEOUT_MS", "SEND_TIMEOUT_MS", "BODY_BUFFER_BYTES"}) {
    EXPECT_NE(help.find(name), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace eem::service
