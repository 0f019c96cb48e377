#include "iam/request_context.h"

#include "util/strings.h"

namespace eem::iam {

void RequestContext::add(std::string_view key, std::string value) {
  const std::string name = util::to_lower(key);
  auto& values = keys_[name];
  values.push_back(std::move(value));
  if (values.size() > 1) sets_[name] = true;
}

void RequestContext::add_set(std::string_view key, std::vector<std::string> values) {
  const std::string name = util::to_lower(key);
  keys_[name] = std::move(values);
  sets_[name] = true;
}

bool RequestContext::is_set(std::string_view key) const { return sets_.contains(util::to_lower(key)); }

const std::vector<std::string>* RequestContext::find(std::string_view key) const {
  const auto it = keys_.find(util::to_lower(key));
  return it == keys_.end() ? nullptr : &it->second;
}

namespace {

char fold(char c, CaseFold mode) {
  if (mode == CaseFold::kInsensitive && c >= 'A' && c <= 'Z') return static_cast<char>(c - 'A' + 'a');
  return c;
}

}  // namespace

// Iterative glob with single-star backtracking: linear in practice and free
// of the exponential blow-up a recursive matcher has on "a*a*a*a*b".
bool wildcard_match(std::string_view pattern, std::string_view text, CaseFold mode) {
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;
  std::size_t resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || fold(pattern[p], mode) == fold(text[t], mode))) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

namespace {

// "${aws:username, 'nobody'}" body without the braces -> value.
std::optional<std::string> resolve(std::string_view body, const RequestContext& context) {
  if (body == "*" || body == "?" || body == "$") return std::string(body);
  std::optional<std::string> fallback;
  if (const auto comma = body.find(','); comma != std::string_view::npos) {
    std::string_view rest = util::trim(body.substr(comma + 1));
    if (rest.size() >= 2 && rest.front() == '\'' && rest.back() == '\'') {
      fallback = std::string(rest.substr(1, rest.size() - 2));
    }
    body = util::trim(body.substr(0, comma));
  }
  const auto* values = context.find(body);
  // A multivalued key cannot be substituted; AWS treats it as absent.
  if (values != nullptr && values->size() == 1) return values->front();
  return fallback;
}

}  // namespace

std::optional<std::string> substitute_variables(std::string_view text, const RequestContext& context) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto open = text.find("${", pos);
    if (open == std::string_view::npos) break;
    const auto close = text.find('}', open + 2);
    if (close == std::string_view::npos) break;
    out.append(text.substr(pos, open - pos));
    auto value = resolve(text.substr(open + 2, close - open - 2), context);
    if (!value) return std::nullopt;
    out += *value;
    pos = close + 1;
  }
  out.append(text.substr(pos));
  return out;
}

}  // namespace eem::iam
