#pragma once
// What `shipctl login` wrote, kept in $XDG_STATE_HOME/shipctl/logins.json
// (else ~/.local/state/shipctl/logins.json), so that `logout` removes only
// its own entries and `doctor` can tell a missing login from an expired one.
// The file holds no secret: only a fingerprint of each auth value.
//
//   {"version": 1, "logins": [{"registry": "1234.dkr.ecr.r.amazonaws.com",
//     "obtained_at": "2026-...Z", "expires_at": "2026-...Z",
//     "expiry_source": "service"|"assumed",
//     "files": [{"path": "/root/.docker/config.json", "fingerprint": "ab12...",
//                "bypassed_creds_store": true}]}]}   (the last key only when set)

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "util/env.h"
#include "util/error.h"

namespace eem::oci {

struct WrittenEntry {
  std::string path;         // the auth file
  std::string fingerprint;  // auth_fingerprint() of the value written
  bool bypassed_creds_store = false;  // login set credHelpers[registry] = "" there
};

// Where the expiry came from: the service's expiresAt, or obtained_at plus
// ECR's documented 12 hours when the service gave none or one already past
// (moto answers 2015-01-01 for every token).
enum class ExpirySource { kService, kAssumed };

struct LoginRecord {
  std::string registry;
  std::chrono::system_clock::time_point obtained_at;
  std::chrono::system_clock::time_point expires_at;
  ExpirySource expiry_source = ExpirySource::kService;
  std::vector<WrittenEntry> files;

  bool expired(std::chrono::system_clock::time_point now) const { return now >= expires_at; }
};

// $XDG_STATE_HOME/shipctl/logins.json, else $HOME/.local/state/shipctl/logins.json.
util::Result<std::filesystem::path> login_records_path(const util::EnvLookup& env);

// Every record in `file`; empty when the file does not exist. kInvalidInput
// when it is not the format above.
util::Result<std::vector<LoginRecord>> read_login_records(const std::filesystem::path& file);

// Replaces `file` (temporary + rename) with `records`.
util::Result<void> write_login_records(const std::filesystem::path& file, const std::vector<LoginRecord>& records);

// "2026-05-01T12:00:00Z".
std::string format_utc(std::chrono::system_clock::time_point t);

}  // namespace eem::oci
