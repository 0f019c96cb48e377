#include "server/router.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace eem::server {
namespace {

server::Request make(std::string_view method, std::string_view target) {
  server::Request r;
  r.method = method;
  r.target = target;
  const auto q = target.find('?');
  r.path = target.substr(0, q);
  r.query = q == target.npos ? "" : target.substr(q + 1);
  return r;
}

class RouterTest : public testing::Test {
 protected:
  RouterTest() {
    router_.add("GET", "/items/{id}", [this](const server::Request&, const PathParams& p,
                                             server::Response& r) {
      seen_ = std::string(p.get("id"));
      r.body = "item";
    });
    router_.add("DELETE", "/items/{id}",
                [](const server::Request&, const PathParams&, server::Response& r) {
                  r.status = 204;
                });
  }
  server::Response dispatch(std::string_view method, std::string_view target) {
    server::Response r;
    router_.dispatch(make(method, target), r);
    return r;
  }
  Router router_;
  std::string seen_;
};

TEST_F(RouterTest, PathParameterIsPercentDecoded) {
  const auto r = dispatch("GET", "/items/a%20b%2Fc?x=1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(seen_, "a b/c");
}

TEST_F(RouterTest, HeadIsServedByGet) {
  EXPECT_EQ(dispatch("HEAD", "/items/1").body, "item");
}

TEST_F(RouterTest, UnknownPathIs404Problem) {
  const auto r = dispatch("GET", "/nothing");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/problem+json");
  EXPECT_EQ(nlohmann::json::parse(r.body)["detail"], "No resource at /nothing.");
}

TEST_F(RouterTest, KnownPathOtherMethodIs405WithAllow) {
  const auto r = dispatch("PUT", "/items/1");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.extra_headers(), "Allow: GET, HEAD, DELETE\r\n");
  EXPECT_EQ(nlohmann::json::parse(r.body)["detail"],
            "PUT is not allowed on /items/1; allowed: GET, HEAD, DELETE.");
}

TEST_F(RouterTest, MalformedEscapesAndEmptySegmentsDoNotMatch) {
  EXPECT_EQ(dispatch("GET", "/items/%zz").status, 404);
  EXPECT_EQ(dispatch("GET", "/items/%00").status, 404);
  EXPECT_EQ(dispatch("GET", "/items/").status, 404);
  EXPECT_EQ(dispatch("GET", "/items/1/2").status, 404);
  EXPECT_EQ(dispatch("GET", "items/1").status, 404);
}

TEST(PercentDecode, Table) {
  bool ok = false;
  EXPECT_EQ(percent_decode("%E3%81%82", ok), "\xE3\x81\x82");
  EXPECT_TRUE(ok);
  EXPECT_EQ(percent_decode("100%", ok), "");
  EXPECT_FALSE(ok);
  EXPECT_EQ(percent_decode("%4", ok), "");
  EXPECT_FALSE(ok);
}

}  // namespace
}  // namespace eem::server
