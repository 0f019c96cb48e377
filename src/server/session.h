#pragma once
// Private to src/server: a worker (one thread's io_context, listener and
// connections) and a session (one connection).

#include <atomic>
#include <chrono>
#include <list>
#include <memory>
#include <optional>
#include <string>

#include "server/beast.h"
#include "server/request_parser.h"
#include "server/server.h"
#include "server/wire.h"

namespace eem::server {

using Clock = std::chrono::steady_clock;

class Session;

// What every worker shares: configuration and callbacks, read-only once
// serving starts, and the connection count.
struct Shared {
  ServerOptions options;
  Handler handler;
  ErrorResponder on_error;
  AccessLogger on_access;
  std::atomic<std::size_t> connections{0};
};

struct Worker {
  explicit Worker(Shared& s) : shared(s) {}
  Shared& shared;
  // Declared before `io`: destroying `io` may destroy sessions still queued
  // in it, and each one removes itself from this list.
  std::list<Session*> sessions;  // owned by their shared_ptrs; listed for sweeps
  bool draining = false;
  Clock::time_point drain_deadline{};
  std::size_t forced_closes = 0;
  // One thread runs this context and starts every socket operation on it, so
  // the reactor needs no per-descriptor locking (posting stays thread-safe).
  asio::io_context io{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  std::optional<tcp::acceptor> acceptor;
  asio::steady_timer sweeper{io};

  void accept();
  void sweep();
  void begin_drain();
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Worker& worker, tcp::socket socket);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start();
  // Sweeper hooks (worker thread only).
  [[nodiscard]] bool expired(Clock::time_point now) const noexcept;
  [[nodiscard]] bool idle() const noexcept { return phase_ == Phase::kIdle && in_.size() == 0; }
  void close();

 private:
  enum class Phase { kIdle, kHeader, kBody, kWriting, kLingering, kClosed };

  void begin_request();
  void read();
  void on_read(beast::error_code ec, std::size_t n);
  void parse();
  void send_continue();
  void respond();
  void respond_error(int status, std::string_view title, std::string_view detail);
  void write(Connection connection);
  void after_write(Connection connection, bool synchronous);
  void linger();

  Worker& worker_;
  tcp::socket socket_;
  std::list<Session*>::iterator self_in_list_;
  beast::flat_buffer in_;
  RequestBuffers buffers_;
  std::optional<RequestParser> parser_;
  Request request_;
  Response response_;
  std::string out_;
  std::string remote_;
  Phase phase_ = Phase::kIdle;
  Clock::time_point started_{};
  Clock::time_point deadline_{};
  bool continue_sent_ = false;
};

}  // namespace eem::server
