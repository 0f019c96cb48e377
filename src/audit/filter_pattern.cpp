// Matching is dynamic programming over (pattern token, name position), so a
// hostile pattern costs at most tokens x characters steps (no backtracking
// regex); patterns and names over kMaxLength match nothing.
#include "audit/filter_pattern.h"

#include <cstddef>

namespace eem::audit {

namespace {

// Git allows longer ref names, but GitHub's filters on them are not worth a
// quadratic walk; 1024 covers any branch a person types.
constexpr std::size_t kMaxLength = 1024;

enum class Kind { kChar, kClass, kStar, kDoubleStar, kDirs };  // kDirs: "**/", any run of whole directories
enum class Quant { kOne, kOptional, kOneOrMore };

struct Token {
  Kind kind = Kind::kChar;
  std::string chars;  // kChar: the character; kClass: every character of the class
  Quant quant = Quant::kOne;
};

bool in_range(char a, char b) {
  const auto both = [&](char lo, char hi) { return a >= lo && a <= hi && b >= lo && b <= hi && a <= b; };
  return both('a', 'z') || both('A', 'Z') || both('0', '9');
}

// Parses "[...]" from `p[i]` == '['; false when it is empty or unclosed.
bool parse_class(std::string_view p, std::size_t& i, Token& token) {
  token.kind = Kind::kClass;
  std::size_t j = i + 1;
  for (; j < p.size() && p[j] != ']'; ++j) {
    if (p[j] == '-' && !token.chars.empty() && j + 1 < p.size() && p[j + 1] != ']') {
      const char from = token.chars.back();
      const char to = p[j + 1];
      if (!in_range(from, to)) return false;
      for (char c = static_cast<char>(from + 1); c <= to; ++c) token.chars += c;
      ++j;
      continue;
    }
    token.chars += p[j];
  }
  if (j >= p.size() || token.chars.empty()) return false;
  i = j + 1;
  return true;
}

void parse_star(std::string_view p, std::size_t& i, std::vector<Token>& out) {
  if (i + 1 < p.size() && p[i + 1] == '*') {
    const bool dirs = i + 2 < p.size() && p[i + 2] == '/';
    out.push_back({dirs ? Kind::kDirs : Kind::kDoubleStar, {}, Quant::kOne});
    i += dirs ? 3 : 2;
    return;
  }
  out.push_back({Kind::kStar, {}, Quant::kOne});
  ++i;
}

bool quantifiable(const std::vector<Token>& out) {
  return !out.empty() && (out.back().kind == Kind::kChar || out.back().kind == Kind::kClass) &&
         out.back().quant == Quant::kOne;
}

// The tokens of `p`; false when it is malformed.
bool tokenize(std::string_view p, std::vector<Token>& out) {
  for (std::size_t i = 0; i < p.size();) {
    const char c = p[i];
    if (c == '*') {
      parse_star(p, i, out);
    } else if ((c == '?' || c == '+') && quantifiable(out)) {
      out.back().quant = c == '?' ? Quant::kOptional : Quant::kOneOrMore;
      ++i;
    } else if ((c == '?' || c == '+') && !out.empty()) {
      ++i;  // after a wildcard or a quantifier: the same names (act's regex reads it as lazy)
    } else if (c == '[') {
      Token token;
      if (!parse_class(p, i, token)) return false;
      out.push_back(std::move(token));
    } else if (c == '\\') {
      if (i + 1 >= p.size()) return false;
      out.push_back({Kind::kChar, std::string(1, p[i + 1]), Quant::kOne});
      i += 2;
    } else {
      out.push_back({Kind::kChar, std::string(1, c), Quant::kOne});
      ++i;
    }
  }
  return true;
}

// One row of the table: which suffixes of `name` the tokens from `t` on
// match, given `next`, the row of t + 1.
std::vector<char> row(const Token& token, std::string_view name, const std::vector<char>& next) {
  const std::size_t n = name.size();
  std::vector<char> cur(n + 1, 0);
  bool dirs_after = false;  // kDirs: some k > i + 1 with name[k-1] == '/' and next[k]
  for (std::size_t i = n + 1; i-- > 0;) {
    const bool has = i < n;
    const bool ok = has && token.chars.find(name[i]) != std::string::npos;
    switch (token.kind) {
      case Kind::kStar: cur[i] = next[i] || (has && name[i] != '/' && cur[i + 1]); break;
      case Kind::kDoubleStar: cur[i] = next[i] || (has && cur[i + 1]); break;
      case Kind::kDirs:
        if (i + 2 <= n && name[i + 1] == '/' && next[i + 2]) dirs_after = true;
        cur[i] = next[i] || dirs_after;
        break;
      case Kind::kChar:
      case Kind::kClass:
        if (token.quant == Quant::kOne) cur[i] = ok && next[i + 1];
        if (token.quant == Quant::kOptional) cur[i] = next[i] || (ok && next[i + 1]);
        if (token.quant == Quant::kOneOrMore) cur[i] = ok && (next[i + 1] || cur[i + 1]);
        break;
    }
  }
  return cur;
}

}  // namespace

bool filter_match(std::string_view pattern, std::string_view name) {
  if (pattern.size() > kMaxLength || name.size() > kMaxLength) return false;
  std::vector<Token> tokens;
  if (!tokenize(pattern, tokens)) return false;
  std::vector<char> next(name.size() + 1, 0);
  next[name.size()] = 1;  // no tokens left match only the empty rest
  for (std::size_t t = tokens.size(); t-- > 0;) next = row(tokens[t], name, next);
  return next[0] != 0;
}

bool filter_list_match(const std::vector<std::string>& patterns, std::string_view name) {
  bool matched = false;
  for (const auto& p : patterns) {
    const bool negative = p.starts_with('!');
    if (filter_match(negative ? std::string_view(p).substr(1) : std::string_view(p), name)) matched = !negative;
  }
  return matched;
}

bool filter_is_glob(std::string_view pattern) { return pattern.find_first_of("*?+[\\") != std::string_view::npos; }

std::string filter_example(std::string_view pattern) {
  std::vector<Token> tokens;
  if (!tokenize(pattern, tokens)) return std::string(pattern);
  std::string out;
  for (const auto& t : tokens) {
    if (t.kind == Kind::kStar || t.kind == Kind::kDoubleStar) out += 'x';
    if ((t.kind == Kind::kChar || t.kind == Kind::kClass) && t.quant != Quant::kOptional) out += t.chars.front();
  }
  return out;
}

std::string filter_to_iam(std::string_view pattern, bool& exact) {
  std::vector<Token> tokens;
  exact = tokenize(pattern, tokens);
  if (!exact) return "*";
  std::string out;
  const auto star = [&out] {
    if (!out.ends_with('*')) out += '*';
  };
  for (const auto& t : tokens) {
    const char c = t.chars.empty() ? '\0' : t.chars.front();
    const bool plain = t.kind == Kind::kChar && t.quant == Quant::kOne && c != '*' && c != '?' && c != '$';
    if (plain) {
      out += c;
      continue;
    }
    // '*' in IAM also crosses '/', and a class or quantifier has no IAM form.
    exact = false;
    star();
  }
  return out;
}

}  // namespace eem::audit
