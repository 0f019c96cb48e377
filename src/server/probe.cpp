#include "server/probe.h"

#include "server/beast.h"  // first: it configures Boost's assertions

#include <boost/asio/connect.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace eem::server {

util::Result<int> probe(std::string_view host, std::uint16_t port, std::string_view path,
                        std::chrono::milliseconds timeout) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  const std::string where = std::string(host) + ":" + std::to_string(port);
  int status = 0;
  beast::error_code result;
  beast::flat_buffer buffer;
  http::request<http::empty_body> request{http::verb::get, std::string(path), 11};
  request.set(http::field::host, where);
  request.set(http::field::connection, "close");
  http::response<http::string_body> response;

  beast::error_code ec;
  const tcp::endpoint endpoint(asio::ip::make_address(std::string(host), ec), port);
  if (ec) return util::fail(util::ErrorKind::kInvalidInput, "bad probe address " + where);
  stream.expires_after(timeout);
  stream.async_connect(endpoint, [&](beast::error_code c) {
    if (c) return void(result = c);
    http::async_write(stream, request, [&](beast::error_code w, std::size_t) {
      if (w) return void(result = w);
      http::async_read(stream, buffer, response, [&](beast::error_code r, std::size_t) {
        result = r;
        status = static_cast<int>(response.result_int());
      });
    });
  });
  io.run();
  if (result) {
    return util::fail(util::ErrorKind::kTransient,
                      "GET http://" + where + std::string(path) + ": " + result.message());
  }
  return status;
}

}  // namespace eem::server
