#pragma once
// Writing registry credentials into the auth files docker and podman read
// (`shipctl login`), and taking them out again (`shipctl logout`). Files are
// replaced atomically (a 0600 temporary in the same directory, then rename),
// so a failure leaves the old file intact and the secret is never readable by
// others, not even for a moment. Other entries and keys are preserved.

#include <filesystem>
#include <string>
#include <string_view>

#include "oci/auth.h"
#include "util/env.h"
#include "util/error.h"

namespace eem::oci {

// Which auth files `login` writes.
struct AuthFilePaths {
  std::filesystem::path docker;      // $DOCKER_CONFIG/config.json, else ~/.docker/config.json
  std::filesystem::path containers;  // $REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json,
                                     // else ${XDG_CONFIG_HOME:-~/.config}/containers/auth.json
};

// Resolves both paths from `env` (podman's and docker's documented order);
// both are in auth_file_search_order(env), so push reads what login wrote.
// kInvalidInput when neither the variables nor HOME say where they are.
util::Result<AuthFilePaths> default_auth_file_paths(const util::EnvLookup& env);

// The value stored under "auth": base64("user:password").
std::string auth_value(const Credentials& credentials);

// A fingerprint of an "auth" value (hex SHA-256, first 16 bytes), recorded
// instead of the secret so logout can tell its own entry from a newer one.
std::string auth_fingerprint(std::string_view auth);

// Sets auths[`registry`] = {"auth": ...} in `file` (created with its parent
// directory when missing). Fails with kInvalidInput, changing nothing, when
// the file exists but is not a JSON object.
util::Result<void> store_auth_entry(const std::filesystem::path& file, std::string_view registry,
                                    const Credentials& credentials);

enum class Removed { kYes, kNotPresent, kChanged };

// Removes auths[`registry`] from `file` when its "auth" value still has
// `fingerprint` (kChanged, nothing removed, when someone logged in since).
util::Result<Removed> remove_auth_entry(const std::filesystem::path& file, std::string_view registry,
                                        std::string_view fingerprint);

// Replaces `file` with `content`: a temporary created with `mode` in the same
// directory, flushed, then renamed over it. Parent directories are created
// 0700 when missing.
util::Result<void> replace_file(const std::filesystem::path& file, std::string_view content, unsigned mode);

}  // namespace eem::oci
