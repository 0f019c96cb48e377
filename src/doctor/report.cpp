#include "doctor/report.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "util/strings.h"

namespace eem::doctor {
namespace {

std::string_view mark(Status status) {
  switch (status) {
    case Status::kPass: return "✔";
    case Status::kFail: return "✘";
    case Status::kCannotRun: return "–";
    case Status::kSkipped: return "·";
  }
  return "?";
}

void print_indented(std::string_view text, std::ostream& out) {
  while (text.ends_with('\n')) text.remove_suffix(1);
  for (const auto line : util::split(text, '\n')) out << "    " << line << '\n';
}

void print_root_cause(const Check& check, std::ostream& out) {
  out << "\nRoot cause: " << check.title << ": " << check.summary << '\n';
  if (!check.evidence.empty()) {
    out << "  Evidence:\n";
    for (const auto& line : check.evidence) print_indented(line, out);
  }
  if (!check.fix.empty()) {
    out << "  Fix:\n";
    print_indented(check.fix, out);
  }
}

void print_job(const JobView& job, std::ostream& out) {
  out << "\nSeen from the job (its OIDC token's claims; the token itself is not shown):\n";
  for (const auto& [name, value] : job.claims) out << "  " << name << ": " << value << '\n';
  out << "The job's role may push but not read IAM or ECR settings, so the checks marked – could not run here.\n"
         "Run them for this run on a machine with administrator credentials:\n  "
      << job.local_command << '\n';
}

}  // namespace

std::string_view status_name(Status status) noexcept {
  switch (status) {
    case Status::kPass: return "pass";
    case Status::kFail: return "fail";
    case Status::kCannotRun: return "cannot-run";
    case Status::kSkipped: return "skipped";
  }
  return "cannot-run";
}

int exit_code(const Report& report) noexcept {
  if (report.root_cause) return kExitRootCause;
  const bool incomplete = std::any_of(report.checks.begin(), report.checks.end(),
                                      [](const Check& c) { return c.status == Status::kCannotRun; });
  return incomplete ? kExitIncomplete : kExitHealthy;
}

void print_text(const Report& report, std::ostream& out) {
  std::size_t number = 0;
  for (const auto& check : report.checks) {
    ++number;
    out << (number < 10 ? " " : "") << number << ". " << mark(check.status) << ' ' << check.title << ": "
        << check.summary << '\n';
    if (check.status != Status::kFail) {
      for (const auto& line : check.evidence) out << "       " << line << '\n';
    }
  }
  const auto failed = std::find_if(report.checks.begin(), report.checks.end(),
                                   [&](const Check& c) { return report.root_cause && c.id == *report.root_cause; });
  if (failed != report.checks.end()) print_root_cause(*failed, out);
  if (!report.not_run.empty()) {
    std::string ids;
    for (const auto& id : report.not_run) ids += (ids.empty() ? "" : ", ") + id;
    out << "\nNot checked after the root cause: " << ids << '\n';
  } else if (!report.root_cause) {
    out << '\n' << (exit_code(report) == kExitHealthy ? "No problem found." : "No root cause found, but some checks could not run.") << '\n';
  }
  if (report.job) print_job(*report.job, out);
}

void print_json(const Report& report, std::ostream& out) {
  nlohmann::ordered_json checks = nlohmann::ordered_json::array();
  for (const auto& c : report.checks) {
    checks.push_back({{"id", c.id}, {"status", status_name(c.status)}, {"title", c.title}, {"summary", c.summary},
                      {"evidence", c.evidence}, {"fix", c.fix}});
  }
  nlohmann::ordered_json doc;
  doc["checks"] = checks;
  doc["root_cause"] = report.root_cause ? nlohmann::ordered_json(*report.root_cause) : nlohmann::ordered_json(nullptr);
  doc["not_run"] = report.not_run;
  if (report.job) {
    nlohmann::ordered_json claims = nlohmann::ordered_json::object();
    for (const auto& [name, value] : report.job->claims) claims[name] = value;
    doc["job"] = {{"claims", claims},
                  {"local_command", report.job->local_command}};
  }
  out << doc.dump(2) << '\n';
}

}  // namespace eem::doctor
