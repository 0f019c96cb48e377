#pragma once
// Typed comparisons used by the numeric, date, IP address and ARN condition
// operators. Each returns "no match" (nullopt / false) for text that is not a
// value of its type, as IAM does.

#include <optional>
#include <string_view>

namespace eem::iam {

// A decimal number, optionally signed, with an optional fraction ("12", "-1.5").
std::optional<double> parse_number(std::string_view text);

// Seconds since the epoch for ISO 8601 ("2026-07-15", "2026-07-15T10:00:00Z",
// "...T10:00:00.123+09:00") or a decimal epoch ("1752573600").
std::optional<double> parse_date(std::string_view text);

// IPv4 or IPv6 `address` inside `cidr` ("10.0.0.0/8", "2001:db8::/32"; a bare
// address means /32 or /128).
bool ip_in_cidr(std::string_view address, std::string_view cidr);

// ArnLike / ArnEquals: both split into six colon-separated parts (the last
// part keeps its colons), each part matched with `*` and `?`, case-sensitively.
bool arn_like(std::string_view pattern, std::string_view arn);

}  // namespace eem::iam
