#include "audit/audit.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "audit/aws_checks.h"
#include "audit/internal.h"
#include "audit/workflow_checks.h"

namespace eem::audit {

namespace {

namespace fs = std::filesystem;

bool selected(const AuditOptions& options, CheckName check) {
  return std::find(options.checks.begin(), options.checks.end(), check) != options.checks.end();
}

CheckResult audit_repository(const AuditOptions& options, aws::EcrClient& ecr) {
  CheckResult result{CheckName::kRepository};
  result.subject = "repository " + options.repository;
  auto repositories = ecr.describe_repositories({options.repository});
  if (!repositories) {
    fail_check(result, repositories.error());
    return result;
  }
  if (repositories->empty()) {
    result.status = CheckStatus::kNotFound;
    result.message = "ECR DescribeRepositories: no repository named " + options.repository;
    return result;
  }
  std::optional<std::string> lifecycle;
  auto policy = ecr.get_lifecycle_policy(options.repository);
  if (policy) lifecycle = *policy;
  else if (policy.error().kind != util::ErrorKind::kNotFound) {
    fail_check(result, policy.error());
    return result;
  }
  RegistryScanning scanning;
  if (auto configuration = ecr.get_registry_scanning_configuration()) {
    scanning.configuration = std::move(*configuration);
  } else {
    scanning.unread = configuration.error().describe();
  }
  result.findings = check_repository(repositories->front(), lifecycle, scanning);
  settle(result);
  return result;
}

CheckResult audit_cloudtrail(const AuditOptions& options, aws::CloudTrailClient& cloudtrail) {
  CheckResult result{CheckName::kCloudTrail};
  result.subject = "trails in " + options.region;
  auto trails = cloudtrail.describe_trails();
  if (!trails) {
    fail_check(result, trails.error());
    return result;
  }
  std::vector<TrailState> states;
  for (const auto& trail : *trails) {
    if (!covers_region(trail, options.region)) continue;
    // ARNs, not names: a multi-region trail homed elsewhere (a shadow trail)
    // answers only to its ARN (CloudTrail API reference, GetTrailStatus).
    auto status = cloudtrail.get_trail_status(trail.arn);
    if (!status) {
      fail_check(result, status.error());
      return result;
    }
    auto selectors = cloudtrail.get_event_selectors(trail.arn);
    if (!selectors) {
      fail_check(result, selectors.error());
      return result;
    }
    states.push_back({trail, *status, *selectors});
  }
  result.findings = check_trails(options.region, states);
  settle(result);
  return result;
}

// At most one byte more than parse_workflow reads, so that it says the file
// is too large without this holding all of it.
util::Result<std::string> read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return util::fail(util::ErrorKind::kIo, "cannot read " + path.string());
  std::string text(kMaxWorkflowBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return util::fail(util::ErrorKind::kIo, "cannot read " + path.string());
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

std::vector<fs::path> workflow_files(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const auto ext = entry.path().extension();
    if (entry.is_regular_file(ec) && (ext == ".yml" || ext == ".yaml")) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

bool fail_check(CheckResult& result, const aws::ApiError& error) {
  switch (error.kind) {
    case util::ErrorKind::kDenied:
    case util::ErrorKind::kExpired: result.status = CheckStatus::kDenied; break;
    case util::ErrorKind::kNotFound: result.status = CheckStatus::kNotFound; break;
    default: result.status = CheckStatus::kError; break;
  }
  result.message = error.describe();
  return false;
}

util::Result<std::vector<Workflow>> load_workflows(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return util::fail(util::ErrorKind::kNotFound, "no directory " + dir);
  std::vector<Workflow> out;
  for (const auto& file : workflow_files(dir)) {
    auto text = read_text(file);
    if (!text) return std::unexpected(text.error());
    // A file that does not parse is the workflows check's AUD040.
    if (auto workflow = parse_workflow((fs::path(dir) / file.filename()).string(), *text)) out.push_back(std::move(*workflow));
  }
  return out;
}

util::Result<std::vector<Workflow>> load_workflow_files(const std::vector<std::string>& paths) {
  std::vector<Workflow> out;
  std::vector<fs::path> given;
  for (const auto& path : paths) {
    auto text = read_text(path);
    if (!text) return std::unexpected(text.error());
    auto workflow = parse_workflow(path, *text);
    if (!workflow) return std::unexpected(workflow.error());
    out.push_back(std::move(*workflow));
    given.emplace_back(path);
  }
  for (const auto& path : given) {
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    for (const auto& file : workflow_files(dir)) {
      std::error_code ec;
      const bool known = std::any_of(out.begin(), out.end(), [&](const Workflow& w) { return fs::equivalent(w.path, file, ec); });
      auto text = known ? util::Result<std::string>() : read_text(file);
      if (known || !text) continue;
      if (auto workflow = parse_workflow((dir / file.filename()).string(), *text)) out.push_back(std::move(*workflow));
    }
  }
  return out;
}

CheckResult audit_workflows(const AuditOptions& options) {
  CheckResult result{CheckName::kWorkflows};
  result.subject = "workflows in " + options.workflows_dir;
  std::error_code ec;
  if (!fs::is_directory(options.workflows_dir, ec)) {
    result.status = CheckStatus::kNotFound;
    result.message = "no directory " + options.workflows_dir + " (run in the repository, or pass --workflows DIR)";
    return result;
  }
  for (const auto& file : workflow_files(options.workflows_dir)) {
    const std::string shown = (fs::path(options.workflows_dir) / file.filename()).string();
    auto text = read_text(file);
    if (!text) {
      result.status = CheckStatus::kError;
      result.message = text.error().message;
      return result;
    }
    for (auto& f : check_workflow(shown, *text)) result.findings.push_back(std::move(f));
  }
  settle(result);
  return result;
}

std::vector<CheckResult> run_audit(const AuditOptions& options, const AuditClients& clients, const Progress& progress) {
  std::vector<CheckResult> results;
  const bool permissions = selected(options, CheckName::kRolePermissions);
  const bool trust = selected(options, CheckName::kTrustPolicy);
  const bool coherence = selected(options, CheckName::kCoherence);
  std::optional<RoleChecks> role;
  if ((permissions || trust || coherence) && clients.iam != nullptr) {
    progress("auditing role " + options.role_name);
    role = audit_role(options, *clients.iam);
    if (permissions) results.push_back(role->permissions);
    if (trust) results.push_back(role->trust);
  }
  if (selected(options, CheckName::kWorkflows)) {
    progress("auditing workflows in " + options.workflows_dir);
    results.push_back(audit_workflows(options));
  }
  if (selected(options, CheckName::kRepository) && clients.ecr != nullptr) {
    progress("auditing ECR repository " + options.repository);
    results.push_back(audit_repository(options, *clients.ecr));
  }
  if (selected(options, CheckName::kCloudTrail) && clients.cloudtrail != nullptr) {
    progress("auditing CloudTrail trails in " + options.region);
    results.push_back(audit_cloudtrail(options, *clients.cloudtrail));
  }
  if (coherence && role) {
    progress("predicting the workflows' OIDC subjects against role " + options.role_name);
    results.push_back(audit_coherence(options, *role));
  }
  return results;
}

}  // namespace eem::audit
