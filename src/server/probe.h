#pragma once
// A minimal HTTP client for the service's own health check (`--healthcheck`):
// a scratch image has no curl, so the binary probes itself.

#include <chrono>
#include <cstdint>
#include <string_view>

#include "util/error.h"

namespace eem::server {

// Sends "GET `path`" to `host`:`port` and returns the response status.
// Fails (kTransient) when nothing answers within `timeout`.
util::Result<int> probe(std::string_view host, std::uint16_t port, std::string_view path,
                        std::chrono::milliseconds timeout);

}  // namespace eem::server
