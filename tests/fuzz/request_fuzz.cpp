// libFuzzer target over the whole request path: bytes from the network,
// through the Beast parser (fed in fuzzer-chosen pieces, as socket reads
// arrive), the router and handlers, to the serialized response. Run by
// tests/fuzz/test_fuzz.py for a bounded time in the suite.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/request_parser.h"
#include "server/wire.h"
#include "server/problem.h"
#include "service/routes.h"

namespace {

using namespace eem;

void answer(const server::RequestParser& parser, const server::RequestBuffers& buffers,
            const server::Router& router) {
  server::Request request;
  buffers.fill(request);
  request.version = parser.http_version();
  server::Response response;
  router.dispatch(request, response);
  std::string out;
  server::serialize(response, request.version, server::Connection::kKeepAlive,
                    request.method == "HEAD" ? server::BodyMode::kOmit : server::BodyMode::kSend,
                    out);
  if (out.find("\r\n\r\n") == std::string::npos) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const server::Router router = service::make_router({"fuzz"});
  if (size == 0) return 0;
  const std::size_t step = 1 + data[0] % 64;  // read sizes from 1 to 64 bytes
  const std::string_view wire(reinterpret_cast<const char*>(data + 1), size - 1);

  server::RequestBuffers buffers;
  std::string pending;
  std::size_t offset = 0;
  while (offset < wire.size()) {
    buffers.clear();
    server::RequestParser parser(buffers, 1024, 4096);
    bool done = false;
    while (!done && offset < wire.size()) {
      pending.append(wire.substr(offset, step));
      offset += step;
      while (!pending.empty()) {
        server::beast::error_code ec;
        const std::size_t used = parser.put(server::asio::buffer(pending), ec);
        pending.erase(0, used);
        if (ec == server::http::error::need_more) break;
        if (ec) {
          server::Response response;
          server::problem(response, 400, "Bad Request", ec.message());
          return 0;  // the session closes the connection here
        }
        if (parser.is_done()) {
          done = true;
          break;
        }
        if (used == 0) break;
      }
    }
    if (!done) return 0;
    answer(parser, buffers, router);  // then the next pipelined request
  }
  return 0;
}
