#include "aws/profiles.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "util/strings.h"

namespace eem::aws {

namespace {

std::string home_path(const Env& env, std::string_view relative) {
  return env("HOME").value_or("") + std::string(relative);
}

util::Result<std::string> read_optional_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::string();  // absent: no profiles, as in the SDKs
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return util::fail(util::ErrorKind::kIo, "cannot read " + path);
  return text.str();
}

}  // namespace

std::map<std::string, Profile, std::less<>> parse_profiles(std::string_view text, bool config_file) {
  std::map<std::string, Profile, std::less<>> profiles;
  Profile* current = nullptr;
  for (auto line : util::split(text, '\n')) {
    line = util::trim(line);
    if (!line.empty() && line.back() == '\r') line = util::trim(line.substr(0, line.size() - 1));
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      std::string_view name = util::trim(line.substr(1, line.size() - 2));
      current = nullptr;
      if (config_file && name != "default") {
        if (!name.starts_with("profile ")) continue;  // [sso-session x], [services x]
        name = util::trim(name.substr(8));
      }
      current = &profiles[std::string(name)];
      continue;
    }
    const auto equals = line.find('=');
    if (current == nullptr || equals == std::string_view::npos) continue;
    (*current)[util::to_lower(util::trim(line.substr(0, equals)))] = std::string(util::trim(line.substr(equals + 1)));
  }
  return profiles;
}

std::string config_file_path(const Env& env) {
  return env("AWS_CONFIG_FILE").value_or(home_path(env, "/.aws/config"));
}

std::string credentials_file_path(const Env& env) {
  return env("AWS_SHARED_CREDENTIALS_FILE").value_or(home_path(env, "/.aws/credentials"));
}

bool is_valid_profile_name(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-';
  });
}

namespace {

bool is_header(std::string_view line) { return line.size() >= 2 && line.front() == '[' && line.back() == ']'; }

std::string_view key_of(std::string_view line) {
  const auto equals = line.find('=');
  return equals == std::string_view::npos ? std::string_view() : util::trim(line.substr(0, equals));
}

}  // namespace

std::string with_profile_values(std::string_view text, std::string_view header,
                                const std::vector<std::pair<std::string, std::string>>& values) {
  std::vector<std::string> lines;
  for (const auto line : util::split(text, '\n')) lines.emplace_back(line);
  if (!lines.empty() && lines.back().empty()) lines.pop_back();  // the final newline
  std::vector<bool> done(values.size(), false);
  std::size_t end = lines.size();  // one past the section's last key line
  bool inside = false, found = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string_view line = util::trim(lines[i]);
    if (is_header(line)) {
      if (inside) break;
      inside = util::trim(line.substr(1, line.size() - 2)) == header;
      found = found || inside;
      end = i + 1;
      continue;
    }
    if (!inside) continue;
    if (!line.empty() && line[0] != '#' && line[0] != ';') end = i + 1;
    const std::string key = util::to_lower(key_of(line));  // `line` views lines[i], rewritten below
    for (std::size_t v = 0; v < values.size(); ++v) {
      if (key != values[v].first) continue;
      lines[i] = values[v].first + " = " + values[v].second;
      done[v] = true;
    }
  }
  std::vector<std::string> added;
  for (std::size_t v = 0; v < values.size(); ++v) {
    if (!done[v]) added.push_back(values[v].first + " = " + values[v].second);
  }
  if (!found) {
    if (!lines.empty() && !util::trim(lines.back()).empty()) lines.emplace_back();
    lines.push_back("[" + std::string(header) + "]");
    end = lines.size();
  }
  lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(end), added.begin(), added.end());
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

util::Result<SharedConfig> SharedConfig::load(const Env& env) {
  const std::string config_path = config_file_path(env);
  const std::string credentials_path = credentials_file_path(env);
  auto config = read_optional_file(config_path);
  if (!config) return std::unexpected(config.error());
  auto credentials = read_optional_file(credentials_path);
  if (!credentials) return std::unexpected(credentials.error());
  return from_text(*config, *credentials);
}

SharedConfig SharedConfig::from_text(std::string_view config, std::string_view credentials) {
  SharedConfig shared;
  shared.config_ = parse_profiles(config, true);
  shared.credentials_ = parse_profiles(credentials, false);
  return shared;
}

std::optional<Profile> SharedConfig::profile(std::string_view name) const {
  const auto in_config = config_.find(name);
  const auto in_credentials = credentials_.find(name);
  if (in_config == config_.end() && in_credentials == credentials_.end()) return std::nullopt;
  Profile merged = in_config == config_.end() ? Profile{} : in_config->second;
  if (in_credentials != credentials_.end()) {
    for (const auto& [key, value] : in_credentials->second) merged[key] = value;
  }
  return merged;
}

std::string SharedConfig::selected_profile(const Env& env) { return env("AWS_PROFILE").value_or("default"); }

util::Result<std::string> resolve_region(const Env& env, std::string_view explicit_region) {
  if (!explicit_region.empty()) return std::string(explicit_region);
  if (auto region = env("AWS_REGION")) return *region;
  if (auto region = env("AWS_DEFAULT_REGION")) return *region;
  if (auto shared = SharedConfig::load(env)) {
    if (auto profile = shared->profile(SharedConfig::selected_profile(env))) {
      if (const auto found = profile->find("region"); found != profile->end() && !found->second.empty()) {
        return found->second;
      }
    }
  }
  return util::fail(util::ErrorKind::kInvalidInput, "no AWS region: pass --region or set AWS_REGION");
}

}  // namespace eem::aws
