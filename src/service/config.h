#pragma once
// The service's configuration: environment variables only (12-factor, as ECS
// task definitions set them). Every variable, its default and its bounds are
// in kVariables (config.cpp) and the README's configuration table.

#include <chrono>
#include <cstdint>
#include <string>

#include "server/server.h"
#include "util/env.h"
#include "util/error.h"
#include "util/log.h"

namespace eem::service {

struct Config {
  server::ServerOptions server;
  util::LogLevel log_level = util::LogLevel::kInfo;
  bool access_log = true;
  std::string service_name = "ecs-express-mode-api";
};

// Reads and validates every variable. The first invalid one fails with
// kInvalidInput and a message naming the variable, its value and what is
// accepted, e.g. "PORT=abc: expected an integer from 1 to 65535".
util::Result<Config> load_config(const util::EnvLookup& env);

// The documentation of every variable as "NAME  default  description" rows
// (printed by --help).
std::string config_help();

}  // namespace eem::service
