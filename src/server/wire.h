#pragma once
// Private to src/server: response serialization (the parser is Beast's; the
// response side is a fixed, simple format written straight into the
// connection's reusable output buffer).

#include <string>

#include "server/http.h"

namespace eem::server {

enum class Connection { kKeepAlive, kClose };
enum class BodyMode { kSend, kOmit };  // kOmit for HEAD (RFC 9110 section 9.3.2)

// Appends the serialized response to `out`. `http_version` is the request's
// (10 or 11); the status line always says HTTP/1.1 (RFC 9110 section 2.5).
void serialize(const Response& response, int http_version, Connection connection,
               BodyMode body_mode, std::string& out);

// The current time as an IMF-fixdate (RFC 9110 section 5.6.7), cached per
// thread and per second.
std::string_view http_date();

}  // namespace eem::server
