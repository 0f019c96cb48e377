#pragma once
// The shared config and credentials files (~/.aws/config, ~/.aws/credentials)
// as the SDKs read them: AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE move
// them, AWS_PROFILE picks the profile ("default" otherwise). In the config
// file profiles are "[profile NAME]" (except "[default]"); in the
// credentials file "[NAME]". Values from the credentials file win.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/environment.h"
#include "util/error.h"

namespace eem::aws {

using Profile = std::map<std::string, std::string, std::less<>>;

// Parses INI `text` into profiles; `config_file` selects the section naming
// rule. Keys are lower-cased; comments (# and ;) and blank lines skipped.
std::map<std::string, Profile, std::less<>> parse_profiles(std::string_view text, bool config_file);

class SharedConfig {
 public:
  // Reads both files (missing files are empty, unreadable ones an error).
  static util::Result<SharedConfig> load(const Env& env);
  static SharedConfig from_text(std::string_view config, std::string_view credentials);

  // The merged settings of `name`, nullopt when neither file has it.
  std::optional<Profile> profile(std::string_view name) const;
  // AWS_PROFILE, or "default".
  static std::string selected_profile(const Env& env);

 private:
  std::map<std::string, Profile, std::less<>> config_;
  std::map<std::string, Profile, std::less<>> credentials_;
};

// Where the SDKs read the two files: AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE,
// else ~/.aws/config and ~/.aws/credentials.
std::string config_file_path(const Env& env);
std::string credentials_file_path(const Env& env);

// A profile name a section header can hold: 1-64 of [A-Za-z0-9_.-].
bool is_valid_profile_name(std::string_view name);

// `text` (one of the two files) with section `header` ("default", "profile
// NAME" or "NAME") holding `values`: those keys are set where they are, or
// added at the end of the section; other keys, sections and comments are
// kept; the section is appended when absent.
std::string with_profile_values(std::string_view text, std::string_view header,
                                const std::vector<std::pair<std::string, std::string>>& values);

// The region, as the SDKs resolve it: `explicit_region` (--region), then
// AWS_REGION, AWS_DEFAULT_REGION, then the selected profile's `region`.
// Fails with kInvalidInput ("no AWS region: pass --region or set AWS_REGION")
// when none is set.
util::Result<std::string> resolve_region(const Env& env, std::string_view explicit_region = {});

}  // namespace eem::aws
