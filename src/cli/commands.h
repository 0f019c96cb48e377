#pragma once
// Declarations of every command's spec; definitions live in
// src/cli/<group>_commands.cpp. One line per command, listed in table.cpp.

#include "cli/command.h"

namespace eem::cli {

CommandSpec version_command();
// @command-declarations

}  // namespace eem::cli
