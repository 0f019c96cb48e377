#include "oci/reference.h"

#include <algorithm>
#include <cctype>

#include "util/strings.h"

namespace eem::oci {

namespace {

using util::ErrorKind;
using util::fail;

// distribution/reference: the whole name is limited to 255 characters.
constexpr std::size_t kMaxNameLength = 255;
constexpr std::size_t kMaxTagLength = 128;

bool is_lower_alnum(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_word(char c) noexcept {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// A component looks like a registry host when it has a '.' or a ':' or is
// "localhost", the rule docker and distribution use to split off a domain.
bool looks_like_host(std::string_view component) {
  return component.find_first_of(".:") != std::string_view::npos || component == "localhost";
}

bool valid_host(std::string_view host) {
  if (host.empty()) return false;
  return std::ranges::all_of(host, [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == ':' ||
           c == '[' || c == ']';
  });
}

// path-component := [a-z0-9]+ (( "." | "_" | "__" | "-"+ ) [a-z0-9]+)*
bool valid_component(std::string_view c) {
  if (c.empty() || !is_lower_alnum(c.front()) || !is_lower_alnum(c.back())) return false;
  for (std::size_t i = 0; i < c.size();) {
    if (is_lower_alnum(c[i])) { ++i; continue; }
    std::size_t j = i;
    while (j < c.size() && !is_lower_alnum(c[j])) ++j;
    const std::string_view sep = c.substr(i, j - i);
    const bool dashes = std::ranges::all_of(sep, [](char x) { return x == '-'; });
    if (!(sep == "." || sep == "_" || sep == "__" || dashes)) return false;
    i = j;
  }
  return true;
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

util::Result<std::string> parse_repository(std::string_view text, std::string_view repo) {
  const std::string prefix = "image reference " + quoted(text) + ": ";
  if (repo.empty()) return fail(ErrorKind::kInvalidInput, prefix + "the repository name is empty");
  for (const auto component : util::split(repo, '/')) {
    if (looks_like_host(component) && parse_ecr_host(component)) {
      const auto after = repo.substr(repo.find(component) + component.size());
      return fail(ErrorKind::kInvalidInput,
                  prefix + "the repository " + quoted(repo) + " contains the registry host " +
                      quoted(component) + "; the repository is only the part after the host" +
                      (after.size() > 1 ? " (" + quoted(after.substr(1)) + ")" : std::string()));
    }
    if (util::to_lower(component) != component) {
      return fail(ErrorKind::kInvalidInput,
                  prefix + "repository names must be lower case: " + quoted(repo));
    }
    if (!valid_component(component)) {
      return fail(ErrorKind::kInvalidInput,
                  prefix + "invalid repository path component " + quoted(component) +
                      ": use lower-case letters and digits separated by '.', '_', '__' or '-'");
    }
  }
  return std::string(repo);
}

}  // namespace

util::Result<std::string> parse_tag(std::string_view text) {
  if (text.empty() || text.size() > kMaxTagLength || !is_word(text.front()) ||
      !std::ranges::all_of(text, [](char c) { return is_word(c) || c == '.' || c == '-'; })) {
    return fail(ErrorKind::kInvalidInput,
                "invalid tag " + quoted(text) +
                    ": use up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'");
  }
  return std::string(text);
}

std::optional<EcrRegistry> parse_ecr_host(std::string_view host) {
  // <account>.dkr.ecr.<region>.amazonaws.com (AWS docs, "Amazon ECR private
  // registry"); FIPS endpoints use dkr.ecr-fips; China regions end in .com.cn.
  const auto parts = util::split(host, '.');
  if (parts.size() < 6 || parts[1] != "dkr" || (parts[2] != "ecr" && parts[2] != "ecr-fips")) {
    return std::nullopt;
  }
  if (parts[4] != "amazonaws" || parts[5] != "com") return std::nullopt;
  if (parts[0].size() != 12 || !std::ranges::all_of(parts[0], [](char c) {
        return c >= '0' && c <= '9';
      })) {
    return std::nullopt;
  }
  return EcrRegistry{std::string(parts[0]), std::string(parts[3])};
}

util::Result<ImageRef> ImageRef::parse(std::string_view text) {
  const std::string prefix = "image reference " + quoted(text) + ": ";
  if (text.empty()) return fail(ErrorKind::kInvalidInput, "image reference is empty");
  if (const auto scheme = text.find("://"); scheme != std::string_view::npos) {
    return fail(ErrorKind::kInvalidInput,
                prefix + "remove the scheme " + quoted(text.substr(0, scheme + 3)) +
                    "; write REGISTRY/REPOSITORY:TAG");
  }
  ImageRef ref;
  std::string_view rest = text;
  if (const auto at = rest.find('@'); at != std::string_view::npos) {
    auto digest = Digest::parse(rest.substr(at + 1));
    if (!digest) return std::unexpected(digest.error().with_context("image reference " + quoted(text)));
    ref.digest = std::move(*digest);
    rest = rest.substr(0, at);
  }
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos || !looks_like_host(rest.substr(0, slash))) {
    return fail(ErrorKind::kInvalidInput,
                prefix + "no registry host; write REGISTRY/REPOSITORY:TAG, for example "
                         "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/" +
                    std::string(rest.substr(0, rest.find(':'))));
  }
  ref.registry = std::string(rest.substr(0, slash));
  if (!valid_host(ref.registry)) {
    return fail(ErrorKind::kInvalidInput, prefix + "invalid registry host " + quoted(ref.registry));
  }
  std::string_view path = rest.substr(slash + 1);
  if (const auto colon = path.rfind(':'); colon != std::string_view::npos) {
    auto tag = parse_tag(path.substr(colon + 1));
    if (!tag) return std::unexpected(tag.error().with_context("image reference " + quoted(text)));
    ref.tag = std::move(*tag);
    path = path.substr(0, colon);
  }
  auto repo = parse_repository(text, path);
  if (!repo) return std::unexpected(repo.error());
  ref.repository = std::move(*repo);
  if (ref.name().size() > kMaxNameLength) {
    return fail(ErrorKind::kInvalidInput, prefix + "the name is longer than 255 characters");
  }
  return ref;
}

std::string ImageRef::str() const {
  std::string out = name();
  if (tag) out += ":" + *tag;
  if (digest) out += "@" + digest->str();
  return out;
}

std::optional<EcrRegistry> ImageRef::ecr() const { return parse_ecr_host(registry); }

}  // namespace eem::oci
