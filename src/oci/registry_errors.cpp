// Registry error responses (OCI distribution spec, "Error Codes") mapped to
// error kinds and to messages that say what to do. ECR specifics from the
// ECR user guide ("Troubleshooting Docker commands") and DESIGN.md §3.
#include <nlohmann/json.hpp>

#include "oci/registry.h"

namespace eem::oci {

namespace {

using util::ErrorKind;

struct CodeInfo {
  std::string_view code;
  ErrorKind kind;
  std::string_view advice;  // appended after the registry's own message
};

constexpr CodeInfo kCodes[] = {
    {"NAME_UNKNOWN", ErrorKind::kNotFound, "the repository must exist before a push"},
    {"NAME_INVALID", ErrorKind::kInvalidInput, "check the repository name"},
    {"DENIED", ErrorKind::kDenied, "the credentials lack push permission on this repository"},
    {"UNAUTHORIZED", ErrorKind::kDenied,
     "authenticate with --username/--password-stdin or shipctl login"},
    {"TAG_INVALID", ErrorKind::kConflict,
     "the tag is invalid or already exists in a repository with immutable tags; push a new tag"},
    {"MANIFEST_INVALID", ErrorKind::kInvalidInput, "the registry rejected the manifest"},
    // Every blob was checked or uploaded before the manifest: the registry
    // has not (yet) got one it reported or accepted. A backend that is only
    // eventually consistent catches up; otherwise a new push checks and
    // uploads the blobs again. So: transient, not "repository not found".
    {"MANIFEST_BLOB_UNKNOWN", ErrorKind::kTransient,
     "the registry does not have a blob the manifest references, although it reported or accepted it; push "
     "again (blobs are checked and uploaded anew)"},
    {"BLOB_UNKNOWN", ErrorKind::kNotFound, "the blob is not in the repository"},
    {"BLOB_UPLOAD_UNKNOWN", ErrorKind::kTransient, "the upload session expired; it is restarted"},
    {"BLOB_UPLOAD_INVALID", ErrorKind::kTransient, "the upload was rejected; it is restarted"},
    // Blobs are hashed before upload (push.h, step 4), so a mismatch at the
    // registry is corruption on the way: sent again, it usually arrives whole.
    {"DIGEST_INVALID", ErrorKind::kTransient,
     "the blob arrived corrupted (it matched its digest before upload); if this persists, check the proxies "
     "between here and the registry"},
    {"SIZE_INVALID", ErrorKind::kInvalidInput, "the uploaded size does not match the descriptor"},
    {"TOOMANYREQUESTS", ErrorKind::kThrottled, "the registry is throttling requests"},
    {"UNSUPPORTED", ErrorKind::kUnsupported, "the registry does not support this operation"},
};

ErrorKind kind_for_status(int status) {
  if (status == 401 || status == 403) return ErrorKind::kDenied;
  if (status == 404) return ErrorKind::kNotFound;
  if (status == 408 || status >= 500) return ErrorKind::kTransient;
  if (status == 429) return ErrorKind::kThrottled;
  if (status == 409) return ErrorKind::kConflict;
  return ErrorKind::kInvalidInput;
}

std::string ecr_name_unknown(const Endpoint& e) {
  return ecr_missing_repository(e.repository, e.ecr->account, e.ecr->region) +
         "; the repository is the name only, not the full URI, and the region in the registry host must be "
         "the repository's region";
}

}  // namespace

std::string ecr_missing_repository(std::string_view repository, std::string_view registry_id,
                                   std::string_view region) {
  const std::string repo(repository), reg(region);
  return "repository " + repo + " does not exist in registry " + std::string(registry_id) + " (region " + reg +
         "); create it with `shipctl bootstrap --apply` or `aws ecr create-repository --repository-name " + repo +
         " --region " + reg + "`";
}

util::Error registry_error(const net::Response& response, std::string_view what, const Endpoint& endpoint) {
  const std::string host = split_url(endpoint.base).host;
  std::string message = std::string(what) + ": HTTP " + std::to_string(response.status) + " from " + host;
  ErrorKind kind = kind_for_status(response.status);
  const auto doc = nlohmann::json::parse(response.body, nullptr, false);
  if (doc.is_object() && doc.contains("errors") && doc["errors"].is_array() && !doc["errors"].empty()) {
    const auto& first = doc["errors"][0];
    const std::string code = first.is_object() ? first.value("code", "") : "";
    const std::string text = first.is_object() && first.contains("message") && first["message"].is_string()
                                 ? first["message"].get<std::string>() : "";
    message += ": " + code + (text.empty() ? "" : " (" + text + ")");
    for (const auto& info : kCodes) {
      if (info.code != code) continue;
      kind = info.kind;
      if (code == "NAME_UNKNOWN" && endpoint.ecr) {
        message += ": " + ecr_name_unknown(endpoint);
      } else {
        message += ": " + std::string(info.advice);
      }
      break;
    }
  } else if (response.status == 404 && endpoint.ecr) {
    message += ": " + ecr_name_unknown(endpoint);
  }
  return util::Error{kind, std::move(message)};
}

}  // namespace eem::oci
