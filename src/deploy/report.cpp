#include "deploy/report.h"

#include <nlohmann/json.hpp>

namespace eem::deploy {

namespace {

std::string result_of(const Report& report) {
  return report.error ? std::string(util::kind_info(report.error->kind).name) : "ok";
}

// Markdown table cells must not break the row.
std::string cell(std::string text) {
  for (auto& c : text) {
    if (c == '|' || c == '\n') c = ' ';
  }
  return text;
}

}  // namespace

std::string report_json(const Report& report) {
  nlohmann::ordered_json stages = nlohmann::ordered_json::array();
  for (const auto& s : report.stages) {
    stages.push_back({{"elapsed_s", s.elapsed.count()}, {"status", s.status}, {"stage", s.stage}});
  }
  return nlohmann::ordered_json{{"action", std::string(action_name(report.action))},
                                {"service_arn", report.service_arn},
                                {"endpoint", report.endpoint},
                                {"deployment_arn", report.deployment_arn},
                                {"status", report.status},
                                {"image_digest", report.image_digest},
                                {"commit", report.commit},
                                {"differences", report.differences},
                                {"stages", stages},
                                {"rollback", report.rollback},
                                {"result", result_of(report)},
                                {"error", report.error ? report.error->message : ""}}
             .dump();
}

std::string report_text(const Report& report) {
  std::string text = "service:    " + report.service_arn + " (" + std::string(action_name(report.action)) + ")\n";
  if (!report.deployment_arn.empty()) text += "deployment: " + report.deployment_arn + " " + report.status + "\n";
  if (!report.endpoint.empty()) text += "endpoint:   " + report.endpoint + "\n";
  if (!report.image_digest.empty()) text += "digest:     " + report.image_digest + "\n";
  if (!report.commit.empty()) text += "commit:     " + report.commit + " (served by /version)\n";
  return text;
}

std::vector<std::pair<std::string, std::string>> report_outputs(const Report& report) {
  return {{"service-arn", report.service_arn},
          {"endpoint", report.endpoint},
          {"deployment-arn", report.deployment_arn},
          {"image-digest", report.image_digest},
          {"commit", report.commit}};
}

std::string report_summary(const Report& report) {
  std::string md = "### shipctl deploy\n\n";
  md += "| | |\n|---|---|\n";
  md += "| result | " + cell(report.error ? result_of(report) + ": " + report.error->message : "ok") + " |\n";
  md += "| service | `" + cell(report.service_arn) + "` (" + std::string(action_name(report.action)) + ") |\n";
  if (!report.endpoint.empty()) md += "| endpoint | " + cell(report.endpoint) + " |\n";
  if (!report.deployment_arn.empty()) md += "| deployment | `" + cell(report.deployment_arn) + "` " + report.status + " |\n";
  if (!report.image_digest.empty()) md += "| image digest | `" + report.image_digest + "` |\n";
  if (!report.commit.empty()) md += "| commit served | `" + report.commit + "` |\n";
  if (!report.rollback.empty()) md += "| rollback | " + cell(report.rollback) + " |\n";
  if (report.stages.empty()) return md + "\n";
  md += "\n| elapsed | status | stage |\n|---:|---|---|\n";
  for (const auto& s : report.stages) {
    md += "| " + std::to_string(s.elapsed.count()) + " s | " + s.status + " | " + s.stage + " |\n";
  }
  return md + "\n";
}

}  // namespace eem::deploy
