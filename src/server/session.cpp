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
  read();
}

bool Session::expired(Clock::time_point now) const noexcept {
  return phase_ != Phase::kWriting && phase_ != Phase::kClosed && now >= deadline_;
}

void Session::close() {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosed;
  beast::error_code ec;
  socket_.close(ec);  // pending operations complete with operation_aborted
}

void Session::begin_request() {
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
  while (in_.size() > 0) {
    beast::error_code ec;
    const std::size_t used = parser_->put(in_.data(), ec);
    in_.consume(used);
    if (ec == http::error::need_more) break;
    if (ec == http::error::header_limit) {
      return respond_error(431, "Request Header Fields Too Large",
                           "The request line and header fields exceed the server's limit.");
    }
    if (ec == http::error::body_limit) {
      return respond_error(413, "Content Too Large",
                           "The request body exceeds the server's limit.");
    }
    if (ec) return respond_error(400, "Bad Request", "The request is not valid HTTP/1.1.");
    if (parser_->is_done()) return respond();
    if (used == 0) break;
  }
  if (parser_->is_header_done() && phase_ == Phase::kHeader) {
    phase_ = Phase::kBody;
    deadline_ = Clock::now() + worker_.shared.options.body_timeout;
    if (buffers_.expect_continue && !continue_sent_) return send_continue();
  }
  read();
}

void Session::send_continue() {
  continue_sent_ = true;
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  asio::async_write(socket_, asio::buffer(kContinue.data(), kContinue.size()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec) return self->close();
                      self->read();
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
  const bool keep = parser_->keep_alive() && !worker_.draining;
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
  phase_ = Phase::kWriting;
  // A response almost always fits the socket's send buffer: write it now,
  // without a trip through the scheduler, and wait only for what is left.
  beast::error_code ec;
  const std::size_t sent = socket_.write_some(asio::buffer(out_), ec);
  if (ec && ec != asio::error::would_block && ec != asio::error::try_again) return close();
  if (sent == out_.size()) return after_write(connection, /*synchronous=*/true);
  asio::async_write(socket_, asio::buffer(out_.data() + sent, out_.size() - sent),
                    [self = shared_from_this(), connection](beast::error_code error, std::size_t) {
                      if (error || self->phase_ == Phase::kClosed) return self->close();
                      self->after_write(connection, /*synchronous=*/false);
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
  if (worker_.draining) return close();
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
