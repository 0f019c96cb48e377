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
  if (auto target = write_target(file); !target) return std::unexpected(target.error());
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec) && !ec) return json::object();
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

// `target` (where `file` leads) when it is a regular file or does not exist:
// a link to /dev/null or a FIFO must not be read (it blocks) nor renamed over.
util::Result<std::filesystem::path> regular_or_absent(const std::filesystem::path& file,
                                                      const std::filesystem::path& target) {
  struct stat st {};
  if (::stat(target.c_str(), &st) != 0 || S_ISREG(st.st_mode)) return target;
  return fail(ErrorKind::kInvalidInput, file.string() + " is not a regular file; point it at one, nothing was changed");
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

util::Result<std::filesystem::path> write_target(const std::filesystem::path& file) {
  std::filesystem::path path = file;
  // 40: the most symlinks Linux follows in one lookup (MAXSYMLINKS, path_resolution(7)).
  for (int hops = 0; hops < 40; ++hops) {
    std::error_code ec;
    if (!std::filesystem::is_symlink(path, ec)) return regular_or_absent(file, path);
    const auto link = std::filesystem::read_symlink(path, ec);
    if (ec) return fail(ErrorKind::kIo, "reading the link " + path.string() + ": " + ec.message());
    // Not normalised: ".." after a symlinked directory is the kernel's to resolve.
    path = link.is_absolute() ? link : path.parent_path() / link;
  }
  return fail(ErrorKind::kInvalidInput, file.string() + " is a loop of symbolic links; point it at a file");
}

util::Result<void> replace_file(const std::filesystem::path& file, std::string_view content, unsigned mode) {
  auto target = write_target(file);
  if (!target) return std::unexpected(target.error());
  if (auto made = make_parent(*target); !made) return made;
  struct stat old {};
  const bool existed = ::stat(target->c_str(), &old) == 0;
  std::string temp = target->string() + ".tmp-XXXXXX";
  const int fd = ::mkstemp(temp.data());  // O_EXCL, mode 0600 from the start
  if (fd < 0) return fail(ErrorKind::kIo, "creating a temporary file beside " + target->string() + ": " + errno_text());
  auto written = write_all(fd, content, temp);
  // Docker keeps an existing file's owner and mode too (copyFilePermissions);
  // group and other bits go, since the file now holds a secret.
  const auto final_mode = static_cast<mode_t>(existed ? (old.st_mode & 0700) : mode);
  if (written && ::fchmod(fd, final_mode) != 0) written = fail(ErrorKind::kIo, errno_text());
  if (written && existed && (old.st_uid != ::geteuid() || old.st_gid != ::getegid())) {
    if (::fchown(fd, old.st_uid, old.st_gid) != 0) {}  // best effort: only root may give a file away
  }
  ::close(fd);
  if (written && ::rename(temp.c_str(), target->c_str()) != 0) {
    written = fail(ErrorKind::kIo, "replacing " + target->string() + ": " + errno_text());
  }
  if (!written) ::unlink(temp.c_str());
  return written;
}

util::Result<FileSnapshot> snapshot_file(const std::filesystem::path& file) {
  if (auto target = write_target(file); !target) return std::unexpected(target.error());
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec) && !ec) return FileSnapshot{file, std::nullopt};
    return fail(ErrorKind::kIo, "cannot read " + file.string());
  }
  std::ostringstream text;
  text << in.rdbuf();
  return FileSnapshot{file, text.str()};
}

void restore_file(const FileSnapshot& snapshot) {
  if (snapshot.content) {
    (void)replace_file(snapshot.file, *snapshot.content, 0600);
  } else if (auto target = write_target(snapshot.file)) {
    ::unlink(target->c_str());
  }
}

util::Result<CredentialRoute> docker_credential_route(const std::filesystem::path& file, std::string_view registry) {
  auto doc = read_json_object(file);
  if (!doc) return std::unexpected(doc.error());
  if (const auto helpers = doc->find("credHelpers"); helpers != doc->end() && helpers->is_object()) {
    if (const auto entry = helpers->find(std::string(registry)); entry != helpers->end() && entry->is_string()) {
      return CredentialRoute{entry->get<std::string>(), "credHelpers"};
    }
  }
  if (const auto store = doc->find("credsStore"); store != doc->end() && store->is_string() &&
                                                   !store->get<std::string>().empty()) {
    return CredentialRoute{store->get<std::string>(), "credsStore"};
  }
  return CredentialRoute{};
}

util::Result<void> store_auth_entry(const std::filesystem::path& file, std::string_view registry,
                                    const Credentials& credentials, BypassCredsStore bypass) {
  auto doc = read_json_object(file);
  if (!doc) return std::unexpected(doc.error());
  if (!doc->contains("auths") || !(*doc)["auths"].is_object()) (*doc)["auths"] = json::object();
  (*doc)["auths"][std::string(registry)] = json{{"auth", auth_value(credentials)}};
  if (bypass == BypassCredsStore::kYes) {
    if (!doc->contains("credHelpers") || !(*doc)["credHelpers"].is_object()) (*doc)["credHelpers"] = json::object();
    (*doc)["credHelpers"][std::string(registry)] = "";
  }
  return replace_file(file, doc->dump(1, '\t') + "\n", 0600);
}

util::Result<Removed> remove_auth_entry(const std::filesystem::path& file, std::string_view registry,
                                        std::string_view fingerprint, BypassCredsStore bypass) {
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
  const auto helpers = doc->find("credHelpers");
  if (bypass == BypassCredsStore::kYes && helpers != doc->end() && helpers->is_object() &&
      helpers->value(std::string(registry), json()) == "") {
    helpers->erase(std::string(registry));
  }
  if (auto written = replace_file(file, doc->dump(1, '\t') + "\n", 0600); !written) {
    return std::unexpected(written.error());
  }
  return Removed::kYes;
}

}  // namespace eem::oci
