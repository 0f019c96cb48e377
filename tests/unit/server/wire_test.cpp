#include "server/wire.h"

#include <gtest/gtest.h>

#include <regex>

namespace eem::server {
namespace {

std::string strip_date(std::string text) {
  return std::regex_replace(text, std::regex("Date: [^\r]*\r\n"), "Date: X\r\n");
}

TEST(Wire, SerializesStatusHeadersAndBody) {
  Response r;
  r.body = "{}";
  r.add_header("Allow", "GET");
  std::string out;
  serialize(r, 11, Connection::kKeepAlive, BodyMode::kSend, out);
  EXPECT_EQ(strip_date(out),
            "HTTP/1.1 200 OK\r\nDate: X\r\nContent-Type: application/json\r\nContent-Length: "
            "2\r\nAllow: GET\r\n\r\n{}");
}

TEST(Wire, HeadOmitsBodyButKeepsLength) {
  Response r;
  r.body = "hello";
  std::string out;
  serialize(r, 11, Connection::kClose, BodyMode::kOmit, out);
  EXPECT_EQ(strip_date(out),
            "HTTP/1.1 200 OK\r\nDate: X\r\nContent-Type: application/json\r\nContent-Length: "
            "5\r\nConnection: close\r\n\r\n");
}

TEST(Wire, Http10KeepAliveIsExplicit) {
  Response r;
  r.status = 204;
  std::string out;
  serialize(r, 10, Connection::kKeepAlive, BodyMode::kSend, out);
  EXPECT_EQ(strip_date(out), "HTTP/1.1 204 No Content\r\nDate: X\r\nConnection: keep-alive\r\n\r\n");
}

TEST(Wire, HeadersWithLineBreaksAreDropped) {
  Response r;
  r.add_header("X-Evil", "a\r\nSet-Cookie: b");
  r.add_header("X-Evil\n", "a");
  EXPECT_EQ(r.extra_headers(), "");
}

TEST(Wire, DateIsImfFixdate) {
  EXPECT_TRUE(std::regex_match(std::string(http_date()),
                               std::regex(R"([A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT)")));
}

}  // namespace
}  // namespace eem::server
