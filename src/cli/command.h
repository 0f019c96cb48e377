#pragma once
// The shipctl command table. Each command lives in its own file
// (src/cli/<group>_commands.cpp) and is listed once in table.cpp, which
// drives both dispatch and the help text. CLI11 is confined to src/cli.

#include <CLI/CLI.hpp>

#include <functional>
#include <iosfwd>
#include <span>
#include <string_view>

#include "util/error.h"

namespace eem::cli {

// State shared by every command of one invocation.
struct Context {
  std::ostream& out;   // results (human text or --json)
  std::ostream& err;   // diagnostics, progress
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

// Runs shipctl; returns the process exit code. Never throws.
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace eem::cli
