#include <gtest/gtest.h>

#include "oci/registry.h"

namespace eem::oci {
namespace {

net::Response answer(int status, std::string body) { return {status, {}, std::move(body)}; }

struct Case {
  net::Response response;
  bool ecr;
  util::ErrorKind kind;
  std::string message;
};

TEST(RegistryError, MapsCodesToKindsAndAdvice) {
  const std::string ecr_host = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com";
  const Case cases[] = {
      {answer(404, R"({"errors":[{"code":"NAME_UNKNOWN","message":"The repository with name 'app' does not exist in the registry with id '123456789012'"}]})"),
       true, util::ErrorKind::kNotFound,
       "starting a blob upload: HTTP 404 from " + ecr_host +
           ": NAME_UNKNOWN (The repository with name 'app' does not exist in the registry with id '123456789012'): "
           "repository app does not exist in registry 123456789012 (region ap-northeast-1); create it with "
           "`shipctl bootstrap --apply` or `aws ecr create-repository --repository-name app --region ap-northeast-1`; "
           "the repository is the name only, not the full URI, and the region in the registry host must be the "
           "repository's region"},
      {answer(400, R"({"errors":[{"code":"TAG_INVALID","message":"The image tag 'latest' already exists in the 'app' repository and cannot be overwritten because the repository is immutable."}]})"),
       true, util::ErrorKind::kConflict,
       "starting a blob upload: HTTP 400 from " + ecr_host +
           ": TAG_INVALID (The image tag 'latest' already exists in the 'app' repository and cannot be overwritten "
           "because the repository is immutable.): the tag is invalid or already exists in a repository with "
           "immutable tags; push a new tag"},
      {answer(403, R"({"errors":[{"code":"DENIED","message":"no"}]})"), false, util::ErrorKind::kDenied,
       "starting a blob upload: HTTP 403 from reg:5000: DENIED (no): the credentials lack push permission on this repository"},
      {answer(503, "<html>busy</html>"), false, util::ErrorKind::kTransient,
       "starting a blob upload: HTTP 503 from reg:5000"},
      {answer(429, ""), false, util::ErrorKind::kThrottled, "starting a blob upload: HTTP 429 from reg:5000"},
      // Not kNotFound (exit 3, "repository not found"): blobs were checked
      // or uploaded just before; a new push checks them again.
      {answer(400, R"({"errors":[{"code":"MANIFEST_BLOB_UNKNOWN"}]})"), false, util::ErrorKind::kTransient,
       "starting a blob upload: HTTP 400 from reg:5000: MANIFEST_BLOB_UNKNOWN: the registry does not have a blob "
       "the manifest references, although it reported or accepted it; push again (blobs are checked and uploaded "
       "anew)"},
  };
  for (const auto& c : cases) {
    Endpoint e{c.ecr ? "https://" + ecr_host : "https://reg:5000", "app",
               c.ecr ? parse_ecr_host(ecr_host) : std::nullopt};
    const auto error = registry_error(c.response, "starting a blob upload", e);
    EXPECT_EQ(error.kind, c.kind) << c.message;
    EXPECT_EQ(error.message, c.message);
  }
}

}  // namespace
}  // namespace eem::oci
