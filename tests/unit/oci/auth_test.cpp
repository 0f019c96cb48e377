#include "oci/auth.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <deque>
#include <filesystem>
#include <fstream>

#include "crypto/base64.h"
#include "oci/auth_store.h"
#include "util/env.h"

namespace eem::oci {
namespace {

TEST(Challenge, ParsesBearerWithQuotedParameters) {
  auto c = parse_challenge(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull,push")");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->scheme, "bearer");
  EXPECT_EQ(c->params.at("realm"), "https://auth.docker.io/token");
  EXPECT_EQ(c->params.at("service"), "registry.docker.io");
  EXPECT_EQ(c->params.at("scope"), "repository:a/b:pull,push");
}

TEST(Challenge, ParsesBasicAndEscapes) {
  auto c = parse_challenge(R"(Basic realm="a \"quoted\" realm", charset=UTF-8)");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->scheme, "basic");
  EXPECT_EQ(c->params.at("realm"), "a \"quoted\" realm");
  EXPECT_EQ(c->params.at("charset"), "UTF-8");
  EXPECT_FALSE(parse_challenge("").has_value());
  EXPECT_FALSE(parse_challenge(R"(Bearer realm="unterminated)").has_value());
}

TEST(AuthFile, FindsEntriesByHostOrUrlKey) {
  const std::string auth = crypto::base64_encode("AWS:pa:ss");
  const std::string json = R"({"auths":{"https://r.example:5000":{"auth":")" + auth + R"("}}})";
  auto found = credentials_from_auth_json(json, "r.example:5000", "config.json");
  ASSERT_TRUE(found.has_value());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->username, "AWS");
  EXPECT_EQ((*found)->password, "pa:ss");
  EXPECT_FALSE(credentials_from_auth_json(json, "other:5000", "config.json")->has_value());
}

TEST(AuthFile, ReportsCredentialHelpersAndBadEntries) {
  EXPECT_EQ(credentials_from_auth_json(R"({"credHelpers":{"r.example":"ecr-login"}})", "r.example", "c.json")
                .error().message,
            "auth file c.json names a credential helper for r.example; pass --username and --password-stdin instead");
  EXPECT_EQ(credentials_from_auth_json(R"({"auths":{"r.example":{"auth":"bm9jb2xvbg=="}}})", "r.example", "c.json")
                .error().message,
            "auth file c.json: the entry for r.example is not base64 of user:password");
  EXPECT_EQ(credentials_from_auth_json("nope", "r", "c.json").error().message, "auth file c.json is not JSON");
}

// A scripted HttpClient: records requests, answers from a queue.
class ScriptedClient final : public net::HttpClient {
 public:
  std::deque<net::Response> answers;
  std::vector<net::Request> seen;
  util::Result<net::Response> send(const net::Request& request) override {
    seen.push_back(request);
    auto r = answers.front();
    answers.pop_front();
    return r;
  }
};

TEST(AuthFile, SearchOrderIsPodmansThenDockers) {
  EXPECT_EQ(auth_file_search_order(util::map_env({{"HOME", "/h"}})),
            (std::vector<std::filesystem::path>{"/h/.config/containers/auth.json", "/h/.docker/config.json"}));
  EXPECT_EQ(auth_file_search_order(util::map_env({{"HOME", "/h"},
                                                  {"XDG_RUNTIME_DIR", "/run/u"},
                                                  {"XDG_CONFIG_HOME", "/cfg"},
                                                  {"DOCKER_CONFIG", "/d"}})),
            (std::vector<std::filesystem::path>{"/run/u/containers/auth.json", "/cfg/containers/auth.json",
                                                "/d/config.json"}));
  // REGISTRY_AUTH_FILE replaces the runtime file, not the other two; a path
  // named twice is read once.
  EXPECT_EQ(auth_file_search_order(util::map_env({{"HOME", "/h"},
                                                  {"XDG_RUNTIME_DIR", "/run/u"},
                                                  {"REGISTRY_AUTH_FILE", "/h/.docker/config.json"}})),
            (std::vector<std::filesystem::path>{"/h/.docker/config.json", "/h/.config/containers/auth.json"}));
  EXPECT_TRUE(auth_file_search_order(util::map_env({})).empty());
}

TEST(AuthFile, ReadsEveryFileLoginWrites) {
  const auto dir = std::filesystem::temp_directory_path() / ("eem-auth-files-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const auto write = [](const std::filesystem::path& file, std::string_view user) {
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << R"({"auths":{"r.example":{"auth":")" << crypto::base64_encode(std::string(user) + ":pw")
                        << R"("}}})";
  };
  // What login writes without XDG_RUNTIME_DIR and DOCKER_CONFIG, docker's
  // file absent: push must still find it.
  const auto env = util::map_env({{"HOME", dir.string()}});
  const auto login_paths = default_auth_file_paths(env);
  ASSERT_TRUE(login_paths);
  write(login_paths->containers, "podman");
  auto found = credentials_from_auth_files("r.example", env);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->username, "podman");
  // Both present: podman's file comes first, as podman reads them.
  write(login_paths->docker, "docker");
  EXPECT_EQ((*credentials_from_auth_files("r.example", env))->username, "podman");
  std::filesystem::remove(login_paths->containers);
  EXPECT_EQ((*credentials_from_auth_files("r.example", env))->username, "docker");
  EXPECT_FALSE(credentials_from_auth_files("other.example", env)->has_value());
  std::filesystem::remove_all(dir);
}

