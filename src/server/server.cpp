#include "server/server.h"

#include <csignal>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <thread>
#include <vector>

#include "server/session.h"
#include "server/wire.h"

namespace eem::server {

namespace {

constexpr auto kSweepInterval = std::chrono::milliseconds(250);
constexpr auto kAcceptRetry = std::chrono::milliseconds(50);

using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// glibc keeps freed memory in its heap: after a burst of large bodies it
// stayed resident (issue 13: 495 MB of 942 MB after the connections closed).
// Once the burst is over (more than this freed, less than this still
// reserved), malloc_trim hands free pages back, also those inside the heap.
// Not during the burst: trimming then makes every new body fault its pages
// in again (900 bodies of 1 MiB took 1.5x as long), and the budget already
// bounds what the heap holds. A fixed M_MMAP_THRESHOLD was slower still
// (every body mapped and unmapped: 3.5x).
constexpr std::uint64_t kTrimAfterBytes = 32 * 1024 * 1024;

void return_free_memory(Shared& shared) {
  if (shared.freed_since_trim.load(std::memory_order_relaxed) < kTrimAfterBytes ||
      shared.body_reserved.load(std::memory_order_relaxed) >= kTrimAfterBytes) {
    return;
  }
  shared.freed_since_trim.store(0, std::memory_order_relaxed);
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

}  // namespace

void Worker::accept() {
  acceptor->async_accept(io, [this](beast::error_code ec, tcp::socket socket) {
    // A connection accepted just before the drain closed the listener is
    // served too: dropping it would reset a request already sent.
    if (!ec) serve(std::move(socket));
    if (draining || ec == asio::error::operation_aborted || !acceptor || !acceptor->is_open()) {
      return;
    }
    if (ec) {
      // EMFILE and similar: back off briefly instead of spinning.
      auto timer = std::make_shared<asio::steady_timer>(io, kAcceptRetry);
      timer->async_wait([this, timer](beast::error_code) {
        if (!draining) accept();
      });
      return;
    }
    accept();
  });
}

void Worker::serve(tcp::socket socket) {
  if (shared.connections.load(std::memory_order_relaxed) >= shared.options.max_connections) {
    // Over the cap: a short, honest answer beats a silent reset.
    static constexpr std::string_view kBusy =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    beast::error_code ignored;
    socket.non_blocking(true, ignored);
    socket.write_some(asio::buffer(kBusy.data(), kBusy.size()), ignored);
    socket.close(ignored);
    return;
  }
  std::make_shared<Session>(*this, std::move(socket))->start();
}

void Worker::sweep() {
  sweeper.expires_after(kSweepInterval);
  sweeper.async_wait([this](beast::error_code ec) {
    if (ec) return;
    const auto now = Clock::now();
    const bool past_drain = draining && now >= drain_deadline;
    for (auto it = sessions.begin(); it != sessions.end();) {
      Session* s = *it++;  // close() may complete later; the list entry stays until destruction
      if (past_drain) {
        if (!s->lingering()) ++forced_closes;  // a lingering one was answered already
        s->close();
      } else if (s->expired(now)) {
        s->close();
      }
    }
    resume_parked();  // a safety net: wake-ups are posted as budget frees
    return_free_memory(shared);
    if (draining && sessions.empty()) return;  // nothing left: let io.run() return
    sweep();
  });
}

void Worker::begin_drain() {
  if (draining) return;
  draining = true;
  drain_deadline = Clock::now() + shared.options.drain_timeout;
  take_backlog();
  beast::error_code ec;
  if (acceptor) acceptor->close(ec);
  for (Session* s : sessions) {
    if (s->idle()) s->interrupt_idle();
  }
  // Sweep from now on only while connections remain; the last one to close
  // cancels the sweeper (~Session), which ends this worker's io_context.
  sweeper.cancel();
  if (!sessions.empty()) sweep();
}

// Connections the kernel accepted before the listener closes carry requests
// sent before it closed: closing the listener would reset them (with
// SO_REUSEPORT they do not move to another listener), so take them first.
void Worker::take_backlog() {
  if (!acceptor) return;
  beast::error_code ec;
  acceptor->non_blocking(true, ec);
  while (!ec) {
    tcp::socket socket(io);
    acceptor->accept(socket, ec);
    if (!ec) serve(std::move(socket));
  }
}

void Worker::resume_parked() {
  while (!parked.empty() && parked.front()->resume()) {
  }
}

// Budget freed on one worker may admit a body parked on another: each is
// resumed from its own thread (a worker's sessions are touched by it alone).
void Shared::wake_parked() {
  if (parked.load(std::memory_order_relaxed) == 0) return;
  for (Worker* w : workers) {
    if (w->wake_posted.exchange(true, std::memory_order_relaxed)) continue;
    asio::post(w->io, [w] {
      w->wake_posted.store(false, std::memory_order_relaxed);
      w->resume_parked();
    });
  }
}

struct Server::Impl {
  Shared shared;
  std::vector<std::unique_ptr<Worker>> workers;
  std::optional<asio::signal_set> signals;
  std::function<void(int)> on_stop;
  std::atomic<bool> stopping{false};

