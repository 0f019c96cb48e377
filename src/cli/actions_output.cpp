#include "cli/actions_output.h"

#include <fstream>
#include <ostream>

namespace eem::cli {

namespace {

util::Result<void> append(std::string_view variable, std::string_view text, const util::EnvLookup& env) {
  const auto path = env(variable);
  if (!path || path->empty()) return {};
  std::ofstream out(*path, std::ios::app | std::ios::binary);
  out << text;
  out.flush();
  if (!out) return util::fail(util::ErrorKind::kIo, "cannot append to $" + std::string(variable) + " (" + *path + ")");
  return {};
}

}  // namespace

bool in_github_actions(const util::EnvLookup& env) { return env("GITHUB_ACTIONS").value_or("") == "true"; }

void mask_secret(std::ostream& out, std::string_view secret, const util::EnvLookup& env) {
  if (!secret.empty() && in_github_actions(env)) out << "::add-mask::" << secret << '\n' << std::flush;
}

util::Result<void> write_outputs(const std::vector<std::pair<std::string, std::string>>& outputs,
                                 const util::EnvLookup& env) {
  std::string text;
  for (const auto& [name, value] : outputs) {
    if (value.find_first_of("\r\n") != std::string::npos) {
      return util::fail(util::ErrorKind::kInvalidInput, "output " + name + " has a line break");
    }
    text += name + "=" + value + "\n";
  }
  return append("GITHUB_OUTPUT", text, env);
}

util::Result<void> write_step_summary(std::string_view markdown, const util::EnvLookup& env) {
  return append("GITHUB_STEP_SUMMARY", markdown, env);
}

}  // namespace eem::cli
