#include "server/session.h"

#include <exception>

#include "server/wire.h"

namespace eem::server {

namespace {

constexpr std::size_t kReadChunk = 16 * 1024;
// After the final response, how long to read and discard what the client is
// still sending, so that closing does not reset the connection before the
// client has read the response (RFC 9112 section 9.6, "lingering close").
constexpr auto kLingerTime = std::chrono::seconds(2);
// Buffers above this are freed after their request rather than kept for the
// next one on the connection: a burst of large bodies must not stay resident
// on every keep-alive connection. Small ones are kept, so a warm keep-alive
// connection still allocates nothing per request.
constexpr std::size_t kKeptBufferBytes = 64 * 1024;

std::uint64_t micros_since(Clock::time_point start) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count());
}

}  // namespace

Session::Session(Worker& worker, tcp::socket socket)
    : worker_(worker), socket_(std::move(socket)) {
  worker_.sessions.push_front(this);
  self_in_list_ = worker_.sessions.begin();
  worker_.shared.connections.fetch_add(1, std::memory_order_relaxed);
}

Session::~Session() {
  // No wake-up from here: the worker may be tearing its io_context down. A
  // parked session gets the budget back at its worker's next sweep.
  if (reserved_ != 0) worker_.shared.body_reserved.fetch_sub(reserved_, std::memory_order_relaxed);
  worker_.sessions.erase(self_in_list_);
  worker_.shared.connections.fetch_sub(1, std::memory_order_relaxed);
  // The last connection of a draining worker: stop the sweeper so the
  // worker's io_context runs out of work and the drain ends now.
  if (worker_.draining && worker_.sessions.empty()) worker_.sweeper.cancel();
}

void Session::start() {
  beast::error_code ec;
  const auto peer = socket_.remote_endpoint(ec);
  if (!ec) remote_ = peer.address().to_string();
  socket_.set_option(tcp::no_delay(true), ec);
  socket_.non_blocking(true, ec);  // write() writes at once when it can
  begin_request();
  // Taken from the backlog while draining: serve what was sent, no more.
  if (worker_.draining) return leave_idle_for_drain();
  read();
}

bool Session::expired(Clock::time_point now) const noexcept {
  // Every phase has a deadline, writing included (send_timeout).
  return phase_ != Phase::kClosed && now >= deadline_;
}

void Session::close() {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosed;
  release_body();
  beast::error_code ec;
  socket_.close(ec);  // pending operations complete with operation_aborted
  // Last: a parked session may hold the only reference to itself.
  if (parked_self_) {
    const auto self = std::move(parked_self_);
    unpark();
  }
}

void Session::interrupt_idle() {
  beast::error_code ec;
  socket_.cancel(ec);  // on_read sees operation_aborted, or the data already read
}

bool Session::bytes_waiting() {
  beast::error_code ec;
  const std::size_t n = socket_.available(ec);
  return !ec && n > 0;
}

void Session::leave_idle_for_drain() {
  // A request already in the socket buffer was sent before the listener
  // closed: read and answer it (with Connection: close). Otherwise close the
  // way nginx does: shut our side, discard what arrives, then close, so the
  // client sees a FIN, not a reset.
  if (bytes_waiting()) return read();
  linger();
}

void Session::begin_request() {
  // Large buffers from the previous request go back to the allocator.
  if (in_.size() == 0 && in_.capacity() > kKeptBufferBytes) in_.shrink_to_fit();
  if (out_.capacity() > kKeptBufferBytes) std::string().swap(out_);
  buffers_.clear();
  const auto& o = worker_.shared.options;
  parser_.emplace(buffers_, o.max_header_bytes, o.max_body_bytes);
  phase_ = Phase::kIdle;
  deadline_ = Clock::now() + o.idle_timeout;
  continue_sent_ = false;
}

void Session::read() {
  socket_.async_read_some(in_.prepare(kReadChunk),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            self->on_read(ec, n);
                          });
}

