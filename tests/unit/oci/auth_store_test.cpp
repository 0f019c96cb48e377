#include "oci/auth_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "oci/login_record.h"

namespace eem::oci {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("eem-auth-store-" + std::to_string(::getpid()) + "-" +
                                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
  TempDir() { fs::remove_all(path); }
  ~TempDir() { fs::remove_all(path); }
};

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 0777;
}

TEST(AuthStore, CreatesTheFileAndItsDirectoryPrivately) {
  TempDir dir;
  const auto file = dir.path / "docker/config.json";
  ASSERT_TRUE(store_auth_entry(file, "reg.example", {"AWS", "pw"}));
  EXPECT_EQ(mode_of(file), 0600u);
  EXPECT_EQ(mode_of(file.parent_path()), 0700u);
  EXPECT_EQ(nlohmann::json::parse(read(file))["auths"]["reg.example"]["auth"], "QVdTOnB3");  // base64("AWS:pw")
  EXPECT_EQ(std::distance(fs::directory_iterator(file.parent_path()), fs::directory_iterator()), 1);
}

TEST(AuthStore, KeepsOtherEntriesAndKeys) {
  TempDir dir;
  const auto file = dir.path / "auth.json";
  fs::create_directories(dir.path);
  std::ofstream(file) << R"({"auths": {"ghcr.io": {"auth": "eDp5"}}, "credHelpers": {"gcr.io": "gcloud"}})";
  ASSERT_TRUE(store_auth_entry(file, "reg.example", {"AWS", "pw"}));
  const auto doc = nlohmann::json::parse(read(file));
  EXPECT_EQ(doc["auths"]["ghcr.io"]["auth"], "eDp5");
  EXPECT_EQ(doc["credHelpers"]["gcr.io"], "gcloud");
  EXPECT_EQ(mode_of(file), 0600u);
}

// What `shipctl login --registries A,B` and `--public` write into one file:
// an entry per host beside the user's own, 0600 even where the file was
// readable by others, and each removable alone.
TEST(AuthStore, SeveralRegistriesAndEcrPublicSitBesideTheUsersEntries) {
  TempDir dir;
  const auto file = dir.path / "config.json";
  fs::create_directories(dir.path);
  std::ofstream(file) << R"({"auths": {"ghcr.io": {"auth": "eDp5"}, "https://index.docker.io/v1/": {"auth": "dTpw"}}})";
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
  const std::vector<std::string> hosts{"111111111111.dkr.ecr.ap-northeast-1.amazonaws.com",
                                       "222222222222.dkr.ecr.ap-northeast-1.amazonaws.com", "public.ecr.aws"};
  for (const auto& host : hosts) ASSERT_TRUE(store_auth_entry(file, host, {"AWS", "pw"}));
  auto auths = nlohmann::json::parse(read(file))["auths"];
  EXPECT_EQ(auths.size(), 5u);
  EXPECT_EQ(auths["ghcr.io"]["auth"], "eDp5");
  EXPECT_EQ(auths["https://index.docker.io/v1/"]["auth"], "dTpw");
  for (const auto& host : hosts) EXPECT_EQ(auths[host]["auth"], "QVdTOnB3") << host;
  EXPECT_EQ(mode_of(file), 0600u);
  EXPECT_EQ(remove_auth_entry(file, "public.ecr.aws", auth_fingerprint(auth_value({"AWS", "pw"}))).value(),
            Removed::kYes);
  auths = nlohmann::json::parse(read(file))["auths"];
  EXPECT_FALSE(auths.contains("public.ecr.aws"));
  EXPECT_EQ(auths.size(), 4u);
  EXPECT_EQ(auths[hosts[1]]["auth"], "QVdTOnB3");
}

TEST(AuthStore, RefusesToOverwriteAFileThatIsNotJson) {
  TempDir dir;
  const auto file = dir.path / "config.json";
  fs::create_directories(dir.path);
  std::ofstream(file) << "[1, 2";
  const auto stored = store_auth_entry(file, "reg.example", {"AWS", "pw"});
  ASSERT_FALSE(stored);
  EXPECT_EQ(stored.error().kind, util::ErrorKind::kInvalidInput);
  EXPECT_EQ(stored.error().message, file.string() + " is not a JSON object; fix or move it, nothing was changed");
  EXPECT_EQ(read(file), "[1, 2");
}

TEST(AuthStore, RemovesOnlyAnUnchangedEntry) {
  TempDir dir;
  const auto file = dir.path / "config.json";
  ASSERT_TRUE(store_auth_entry(file, "reg.example", {"AWS", "pw"}));
  const auto mine = auth_fingerprint(auth_value({"AWS", "pw"}));
  EXPECT_EQ(remove_auth_entry(file, "reg.example", auth_fingerprint(auth_value({"AWS", "other"}))).value(),
            Removed::kChanged);
  EXPECT_EQ(remove_auth_entry(file, "reg.example", mine).value(), Removed::kYes);
  EXPECT_EQ(remove_auth_entry(file, "reg.example", mine).value(), Removed::kNotPresent);
  EXPECT_EQ(nlohmann::json::parse(read(file))["auths"], nlohmann::json::object());
}

