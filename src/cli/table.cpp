#include <vector>

#include "cli/commands.h"

namespace eem::cli {

std::span<const CommandSpec> command_table() {
  static const std::vector<CommandSpec> kCommands{
      push_command(),
      whoami_command(),
      policy_command(),
      oidc_command(),
      doctor_command(),
      bootstrap_command(),
      login_command(),
      logout_command(),
      verify_command(),
      audit_command(),
      credentials_command(),
      deploy_command(),
      version_command(),
  };
  return kCommands;
}

}  // namespace eem::cli
