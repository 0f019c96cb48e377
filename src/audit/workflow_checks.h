#pragma once
// Checks on GitHub Actions workflow files (AUD010-AUD019, AUD040). Policy:
// every action is pinned to a full 40-hex commit SHA, as GitHub's hardening
// guide asks for third-party actions; GitHub's own (actions/*, github/*) are
// first-party, so an unpinned one is AUD014 (low) rather than AUD013 (high).
// Local actions (./path) need no pin; docker:// actions need @sha256:.

#include <string_view>
#include <vector>

#include "audit/finding.h"
#include "audit/workflow.h"

namespace eem::audit {

class Collector;

// Every finding for the workflow file at `path` with contents `text`:
// AUD040 alone when it does not parse. Secrets found are never quoted.
std::vector<Finding> check_workflow(std::string_view path, std::string_view text);

// The text-level part (AUD010 hard-coded role ARNs, AUD011 access key ids),
// which also sees `run:` scripts; full-line comments are skipped.
void scan_workflow_text(std::string_view path, std::string_view text, Collector& out);

// AUD011/AUD012: AWS key inputs (aws-access-key-id, aws-secret-access-key,
// aws-session-token) and variables (AWS_ACCESS_KEY_ID, ...), literal or from secrets.
void check_key_inputs(const Workflow& workflow, Collector& out);

// The model-level part: check_key_inputs, then AUD013-AUD019.
void check_workflow_model(const Workflow& workflow, Collector& out);

}  // namespace eem::audit
