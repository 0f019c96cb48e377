#pragma once
// The shipctl command table. Each command lives in its own file
// (src/cli/<group>_commands.cpp) and is listed once in table.cpp, which
// drives both dispatch and the help text. CLI11 is confined to src/cli.

#include <CLI/CLI.hpp>

#include <chrono>
#include <functional>
#include <iosfwd>
#include <span>
#include <string_view>

#include "util/env.h"
#include "util/error.h"

namespace eem::cli {

// What a command may read of the process it runs in. Commands read these and
// never getenv, std::cin, isatty or the system clock, so a test runs them
// with its own.
struct Process {
  util::EnvLookup env;  // an empty value is a value; aws::Env reads it as unset
  std::istream& in;     // standard input (--password-stdin, `-` files, prompts)
  bool stdin_is_terminal = false;
  bool stderr_is_terminal = false;  // progress bars and prompts need one
  std::function<std::chrono::system_clock::time_point()> now;
};

// The real process: getenv, std::cin, isatty(0) and isatty(2), the system clock.
Process real_process();

// State shared by every command of one invocation.
struct Context {
  std::ostream& out;   // results (human text or --json)
  std::ostream& err;   // diagnostics, progress
  Process process;
  bool debug = false;  // --debug: trace requests (secrets redacted)
  int exit_code = 0;   // set by the command that ran
};

struct CommandSpec {
  std::string_view name;     // subcommand name, e.g. "push" or "policy"
  std::string_view summary;  // one line for `shipctl --help`
  // Adds options (or nested subcommands) to `sub`, and sets CLI11 callbacks
  // that run the command and store its exit code in `ctx.exit_code`.
  std::function<void(CLI::App& sub, Context& ctx)> define;
};

// Every command, in the order `shipctl --help` lists them.
std::span<const CommandSpec> command_table();

// Prints "shipctl: error: <message>" to ctx.err and returns the exit code the
// error's kind maps to (util::kind_info).
int report(Context& ctx, const util::Error& error);

// Runs shipctl in `process`; returns the process exit code. Never throws.
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err, Process process);
// The same in the real process.
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace eem::cli
