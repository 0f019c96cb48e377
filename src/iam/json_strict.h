#pragma once
// Internal to eem_iam (the nlohmann adapter of this folder): parses JSON into
// a DOM while recording object keys that occur more than once. nlohmann's
// default parser keeps the last duplicate silently; IAM does the same, and a
// duplicated operator key then drops a whole condition, so we must see them.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "iam/policy.h"
#include "util/error.h"

namespace eem::iam::detail {

struct StrictJson {
  nlohmann::json value;
  std::vector<DuplicateKey> duplicates;  // later occurrences win in `value`
  std::size_t unlisted_duplicates = 0;    // found beyond kMaxListedDuplicates
};

// Duplicate keys listed with their paths; the rest are only counted, so a
// document of nothing but duplicates under a deep path costs little.
inline constexpr std::size_t kMaxListedDuplicates = 100;

// Fails with kInvalidInput "not valid JSON: line L, column C: <reason>", or
// "$: JSON nested more than `max_depth` levels deep ..." as soon as an array
// or object opens below that depth (the SAX parser itself does not recurse).
util::Result<StrictJson> parse_strict_json(std::string_view text, std::size_t max_depth);

// Appends `key` to a JSON path: $.Statement, $.Condition["a:b"]. A key longer
// than kMaxEchoBytes appears cut, as quoted_prefix() shows it.
std::string child_path(std::string_view parent, std::string_view key);
std::string index_path(std::string_view parent, std::size_t index);

}  // namespace eem::iam::detail
