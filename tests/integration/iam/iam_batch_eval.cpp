// Test tool for the differential test (test_policy_differential.py): reads
// one JSON case per line on stdin, {"policy": {...}, "principal", "action",
// "resource", "context": {"key": "v" | ["v", ...]}}, and prints one decision
// per line ("Allow", "ExplicitDeny", "ImplicitDeny" or "Error: message").
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "iam/evaluator.h"
#include "iam/policy_parser.h"

namespace {

std::string decide(const nlohmann::json& c) {
  const auto policy = eem::iam::parse_policy(c.at("policy").dump());
  if (!policy) return "Error: " + policy.error().message;
  eem::iam::RequestContext context;
  context.principal = c.value("principal", "");
  context.action = c.value("action", "");
  context.resource = c.value("resource", "");
  for (const auto& [key, value] : c.at("context").items()) {
    if (value.is_array()) {
      context.add_set(key, value.get<std::vector<std::string>>());
    } else {
      context.add(key, value.get<std::string>());
    }
  }
  return std::string(eem::iam::decision_name(eem::iam::evaluate(*policy, context).decision));
}

}  // namespace

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    std::cout << decide(nlohmann::json::parse(line)) << '\n';
  }
  return 0;
}
