#include "github/client.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "crypto/base64.h"
#include "crypto/sealed_box.h"

namespace eem::github {

namespace {

using nlohmann::json;
using util::ErrorKind;

// GitHub's REST API version header (docs: "API Versions").
constexpr std::string_view kApiVersion = "2022-11-28";

ErrorKind kind_of(const net::Response& response) {
  const auto remaining = response.header("x-ratelimit-remaining");
  if (response.status == 429 || (response.status == 403 && remaining && *remaining == "0")) return ErrorKind::kThrottled;
  if (response.status == 401 || response.status == 403) return ErrorKind::kDenied;
  if (response.status == 404) return ErrorKind::kNotFound;
  if (response.status == 422 || response.status == 400) return ErrorKind::kInvalidInput;
  if (response.status >= 500) return ErrorKind::kTransient;
  return ErrorKind::kInternal;
}

// GitHub error bodies are {"message": "...", "documentation_url": "..."}.
std::string message_of(const net::Response& response) {
  const json body = json::parse(response.body, nullptr, false);
  if (body.is_object() && body.contains("message") && body["message"].is_string()) {
    return body["message"].get<std::string>();
  }
  return "no message";
}

// OWNER/REPO with GitHub's name characters only, so it is safe in a path.
util::Result<void> check_owner_repo(std::string_view owner_repo) {
  const auto slash = owner_repo.find('/');
  const bool chars_ok = std::all_of(owner_repo.begin(), owner_repo.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/';
  });
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == owner_repo.size() ||
      owner_repo.find('/', slash + 1) != std::string_view::npos || !chars_ok) {
    return util::fail(ErrorKind::kInvalidInput, "\"" + std::string(owner_repo) + "\" is not OWNER/REPO");
  }
  return {};
}