  void drain(int signal) {
    if (stopping.exchange(true)) return;
    if (on_stop) on_stop(signal);
    for (auto& w : workers) {
      asio::post(w->io, [worker = w.get()] { worker->begin_drain(); });
    }
    if (signals) {
      asio::post(workers.front()->io, [this] {
        beast::error_code ec;
        signals->cancel(ec);
      });
    }
  }
};

Server::Server(ServerOptions options, Handler handler, ErrorResponder on_error,
               AccessLogger on_access)
    : impl_(std::make_unique<Impl>()) {
  impl_->shared.options = std::move(options);
  impl_->shared.handler = std::move(handler);
  impl_->shared.on_error = std::move(on_error);
  impl_->shared.on_access = std::move(on_access);
  const unsigned n = std::max(1u, impl_->shared.options.threads);
  for (unsigned i = 0; i < n; ++i) {
    impl_->workers.push_back(std::make_unique<Worker>(impl_->shared));
    impl_->shared.workers.push_back(impl_->workers.back().get());
  }
}

Server::~Server() = default;

util::Result<std::uint16_t> Server::listen() {
  const auto& o = impl_->shared.options;
  beast::error_code ec;
  const auto address = asio::ip::make_address(o.address, ec);
  if (ec) {
    return util::fail(util::ErrorKind::kInvalidInput,
                      "listen address '" + o.address + "' is not an IPv4 or IPv6 address");
  }
  std::uint16_t port = o.port;
  for (auto& w : impl_->workers) {
    tcp::endpoint endpoint(address, port);
    auto& acceptor = w->acceptor.emplace(w->io);
    if (acceptor.open(endpoint.protocol(), ec); !ec) {
      acceptor.set_option(asio::socket_base::reuse_address(true), ec);
      acceptor.set_option(ReusePort(true), ec);
      acceptor.bind(endpoint, ec);
    }
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return util::fail(util::ErrorKind::kIo, "cannot listen on " + o.address + ":" +
                                                  std::to_string(port) + ": " + ec.message());
    }
    // With port 0 the first listener picks the port; the others join it.
    port = acceptor.local_endpoint().port();
  }
  return port;
}

DrainReport Server::run(std::function<void(int)> on_stop) {
  auto& impl = *impl_;
  impl.on_stop = std::move(on_stop);
  auto& first = *impl.workers.front();
  impl.signals.emplace(first.io, SIGTERM, SIGINT);
  impl.signals->async_wait([&impl](beast::error_code ec, int signal) {
    if (!ec) impl.drain(signal);
  });
  for (auto& w : impl.workers) {
    w->accept();
    w->sweep();
  }
  std::vector<std::jthread> threads;
  for (std::size_t i = 1; i < impl.workers.size(); ++i) {
    threads.emplace_back([w = impl.workers[i].get()] { w->io.run(); });
  }
  first.io.run();
  threads.clear();  // joins
  DrainReport report;
  for (auto& w : impl.workers) report.forced_closes += w->forced_closes;
  return report;
}

void Server::stop() { impl_->drain(0); }

}  // namespace eem::server
