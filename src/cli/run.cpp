#include <unistd.h>

#include <exception>
#include <iostream>
#include <string>

#include "cli/command.h"
#include "util/build_info.h"

namespace eem::cli {

namespace {

constexpr std::string_view kFooter = R"(Exit codes:
  0   success
  1   failure (see the message)
  2   invalid input or usage
  3   not found
  4   conflict with existing state
  10-14  deploy: timed out (10), STOPPED (11), rolled back (12),
      rollback failed (13), verification failed (14)
  70  internal error (a bug: please report it)
  74  local I/O error
  75  temporary failure (network, throttling, clock skew): retry later
  77  access denied or expired credentials)";

std::string version_line() {
  const auto& info = util::build_info();
  return std::string("shipctl ") + std::string(info.version) + " (commit " +
         std::string(info.commit) + ", built " + std::string(info.build_time) + ")";
}

}  // namespace

int report(Context& ctx, const util::Error& error) {
  ctx.err << "shipctl: error: " << error.message << '\n';
  return util::kind_info(error.kind).exit_code;
}

Process real_process() {
  return Process{util::process_env(), std::cin, ::isatty(STDIN_FILENO) == 1, ::isatty(STDERR_FILENO) == 1,
                 [] { return std::chrono::system_clock::now(); }};
}

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  return run(argc, argv, out, err, real_process());
}

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err, Process process) {
  Context ctx{out, err, std::move(process)};
  CLI::App app{
      "shipctl: set up, check and run the keyless GitHub Actions -> Amazon ECR -> ECS Express "
      "Mode pipeline.",
      "shipctl"};
  app.require_subcommand(1);
  app.set_version_flag("--version", version_line());
  app.add_flag("--debug", ctx.debug, "Trace requests to stderr (secrets are redacted); before or after the command");
  // Subcommands made below inherit this: an option they do not know (--debug
  // after the command name) is matched against shipctl's own.
  app.fallthrough();
  app.footer(std::string(kFooter));
  for (const auto& spec : command_table()) {
    auto* sub = app.add_subcommand(std::string(spec.name), std::string(spec.summary));
    spec.define(*sub, ctx);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help and version: CLI11 prints them to stdout.
    if (e.get_exit_code() == 0) return app.exit(e, out, err);
    // A usage mistake is one line, like every other error, naming the help to read.
    const auto subs = app.get_subcommands();
    const std::string help = subs.empty() ? "shipctl --help" : "shipctl " + subs.front()->get_name() + " --help";
    err << "shipctl: error: " << e.what() << " (" << help << ")\n";
    return util::kind_info(util::ErrorKind::kInvalidInput).exit_code;
  } catch (const std::exception& e) {
    err << "shipctl: internal error: " << e.what() << '\n';
    return util::kind_info(util::ErrorKind::kInternal).exit_code;
  }
  return ctx.exit_code;
}

}  // namespace eem::cli
