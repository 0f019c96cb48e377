#include "bootstrap/inputs.h"

#include <array>
#include <cctype>
#include <cstdio>
#include <memory>

namespace eem::bootstrap {

namespace {

using util::ErrorKind;

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// One path component: [a-z0-9]+(?:[._-][a-z0-9]+)*.
bool valid_component(std::string_view part) {
  if (part.empty() || !lower_alnum(part.front()) || !lower_alnum(part.back())) return false;
  for (std::size_t i = 0; i < part.size(); ++i) {
    const char c = part[i];
    if (lower_alnum(c)) continue;
    if ((c == '.' || c == '_' || c == '-') && lower_alnum(part[i + 1])) continue;
    return false;
  }
  return true;
}

// "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app:latest" -> "app".
std::string name_in_uri(std::string_view uri) {
  if (const auto at = uri.find('@'); at != std::string_view::npos) uri = uri.substr(0, at);
  const auto slash = uri.find('/');
  std::string_view path = slash == std::string_view::npos ? uri : uri.substr(slash + 1);
  if (const auto colon = path.rfind(':'); colon != std::string_view::npos) path = path.substr(0, colon);
  return std::string(path);
}

bool all_of(std::string_view text, bool (*ok)(char)) {
  for (const char c : text) {
    if (!ok(c)) return false;
  }
  return true;
}

bool owner_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; }
bool repo_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'; }
bool ecs_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }
bool role_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("+=,.@_-").find(c) != std::string_view::npos;
}

}  // namespace

util::Result<void> validate_repository_name(std::string_view name) {
  const std::string quoted = "--repository \"" + std::string(name) + "\"";
  if (name.find(".dkr.ecr.") != std::string_view::npos || name.find("://") != std::string_view::npos) {
    return util::fail(ErrorKind::kInvalidInput, quoted + " is a full image URI; pass only the repository name: --repository " +
                                                    name_in_uri(name));
  }
  bool ok = name.size() >= 2 && name.size() <= 256;
  for (std::size_t start = 0; ok;) {
    const auto slash = name.find('/', start);
    ok = valid_component(name.substr(start, slash == std::string_view::npos ? name.npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (ok) return {};
  return util::fail(ErrorKind::kInvalidInput,
                    quoted + " is not a valid ECR repository name (2-256 characters: lower-case letters, digits, "
                             "and . _ - / between them)");
}

util::Result<void> validate_role_name(std::string_view name, std::string_view flag) {
  if (!name.empty() && name.size() <= 64 && all_of(name, role_char)) return {};
  return util::fail(ErrorKind::kInvalidInput, std::string(flag) + " \"" + std::string(name) +
                                                  "\" is not a valid IAM role name (1-64 characters of A-Z a-z 0-9 +=,.@_-)");
}

util::Result<void> validate_ecs_name(std::string_view flag, std::string_view name) {
  if (!name.empty() && name.size() <= 255 && all_of(name, ecs_char)) return {};
  return util::fail(ErrorKind::kInvalidInput, std::string(flag) + " \"" + std::string(name) +
                                                  "\" is not a valid ECS name (1-255 characters of A-Z a-z 0-9 _-)");
}

util::Result<void> validate_github_repo(std::string_view repo) {
  const auto slash = repo.find('/');
  const std::string_view owner = repo.substr(0, slash);
  const std::string_view name = slash == std::string_view::npos ? std::string_view() : repo.substr(slash + 1);
  const bool ok = slash != std::string_view::npos && !owner.empty() && owner.size() <= 39 && all_of(owner, owner_char) &&
                  !name.empty() && name.size() <= 100 && all_of(name, repo_char) && name != "." && name != "..";
  if (ok) return {};
  return util::fail(ErrorKind::kInvalidInput,
                    "--github-repo \"" + std::string(repo) + "\" is not OWNER/REPO (e.g. octo-org/ecs-express-mode-api)");
}

util::Result<std::string> parse_github_remote(std::string_view url) {
  std::string_view path;
  for (const std::string_view prefix : {"https://github.com/", "http://github.com/", "ssh://git@github.com/",
                                        "git@github.com:", "git://github.com/"}) {
    if (url.starts_with(prefix)) path = url.substr(prefix.size());
  }
  if (path.ends_with("/")) path.remove_suffix(1);
  if (path.ends_with(".git")) path.remove_suffix(4);
  if (path.empty() || !validate_github_repo(path)) {
    return util::fail(ErrorKind::kInvalidInput, "git remote origin \"" + std::string(url) +
                                                    "\" is not a github.com repository; pass --github-repo OWNER/REPO");
  }
  return std::string(path);
}

namespace {

// The first line `command` prints, or "" when it fails.
std::string git_output(const char* command) {
  const auto closer = [](std::FILE* file) { pclose(file); };
  std::unique_ptr<std::FILE, decltype(closer)> pipe(popen(command, "r"), closer);
  std::string output;
  if (pipe) {
    std::array<char, 512> buffer{};
    while (std::fgets(buffer.data(), buffer.size(), pipe.get()) != nullptr) output += buffer.data();
    const int status = pclose(pipe.release());
    if (status != 0) output.clear();
  }
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) output.pop_back();
  return output;
}

}  // namespace

util::Result<std::string> default_branch_from_git() {
  const std::string head = git_output("git symbolic-ref --quiet refs/remotes/origin/HEAD 2>/dev/null");
  constexpr std::string_view kPrefix = "refs/remotes/origin/";
  if (!head.starts_with(kPrefix) || head.size() == kPrefix.size()) {
    return util::fail(ErrorKind::kNotFound, "refs/remotes/origin/HEAD is not set (git remote set-head origin --auto sets it)");
  }
  return head.substr(kPrefix.size());
}

util::Result<std::string> github_repo_from_git() {
  const std::string output = git_output("git remote get-url origin 2>/dev/null");
  if (output.empty()) {
    return util::fail(ErrorKind::kInvalidInput,
                      "no GitHub repository: `git remote get-url origin` found no remote here; pass --github-repo OWNER/REPO");
  }
  return parse_github_remote(output);
}

}  // namespace eem::bootstrap
