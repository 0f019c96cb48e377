#include "oci/login_record.h"

#include <ctime>
#include <fstream>
#include <optional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "oci/auth_store.h"

namespace eem::oci {

namespace {

using nlohmann::json;
using util::ErrorKind;
using util::fail;

std::optional<std::chrono::system_clock::time_point> parse_utc(const std::string& text) {
  std::tm tm{};
  const char* end = ::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return std::chrono::system_clock::from_time_t(::timegm(&tm));
}

util::Result<LoginRecord> record_from(const json& item, const std::string& file) {
  const auto bad = [&file] {
    return fail(ErrorKind::kInvalidInput, file + " is not a shipctl login record file; move it away to start afresh");
  };
  if (!item.is_object() || !item.contains("registry") || !item["registry"].is_string()) return bad();
  LoginRecord record;
  record.registry = item["registry"].get<std::string>();
  const auto obtained = parse_utc(item.value("obtained_at", ""));
  const auto expires = parse_utc(item.value("expires_at", ""));
  if (!obtained || !expires) return bad();
  record.obtained_at = *obtained;
  record.expires_at = *expires;
  record.expiry_source = item.value("expiry_source", "") == "assumed" ? ExpirySource::kAssumed : ExpirySource::kService;
  for (const auto& f : item.value("files", json::array())) {
    if (!f.is_object()) return bad();
    record.files.push_back({f.value("path", ""), f.value("fingerprint", ""), f.value("bypassed_creds_store", false)});
  }
  return record;
}

json record_json(const LoginRecord& r) {
  json files = json::array();
  for (const auto& f : r.files) {
    json file{{"path", f.path}, {"fingerprint", f.fingerprint}};
    if (f.bypassed_creds_store) file["bypassed_creds_store"] = true;
    files.push_back(std::move(file));
  }
  return {{"registry", r.registry}, {"obtained_at", format_utc(r.obtained_at)},
          {"expires_at", format_utc(r.expires_at)},
          {"expiry_source", r.expiry_source == ExpirySource::kAssumed ? "assumed" : "service"}, {"files", files}};
}

}  // namespace

std::string format_utc(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

util::Result<std::filesystem::path> login_records_path(const util::EnvLookup& env) {
  if (const auto state = env("XDG_STATE_HOME"); state && !state->empty()) {
    return std::filesystem::path(*state) / "shipctl/logins.json";
  }
  if (const auto home = env("HOME"); home && !home->empty()) {
    return std::filesystem::path(*home) / ".local/state/shipctl/logins.json";
  }
  return fail(ErrorKind::kInvalidInput, "HOME is not set: set XDG_STATE_HOME for shipctl's login records");
}

util::Result<std::vector<LoginRecord>> read_login_records(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return std::vector<LoginRecord>{};
  std::ostringstream text;
  text << in.rdbuf();
  const auto doc = json::parse(text.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.value("logins", json()).is_array()) {
    return fail(ErrorKind::kInvalidInput, file.string() + " is not a shipctl login record file; move it away to start afresh");
  }
  std::vector<LoginRecord> records;
  for (const auto& item : doc["logins"]) {
    auto record = record_from(item, file.string());
    if (!record) return std::unexpected(record.error());
    records.push_back(std::move(*record));
  }
  return records;
}

util::Result<void> write_login_records(const std::filesystem::path& file, const std::vector<LoginRecord>& records) {
  json logins = json::array();
  for (const auto& r : records) logins.push_back(record_json(r));
  return replace_file(file, json{{"version", 1}, {"logins", logins}}.dump(2) + "\n", 0600);
}

}  // namespace eem::oci
