#pragma once
// Private to src/server: a worker (one thread's io_context, listener and
// connections) and a session (one connection).

#include <atomic>
#include <chrono>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/beast.h"
#include "server/request_parser.h"
#include "server/server.h"
#include "server/wire.h"

namespace eem::server {

using Clock = std::chrono::steady_clock;

class Session;
struct Worker;

// What every worker shares: configuration and callbacks, read-only once
// serving starts, and the connection count.
struct Shared {
  ServerOptions options;
  Handler handler;
  ErrorResponder on_error;
  AccessLogger on_access;
  std::atomic<std::size_t> connections{0};
  // Body bytes reserved by requests being received (ServerOptions::
  // max_buffered_body_bytes bounds it), and large body buffers freed since
  // the allocator was last asked to return memory (Worker::sweep).
  std::atomic<std::uint64_t> body_reserved{0};
  std::atomic<std::uint64_t> freed_since_trim{0};
  std::atomic<std::size_t> parked{0};  // sessions waiting for budget, all workers
  std::vector<Worker*> workers;        // set before serving starts

  // Has every worker with parked sessions try them again, on its own thread.
  void wake_parked();
};

struct Worker {
  explicit Worker(Shared& s) : shared(s) {}
  Shared& shared;
  // Declared before `io`: destroying `io` may destroy sessions still queued
  // in it, and each one removes itself from this list.
  std::list<Session*> sessions;  // owned by their shared_ptrs; listed for sweeps
  // Sessions waiting for body budget, oldest first; each holds itself alive.
  std::list<Session*> parked;
  std::atomic<bool> wake_posted{false};
  bool draining = false;
  Clock::time_point drain_deadline{};
  std::size_t forced_closes = 0;
  // One thread runs this context and starts every socket operation on it, so
  // the reactor needs no per-descriptor locking (posting stays thread-safe).
  asio::io_context io{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  std::optional<tcp::acceptor> acceptor;
  asio::steady_timer sweeper{io};

  void accept();
  void serve(tcp::socket socket);
  void sweep();
  void begin_drain();
  void take_backlog();
  // Lets parked sessions read their bodies while the budget allows (FIFO).
  void resume_parked();
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
  [[nodiscard]] bool lingering() const noexcept { return phase_ == Phase::kLingering; }
  // Drain: stops an idle connection's pending read; on_read then serves a
  // request already waiting in the socket, or closes gracefully.
  void interrupt_idle();
  // Parked: reads its body if the budget now allows. False: still parked.
  bool resume();
  void close();

 private:
  enum class Phase { kIdle, kHeader, kBody, kWriting, kLingering, kClosed };

  void begin_request();
  void read();
  void on_read(beast::error_code ec, std::size_t n);
  void parse();
  void refuse(beast::error_code ec);
  bool enter_body();
  bool admit_body();
  bool reserve_body();
  void release_body();
  void park();
  void unpark() noexcept;
  [[nodiscard]] bool bytes_waiting();
  void leave_idle_for_drain();
  void send_continue();
  void respond();
  void respond_error(int status, std::string_view title, std::string_view detail);
  void write(Connection connection);
  void write_rest(std::size_t offset, Connection connection);
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
  std::uint64_t reserved_ = 0;  // this request's share of Shared::body_reserved
  std::shared_ptr<Session> parked_self_;  // set while parked: no operation holds us
  std::list<Session*>::iterator parked_at_;
};

}  // namespace eem::server
