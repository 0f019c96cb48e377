#pragma once
// The service process: wires configuration, routes, logs and the server.

namespace eem::service {

// The whole program behind main(): parses arguments (--help, --version,
// --healthcheck), reads the configuration from the environment, serves until
// SIGTERM or SIGINT, drains, and returns the exit code: 0 after a clean
// drain, 1 when the health check fails, 2 for bad arguments or configuration,
// 74 when the port cannot be bound.
int service_main(int argc, const char* const* argv);

}  // namespace eem::service
