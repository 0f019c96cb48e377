#include "service/greetings.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "service/routes.h"

namespace eem::service {
namespace {

using nlohmann::json;

server::Response post(std::string_view content_type, std::string_view body) {
  server::Request req;
  req.method = "POST";
  req.target = req.path = "/v1/greetings";
  if (!content_type.empty()) req.headers.emplace_back("content-type", content_type);
  req.body = body;
  server::Response res;
  make_router({"svc"}).dispatch(req, res);
  return res;
}

server::Response get(std::string_view target) {
  server::Request req;
  req.method = "GET";
  req.target = target;
  const auto q = target.find('?');
  req.path = target.substr(0, q);
  req.query = q == target.npos ? "" : target.substr(q + 1);
  server::Response res;
  make_router({"svc"}).dispatch(req, res);
  return res;
}

TEST(Greetings, GetGreetsInEnglishByDefault) {
  const auto r = get("/v1/greetings/Ann");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"greeting":"Hello, Ann!","name":"Ann","language":"en"})");
}

TEST(Greetings, GetHonoursLangAndDecodesName) {
  const auto r = get("/v1/greetings/%E5%A4%AA%E9%83%8E?lang=ja");
  EXPECT_EQ(json::parse(r.body)["greeting"], "こんにちは、太郎さん");
}

TEST(Greetings, GetRejectsUnknownLanguage) {
  const auto r = get("/v1/greetings/Ann?lang=fr");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["errors"],
            json::parse(R"([{"detail":"must be \"en\" or \"ja\"","pointer":"/lang"}])"));
}

TEST(Greetings, PostAcceptsJsonWithCharset) {
  const auto r = post("Application/JSON; charset=utf-8", R"({"name":"Bob","language":"ja"})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["greeting"], "こんにちは、Bobさん");
}

struct Case {
  const char* label;
  const char* content_type;
  const char* body;
  int status;
  const char* expect;  // the "errors" array, or the "detail" for non-400 cases
};

class GreetingsPost : public testing::TestWithParam<Case> {};

TEST_P(GreetingsPost, AnswersProblemDetails) {
  const auto& c = GetParam();
  const auto r = post(c.content_type, c.body);
  EXPECT_EQ(r.status, c.status);
  EXPECT_EQ(r.content_type, "application/problem+json");
  const auto doc = json::parse(r.body);
  EXPECT_EQ(doc["status"], c.status);
  EXPECT_EQ(doc["type"], "about:blank");
  if (doc.contains("errors")) {
    EXPECT_EQ(doc["errors"], json::parse(c.expect));
  } else {
    EXPECT_EQ(doc["detail"], c.expect);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, GreetingsPost,
    testing::Values(
        Case{"no content type", "", "{}", 415,
             "Send the body as application/json (got no Content-Type)."},
        Case{"text", "text/plain", "{}", 415,
             "Send the body as application/json (got text/plain)."},
        Case{"not json", "application/json", "{", 400, "The body is not valid JSON."},
        Case{"empty body", "application/json", "", 400, "The body is not valid JSON."},
        Case{"array", "application/json", "[]", 400,
             R"([{"pointer":"","detail":"must be a JSON object"}])"},
        Case{"missing name", "application/json", "{}", 400,
             R"([{"pointer":"/name","detail":"is required and must be a string"}])"},
        Case{"name not string", "application/json", R"({"name":5})", 400,
             R"([{"pointer":"/name","detail":"is required and must be a string"}])"},
        Case{"empty name", "application/json", R"({"name":""})", 400,
             R"([{"pointer":"/name","detail":"must be 1 to 64 characters"}])"},
        Case{"long name", "application/json",
             R"({"name":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})", 400,
             R"([{"pointer":"/name","detail":"must be 1 to 64 characters"}])"},
        Case{"control char", "application/json", R"({"name":"a\u0001"})", 400,
             R"([{"pointer":"/name","detail":"must not contain control characters"}])"},
        Case{"bad language and unknown field", "application/json",
             R"({"name":"a","language":"de","a/b":1})", 400,
             R"([{"pointer":"/a~1b","detail":"is not a known field"},
                 {"pointer":"/language","detail":"must be \"en\" or \"ja\""}])"}),
    [](const testing::TestParamInfo<Case>& param_info) {
      std::string name = param_info.param.label;
      for (auto& ch : name) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return name;
    });

TEST(Greetings, SixtyFourMultibyteCharactersAreAllowed) {
  std::string name;
  for (int i = 0; i < 64; ++i) name += "あ";
  EXPECT_EQ(post("application/json", json{{"name", name}}.dump()).status, 200);
  EXPECT_EQ(post("application/json", json{{"name", name + "あ"}}.dump()).status, 400);
}

// A body of many unknown keys must not earn an answer larger than itself
// (issue 13: 90,000 keys gave a 4.85 MB 400): ten errors are listed.
TEST(Greetings, PostListsAtMostTenErrors) {
  json body{{"name", "Ann"}};
  for (int i = 0; i < 200; ++i) body["k" + std::to_string(1000 + i)] = i;
  const std::string text = body.dump();
  ASSERT_LE(text.size(), 4096u);
  const auto r = post("application/json", text);
  EXPECT_EQ(r.status, 400);
  const auto doc = json::parse(r.body);
  EXPECT_EQ(doc["detail"], "The request is invalid; see errors (the first 10 are listed).");
  ASSERT_EQ(doc["errors"].size(), 10u);
  EXPECT_EQ(doc["errors"][0], json::parse(R"({"pointer":"/k1000","detail":"is not a known field"})"));
  EXPECT_EQ(doc["errors"][9]["pointer"], "/k1009");
}

TEST(Greetings, PostRefusesBodiesLargerThanAnyValidGreeting) {
  const std::string padded = R"({"name":"Ann")" + std::string(4096, ' ') + "}";
  const auto r = post("application/json", padded);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(json::parse(r.body)["detail"], "A greeting is at most 4096 bytes of JSON.");
  std::string widest;  // 64 characters, each escaped as a surrogate pair: still accepted
  for (int i = 0; i < 64; ++i) widest += "\\ud83d\\ude00";
  EXPECT_EQ(post("application/json", R"({"name":")" + widest + R"(","language":"ja"})").status, 200);
}

}  // namespace
}  // namespace eem::service