void Session::on_read(beast::error_code ec, std::size_t n) {
  if (phase_ == Phase::kClosed) return;
  if (ec == asio::error::operation_aborted && phase_ == Phase::kIdle && worker_.draining) {
    return leave_idle_for_drain();  // interrupt_idle() while nothing had arrived
  }
  if (ec) return close();  // EOF, reset, or closed by the sweeper
  in_.commit(n);
  if (phase_ == Phase::kLingering) {
    in_.consume(in_.size());
    return read();
  }
  parse();
}

void Session::parse() {
  if (phase_ == Phase::kIdle) {
    phase_ = Phase::kHeader;
    started_ = Clock::now();
    deadline_ = started_ + worker_.shared.options.header_timeout;
  }
  for (;;) {
    if (phase_ == Phase::kHeader && parser_->is_header_done() && !enter_body()) return;
    if (in_.size() == 0) break;
    beast::error_code ec;
    const std::size_t used = parser_->put(in_.data(), ec);
    in_.consume(used);
    if (ec == http::error::need_more) break;
    if (ec) return refuse(ec);
    if (parser_->is_done()) return respond();
    if (used == 0) break;
  }
  read();
}

void Session::refuse(beast::error_code ec) {
  if (const auto& r = parser_->rejection()) return respond_error(r->status, r->title, r->detail);
  if (ec == http::error::header_limit) {
    return respond_error(431, "Request Header Fields Too Large",
                         "The request line and header fields exceed the server's limit.");
  }
  if (ec == http::error::body_limit) {
    return respond_error(413, "Content Too Large", "The request body exceeds the server's limit.");
  }
  respond_error(400, "Bad Request", "The request is not valid HTTP/1.1.");
}

// The header is in and a body follows. False: stop parsing for now (parked
// for budget, or a 100 Continue on its way).
bool Session::enter_body() {
  phase_ = Phase::kBody;
  deadline_ = Clock::now() + worker_.shared.options.body_timeout;
  return admit_body();
}

bool Session::admit_body() {
  if (!reserve_body()) {
    park();
    return false;
  }
  if (buffers_.expect_continue && !continue_sent_) {
    send_continue();
    return false;
  }
  return true;
}

bool Session::reserve_body() {
  const auto& o = worker_.shared.options;
  // The declared length; a chunked body may grow to the limit. Reserving the
  // whole body before reading it means every admitted body can finish: no
  // set of half-read bodies can hold the budget and wait on each other.
  const auto declared = parser_->content_length();
  const std::uint64_t want =
      std::min(declared ? *declared : o.max_body_bytes, o.max_buffered_body_bytes);
  auto& total = worker_.shared.body_reserved;
  std::uint64_t current = total.load(std::memory_order_relaxed);
  do {
    if (current + want > o.max_buffered_body_bytes) return false;
  } while (!total.compare_exchange_weak(current, current + want, std::memory_order_relaxed));
  reserved_ = want;
  return true;
}

void Session::release_body() {
  if (buffers_.body.capacity() > kKeptBufferBytes) {
    worker_.shared.freed_since_trim.fetch_add(buffers_.body.capacity(), std::memory_order_relaxed);
    std::string().swap(buffers_.body);
  }
  if (reserved_ == 0) return;
  worker_.shared.body_reserved.fetch_sub(reserved_, std::memory_order_relaxed);
  reserved_ = 0;
  worker_.shared.wake_parked();
}

// Over budget: read nothing more, so the client's sends stall on TCP flow
// control. The body deadline still runs.
void Session::park() {
  parked_self_ = shared_from_this();
  parked_at_ = worker_.parked.insert(worker_.parked.end(), this);
  worker_.shared.parked.fetch_add(1, std::memory_order_relaxed);
}

void Session::unpark() noexcept {
  worker_.parked.erase(parked_at_);
  worker_.shared.parked.fetch_sub(1, std::memory_order_relaxed);
}

