#include "server/request_parser.h"

#include <algorithm>

#include "util/strings.h"

namespace eem::server {

void RequestBuffers::clear() {
  arena.clear();
  fields.clear();
  body.clear();
  expect_continue = false;
  content_length = 0;
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
  const std::string_view text(value.data(), value.size());
  if (name == http::field::expect && util::iequals(text, "100-continue")) {
    buffers_.expect_continue = true;
  } else if (name == http::field::host) {
    ++hosts_;
  } else if (name == http::field::content_length) {
    content_length_ = true;
  } else if (name == http::field::transfer_encoding) {
    note_transfer_coding(text);
  }
  append(name_string);
  append(value);
}

void RequestParser::note_transfer_coding(std::string_view value) {
  transfer_encoding_ = true;
  while (!value.empty()) {  // no util::split: it would allocate per request
    const auto comma = value.find(',');
    const auto name = util::trim(value.substr(0, comma));
    // Empty list elements are allowed and ignored (RFC 9110 section 5.6.1).
    if (!name.empty() && !util::iequals(name, "chunked")) other_coding_ = true;
    value = comma == value.npos ? std::string_view{} : value.substr(comma + 1);
  }
}

void RequestParser::refuse(beast::error_code& ec, int status, std::string_view title,
                           std::string_view detail) {
  rejection_ = Rejection{status, title, detail};
  ec = http::error::bad_field;
}

void RequestParser::on_header_impl(beast::error_code& ec) {
  // RFC 9112 section 3.2: 400 for an HTTP/1.1 request without Host, and for
  // any request with more than one.
  if (hosts_ > 1 || (version_ >= 11 && hosts_ == 0)) {
    return refuse(ec, 400, "Bad Request",
                  "An HTTP/1.1 request needs exactly one Host header field.");
  }
  if (!transfer_encoding_) return;
  // Request smuggling (RFC 9112 section 6.3, items 3 and 4): a body whose
  // length two parties could read differently is refused, and the
  // connection closed, rather than guessed at. Beast itself would take
  // "gzip" as no body and "gzip" plus Content-Length as Content-Length.
  if (content_length_) {
    return refuse(ec, 400, "Bad Request",
                  "Transfer-Encoding and Content-Length must not be sent together.");
  }
  if (version_ < 11) {
    return refuse(ec, 400, "Bad Request", "HTTP/1.0 requests must not use Transfer-Encoding.");
  }
  if (!chunked()) {
    return refuse(ec, 400, "Bad Request", "The final transfer coding must be chunked.");
  }
  // RFC 9112 section 6.1: a coding the server does not understand is a 501.
  if (other_coding_) {
    return refuse(ec, 501, "Not Implemented",
                  "Only the chunked transfer coding is supported; send the body uncompressed.");
  }
}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                      beast::error_code&) {
  // No reservation here: a client that declares 1 MiB and sends nothing
  // must not cost 1 MiB. The body grows as bytes arrive (grow_body).
  if (content_length) buffers_.content_length = *content_length;
}

void RequestParser::grow_body(std::size_t more) {
  auto& body = buffers_.body;
  const std::size_t needed = body.size() + more;
  if (needed <= body.capacity()) return;
  // Doubling, but never past the declared length (bounded by body_limit):
  // the last step does not leave up to twice the body allocated.
  std::size_t capacity = std::max(needed, 2 * body.capacity());
  if (buffers_.content_length != 0) {
    capacity = std::max(needed, std::min<std::size_t>(capacity, buffers_.content_length));
  }
  // Not body.reserve(): libstdc++ rounds a reservation under twice the
  // current capacity up to twice it, past the declared length.
  std::string grown;
  grown.reserve(capacity);
  grown.append(body);
  body.swap(grown);
}

std::size_t RequestParser::on_body_impl(beast::string_view body, beast::error_code&) {
  grow_body(body.size());
  buffers_.body.append(body.data(), body.size());
  return body.size();
}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, beast::string_view body,
                                              beast::error_code&) {
  grow_body(body.size());
  buffers_.body.append(body.data(), body.size());
  return body.size();
}

}  // namespace eem::server
