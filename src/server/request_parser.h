#pragma once
// Private to src/server. A Beast parser that copies the request line and
// header fields into one reusable arena and the body into one reusable
// string, so a keep-alive connection parses requests without allocating once
// its buffers have grown to size.

#include <cstddef>
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

  void clear();
  // Views into the buffers; valid until the next clear().
  void fill(Request& request) const;
};

class RequestParser final : public http::basic_parser<true> {
 public:
  RequestParser(RequestBuffers& buffers, std::uint32_t max_header_bytes,
                std::uint64_t max_body_bytes);

 private:
  void on_request_impl(http::verb, beast::string_view method, beast::string_view target,
                       int version, beast::error_code&) override;
  void on_response_impl(int, beast::string_view, int, beast::error_code&) override {}
  void on_field_impl(http::field name, beast::string_view name_string, beast::string_view value,
                     beast::error_code&) override;
  void on_header_impl(beast::error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         beast::error_code&) override;
  std::size_t on_body_impl(beast::string_view body, beast::error_code&) override;
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body,
                                 beast::error_code&) override;
  void on_finish_impl(beast::error_code&) override {}

  void append(beast::string_view text);

  RequestBuffers& buffers_;
  int version_ = 11;

 public:
  // 10 or 11, once the request line has been parsed.
  [[nodiscard]] int http_version() const noexcept { return version_; }
};

}  // namespace eem::server