TEST(Authenticator, FetchesBearerTokenWithScopeAndSendsItOnlyToTheRegistry) {
  Authenticator auth("reg.example", "repository:team/app:pull,push", Credentials{"u", "p"}, PlainHttp::kRefuse);
  ScriptedClient client;
  client.answers.push_back({200, {}, R"({"token":"tok123"})"});
  const auto g = auth.generation();
  ASSERT_TRUE(auth.on_unauthorized(R"(Bearer realm="https://auth.example/token",service="reg")", g, client));
  ASSERT_EQ(client.seen.size(), 1u);
  EXPECT_EQ(client.seen[0].url, "https://auth.example/token?service=reg&scope=repository%3Ateam%2Fapp%3Apull%2Cpush");
  EXPECT_EQ(*net::find_header(client.seen[0].headers, "Authorization"), "Basic " + crypto::base64_encode("u:p"));
  EXPECT_EQ(auth.header_for("https://reg.example/v2/"), "Bearer tok123");
  EXPECT_FALSE(auth.header_for("https://evil.example/v2/").has_value());
  EXPECT_FALSE(auth.header_for("http://reg.example/v2/").has_value());
  // another worker already refreshed: no second token request
  ASSERT_TRUE(auth.on_unauthorized(R"(Bearer realm="https://auth.example/token")", g, client));
  EXPECT_EQ(client.seen.size(), 1u);
}

// login --check pings /v2/ with no scope: the query names the service alone,
// and nothing at all without one.
TEST(Authenticator, ATokenForAPingAsksForTheServiceOnly) {
  for (const auto& [challenge, url] : std::vector<std::pair<std::string, std::string>>{
           {R"(Bearer realm="https://public.ecr.aws/token/",service="public.ecr.aws")",
            "https://public.ecr.aws/token/?service=public.ecr.aws"},
           {R"(Bearer realm="https://auth.example/token?a=1",service="reg")", "https://auth.example/token?a=1&service=reg"},
           {R"(Bearer realm="https://auth.example/token")", "https://auth.example/token"},
           // public.ecr.aws names a scope even for /v2/: it is asked for.
           {R"(Bearer realm="https://public.ecr.aws/token/",service="public.ecr.aws",scope="aws")",
            "https://public.ecr.aws/token/?service=public.ecr.aws&scope=aws"}}) {
    Authenticator auth("reg.example", "", Credentials{"AWS", "p"}, PlainHttp::kRefuse);
    ScriptedClient client;
    client.answers.push_back({200, {}, R"({"token":"tok"})"});
    ASSERT_TRUE(auth.on_unauthorized(challenge, auth.generation(), client));
    ASSERT_EQ(client.seen.size(), 1u);
    EXPECT_EQ(client.seen[0].url, url);
  }
}

TEST(Authenticator, TheChallengesScopeJoinsOursOnce) {
  Authenticator auth("reg.example", "repository:app:pull,push repository:base:pull", Credentials{"u", "p"},
                     PlainHttp::kRefuse);
  ScriptedClient client;
  client.answers.push_back({200, {}, R"({"token":"tok"})"});
  ASSERT_TRUE(auth.on_unauthorized(
      R"(Bearer realm="https://auth.example/token",service="reg",scope="repository:base:pull repository:other:pull")",
      auth.generation(), client));
  ASSERT_EQ(client.seen.size(), 1u);
  EXPECT_EQ(client.seen[0].url,
            "https://auth.example/token?service=reg&scope=repository%3Aapp%3Apull%2Cpush"
            "&scope=repository%3Abase%3Apull&scope=repository%3Aother%3Apull");
}

TEST(Authenticator, BasicNeedsCredentialsAndReportsRejection) {
  ScriptedClient client;
  Authenticator anonymous("reg.example", "s", std::nullopt, PlainHttp::kRefuse);
  EXPECT_EQ(anonymous.on_unauthorized("Basic realm=x", 0, client).error().message,
            "registry reg.example requires credentials: pass --username and --password-stdin, or log in (shipctl login)");
  Authenticator auth("reg.example", "s", Credentials{"AWS", "secret"}, PlainHttp::kRefuse);
  ASSERT_TRUE(auth.on_unauthorized("Basic realm=x", 0, client));
  auto again = auth.on_unauthorized("Basic realm=x", auth.generation(), client);
  EXPECT_EQ(again.error().kind, util::ErrorKind::kDenied);
  EXPECT_EQ(again.error().message.find("secret"), std::string::npos);
}

TEST(Authenticator, RefusesPlainHttpTokenServiceUnlessInsecure) {
  ScriptedClient client;
  Authenticator auth("reg.example", "s", Credentials{"u", "p"}, PlainHttp::kRefuse);
  EXPECT_EQ(auth.on_unauthorized(R"(Bearer realm="http://auth.example/token")", 0, client).error().message,
            "registry reg.example sent a token service over plain http (auth.example); refusing to send "
            "credentials (use --insecure for test registries)");
  EXPECT_TRUE(client.seen.empty());
}

}  // namespace
}  // namespace eem::oci
