#pragma once
// Groups the evidence of one resource's findings by finding id, so a file
// with five unpinned actions yields one AUD013 with five evidence lines.

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "audit/finding.h"

namespace eem::audit {

class Collector {
 public:
  Collector(CheckName check, std::string resource) : check_(check), resource_(std::move(resource)) {}

  // Adds `evidence` to the finding `id` (created on first use, with `fix`).
  void add(std::string_view id, std::string evidence, std::string fix) {
    auto it = std::find_if(findings_.begin(), findings_.end(), [&](const Finding& f) { return f.id == id; });
    if (it == findings_.end()) {
      findings_.push_back(make_finding(id, check_, resource_, {}, std::move(fix)));
      it = findings_.end() - 1;
    }
    it->evidence.push_back(std::move(evidence));
  }

  // The findings, in id order.
  std::vector<Finding> take() {
    std::sort(findings_.begin(), findings_.end(), [](const Finding& a, const Finding& b) { return a.id < b.id; });
    return std::move(findings_);
  }

 private:
  CheckName check_;
  std::string resource_;
  std::vector<Finding> findings_;
};

}  // namespace eem::audit
