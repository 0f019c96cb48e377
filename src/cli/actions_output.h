#pragma once
// GitHub Actions' file commands and masking, as commands use them
// (https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions):
// outputs go to $GITHUB_OUTPUT as name=value lines, the job summary is
// Markdown appended to $GITHUB_STEP_SUMMARY, and a secret is masked with an
// `::add-mask::` line before it can appear anywhere.

#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/env.h"
#include "util/error.h"

namespace eem::cli {

// True inside a GitHub Actions job (GITHUB_ACTIONS=true).
bool in_github_actions(const util::EnvLookup& env);

// Writes "::add-mask::<secret>" to `out` inside Actions; nothing elsewhere.
void mask_secret(std::ostream& out, std::string_view secret, const util::EnvLookup& env);

// Appends `name=value` lines to $GITHUB_OUTPUT when it is set. kIo when the
// file cannot be written; kInvalidInput for a value with a line break.
util::Result<void> write_outputs(const std::vector<std::pair<std::string, std::string>>& outputs,
                                 const util::EnvLookup& env);

// Appends `markdown` to $GITHUB_STEP_SUMMARY when it is set.
util::Result<void> write_step_summary(std::string_view markdown, const util::EnvLookup& env);

}  // namespace eem::cli
