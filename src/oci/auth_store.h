#pragma once
// Writing registry credentials into the auth files docker and podman read
// (`shipctl login`), and taking them out again (`shipctl logout`). Files are
// replaced atomically (a 0600 temporary in the same directory, then rename),
// so a failure leaves the old file intact and the secret is never readable by
// others, not even for a moment. Other entries and keys are preserved. A
// symlinked file is written through its link, as docker and podman do.

#include <filesystem>
#include <optional>
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

// Where docker gets `registry`'s credentials from a config.json: a
// credential helper (docker-credential-<helper>) named by credHelpers or
// credsStore, or, when `helper` is empty, the file's auths entry.
struct CredentialRoute {
  std::string helper;
  std::string key;  // "credHelpers", "credsStore", or empty
};

// Docker's rule (docker/cli config/configfile, getConfiguredCredentialStore):
// credHelpers[`registry`] when present, even empty (an empty value sends
// docker back to the file), else credsStore. kInvalidInput as store_auth_entry.
util::Result<CredentialRoute> docker_credential_route(const std::filesystem::path& file, std::string_view registry);

// kYes: also set credHelpers[registry] = "", so docker reads this file's
// entry for that registry instead of asking its credsStore helper.
enum class BypassCredsStore { kNo, kYes };

// Sets auths[`registry`] = {"auth": ...} in `file` (created with its parent
// directory when missing). Fails with kInvalidInput, changing nothing, when
// the file exists but is not a JSON object.
util::Result<void> store_auth_entry(const std::filesystem::path& file, std::string_view registry,
                                    const Credentials& credentials, BypassCredsStore bypass = BypassCredsStore::kNo);

enum class Removed { kYes, kNotPresent, kChanged };

// Removes auths[`registry`] from `file` when its "auth" value still has
// `fingerprint` (kChanged, nothing removed, when someone logged in since),
// and with kYes the empty credHelpers[registry] that login set.
util::Result<Removed> remove_auth_entry(const std::filesystem::path& file, std::string_view registry,
                                        std::string_view fingerprint, BypassCredsStore bypass = BypassCredsStore::kNo);

// The file a write to `file` lands in: `file` itself, or the end of its chain
// of symlinks (relative links resolved from their own directory; a dangling
// link names the file to create, as docker's config Save() allows).
// kInvalidInput for a loop, or a target that exists and is not a regular
// file (a directory, /dev/null, a FIFO): never read nor renamed over.
util::Result<std::filesystem::path> write_target(const std::filesystem::path& file);

// Replaces write_target(`file`) with `content`: a temporary in the target's
// directory (so rename never crosses file systems), flushed, then renamed
// over it. A new file gets `mode`; an existing one keeps its owner, group and
// owner permission bits, without group and other bits (it holds a secret).
// Parent directories are created 0700 when missing.
util::Result<void> replace_file(const std::filesystem::path& file, std::string_view content, unsigned mode);

// What `file` held before a change (nullopt: it did not exist), so a login
// that fails half-way puts every file back as it was.
struct FileSnapshot {
  std::filesystem::path file;
  std::optional<std::string> content;
};
util::Result<FileSnapshot> snapshot_file(const std::filesystem::path& file);

// Puts `snapshot` back (removes the file when it did not exist); best effort,
// for the failure path.
void restore_file(const FileSnapshot& snapshot);

}  // namespace eem::oci
