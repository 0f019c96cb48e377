#include "service/greetings.h"

#include <nlohmann/json.hpp>

#include "server/problem.h"
#include "util/strings.h"

namespace eem::service {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxNameCodePoints = 64;
// A valid greeting is under 1 KiB even with every character escaped as a
// surrogate pair (64 x 12 bytes), so 4 KiB bounds the parsing work per
// request far below MAX_BODY_BYTES without refusing any valid body.
constexpr std::size_t kMaxBodyBytes = 4096;
// Errors listed in one 400: enough to fix a request, not an amplifier (a
// body of many unknown keys would otherwise get a larger answer than itself).
constexpr std::size_t kMaxListedErrors = 10;

struct FieldError {
  std::string pointer;  // RFC 6901 JSON pointer into the request body
  std::string detail;
};

std::size_t code_points(std::string_view utf8) {
  std::size_t n = 0;
  for (const char c : utf8) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::optional<FieldError> check_name(std::string_view name, std::string pointer) {
  if (name.empty() || code_points(name) > kMaxNameCodePoints) {
    return FieldError{std::move(pointer), "must be 1 to 64 characters"};
  }
  if (std::ranges::any_of(name, [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
    return FieldError{std::move(pointer), "must not contain control characters"};
  }
  return std::nullopt;
}

std::optional<FieldError> check_language(std::string_view language, std::string pointer) {
  if (language == "en" || language == "ja") return std::nullopt;
  return FieldError{std::move(pointer), "must be \"en\" or \"ja\""};
}

// The value of query parameter `key` (no decoding: values here are ASCII).
std::string_view query_param(std::string_view query, std::string_view key) {
  for (auto pair : util::split(query, '&')) {
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == key) return eq == pair.npos ? "" : pair.substr(eq + 1);
  }
  return {};
}

void greet(server::Response& response, std::string_view name, std::string_view language) {
  const std::string greeting = language == "ja" ? "こんにちは、" + std::string(name) + "さん"
                                                : "Hello, " + std::string(name) + "!";
  response.body = nlohmann::ordered_json{
      {"greeting", greeting}, {"name", name}, {"language", language}}
                      .dump(-1, ' ', false, json::error_handler_t::replace);
}

// Errors found while validating, the first kMaxListedErrors of them kept.
struct Errors {
  std::vector<FieldError> listed;
  bool truncated = false;

  void add(FieldError e) {
    if (listed.size() < kMaxListedErrors) {
      listed.push_back(std::move(e));
    } else {
      truncated = true;
    }
  }
  [[nodiscard]] bool full() const { return listed.size() >= kMaxListedErrors; }
};

void invalid(server::Response& response, const Errors& errors) {
  json list = json::array();
  for (const auto& e : errors.listed) {
    list.push_back({{"pointer", e.pointer}, {"detail", e.detail}});
  }
  const json extensions{{"errors", list}};
  server::problem(response, 400, "Bad Request",
          errors.truncated ? "The request is invalid; see errors (the first " +
                                 std::to_string(kMaxListedErrors) + " are listed)."
                           : std::string("The request is invalid; see errors."),
          &extensions);
}

}  // namespace

void get_greeting(const server::Request& request, const server::PathParams& params,
                  server::Response& response) {
  const std::string_view name = params.get("name");
  std::string_view language = query_param(request.query, "lang");
  if (language.empty()) language = "en";
  Errors errors;
  if (auto e = check_name(name, "/name")) errors.add(*e);
  if (auto e = check_language(language, "/lang")) errors.add(*e);
  if (!errors.listed.empty()) return invalid(response, errors);
  greet(response, name, language);
}

void post_greeting(const server::Request& request, const server::PathParams&,
                   server::Response& response) {
  const auto media_type = util::trim(util::split(request.header("Content-Type"), ';')[0]);
  if (!util::iequals(media_type, "application/json")) {
    server::problem(response, 415, "Unsupported Media Type",
            "Send the body as application/json (got " +
                (media_type.empty() ? std::string("no Content-Type") : std::string(media_type)) +
                ").");
    response.add_header("Accept-Post", "application/json");
    return;
  }
  if (request.body.size() > kMaxBodyBytes) {
    return server::problem(response, 413, "Content Too Large",
                   "A greeting is at most " + std::to_string(kMaxBodyBytes) + " bytes of JSON.");
  }
  const json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    return server::problem(response, 400, "Bad Request", "The body is not valid JSON.");
  }
  Errors errors;
  if (!body.is_object()) {
    errors.add({"", "must be a JSON object"});
    return invalid(response, errors);
  }
  for (const auto& [key, value] : body.items()) {
    if (key == "name" || key == "language") continue;
    if (errors.full()) {
      errors.truncated = true;  // the pointer is not built: no work for unlisted errors
      break;
    }
    errors.add({(json::json_pointer{} / key).to_string(), "is not a known field"});
  }
  const auto name = body.find("name");
  if (name == body.end() || !name->is_string()) {
    errors.add({"/name", "is required and must be a string"});
  } else if (auto e = check_name(name->get_ref<const std::string&>(), "/name")) {
    errors.add(*e);
  }
  std::string language = "en";
  if (const auto lang = body.find("language"); lang != body.end()) {
    if (!lang->is_string()) {
      errors.add({"/language", "must be a string"});
    } else if (auto e = check_language(lang->get_ref<const std::string&>(), "/language")) {
      errors.add(*e);
    } else {
      language = lang->get<std::string>();
    }
  }
  if (!errors.listed.empty()) return invalid(response, errors);
  greet(response, name->get_ref<const std::string&>(), language);
}

}  // namespace eem::service
