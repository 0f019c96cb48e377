#include "cli/registry_flags.h"

#include <fstream>

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

}  // namespace

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
  if (!options.ca_file.empty() && !std::ifstream(options.ca_file)) {
    return fail(ErrorKind::kInvalidInput, std::string(from_flag ? "--ca-file " : "SHIPCTL_CA_FILE ") +
                                              options.ca_file + ": cannot read the file");
  }
  options.tls_verify = flags.insecure ? net::TlsVerify::kOff : net::TlsVerify::kOn;
  return options;
}

}  // namespace eem::cli
