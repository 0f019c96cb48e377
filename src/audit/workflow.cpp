// The yaml-cpp adapter: yaml-cpp throws, so every call stays inside
// parse_workflow's try block and leaves as a util::Error.
#include "audit/workflow.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

namespace eem::audit {

namespace {

// A missing key yields an invalid node whose every accessor but `operator
// bool` throws (yaml-cpp's InvalidNode), so each helper tests it first.
int line_of(const YAML::Node& node) { return node ? node.Mark().line + 1 : 0; }  // Mark lines are 0-based

// Whether `node` has more than `budget` nodes, counting each alias as often
// as it is used: anchors are legal in workflows, and nine aliases of nine
// aliases... ("billion laughs") would otherwise be emitted in full.
bool larger_than(const YAML::Node& node, long& budget) {
  if (--budget < 0) return true;
  if (!node.IsMap() && !node.IsSequence()) return false;
  for (const auto& item : node) {
    if (node.IsMap() ? larger_than(item.first, budget) || larger_than(item.second, budget) : larger_than(item, budget)) {
      return true;
    }
  }
  return false;
}

// Values larger than this are not quoted in evidence; no workflow value a
// check reads (a `with:` input, a filter pattern) comes near it.
constexpr long kMaxEmittedNodes = 10000;

std::string text_of(const YAML::Node& node) {
  if (!node || node.IsNull()) return "";
  if (node.IsScalar()) return node.Scalar();
  long budget = kMaxEmittedNodes;
  if (larger_than(node, budget)) return "(a value of more than " + std::to_string(kMaxEmittedNodes) + " YAML nodes)";
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
}

Located located(const YAML::Node& node) { return {text_of(node), line_of(node)}; }

Mapping mapping_of(const YAML::Node& node) {
  Mapping out;
  if (!node || !node.IsMap()) return out;
  for (const auto& entry : node) out.emplace_back(text_of(entry.first), located(entry.second));
  return out;
}

Permissions permissions_of(const YAML::Node& node) {
  Permissions p;
  if (!node) return p;
  p.line = line_of(node);
  if (node.IsScalar() && node.Scalar() == "write-all") {
    p.kind = PermissionsKind::kWriteAll;
  } else if (node.IsScalar() && node.Scalar() == "read-all") {
    p.kind = PermissionsKind::kReadAll;
  } else {
    p.kind = PermissionsKind::kScopes;
    p.scopes = mapping_of(node);
  }
  return p;
}

std::vector<std::string> triggers_of(const YAML::Node& on) {
  std::vector<std::string> out;
  if (!on) return out;
  if (on.IsScalar()) out.push_back(on.Scalar());
  if (on.IsSequence()) {
    for (const auto& item : on) out.push_back(text_of(item));
  }
  if (on.IsMap()) {
    for (const auto& entry : on) out.push_back(text_of(entry.first));
  }
  return out;
}

RefFilter filter_of(const YAML::Node& node) {
  RefFilter filter;
  if (!node) return filter;
  filter.present = true;
  if (node.IsScalar()) filter.patterns.push_back(node.Scalar());
  if (node.IsSequence()) {
    for (const auto& item : node) filter.patterns.push_back(text_of(item));
  }
  return filter;
}

Trigger trigger_of(const YAML::Node& key, const YAML::Node& value) {
  Trigger t{text_of(key), line_of(key), {}, {}, {}, {}};
  if (!value || !value.IsMap()) return t;
  t.branches = filter_of(value["branches"]);
  t.branches_ignore = filter_of(value["branches-ignore"]);
  t.tags = filter_of(value["tags"]);
  t.tags_ignore = filter_of(value["tags-ignore"]);
  return t;
}

// `on: push`, `on: [push, schedule]` or a mapping of events to their settings.
std::vector<Trigger> events_of(const YAML::Node& on) {
  std::vector<Trigger> out;
  if (!on) return out;
  if (on.IsScalar()) out.push_back(trigger_of(on, YAML::Node()));
  if (on.IsSequence()) {
    for (const auto& item : on) out.push_back(trigger_of(item, YAML::Node()));
  }
  if (on.IsMap()) {
    for (const auto& entry : on) out.push_back(trigger_of(entry.first, entry.second));
  }
  return out;
}

Located environment_of(const YAML::Node& node) {
  if (!node) return {};
  if (node.IsMap()) return node["name"] ? located(node["name"]) : Located{"", line_of(node)};
  return located(node);
}

Step step_of(const YAML::Node& node) {
  Step step;
  step.line = line_of(node);
  step.name = text_of(node["name"]);
  if (node["uses"]) step.uses = located(node["uses"]);
  step.run = text_of(node["run"]);
  step.with = mapping_of(node["with"]);
  step.env = mapping_of(node["env"]);
  return step;
}

Job job_of(const YAML::Node& key, const YAML::Node& node) {
  Job job;
  job.id = text_of(key);
  job.line = line_of(key);
  job.permissions = permissions_of(node["permissions"]);
  if (node["uses"]) job.uses = located(node["uses"]);
  job.environment = environment_of(node["environment"]);
  if (node["if"]) job.condition = located(node["if"]);
  job.env = mapping_of(node["env"]);
  if (node["steps"] && node["steps"].IsSequence()) {
    for (const auto& step : node["steps"]) job.steps.push_back(step_of(step));
  }
  return job;
}

util::Result<Workflow> build(std::string_view path, const YAML::Node& root) {
  const std::string where(path);
  if (!root.IsMap()) return util::fail(util::ErrorKind::kInvalidInput, where + ":1: a workflow must be a YAML mapping");
  if (!root["jobs"] || !root["jobs"].IsMap()) {
    return util::fail(util::ErrorKind::kInvalidInput, where + ":1: a workflow needs a \"jobs\" mapping");
  }
  Workflow workflow;
  workflow.path = where;
  // YAML 1.1 readers turn the key `on` into true; yaml-cpp keeps it a string.
  workflow.triggers = triggers_of(root["on"]);
  workflow.events = events_of(root["on"]);
  workflow.permissions = permissions_of(root["permissions"]);
  workflow.env = mapping_of(root["env"]);
  for (const auto& entry : root["jobs"]) workflow.jobs.push_back(job_of(entry.first, entry.second));
  return workflow;
}

}  // namespace

util::Result<Workflow> parse_workflow(std::string_view path, std::string_view text) {
  if (text.size() > kMaxWorkflowBytes) {
    return util::fail(util::ErrorKind::kInvalidInput, std::string(path) + ":1: larger than " +
                                                          std::to_string(kMaxWorkflowBytes / 1024) +
                                                          " KiB; no workflow is this large, so it is not read");
  }
  try {
    return build(path, YAML::Load(std::string(text)));
  } catch (const YAML::DeepRecursion& e) {
    return util::fail(util::ErrorKind::kInvalidInput, std::string(path) + ":" + std::to_string(e.mark.line + 1) +
                                                          ": not valid YAML: nested more than " + std::to_string(e.depth()) +
                                                          " levels deep");
  } catch (const YAML::Exception& e) {
    return util::fail(util::ErrorKind::kInvalidInput,
                      std::string(path) + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg);
  }
}

bool is_expression(std::string_view value) noexcept { return value.find("${{") != std::string_view::npos; }

}  // namespace eem::audit
