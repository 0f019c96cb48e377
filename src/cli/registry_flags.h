#pragma once
// What every registry-touching command (push, login --check, verify
// --check-registry) shares: how to reach and trust the registry. Flags and
// the environment feed one net::ClientOptions:
//   --connect-to HOST:PORT:CHOST:CPORT (repeatable) plus SHIPCTL_CONNECT_TO
//     (comma-separated, same form): curl's --connect-to, the URL, Host header
//     and TLS name stay HOST (the rehearsal maps ECR hosts to loopback);
//   --ca-file PEM, else SHIPCTL_CA_FILE: an extra CA to trust;
//   --insecure: no TLS verification (test registries only).

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "cli/command.h"
#include "net/http_client.h"
#include "util/env.h"
#include "util/error.h"

namespace eem::cli {

struct RegistryFlags {
  std::vector<std::string> connect_to;
  std::string ca_file;
  bool insecure = false;
};

enum class InsecureFlag { kOffer, kOmit };

// Adds --connect-to, --ca-file and (with kOffer) --insecure to `sub`.
void add_registry_flags(CLI::App& sub, RegistryFlags& flags, InsecureFlag insecure = InsecureFlag::kOffer);

// The client options for registry requests. kInvalidInput for a malformed
// --connect-to entry, or a CA file that cannot be read or holds no PEM
// certificate, naming the flag or variable.
util::Result<net::ClientOptions> registry_client_options(const RegistryFlags& flags, const util::EnvLookup& env);
// The same, traced to ctx.err with --debug.
util::Result<net::ClientOptions> registry_client_options(Context& ctx, const RegistryFlags& flags,
                                                         const util::EnvLookup& env);

// The --debug sink of every HTTP client (empty without --debug): ctx.err,
// one whole request or response at a time, callable from any thread (push
// workers share it).
net::TraceSink trace_sink(Context& ctx);

}  // namespace eem::cli
