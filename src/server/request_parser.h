#pragma once
// Private to src/server. A Beast parser that copies the request line and
// header fields into one reusable arena and the body into one reusable
// string, so a keep-alive connection parses requests without allocating once
// its buffers have grown to size.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "server/beast.h"
#include "server/http.h"

namespace eem::server {

// Storage that outlives each parser: one per connection, reused per request.
struct RequestBuffers {
  std::string arena;  // method, target, then name/value pairs, back to back
  struct Span {
    std::size_t offset, size;
  };
  std::vector<Span> fields;  // method, target, then name, value, name, value...
  std::string body;
  bool expect_continue = false;
  std::uint64_t content_length = 0;  // declared length; 0 when chunked or absent

  void clear();
  // Views into the buffers; valid until the next clear().
  void fill(Request& request) const;
};

// Why a request was refused after its header was read: the status, title and
// detail of the error response (static strings). The parser then reports
// http::error::bad_field; the connection is closed after the answer.
struct Rejection {
  int status = 0;
  std::string_view title;
  std::string_view detail;
};

class RequestParser final : public http::basic_parser<true> {
 public:
  RequestParser(RequestBuffers& buffers, std::uint32_t max_header_bytes,
                std::uint64_t max_body_bytes);

  // Set when the header broke a rule Beast does not check (Host, framing).
  [[nodiscard]] const std::optional<Rejection>& rejection() const noexcept { return rejection_; }

 private:
  void on_request_impl(http::verb, beast::string_view method, beast::string_view target,
                       int version, beast::error_code&) override;
  void on_response_impl(int, beast::string_view, int, beast::error_code&) override {}
  void on_field_impl(http::field name, beast::string_view name_string, beast::string_view value,
                     beast::error_code&) override;
  void on_header_impl(beast::error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         beast::error_code&) override;
  std::size_t on_body_impl(beast::string_view body, beast::error_code&) override;
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body,
                                 beast::error_code&) override;
  void on_finish_impl(beast::error_code&) override {}

  void append(beast::string_view text);
  void note_transfer_coding(std::string_view value);
  void refuse(beast::error_code& ec, int status, std::string_view title, std::string_view detail);
  void grow_body(std::size_t more);

  RequestBuffers& buffers_;
  int version_ = 11;
  unsigned hosts_ = 0;
  bool content_length_ = false;
  bool transfer_encoding_ = false;
  bool other_coding_ = false;  // a transfer coding other than one "chunked"
  unsigned chunked_count_ = 0;
  std::optional<Rejection> rejection_;

 public:
  // 10 or 11, once the request line has been parsed.
  [[nodiscard]] int http_version() const noexcept { return version_; }
};

}  // namespace eem::server