// An organization (or user) login: GitHub's name characters only.
util::Result<void> check_owner(std::string_view owner) {
  const bool chars_ok = std::all_of(owner.begin(), owner.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
  if (owner.empty() || !chars_ok || owner == "." || owner == "..") {
    return util::fail(ErrorKind::kInvalidInput, "\"" + std::string(owner) + "\" is not a GitHub owner name");
  }
  return {};
}

std::vector<std::string> string_list(const json& body, const char* key) {
  std::vector<std::string> out;
  if (!body.contains(key) || !body[key].is_array()) return out;
  for (const auto& item : body[key]) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

std::optional<bool> optional_bool(const json& body, const char* key) {
  if (body.contains(key) && body[key].is_boolean()) return body[key].get<bool>();
  return std::nullopt;
}

util::Result<json> parse_object(const std::string& text, const std::string& what) {
  json body = json::parse(text, nullptr, false);
  if (!body.is_object()) return util::fail(ErrorKind::kTransient, "GitHub API " + what + ": response is not a JSON object");
  return body;
}

std::string id_text(const json& value) {
  return value.is_number_integer() ? std::to_string(value.get<std::int64_t>()) : std::string();
}

}  // namespace

std::string api_url(const util::EnvLookup& env) {
  std::string url = env("GITHUB_API_URL").value_or("");
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url.empty() ? std::string(kDefaultApiUrl) : url;
}

Client::Client(net::HttpClient& http, std::string base_url, std::string token)
    : http_(&http), base_url_(std::move(base_url)), token_(std::move(token)) {}

util::Result<std::string> Client::call(std::string_view method, const std::string& path, std::string body) {
  net::Request request;
  request.method = std::string(method);
  request.url = base_url_ + path;
  request.headers = {{"Authorization", "Bearer " + token_},
                     {"Accept", "application/vnd.github+json"},
                     {"X-GitHub-Api-Version", std::string(kApiVersion)}};
  if (!body.empty()) request.headers.push_back({"Content-Type", "application/json"});
  request.body = std::move(body);
  const std::string what = std::string(method) + " " + path;
  auto response = http_->send(request);
  if (!response) return std::unexpected(response.error().with_context("GitHub API " + what));
  if (response->status >= 200 && response->status < 300) return std::move(response->body);
  return util::fail(kind_of(*response), "GitHub API " + what + ": HTTP " + std::to_string(response->status) + ": " +
                                            message_of(*response));
}

util::Result<RepositoryInfo> Client::repository(std::string_view owner_repo) {
  if (auto ok = check_owner_repo(owner_repo); !ok) return std::unexpected(ok.error());
  const std::string path = "/repos/" + std::string(owner_repo);
  auto text = call("GET", path);
  if (!text) return std::unexpected(text.error());
  auto body = parse_object(*text, "GET " + path);
  if (!body) return std::unexpected(body.error());
  RepositoryInfo info;
  info.full_name = body->value("full_name", "");
  info.repo_id = id_text(body->value("id", json()));
  info.owner_id = id_text(body->value("owner", json::object()).value("id", json()));
  info.created_at = body->value("created_at", "");
  if (info.repo_id.empty() || info.owner_id.empty()) {
    return util::fail(ErrorKind::kTransient, "GitHub API GET " + path + ": response has no id or owner.id");
  }
  return info;
}

util::Result<SubjectCustomization> Client::oidc_subject_customization(std::string_view owner_repo) {
  if (auto ok = check_owner_repo(owner_repo); !ok) return std::unexpected(ok.error());
  const std::string path = "/repos/" + std::string(owner_repo) + "/actions/oidc/customization/sub";
  auto text = call("GET", path);
  if (!text) return std::unexpected(text.error());
  auto body = parse_object(*text, "GET " + path);
  if (!body) return std::unexpected(body.error());
  SubjectCustomization custom;
  custom.use_default = optional_bool(*body, "use_default").value_or(true);
  custom.include_claim_keys = string_list(*body, "include_claim_keys");
  custom.use_immutable_subject = optional_bool(*body, "use_immutable_subject");
  if (body->contains("sub_claim_prefix") && (*body)["sub_claim_prefix"].is_string()) {
    custom.sub_claim_prefix = (*body)["sub_claim_prefix"].get<std::string>();
  }
  return custom;
}

util::Result<OrgSubjectCustomization> Client::org_oidc_subject_customization(std::string_view org) {
  if (auto ok = check_owner(org); !ok) return std::unexpected(ok.error());
  const std::string path = "/orgs/" + std::string(org) + "/actions/oidc/customization/sub";
  auto text = call("GET", path);
  if (!text) return std::unexpected(text.error());
  auto body = parse_object(*text, "GET " + path);
  if (!body) return std::unexpected(body.error());
  return OrgSubjectCustomization{string_list(*body, "include_claim_keys"), optional_bool(*body, "use_immutable_subject")};
}

util::Result<PublicKey> Client::actions_public_key(std::string_view owner_repo) {
  if (auto ok = check_owner_repo(owner_repo); !ok) return std::unexpected(ok.error());
  const std::string path = "/repos/" + std::string(owner_repo) + "/actions/secrets/public-key";
  auto text = call("GET", path);
  if (!text) return std::unexpected(text.error());
  auto body = parse_object(*text, "GET " + path);
  if (!body) return std::unexpected(body.error());
  PublicKey key{body->value("key_id", ""), body->value("key", "")};
  if (key.key_id.empty() || key.key.empty()) {
    return util::fail(ErrorKind::kTransient, "GitHub API GET " + path + ": response has no key_id or key");
  }
  return key;
}

util::Result<void> Client::put_actions_secret(std::string_view owner_repo, std::string_view name, const PublicKey& key,
                                              std::string_view value) {
  if (auto ok = check_owner_repo(owner_repo); !ok) return std::unexpected(ok.error());
  const auto raw_key = crypto::base64_decode(key.key);
  if (!raw_key) return util::fail(ErrorKind::kTransient, "GitHub API: the repository public key is not base64");
  auto sealed = crypto::seal(value, *raw_key);
  if (!sealed) return std::unexpected(sealed.error().with_context("sealing secret " + std::string(name)));
  const json body = {{"encrypted_value", crypto::base64_encode(*sealed)}, {"key_id", key.key_id}};
  auto done = call("PUT", "/repos/" + std::string(owner_repo) + "/actions/secrets/" + std::string(name), body.dump());
  if (!done) return std::unexpected(done.error());
  return {};
}

}  // namespace eem::github