bool Session::resume() {
  if (!reserve_body()) return false;
  const auto self = std::move(parked_self_);
  unpark();
  if (buffers_.expect_continue && !continue_sent_) {
    send_continue();
  } else {
    parse();
  }
  return true;
}

void Session::send_continue() {
  continue_sent_ = true;
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  asio::async_write(socket_, asio::buffer(kContinue.data(), kContinue.size()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec || self->phase_ == Phase::kClosed) return self->close();
                      self->parse();  // body bytes may have arrived with the header
                    });
}

void Session::respond() {
  buffers_.fill(request_);
  request_.version = parser_->http_version();
  response_.clear();
  try {
    worker_.shared.handler(request_, response_);
  } catch (const std::exception&) {
    // The service's handler logs its own failures; the client gets a 500
    // without internals.
    response_.clear();
    worker_.shared.on_error(500, "Internal Server Error",
                            "The server could not complete the request.", response_);
  }
  // Draining: the last request waiting on this connection is answered with
  // Connection: close; the ones pipelined before it are served first.
  const bool keep = parser_->keep_alive() && (!worker_.draining || in_.size() > 0 || bytes_waiting());
  write(keep ? Connection::kKeepAlive : Connection::kClose);
}

void Session::respond_error(int status, std::string_view title, std::string_view detail) {
  // The request line may not have been parsed; log what we have.
  if (buffers_.fields.size() >= 2) {
    buffers_.fill(request_);
  } else {
    request_ = Request{};
  }
  request_.version = parser_->http_version();
  response_.clear();
  worker_.shared.on_error(status, title, detail, response_);
  write(Connection::kClose);
}

void Session::write(Connection connection) {
  out_.clear();
  const BodyMode mode = request_.method == "HEAD" ? BodyMode::kOmit : BodyMode::kSend;
  serialize(response_, request_.version, connection, mode, out_);
  if (worker_.shared.on_access) {
    worker_.shared.on_access(AccessRecord{
        request_.method, request_.path, request_.header("X-Amzn-Trace-Id"), remote_,
        response_.status, request_.body.size(),
        mode == BodyMode::kSend ? response_.body.size() : 0, micros_since(started_)});
  }
  release_body();  // the handler is done with it
  phase_ = Phase::kWriting;
  // A response almost always fits the socket's send buffer: write it now,
  // without a trip through the scheduler, and wait only for what is left.
  beast::error_code ec;
  const std::size_t sent = socket_.write_some(asio::buffer(out_), ec);
  if (ec && ec != asio::error::would_block && ec != asio::error::try_again) return close();
  if (sent == out_.size()) return after_write(connection, /*synchronous=*/true);
  write_rest(sent, connection);
}

// Each step that the client takes some of the response renews the send
// deadline; a client that takes nothing is closed by the sweeper.
void Session::write_rest(std::size_t offset, Connection connection) {
  deadline_ = Clock::now() + worker_.shared.options.send_timeout;
  socket_.async_write_some(
      asio::buffer(out_.data() + offset, out_.size() - offset),
      [self = shared_from_this(), offset, connection](beast::error_code ec, std::size_t n) {
        if (ec || self->phase_ == Phase::kClosed) return self->close();
        if (offset + n == self->out_.size()) return self->after_write(connection, false);
        self->write_rest(offset + n, connection);
      });
}

void Session::after_write(Connection connection, bool synchronous) {
  if (connection == Connection::kClose) return linger();
  begin_request();
  if (in_.size() > 0) {
    // Pipelined requests: parse the next one. From the synchronous path go
    // through the scheduler, so a long pipeline does not nest calls.
    if (!synchronous) return parse();
    return asio::post(socket_.get_executor(), [self = shared_from_this()] {
      if (self->phase_ != Phase::kClosed) self->parse();
    });
  }
  if (worker_.draining) return leave_idle_for_drain();
  read();
}

void Session::linger() {
  beast::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return close();
  phase_ = Phase::kLingering;
  deadline_ = Clock::now() + kLingerTime;
  in_.consume(in_.size());
  read();
}

}  // namespace eem::server
