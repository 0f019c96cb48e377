#include "doctor/line_diff.h"

#include <algorithm>
#include <cstddef>
#include <vector>

#include "util/strings.h"

namespace eem::doctor {
namespace {

std::vector<std::string_view> lines_of(std::string_view text) {
  while (text.ends_with('\n')) text.remove_suffix(1);
  if (text.empty()) return {};
  return util::split(text, '\n');
}

}  // namespace

std::string line_diff(std::string_view before, std::string_view after) {
  const auto a = lines_of(before);
  const auto b = lines_of(after);
  if (a == b) return {};
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  std::vector<std::vector<std::size_t>> lcs(a.size() + 1, std::vector<std::size_t>(b.size() + 1, 0));
  for (std::size_t i = a.size(); i-- > 0;) {
    for (std::size_t j = b.size(); j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::string out;
  std::size_t i = 0;
  std::size_t j = 0;
  const auto emit = [&out](std::string_view prefix, std::string_view line) {
    out.append(prefix).append(line).append("\n");
  };
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i] == b[j]) {
      emit("  ", a[i++]);
      ++j;
    } else if (i < a.size() && (j == b.size() || lcs[i + 1][j] >= lcs[i][j + 1])) {
      emit("- ", a[i++]);
    } else {
      emit("+ ", b[j++]);
    }
  }
  return out;
}

}  // namespace eem::doctor
