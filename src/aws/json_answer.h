#pragma once
// Reading a JSON 1.1 answer into shipctl's types. The conversions use
// nlohmann's typed accessors (value(), get<T>()), which throw when a member
// has another type than the service model's ("status": null where a string
// belongs, an object where a list does). Such an answer is malformed, like a
// body that is not JSON: kInvalidInput naming the service and operation,
// never an exception escaping to main.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <type_traits>

#include "aws/service_client.h"

namespace eem::aws {

// `operation` with `input`, its answer converted by `convert(const json&)`.
template <class Convert>
auto json_answer(ServiceClient& client, std::string_view operation, const nlohmann::json& input, Convert convert)
    -> ApiResult<std::invoke_result_t<Convert&, const nlohmann::json&>> {
  auto output = client.json_object(operation, input);
  if (!output) return std::unexpected(output.error());
  try {
    return convert(*output);
  } catch (const nlohmann::json::exception& e) {
    return std::unexpected(from_error({util::ErrorKind::kInvalidInput,
                                       std::string("response does not match the service model: ") + e.what()},
                                      client.service().id, operation));
  }
}

}  // namespace eem::aws
