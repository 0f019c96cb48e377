#include "bootstrap/json_diff.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

namespace eem::bootstrap {

namespace {

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const auto end = text.find('\n');
    lines.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

// lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
std::vector<std::vector<int>> lcs_table(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
  std::vector<std::vector<int>> lcs(a.size() + 1, std::vector<int>(b.size() + 1, 0));
  for (std::size_t i = a.size(); i-- > 0;) {
    for (std::size_t j = b.size(); j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  return lcs;
}

void add_line(std::string& out, std::string_view prefix, std::string_view line) {
  out.append(prefix).append(line).push_back('\n');
}

}  // namespace

std::string normalize_json(std::string_view text) {
  // nlohmann::json (not ordered_json) keeps object keys sorted.
  const nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
  if (parsed.is_discarded()) return std::string(text);
  return parsed.dump(2);
}

bool same_json(std::string_view a, std::string_view b) { return normalize_json(a) == normalize_json(b); }

std::string line_diff(std::string_view before, std::string_view after) {
  const auto a = lines_of(before);
  const auto b = lines_of(after);
  const auto lcs = lcs_table(a, b);
  std::string out;
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i] == b[j]) {
      add_line(out, "  ", a[i++]);
      ++j;
    } else if (i < a.size() && (j == b.size() || lcs[i + 1][j] >= lcs[i][j + 1])) {
      add_line(out, "- ", a[i++]);
    } else {
      add_line(out, "+ ", b[j++]);
    }
  }
  return out;
}

}  // namespace eem::bootstrap
