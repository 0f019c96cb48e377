// When push renews a refused auth-file login, and how it names that login:
// from the shipctl login record when the fingerprint matches, else
// generically.

#include "cli/push_auth.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "oci/auth_store.h"
#include "oci/login_record.h"

namespace eem::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::system_clock;
using util::ErrorKind;

constexpr std::string_view kHost = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com";
const oci::Credentials kStale{"AWS", "expired-token"};

oci::ImageRef image_ref(std::string_view text) { return *oci::ImageRef::parse(text); }

TEST(PushAuth, RenewsOnlyARefusedAuthFileLoginForEcr) {
  const auto ecr = image_ref(std::string(kHost) + "/app:v1");
  const auto other = image_ref("registry.example.com/app:v1");
  const util::Error denied{ErrorKind::kDenied, "rejected"};
  EXPECT_TRUE(should_renew_login(CredentialOrigin::kAuthFile, ecr, denied));
  EXPECT_TRUE(should_renew_login(CredentialOrigin::kAuthFile, ecr, {ErrorKind::kExpired, "expired"}));
  EXPECT_FALSE(should_renew_login(CredentialOrigin::kAuthFile, other, denied));
  for (const auto origin : {CredentialOrigin::kNone, CredentialOrigin::kFlags, CredentialOrigin::kEcrToken}) {
    EXPECT_FALSE(should_renew_login(origin, ecr, denied));
  }
  for (const auto kind : {ErrorKind::kNotFound, ErrorKind::kTransient, ErrorKind::kConflict, ErrorKind::kInvalidInput}) {
    EXPECT_FALSE(should_renew_login(CredentialOrigin::kAuthFile, ecr, {kind, "x"}));
  }
}

class StoredLogin : public ::testing::Test {
 protected:
  void SetUp() override { fs::remove_all(dir_); }
  void TearDown() override { fs::remove_all(dir_); }

  util::EnvLookup env() const { return util::map_env({{"XDG_STATE_HOME", dir_.string()}}); }
  void record(const oci::Credentials& written) {
    const auto file = *oci::login_records_path(env());
    const oci::LoginRecord login{std::string(kHost), obtained_, obtained_ + std::chrono::hours(12),
                                 oci::ExpirySource::kAssumed,
                                 {{"/home/ci/.docker/config.json", oci::auth_fingerprint(oci::auth_value(written))}}};
    ASSERT_TRUE(oci::write_login_records(file, {login}));
  }

  fs::path dir_ = fs::temp_directory_path() / ("eem-cli-push-auth-" + std::to_string(::getpid()));
  Clock::time_point obtained_ = Clock::from_time_t(1767225600);  // 2026-01-01T00:00:00Z
};

TEST_F(StoredLogin, WithoutARecordTheLoginIsNamedByItsRegistry) {
  EXPECT_EQ(describe_stored_login(kHost, kStale, env(), obtained_),
            "the login for 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com in the docker/podman auth files");
}

TEST_F(StoredLogin, ARecordedLoginIsNamedWithItsFileAndTimes) {
  record(kStale);
  EXPECT_EQ(describe_stored_login(kHost, kStale, env(), obtained_ + std::chrono::hours(13)),
            "the login shipctl login wrote to /home/ci/.docker/config.json at 2026-01-01T00:00:00Z (expired at "
            "2026-01-01T12:00:00Z)");
  EXPECT_EQ(describe_stored_login(kHost, kStale, env(), obtained_ + std::chrono::hours(1)),
            "the login shipctl login wrote to /home/ci/.docker/config.json at 2026-01-01T00:00:00Z (due to expire at "
            "2026-01-01T12:00:00Z)");
}

TEST_F(StoredLogin, AnotherPasswordThanTheRecordedOneIsNotAttributedToShipctl) {
  record({"AWS", "what-shipctl-wrote"});  // since replaced, e.g. by docker login
  EXPECT_EQ(describe_stored_login(kHost, kStale, env(), obtained_),
            "the login for 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com in the docker/podman auth files");
}

TEST(PushAuth, MessagesNameTheLoginAndTheFix) {
  const std::string login = "the login for h in the docker/podman auth files";
  EXPECT_EQ(renew_note("h", login),
            "registry h refused the login for h in the docker/podman auth files (ECR tokens last 12 hours): retrying "
            "once with a new token from ECR GetAuthorizationToken");
  const auto none = login_expired_without_aws("h", "us-east-1", login);
  EXPECT_EQ(none.kind, ErrorKind::kExpired);
  EXPECT_EQ(util::kind_info(none.kind).exit_code, 77);
  EXPECT_EQ(none.message,
            "registry h refused the login for h in the docker/podman auth files: ECR tokens last 12 hours, and there "
            "are no AWS credentials here to get a new one; log in again with `shipctl login --region us-east-1`");
  const auto failed = login_renewal_failed("h", login, {ErrorKind::kExpired, "ECR GetAuthorizationToken: ExpiredTokenException"});
  EXPECT_EQ(failed.kind, ErrorKind::kExpired);
  EXPECT_EQ(failed.message,
            "registry h refused the login for h in the docker/podman auth files, and getting a new ECR token failed: "
            "ECR GetAuthorizationToken: ExpiredTokenException");
}

}  // namespace
}  // namespace eem::cli
