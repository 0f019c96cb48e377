#include "server/request_parser.h"

#include <gtest/gtest.h>

namespace eem::server {
namespace {

struct Parsed {
  beast::error_code ec;
  bool done = false;
  Request request;
  std::optional<Rejection> rejection;
};

// Feeds `wire` to a fresh parser in pieces of `step` bytes, as the session
// does with socket reads: offer everything pending until the parser needs more.
Parsed parse(RequestBuffers& buffers, std::string_view wire, std::size_t step = 1 << 20,
             std::uint32_t max_header = 8192, std::uint64_t max_body = 1024) {
  RequestParser parser(buffers, max_header, max_body);
  Parsed out;
  std::string pending;
  for (std::size_t i = 0; i < wire.size() && !out.done; i += step) {
    pending.append(wire.substr(i, step));
    while (!pending.empty() && !out.done) {
      const std::size_t used = parser.put(boost::asio::buffer(pending), out.ec);
      pending.erase(0, used);
      if (out.ec == http::error::need_more) {
        out.ec = {};
        break;
      }
      if (out.ec) {
        out.rejection = parser.rejection();
        return out;
      }
      out.done = parser.is_done();
      if (used == 0) break;
    }
  }
  if (out.done) buffers.fill(out.request);
  return out;
}

TEST(RequestParser, CollectsLineHeadersAndBody) {
  RequestBuffers buffers;
  const auto p = parse(buffers,
                       "POST /v1/greetings?x=1 HTTP/1.1\r\nHost: a\r\nContent-Type: "
                       "application/json\r\nX-Amzn-Trace-Id: Root=1-abc\r\nContent-Length: "
                       "4\r\n\r\n{\"a\"");
  ASSERT_TRUE(p.done) << p.ec.message();
  EXPECT_EQ(p.request.method, "POST");
  EXPECT_EQ(p.request.target, "/v1/greetings?x=1");
  EXPECT_EQ(p.request.path, "/v1/greetings");
  EXPECT_EQ(p.request.query, "x=1");
  EXPECT_EQ(p.request.header("x-amzn-trace-id"), "Root=1-abc");
  EXPECT_EQ(p.request.header("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(p.request.header("missing"), "");
  EXPECT_EQ(p.request.body, "{\"a\"");
}

TEST(RequestParser, ByteByByteEqualsWhole) {
  const std::string wire =
      "POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
  RequestBuffers whole_buffers, split_buffers;
  const auto whole = parse(whole_buffers, wire);
  const auto split = parse(split_buffers, wire, 1);
  ASSERT_TRUE(whole.done);
  ASSERT_TRUE(split.done);
  EXPECT_EQ(whole.request.body, "abcde");
  EXPECT_EQ(split.request.body, "abcde");
}

// An empty chunked body read one byte at a time reaches Beast 1.74's false
// `n >= 5` assertion (boostorg/beast#2861); boost_assert.cpp lets it pass, and
// the parser must then finish normally, with and without trailer fields.
TEST(RequestParser, EmptyChunkedBodyByteByByte) {
  for (const std::string trailer : {"", "X-Check: 1\r\n"}) {
    const std::string wire = "PUT /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" +
                             trailer + "\r\n";
    RequestBuffers buffers;
    const auto p = parse(buffers, wire, 1);
    ASSERT_TRUE(p.done) << p.ec.message();
    EXPECT_EQ(p.request.body, "");
  }
}

TEST(RequestParser, MalformedTrailerAfterEmptyChunkedBodyIsRejected) {
  RequestBuffers buffers;
  const auto p = parse(buffers,
                       "PUT /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n%E6'1\r\n\r\n",
                       1);
  EXPECT_FALSE(p.done);
  EXPECT_TRUE(p.ec) << "a trailer line without a colon is not a field";
}

TEST(RequestParser, ExpectContinueIsNoticed) {
  RequestBuffers buffers;
  parse(buffers, "PUT /a HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\nx");
  EXPECT_TRUE(buffers.expect_continue);
}

struct Bad {
  const char* wire;
  http::error error;
};

class RequestParserRejects : public testing::TestWithParam<Bad> {};

TEST_P(RequestParserRejects, WithBeastsError) {
  RequestBuffers buffers;
  const auto p = parse(buffers, GetParam().wire, 1 << 20, 64, 8);
  EXPECT_FALSE(p.done);
  EXPECT_EQ(p.ec, GetParam().error) << p.ec.message();
}

INSTANTIATE_TEST_SUITE_P(
    Table, RequestParserRejects,
    testing::Values(
        Bad{"GET /a HTTP/1.1\r\nHost: a\r\nX-Long: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n",
            http::error::header_limit},
        Bad{"POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n\r\n123456789", http::error::body_limit},
        Bad{"GET /a HTTP/9.9\r\n\r\n", http::error::bad_version},
        Bad{"GET /a HTTP/1.1\r\nContent-Length: x\r\n\r\n", http::error::bad_content_length},
        Bad{"GET\x01 /a HTTP/1.1\r\n\r\n", http::error::bad_method}));

TEST(RequestParser, BodyGrowsAsBytesArriveNotToTheDeclaredLength) {
  RequestBuffers buffers;
  RequestParser parser(buffers, 8192, 1 << 20);
  const std::string head = "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\n";
  beast::error_code ec;
  parser.put(boost::asio::buffer(head), ec);
  ASSERT_TRUE(parser.is_header_done()) << ec.message();
  const std::string some(100, 'x');
  EXPECT_EQ(parser.put(boost::asio::buffer(some), ec), 100u) << ec.message();
  // Declared 1 MB, received 100 bytes: the buffer holds about what arrived.
  EXPECT_LT(buffers.body.capacity(), 4096u);
}

TEST(RequestParser, BodyBufferNeverExceedsTheDeclaredLength) {
  RequestBuffers buffers;
  const std::string body(3000, 'y');
  const auto p = parse(buffers, "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3000\r\n\r\n" + body, 7,
                       8192, 4096);
  ASSERT_TRUE(p.done) << p.ec.message();
  EXPECT_EQ(p.request.body, body);
  EXPECT_EQ(buffers.body.capacity(), 3000u);
}

TEST(RequestParser, Http10WithoutHostIsAccepted) {
  RequestBuffers buffers;
  const auto p = parse(buffers, "GET /a HTTP/1.0\r\n\r\n");
  EXPECT_TRUE(p.done) << p.ec.message();
}

struct Refused {
  const char* label;
  const char* wire;
  int status;
  const char* detail;
};

class RequestParserRefuses : public testing::TestWithParam<Refused> {};

// Rules Beast leaves to us: RFC 9112 section 3.2 (Host) and section 6.3
// (framing a smuggler could make two parties read differently).
TEST_P(RequestParserRefuses, WithStatusAndDetail) {
  RequestBuffers buffers;
  const auto p = parse(buffers, GetParam().wire);
  EXPECT_FALSE(p.done);
  ASSERT_TRUE(p.rejection.has_value()) << p.ec.message();
  EXPECT_EQ(p.rejection->status, GetParam().status);
  EXPECT_EQ(p.rejection->detail, GetParam().detail);
}

constexpr const char* kNeedsHost = "An HTTP/1.1 request needs exactly one Host header field.";
constexpr const char* kFinalChunked = "The final transfer coding must be chunked.";

INSTANTIATE_TEST_SUITE_P(
    Table, RequestParserRefuses,
    testing::Values(
        Refused{"no_host", "GET /a HTTP/1.1\r\n\r\n", 400, kNeedsHost},
        Refused{"two_hosts", "GET /a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, kNeedsHost},
        Refused{"two_hosts_http10", "GET /a HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400,
                kNeedsHost},
        Refused{"gzip", "POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 400,
                kFinalChunked},
        Refused{"xchunked", "POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n",
                400, kFinalChunked},
        Refused{"chunked_then_identity",
                "POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n", 400,
                kFinalChunked},
        Refused{"chunked_twice",
                "POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
                400, kFinalChunked},
        Refused{"gzip_with_length",
                "POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc",
                400, "Transfer-Encoding and Content-Length must not be sent together."},
        Refused{"http10_chunked",
                "POST /a HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400,
                "HTTP/1.0 requests must not use Transfer-Encoding."},
        Refused{"gzip_then_chunked",
                "POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                501, "Only the chunked transfer coding is supported; send the body uncompressed."},
        Refused{"gzip_line_then_chunked_line",
                "POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n"
                "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                501, "Only the chunked transfer coding is supported; send the body uncompressed."}),
    [](const testing::TestParamInfo<Refused>& param_info) { return std::string(param_info.param.label); });

TEST(RequestParser, ChunkedWithEmptyListElementsIsChunked) {
  RequestBuffers buffers;
  const auto p = parse(buffers,
                       "POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: , Chunked\r\n\r\n"
                       "2\r\nok\r\n0\r\n\r\n");
  ASSERT_TRUE(p.done) << p.ec.message();
  EXPECT_EQ(p.request.body, "ok");
}

}  // namespace
}  // namespace eem::server
