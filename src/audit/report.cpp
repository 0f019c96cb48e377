#include "audit/report.h"

#include <nlohmann/json.hpp>
#include <ostream>

namespace eem::audit {

namespace {

using nlohmann::ordered_json;

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  return out;
}

std::string plural(int n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

void render_check(std::ostream& out, const CheckResult& r) {
  out << check_name(r.check) << ": " << r.subject << ": ";
  switch (r.status) {
    case CheckStatus::kPassed: out << "passed\n"; break;
    case CheckStatus::kFindings: out << plural(static_cast<int>(r.findings.size()), "finding") << '\n'; break;
    default: out << "could not run (" << status_name(r.status) << "): " << r.message << '\n'; return;
  }
  // A check that ran may still say what it could not judge.
  if (!r.message.empty()) out << "  note: " << r.message << '\n';
  for (const auto& f : r.findings) {
    out << "  " << upper(severity_name(f.severity)) << ' ' << f.id << ' ' << f.resource << ": " << f.title << '\n';
    for (const auto& e : f.evidence) out << "      " << e << '\n';
    out << "      fix: " << f.fix << '\n';
  }
}

ordered_json finding_json(const Finding& f) {
  return {{"id", f.id},       {"severity", severity_name(f.severity)}, {"check", f.check}, {"resource", f.resource},
          {"title", f.title}, {"evidence", f.evidence},                {"fix", f.fix}};
}

}  // namespace

Verdict judge(const std::vector<CheckResult>& results, Severity fail_on) {
  Verdict v;
  for (const auto& r : results) {
    if (r.status != CheckStatus::kPassed && r.status != CheckStatus::kFindings) ++v.incomplete;
    for (const auto& f : r.findings) {
      ++v.counts[static_cast<int>(f.severity)];
      if (f.severity >= fail_on) ++v.at_or_above;
    }
  }
  return v;
}

void render_text(std::ostream& out, const Scope& scope, const std::vector<CheckResult>& results) {
  for (const auto& r : results) render_check(out, r);
  const Verdict v = judge(results, scope.fail_on);
  const int total = v.counts[0] + v.counts[1] + v.counts[2] + v.counts[3];
  out << plural(total, "finding") << ": " << v.counts[3] << " critical, " << v.counts[2] << " high, " << v.counts[1]
      << " medium, " << v.counts[0] << " low";
  if (v.incomplete > 0) out << "; " << plural(v.incomplete, "check") << " could not run";
  out << '\n';
  if (v.failed()) {
    out << "audit failed: " << plural(v.at_or_above, "finding") << " at or above " << severity_name(scope.fail_on)
        << " (--fail-on " << severity_name(scope.fail_on) << ")\n";
  } else if (v.incomplete > 0) {
    out << "audit incomplete: nothing at or above " << severity_name(scope.fail_on) << " in the checks that ran\n";
  } else {
    out << "audit passed: nothing at or above " << severity_name(scope.fail_on) << '\n';
  }
}

std::string render_json(const Scope& scope, const std::vector<CheckResult>& results) {
  const Verdict v = judge(results, scope.fail_on);
  ordered_json checks = ordered_json::array();
  ordered_json findings = ordered_json::array();
  for (const auto& r : results) {
    ordered_json ids = ordered_json::array();
    for (const auto& f : r.findings) {
      ids.push_back(f.id);
      findings.push_back(finding_json(f));
    }
    checks.push_back({{"check", check_name(r.check)}, {"subject", r.subject}, {"status", status_name(r.status)},
                      {"message", r.message}, {"findings", ids}});
  }
  const ordered_json summary = {{"critical", v.counts[3]}, {"high", v.counts[2]}, {"medium", v.counts[1]}, {"low", v.counts[0]}};
  return ordered_json{{"scope", {{"region", scope.region}, {"role", scope.role_name}, {"repository", scope.repository},
                                 {"workflows", scope.workflows_dir}}},
                      {"fail_on", severity_name(scope.fail_on)},
                      {"failed", v.failed()},
                      {"complete", v.incomplete == 0},
                      {"summary", summary},
                      {"checks", checks},
                      {"findings", findings}}
      .dump(2);
}

}  // namespace eem::audit
