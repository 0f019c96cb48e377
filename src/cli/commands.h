#pragma once
// Declarations of every command's spec; definitions live in
// src/cli/<group>_commands.cpp. One line per command, listed in table.cpp.

#include "cli/command.h"

namespace eem::cli {

CommandSpec version_command();
CommandSpec push_command();
CommandSpec whoami_command();
CommandSpec policy_command();
CommandSpec oidc_command();
CommandSpec doctor_command();
CommandSpec bootstrap_command();
CommandSpec login_command();
CommandSpec logout_command();
CommandSpec verify_command();
CommandSpec audit_command();
CommandSpec credentials_command();
CommandSpec deploy_command();

}  // namespace eem::cli
