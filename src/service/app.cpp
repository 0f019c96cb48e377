#include "service/app.h"

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <iostream>
#include <span>

#include "server/probe.h"
#include "server/server.h"
#include "service/config.h"
#include "server/problem.h"
#include "service/routes.h"
#include "util/build_info.h"
#include "util/log.h"

namespace eem::service {

namespace {

using util::LogLevel;
using Clock = std::chrono::steady_clock;

// Request ids for requests without X-Amzn-Trace-Id: unique per process
// (prefix: pid) and cheap (a counter written into `out`, no allocation).
std::string_view next_request_id(std::span<char, 48> out) {
  static std::atomic<std::uint64_t> counter{0};
  static const std::string prefix = std::to_string(::getpid()) + "-";
  char* p = std::copy(prefix.begin(), prefix.end(), out.data());
  const auto [end, ec] = std::to_chars(
      p, out.data() + out.size(), counter.fetch_add(1, std::memory_order_relaxed) + 1);
  return {out.data(), static_cast<std::size_t>(end - out.data())};
}

server::AccessLogger make_access_logger(util::JsonLog& log) {
  return [&log](const server::AccessRecord& r) {
    std::array<char, 48> generated;
    std::string_view id = r.trace_id;
    if (id.empty()) id = next_request_id(generated);
    log.write(LogLevel::kInfo, "request",
              {{"method", r.method},
               {"path", r.path},
               {"status", static_cast<std::int64_t>(r.status)},
               {"duration_ms", util::Millis{r.duration_us}},
               {"bytes_in", r.bytes_in},
               {"bytes_out", r.bytes_out},
               {"request_id", id},
               {"remote", r.remote}});
  };
}

int healthcheck(const util::EnvLookup& env) {
  auto config = load_config(env);
  if (!config) {
    std::cerr << "healthcheck: " << config.error().message << '\n';
    return 1;
  }
  // Docker runs HEALTHCHECK every 30 s with a 30 s timeout by default; a
  // healthy server answers in microseconds, so 2 s is generous.
  const auto status =
      server::probe("127.0.0.1", config->server.port, "/ping", std::chrono::seconds(2));
  if (!status || *status != 200) {
    std::cerr << "healthcheck: "
              << (status ? "GET /ping answered " + std::to_string(*status) : status.error().message)
              << '\n';
    return 1;
  }
  return 0;
}

int serve(const Config& config, util::JsonLog& log) {
  const auto& build = util::build_info();
  const server::Router router = make_router(ServiceIdentity{config.service_name});
  server::Server server(
      config.server,
      [&router](const server::Request& req, server::Response& res) { router.dispatch(req, res); },
      [](int status, std::string_view title, std::string_view detail, server::Response& res) {
        server::problem(res, status, title, detail);
      },
      config.access_log ? make_access_logger(log) : server::AccessLogger{});
  const auto port = server.listen();
  if (!port) {
    log.write(LogLevel::kError, "cannot start", {{"error", port.error().message}});
    std::cerr << "ecs-express-mode-api: " << port.error().message << '\n';
    return util::kind_info(port.error().kind).exit_code;
  }
  log.write(LogLevel::kInfo, "listening",
            {{"address", config.server.address},
             {"port", static_cast<std::uint64_t>(*port)},
             {"threads", static_cast<std::uint64_t>(config.server.threads)},
             {"version", build.version},
             {"commit", build.commit}});
  log.flush();  // the first line should be visible at once, not 200 ms later
  Clock::time_point drain_start;
  const auto report = server.run([&](int signal) {
    drain_start = Clock::now();
    log.write(LogLevel::kInfo, "draining",
              {{"signal", static_cast<std::int64_t>(signal)},
               {"drain_timeout_ms",
                static_cast<std::int64_t>(config.server.drain_timeout.count())}});
  });
  const auto drained_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - drain_start).count();
  log.write(report.forced_closes ? LogLevel::kWarn : LogLevel::kInfo, "stopped",
            {{"drain_ms", static_cast<std::int64_t>(drained_ms)},
             {"forced_closes", static_cast<std::uint64_t>(report.forced_closes)}});
  return 0;
}

}  // namespace

int service_main(int argc, const char* const* argv) {
  const auto& build = util::build_info();
  CLI::App app{"ecs-express-mode-api: an HTTP JSON API made for Amazon ECS Express Mode.",
               "ecs-express-mode-api"};
  bool check = false;
  app.add_flag("--healthcheck", check,
               "Probe GET /ping on 127.0.0.1:$PORT; exit 0 when it answers 200, else 1");
  app.set_version_flag("--version", std::string(build.version) + " (commit " +
                                        std::string(build.commit) + ")");
  app.footer(config_help());
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  const auto env = util::process_env();
  if (check) return healthcheck(env);

  auto config = load_config(env);
  util::JsonLog log(STDOUT_FILENO, config ? config->log_level : LogLevel::kInfo);
  if (!config) {
    log.write(LogLevel::kError, "configuration error", {{"error", config.error().message}});
    std::cerr << "ecs-express-mode-api: configuration error: " << config.error().message << '\n';
    return 2;
  }
  return serve(*config, log);
}

}  // namespace eem::service
