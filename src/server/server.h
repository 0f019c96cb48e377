#pragma once
// An HTTP/1.1 server for the service, on Boost.Beast's parser and Asio.
//
// Built for Amazon ECS Express Mode behind an ALB: keep-alive connections
// held longer than the ALB's 60 s idle timeout (so the ALB, not us, closes
// them: an idle-timeout race otherwise shows as 502s), bounded header and
// body sizes and read times (slowloris), a connection cap, and a graceful
// drain on SIGTERM that finishes every request already read.
//
// Threading: `threads` workers, each with its own io_context and its own
// SO_REUSEPORT listener on the same port (the kernel spreads connections, as
// with nginx workers). A connection lives on one worker for its whole life.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "server/http.h"
#include "util/error.h"

namespace eem::server {

struct ServerOptions {
  std::string address = "0.0.0.0";
  std::uint16_t port = 8080;  // 0 picks a free port (tests)
  unsigned threads = 1;
  // Bounds the request line and, separately, the header fields (Beast's
  // header_limit semantics); over it: 431.
  std::uint32_t max_header_bytes = 8 * 1024;
  std::uint64_t max_body_bytes = 1024 * 1024;
  // Request bodies all connections together may be receiving at once, counted
  // by declared length (chunked: max_body_bytes). A body that does not fit
  // waits, unread, until others finish (TCP flow control), within its
  // body_timeout. A body larger than this takes the whole budget.
  std::uint64_t max_buffered_body_bytes = 128 * 1024 * 1024;
  std::size_t max_connections = 10'000;
  // From a request's first byte until its header is complete.
  std::chrono::milliseconds header_timeout{10'000};
  // From the header's end until the body is complete.
  std::chrono::milliseconds body_timeout{30'000};
  // How long a response may wait for the client to take more of it (the time
  // between two successive writes, as nginx's send_timeout); then the
  // connection closes. Bounds a client that pipelines and never reads.
  std::chrono::milliseconds send_timeout{30'000};
  // Keep-alive: how long a connection may wait for its next request.
  std::chrono::milliseconds idle_timeout{75'000};
  // After a stop signal: how long in-flight requests may take before the
  // remaining connections are closed.
  std::chrono::milliseconds drain_timeout{25'000};
};

struct DrainReport {
  std::size_t forced_closes = 0;  // connections still busy at the drain deadline
};

class Server {
 public:
  Server(ServerOptions options, Handler handler, ErrorResponder on_error, AccessLogger on_access);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every worker's listener. Returns the bound port. Fails (kInvalidInput)
  // for an unparsable address, (kIo) when the port cannot be bound.
  util::Result<std::uint16_t> listen();

  // Serves until a stop signal (SIGTERM, SIGINT) or stop(), then drains.
  // `on_stop` runs once when draining starts, with the signal number (0 for
  // stop()). The calling thread runs worker 0. Returns when every connection
  // is closed.
  DrainReport run(std::function<void(int signal)> on_stop = {});

  // Starts the drain from any thread.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eem::server
