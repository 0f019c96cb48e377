#pragma once
// How a deploy::Report is shown: text lines, --json, $GITHUB_OUTPUT pairs
// (service-arn, endpoint, deployment-arn, image-digest, commit) and the
// Markdown job summary (a table of the deployment's stages).

#include <string>
#include <utility>
#include <vector>

#include "deploy/deploy.h"

namespace eem::deploy {

// {"action","service_arn","endpoint","deployment_arn","status","image_digest",
//  "commit","differences":[...],"stages":[{"elapsed_s","status","stage"}],
//  "rollback","result":"ok"|error kind name,"error"} on one line.
std::string report_json(const Report& report);

// The result in a few "key: value" lines.
std::string report_text(const Report& report);

// The $GITHUB_OUTPUT pairs, in the order above; empty values are kept.
std::vector<std::pair<std::string, std::string>> report_outputs(const Report& report);

// A Markdown section: the result, then | elapsed | status | stage |.
std::string report_summary(const Report& report);

}  // namespace eem::deploy
