#include "cli/registry_flags.h"

#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <ostream>

#include "util/strings.h"

namespace eem::cli {

namespace {

using util::ErrorKind;
using util::fail;

// curl's --connect-to form: HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT, where
// the first two may be empty (any) and the port fields are numbers.
bool valid_connect_to(std::string_view entry) {
  const auto parts = util::split(entry, ':');
  if (parts.size() != 4 || parts[2].empty()) return false;
  for (const auto port : {parts[1], parts[3]}) {
    if (port.empty()) continue;
    if (port.find_first_not_of("0123456789") != std::string_view::npos || port.size() > 5) return false;
  }
  return true;
}

util::Result<void> add_entries(std::vector<std::string>& out, const std::vector<std::string>& entries,
                               std::string_view origin) {
  for (const auto& entry : entries) {
    const auto trimmed = std::string(util::trim(entry));
    if (trimmed.empty()) continue;
    if (!valid_connect_to(trimmed)) {
      return fail(ErrorKind::kInvalidInput, std::string(origin) + " entry \"" + trimmed +
                                                "\" is not HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT "
                                                "(e.g. 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com:443:127.0.0.1:5000)");
    }
    out.push_back(trimmed);
  }
  return {};
}

// Refused here, before any request: otherwise curl reports the file only at
// the first TLS handshake, as a transfer failure.
util::Result<void> check_ca_file(const std::string& path, std::string_view origin) {
  if (path.empty()) return {};
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorKind::kInvalidInput, std::string(origin) + path + ": cannot read the file");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    return fail(ErrorKind::kInvalidInput, std::string(origin) + path +
                                              ": no PEM certificate in the file (expected \"-----BEGIN "
                                              "CERTIFICATE-----\"): give the registry's CA certificate in PEM");
  }
  return {};
}

}  // namespace

net::TraceSink trace_sink(Context& ctx) {
  if (!ctx.debug) return {};
  auto mutex = std::make_shared<std::mutex>();
  return [&err = ctx.err, mutex](std::string_view text) {
    std::lock_guard lock(*mutex);
    err << text << std::flush;
  };
}

util::Result<net::ClientOptions> registry_client_options(Context& ctx, const RegistryFlags& flags,
                                                         const util::EnvLookup& env) {
  auto options = registry_client_options(flags, env);
  if (options) options->trace = trace_sink(ctx);
  return options;
}

void add_registry_flags(CLI::App& sub, RegistryFlags& flags, InsecureFlag insecure) {
  sub.add_option("--connect-to", flags.connect_to,
                 "Send requests for HOST:PORT to CHOST:CPORT, keeping the name for TLS (like curl; repeatable; "
                 "also SHIPCTL_CONNECT_TO, comma-separated)");
  sub.add_option("--ca-file", flags.ca_file, "Extra CA bundle (PEM) to trust for the registry (default: SHIPCTL_CA_FILE)");
  if (insecure == InsecureFlag::kOffer) {
    sub.add_flag("--insecure", flags.insecure, "Skip TLS verification and allow plain http (test registries only)");
  }
}

util::Result<net::ClientOptions> registry_client_options(const RegistryFlags& flags, const util::EnvLookup& env) {
  net::ClientOptions options;
  if (auto ok = add_entries(options.connect_to, flags.connect_to, "--connect-to"); !ok) return std::unexpected(ok.error());
  const std::string variable = env("SHIPCTL_CONNECT_TO").value_or("");
  std::vector<std::string> from_env;
  for (const auto part : util::split(variable, ',')) from_env.emplace_back(part);
  if (auto ok = add_entries(options.connect_to, from_env, "SHIPCTL_CONNECT_TO"); !ok) return std::unexpected(ok.error());
  const bool from_flag = !flags.ca_file.empty();
  options.ca_file = from_flag ? flags.ca_file : env("SHIPCTL_CA_FILE").value_or("");
  if (auto ok = check_ca_file(options.ca_file, from_flag ? "--ca-file " : "SHIPCTL_CA_FILE "); !ok) {
    return std::unexpected(ok.error());
  }
  options.tls_verify = flags.insecure ? net::TlsVerify::kOff : net::TlsVerify::kOn;
  return options;
}

}  // namespace eem::cli
