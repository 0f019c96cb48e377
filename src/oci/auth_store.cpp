#include "oci/auth_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "crypto/base64.h"
#include "crypto/hash.h"
#include "util/strings.h"

namespace eem::oci {

namespace {

using nlohmann::json;
using util::ErrorKind;
using util::fail;

std::string errno_text() { return std::strerror(errno); }

// The file's JSON object; an empty object when the file does not exist.
util::Result<json> read_json_object(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(file)) return json::object();
    return fail(ErrorKind::kIo, "cannot read " + file.string());
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (util::trim(text.str()).empty()) return json::object();
  auto doc = json::parse(text.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return fail(ErrorKind::kInvalidInput, file.string() + " is not a JSON object; fix or move it, nothing was changed");
  }
  return doc;
}

util::Result<void> write_all(int fd, std::string_view content, const std::string& name) {
  while (!content.empty()) {
    const auto n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(ErrorKind::kIo, "writing " + name + ": " + errno_text());
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::fsync(fd) != 0) return fail(ErrorKind::kIo, "writing " + name + ": " + errno_text());
  return {};
}

util::Result<void> make_parent(const std::filesystem::path& file) {
  const auto parent = file.parent_path();
  if (parent.empty() || std::filesystem::exists(parent)) return {};
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) return fail(ErrorKind::kIo, "creating " + parent.string() + ": " + ec.message());
  // Directories that hold credentials are private (docker and podman use 0700).
  std::filesystem::permissions(parent, std::filesystem::perms::owner_all, ec);
  return {};
}

}  // namespace

util::Result<AuthFilePaths> default_auth_file_paths(const util::EnvLookup& env) {
  const auto get = [&env](std::string_view name) { return env(name).value_or(""); };
  const std::string home = get("HOME");
  AuthFilePaths paths;
  if (const auto d = get("DOCKER_CONFIG"); !d.empty()) {
    paths.docker = std::filesystem::path(d) / "config.json";
  } else if (!home.empty()) {
    paths.docker = std::filesystem::path(home) / ".docker/config.json";
  }
  if (const auto f = get("REGISTRY_AUTH_FILE"); !f.empty()) {
    paths.containers = f;
  } else if (const auto x = get("XDG_RUNTIME_DIR"); !x.empty()) {
    paths.containers = std::filesystem::path(x) / "containers/auth.json";
  } else if (const auto c = get("XDG_CONFIG_HOME"); !c.empty()) {
    paths.containers = std::filesystem::path(c) / "containers/auth.json";
  } else if (!home.empty()) {
    paths.containers = std::filesystem::path(home) / ".config/containers/auth.json";
  }
  if (paths.docker.empty() || paths.containers.empty()) {
    return fail(ErrorKind::kInvalidInput, "HOME is not set: set DOCKER_CONFIG and REGISTRY_AUTH_FILE");
  }
  return paths;
}

std::string auth_value(const Credentials& credentials) {
  return crypto::base64_encode(credentials.username + ":" + credentials.password);
}

std::string auth_fingerprint(std::string_view auth) { return crypto::sha256_hex(auth).substr(0, 32); }

util::Result<void> replace_file(const std::filesystem::path& file, std::string_view content, unsigned mode) {
  if (auto made = make_parent(file); !made) return made;
  std::string temp = file.string() + ".tmp-XXXXXX";
  const int fd = ::mkstemp(temp.data());  // O_EXCL, mode 0600 from the start
  if (fd < 0) return fail(ErrorKind::kIo, "creating a temporary file beside " + file.string() + ": " + errno_text());
  auto written = write_all(fd, content, temp);
  if (written && ::fchmod(fd, static_cast<mode_t>(mode)) != 0) written = fail(ErrorKind::kIo, errno_text());
  ::close(fd);
  if (written && ::rename(temp.c_str(), file.c_str()) != 0) {
    written = fail(ErrorKind::kIo, "replacing " + file.string() + ": " + errno_text());
  }
  if (!written) ::unlink(temp.c_str());
  return written;
}

util::Result<void> store_auth_entry(const std::filesystem::path& file, std::string_view registry,
                                    const Credentials& credentials) {
  auto doc = read_json_object(file);
  if (!doc) return std::unexpected(doc.error());
  if (!doc->contains("auths") || !(*doc)["auths"].is_object()) (*doc)["auths"] = json::object();
  (*doc)["auths"][std::string(registry)] = json{{"auth", auth_value(credentials)}};
  return replace_file(file, doc->dump(1, '\t') + "\n", 0600);
}

util::Result<Removed> remove_auth_entry(const std::filesystem::path& file, std::string_view registry,
                                        std::string_view fingerprint) {
  auto doc = read_json_object(file);
  if (!doc) return std::unexpected(doc.error());
  const auto auths = doc->find("auths");
  if (auths == doc->end() || !auths->is_object() || !auths->contains(std::string(registry))) {
    return Removed::kNotPresent;
  }
  const json& entry = (*auths)[std::string(registry)];
  const std::string auth = entry.is_object() ? entry.value("auth", "") : "";
  if (auth_fingerprint(auth) != fingerprint) return Removed::kChanged;
  auths->erase(std::string(registry));
  if (auto written = replace_file(file, doc->dump(1, '\t') + "\n", 0600); !written) {
    return std::unexpected(written.error());
  }
  return Removed::kYes;
}

}  // namespace eem::oci
