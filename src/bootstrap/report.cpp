#include "bootstrap/report.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "bootstrap/github_setup.h"
#include "bootstrap/registry_scanning.h"

namespace eem::bootstrap {

namespace {

std::string_view marker(Change change) {
  switch (change) {
    case Change::kCreate: return "+";
    case Change::kUpdate: return "~";
    case Change::kDelete: return "-";
  }
  return "?";
}

std::string_view change_id(Change change) {
  switch (change) {
    case Change::kCreate: return "create";
    case Change::kUpdate: return "update";
    case Change::kDelete: return "delete";
  }
  return "unknown";
}

std::string_view outcome_id(Outcome outcome) {
  switch (outcome) {
    case Outcome::kPlanned: return "planned";
    case Outcome::kApplied: return "applied";
    case Outcome::kNoChanges: return "no_changes";
  }
  return "unknown";
}

void add_indented(std::string& out, const std::string& text) {
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    out.append("      ").append(text, start, end == std::string::npos ? std::string::npos : end - start).push_back('\n');
    if (end == std::string::npos) break;
    start = end + 1;
  }
}

std::string changes_word(std::size_t count) { return std::to_string(count) + (count == 1 ? " change" : " changes"); }

// The two role ARNs `shipctl deploy` needs, and the command that uses them.
std::string deploy_roles_text(const DesiredState& d) {
  if (!d.deploy) return "";
  const DesiredDeploy& x = *d.deploy;
  std::string cluster = x.cluster == aws::kDefaultCluster ? "" : " --cluster " + x.cluster;
  return "Execution role ARN: " + x.execution_role.arn + "\nInfrastructure role ARN: " + x.infrastructure_role.arn +
         "\nDeploy with:\n  shipctl deploy --service " + x.service + cluster + " --image IMAGE@DIGEST --execution-role-arn " +
         x.execution_role.arn + " --infrastructure-role-arn " + x.infrastructure_role.arn + "\n";
}

bool changes_registry_scanning(const Report& report) {
  return std::any_of(report.actions.begin(), report.actions.end(),
                     [](const Action& a) { return a.kind == ActionKind::kPutRegistryScanning; });
}

std::string registry_scanning_text(const Report& report) {
  const std::string& repository = report.desired.repository;
  if (!report.desired.registry_scanning) {
    return "Registry scanning: not read (--skip-registry-scanning); the registry's rules decide whether " + repository +
           " is scanned on push.\n";
  }
  if (!report.registry_scanning || changes_registry_scanning(report)) return "";
  const auto coverage = scan_on_push_coverage(*report.registry_scanning, repository);
  if (!coverage) return "";
  return "Registry scanning: " + repository + " is already scanned on push (" + coverage->scan_frequency +
         " rule, filter \"" + coverage->filter + "\"); nothing to write.\n";
}

nlohmann::ordered_json scanning_json(const aws::RegistryScanningConfiguration& configuration) {
  return nlohmann::ordered_json::parse(aws::registry_scanning_document(configuration));
}

nlohmann::ordered_json registry_scanning_json(const Report& report) {
  if (!report.desired.registry_scanning) return {{"status", "skipped"}};
  if (!report.registry_scanning) return nullptr;
  nlohmann::ordered_json out = {{"status", changes_registry_scanning(report) ? "change" : "already_done"},
                                {"scan_type", report.registry_scanning->scan_type}};
  if (const auto coverage = scan_on_push_coverage(*report.registry_scanning, report.desired.repository)) {
    out["covered_by"] = {{"scan_frequency", coverage->scan_frequency}, {"filter", coverage->filter}};
  }
  return out;
}

}  // namespace

std::string render_plan_text(const std::vector<Action>& actions) {
  if (actions.empty()) return "No changes: the OIDC provider, role, policies and repository are as desired.\n";
  std::string out = "Plan: " + changes_word(actions.size()) + "\n";
  for (const Action& action : actions) {
    out.append("  ").append(marker(action.change)).append(" ").append(action.summary).push_back('\n');
    if (!action.note.empty()) add_indented(out, action.note);
    if (!action.diff.empty()) {
      add_indented(out, action.diff);
    } else if (!action.document.empty()) {
      add_indented(out, action.document);
    }
  }
  return out;
}

std::string render_outcome_text(const Report& report) {
  const std::string scanning = registry_scanning_text(report);
  if (report.outcome == Outcome::kPlanned) {
    std::string out = scanning + "Nothing was changed. Run again with --apply to make these " + changes_word(report.actions.size()) + ".\n";
    if (report.secret == SecretOutcome::kSkipped) out += "The " + std::string(kRoleSecretName) + " secret was not stored either.\n";
    return out;
  }
  std::string out = scanning;
  if (report.outcome == Outcome::kApplied) out += "Applied " + changes_word(report.actions.size()) + ".\n";
  out += "Role ARN: " + report.desired.role_arn + "\n";
  out += "Repository: " + report.desired.repository_uri + "\n";
  out += deploy_roles_text(report.desired);
  if (report.secret == SecretOutcome::kStored) {
    out += "Stored the " + std::string(kRoleSecretName) + " secret of " + report.github_repo + ".\n";
  } else {
    out += "Store the role ARN as the " + std::string(kRoleSecretName) + " secret:\n  " +
           gh_secret_command(report.github_repo, report.desired.role_arn) + "\n";
  }
  return out;
}

std::string render_json(const Report& report) {
  nlohmann::ordered_json changes = nlohmann::ordered_json::array();
  for (const Action& action : report.actions) {
    nlohmann::ordered_json item = {{"action", action_id(action.kind)},
                                   {"change", change_id(action.change)},
                                   {"resource", action.resource},
                                   {"summary", action.summary}};
    if (!action.document.empty()) item["document"] = nlohmann::ordered_json::parse(action.document, nullptr, false);
    if (!action.diff.empty()) item["diff"] = action.diff;
    if (action.scanning) {
      item["account_wide"] = true;
      item["note"] = action.note;
      item["before"] = scanning_json(action.scanning->before);
      item["after"] = scanning_json(action.scanning->after);
    }
    changes.push_back(std::move(item));
  }
  nlohmann::ordered_json out = {
      {"account", report.account_id},
      {"region", report.region},
      {"github_repository", report.github_repo},
      {"subject_format", report.subject_format},
      {"role_arn", report.desired.role_arn},
      {"repository_uri", report.desired.repository_uri},
      {"outcome", outcome_id(report.outcome)},
      {"changes", changes},
      {"gh_secret_command", gh_secret_command(report.github_repo, report.desired.role_arn)},
      {"secret_stored", report.secret == SecretOutcome::kStored},
  };
  if (auto scanning = registry_scanning_json(report); !scanning.is_null()) out["registry_scanning"] = std::move(scanning);
  if (const auto& deploy = report.desired.deploy) {
    out["deploy"] = {{"service", deploy->service},
                     {"cluster", deploy->cluster},
                     {"execution_role_arn", deploy->execution_role.arn},
                     {"infrastructure_role_arn", deploy->infrastructure_role.arn},
                     {"policy_name", deploy->policy_name}};
  }
  return out.dump(2);
}

}  // namespace eem::bootstrap
