#include "server/request_parser.h"

#include "util/strings.h"

namespace eem::server {

void RequestBuffers::clear() {
  arena.clear();
  fields.clear();
  body.clear();
  expect_continue = false;
}

void RequestBuffers::fill(Request& request) const {
  const auto view = [this](const Span& s) {
    return std::string_view(arena).substr(s.offset, s.size);
  };
  request.method = view(fields[0]);
  request.target = view(fields[1]);
  const auto q = request.target.find('?');
  request.path = request.target.substr(0, q);
  request.query = q == std::string_view::npos ? std::string_view{} : request.target.substr(q + 1);
  request.headers.clear();
  for (std::size_t i = 2; i + 1 < fields.size(); i += 2) {
    request.headers.emplace_back(view(fields[i]), view(fields[i + 1]));
  }
  request.body = body;
}

RequestParser::RequestParser(RequestBuffers& buffers, std::uint32_t max_header_bytes,
                             std::uint64_t max_body_bytes)
    : buffers_(buffers) {
  header_limit(max_header_bytes);
  body_limit(max_body_bytes);
}

void RequestParser::append(beast::string_view text) {
  buffers_.fields.push_back({buffers_.arena.size(), text.size()});
  buffers_.arena.append(text.data(), text.size());
}

void RequestParser::on_request_impl(http::verb, beast::string_view method,
                                    beast::string_view target, int v, beast::error_code&) {
  version_ = v;
  append(method);
  append(target);
}

void RequestParser::on_field_impl(http::field name, beast::string_view name_string,
                                  beast::string_view value, beast::error_code&) {
  if (name == http::field::expect &&
      util::iequals(std::string_view(value.data(), value.size()), "100-continue")) {
    buffers_.expect_continue = true;
  }
  append(name_string);
  append(value);
}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                      beast::error_code&) {
  // The parser has already refused a Content-Length above body_limit, so
  // this reservation is bounded by max_body_bytes.
  if (content_length) buffers_.body.reserve(static_cast<std::size_t>(*content_length));
}

std::size_t RequestParser::on_body_impl(beast::string_view body, beast::error_code&) {
  buffers_.body.append(body.data(), body.size());
  return body.size();
}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, beast::string_view body,
                                              beast::error_code&) {
  buffers_.body.append(body.data(), body.size());
  return body.size();
}

}  // namespace eem::server
