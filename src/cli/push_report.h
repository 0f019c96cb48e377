#pragma once
// How `shipctl push` reports a finished push: text or --json on stdout, the
// step outputs (image-uri, digest, registry, image) in $GITHUB_OUTPUT and a
// Markdown table in $GITHUB_STEP_SUMMARY.

#include <iosfwd>
#include <string>

#include "oci/push.h"
#include "util/env.h"
#include "util/error.h"

namespace eem::cli {

enum class Format { kText, kJson };

void print_push_summary(std::ostream& out, const oci::PushSummary& summary, Format format);

// The Markdown job summary: heading, then a table of image, digest, tags,
// size and time.
std::string push_step_summary(const oci::PushSummary& summary);

// Writes the outputs and the step summary when the variables are set.
util::Result<void> write_push_outputs(const oci::PushSummary& summary, const std::string& registry,
                                      const util::EnvLookup& env);

}  // namespace eem::cli