std::size_t entries_in(const fs::path& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

// ~/.docker/config.json kept in a dotfiles repository (GNU stow, chezmoi):
// the link stays a link and the file it names gets the entry, as docker's
// own Save() does.
TEST(AuthStore, WritesThroughASymlinkAndKeepsIt) {
  TempDir dir;
  const auto target = dir.path / "dotfiles/docker/config.json";
  const auto link = dir.path / "home/.docker/config.json";
  fs::create_directories(target.parent_path());
  fs::create_directories(link.parent_path());
  std::ofstream(target) << R"({"auths": {"ghcr.io": {"auth": "eDp5"}}})";
  fs::permissions(target, static_cast<fs::perms>(0640));
  fs::create_symlink("../../dotfiles/docker/config.json", link);
  ASSERT_TRUE(store_auth_entry(link, "reg.example", {"AWS", "pw"}));
  EXPECT_TRUE(fs::is_symlink(link));
  const auto doc = nlohmann::json::parse(read(target));
  EXPECT_EQ(doc["auths"]["reg.example"]["auth"], "QVdTOnB3");
  EXPECT_EQ(doc["auths"]["ghcr.io"]["auth"], "eDp5");
  EXPECT_EQ(mode_of(target), 0600u);  // group bits dropped: it holds a secret now
  EXPECT_EQ(entries_in(target.parent_path()), 1u);  // no temporary left beside either
  EXPECT_EQ(entries_in(link.parent_path()), 1u);
}

TEST(AuthStore, KeepsTheOwnerBitsOfAnExistingFile) {
  TempDir dir;
  const auto file = dir.path / "config.json";
  fs::create_directories(dir.path);
  std::ofstream(file) << "{}";
  fs::permissions(file, static_cast<fs::perms>(0400));
  ASSERT_TRUE(store_auth_entry(file, "reg.example", {"AWS", "pw"}));
  EXPECT_EQ(mode_of(file), 0400u);
}

TEST(AuthStore, ADanglingSymlinkNamesTheFileToCreate) {
  TempDir dir;
  const auto link = dir.path / "config.json";
  fs::create_directories(dir.path / "elsewhere");
  fs::create_symlink(dir.path / "elsewhere/real.json", link);
  ASSERT_TRUE(store_auth_entry(link, "reg.example", {"AWS", "pw"}));
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(mode_of(dir.path / "elsewhere/real.json"), 0600u);
  EXPECT_EQ(nlohmann::json::parse(read(link))["auths"]["reg.example"]["auth"], "QVdTOnB3");
}

TEST(AuthStore, ASymlinkLoopIsRefused) {
  TempDir dir;
  fs::create_directories(dir.path);
  fs::create_symlink("b.json", dir.path / "a.json");
  fs::create_symlink("a.json", dir.path / "b.json");
  const auto stored = store_auth_entry(dir.path / "a.json", "reg.example", {"AWS", "pw"});
  ASSERT_FALSE(stored);
  EXPECT_EQ(stored.error().kind, util::ErrorKind::kInvalidInput);
  EXPECT_EQ(stored.error().message, (dir.path / "a.json").string() +
                                        " is a loop of symbolic links; point it at a file");
}

// As root, renaming over a link's /dev/null would replace the device; a FIFO
// would block the read. Neither is touched.
TEST(AuthStore, ALinkToSomethingOtherThanAFileIsRefused) {
  TempDir dir;
  fs::create_directories(dir.path / "a-directory");
  ASSERT_EQ(::mkfifo((dir.path / "a-fifo").c_str(), 0600), 0);
  for (const char* name : {"a-directory", "a-fifo"}) {
    const auto link = dir.path / (std::string("link-to-") + name);
    fs::create_symlink(name, link);
    const auto stored = store_auth_entry(link, "reg.example", {"AWS", "pw"});
    ASSERT_FALSE(stored) << name;
    EXPECT_EQ(stored.error().kind, util::ErrorKind::kInvalidInput);
    EXPECT_EQ(stored.error().message, link.string() + " is not a regular file; point it at one, nothing was changed");
  }
  EXPECT_EQ(entries_in(dir.path), 4u);
  EXPECT_TRUE(fs::is_empty(dir.path / "a-directory"));
}

// docker/cli config/configfile getConfiguredCredentialStore: credHelpers for
// the host first, even "", then credsStore.
TEST(AuthStore, DockerCredentialRouteFollowsDocker) {
  TempDir dir;
  const auto file = dir.path / "config.json";
  fs::create_directories(dir.path);
  const std::pair<const char*, CredentialRoute> cases[] = {
      {R"({})", {"", ""}},
      {R"({"credsStore": "desktop"})", {"desktop", "credsStore"}},
      {R"({"credsStore": "desktop", "credHelpers": {"other.example": "gcloud"}})", {"desktop", "credsStore"}},
      {R"({"credsStore": "desktop", "credHelpers": {"reg.example": "ecr-login"}})", {"ecr-login", "credHelpers"}},
      {R"({"credsStore": "desktop", "credHelpers": {"reg.example": ""}})", {"", "credHelpers"}},
  };
  for (const auto& [text, want] : cases) {
    std::ofstream(file) << text;
    const auto route = docker_credential_route(file, "reg.example");
    ASSERT_TRUE(route) << text;
    EXPECT_EQ(route->helper, want.helper) << text;
    EXPECT_EQ(route->key, want.key) << text;
  }
  EXPECT_EQ(docker_credential_route(dir.path / "missing.json", "reg.example")->helper, "");
}

TEST(AuthStore, BypassingTheCredsStoreIsUndoneByLogout) {
  TempDir dir;
  const auto file = dir.path / "config.json";
  fs::create_directories(dir.path);
  std::ofstream(file) << R"({"credsStore": "desktop", "credHelpers": {"gcr.io": "gcloud"}})";
  ASSERT_TRUE(store_auth_entry(file, "reg.example", {"AWS", "pw"}, BypassCredsStore::kYes));
  EXPECT_EQ(nlohmann::json::parse(read(file))["credHelpers"]["reg.example"], "");
  EXPECT_EQ(docker_credential_route(file, "reg.example")->helper, "");
  const auto mine = auth_fingerprint(auth_value({"AWS", "pw"}));
  EXPECT_EQ(remove_auth_entry(file, "reg.example", mine, BypassCredsStore::kYes).value(), Removed::kYes);
  const auto doc = nlohmann::json::parse(read(file));
  EXPECT_EQ(doc["credHelpers"], (nlohmann::json{{"gcr.io", "gcloud"}}));
  EXPECT_EQ(doc["credsStore"], "desktop");
}

TEST(AuthStore, ASnapshotPutsTheFileBack) {
  TempDir dir;
  const auto file = dir.path / "config.json";
  const auto absent = snapshot_file(file);
  ASSERT_TRUE(absent);
  ASSERT_TRUE(store_auth_entry(file, "reg.example", {"AWS", "pw"}));
  const auto written = snapshot_file(file);
  restore_file(*absent);
  EXPECT_FALSE(fs::exists(file));
  restore_file(*written);
  EXPECT_EQ(read(file), written->content.value());
}

TEST(AuthStore, DefaultPathsFollowDockerAndPodman) {
  const auto paths = default_auth_file_paths(util::map_env({{"HOME", "/h"}}));
  ASSERT_TRUE(paths);
  EXPECT_EQ(paths->docker, "/h/.docker/config.json");
  EXPECT_EQ(paths->containers, "/h/.config/containers/auth.json");
  const auto set = default_auth_file_paths(
      util::map_env({{"HOME", "/h"}, {"DOCKER_CONFIG", "/d"}, {"XDG_RUNTIME_DIR", "/run/u"}}));
  EXPECT_EQ(set->docker, "/d/config.json");
  EXPECT_EQ(set->containers, "/run/u/containers/auth.json");
  EXPECT_EQ(default_auth_file_paths(util::map_env({{"HOME", "/h"}, {"REGISTRY_AUTH_FILE", "/a.json"}}))->containers,
            "/a.json");
}

TEST(LoginRecord, RoundTripsWithoutSecrets) {
  TempDir dir;
  const auto file = dir.path / "shipctl/logins.json";
  const auto t0 = std::chrono::system_clock::from_time_t(1'800'000'000);
  LoginRecord record{"reg.example", t0, t0 + std::chrono::hours(12), ExpirySource::kAssumed,
                     {{"/x.json", "ab12", false}, {"/y.json", "cd34", true}}};
  ASSERT_TRUE(write_login_records(file, {record}));
  const auto back = read_login_records(file);
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].registry, "reg.example");
  EXPECT_EQ((*back)[0].expires_at, t0 + std::chrono::hours(12));
  EXPECT_EQ((*back)[0].expiry_source, ExpirySource::kAssumed);
  EXPECT_EQ((*back)[0].files[0].fingerprint, "ab12");
  EXPECT_FALSE((*back)[0].files[0].bypassed_creds_store);
  EXPECT_TRUE((*back)[0].files[1].bypassed_creds_store);
  EXPECT_EQ(read(file).find("\"bypassed_creds_store\": false"), std::string::npos);
  EXPECT_TRUE((*back)[0].expired(t0 + std::chrono::hours(13)));
  EXPECT_EQ(format_utc(t0), "2027-01-15T08:00:00Z");
  EXPECT_EQ(login_records_path(util::map_env({{"HOME", "/h"}})).value(), "/h/.local/state/shipctl/logins.json");
}

}  // namespace
}  // namespace eem::oci
