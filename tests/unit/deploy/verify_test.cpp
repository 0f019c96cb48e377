#include "deploy/verify.h"

#include <gtest/gtest.h>

namespace eem::deploy {
namespace {

TEST(EndpointUrl, ABareHostAndAnHttpsUrlGiveTheSameUrl) {
  EXPECT_EQ(endpoint_url("api-1a2b.ecs.ap-northeast-1.on.aws").value(), "https://api-1a2b.ecs.ap-northeast-1.on.aws");
  EXPECT_EQ(endpoint_url("https://api-1a2b.ecs.ap-northeast-1.on.aws").value(),
            "https://api-1a2b.ecs.ap-northeast-1.on.aws");
  EXPECT_EQ(endpoint_url("https://api-1a2b.ecs.ap-northeast-1.on.aws/").value(),
            "https://api-1a2b.ecs.ap-northeast-1.on.aws");
}

TEST(EndpointUrl, EmptyPlainHttpOrPathEndpointsAreRefused) {
  EXPECT_FALSE(endpoint_url("").has_value());
  EXPECT_FALSE(endpoint_url("https://").has_value());
  EXPECT_EQ(endpoint_url("http://api.ecs.ap-northeast-1.on.aws").error().message,
            "endpoint http://api.ecs.ap-northeast-1.on.aws is plain http; expected https");
  EXPECT_FALSE(endpoint_url("api.example.com/path").has_value());
}

}  // namespace
}  // namespace eem::deploy
