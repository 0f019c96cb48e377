#pragma once
// Percent-encoding as AWS signs and serialises it: every byte except the
// unreserved set A-Z a-z 0-9 - _ . ~ is written %XX with upper-case hex
// (SigV4 "UriEncode", https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).
// The AWS Query protocol form-encodes parameters the same way (botocore's
// percent_encode_sequence).

#include <string>
#include <string_view>

namespace eem::aws {

enum class Slash { kEncode, kKeep };

// Percent-encodes `text`; `slash` says whether '/' stays literal (paths).
std::string uri_encode(std::string_view text, Slash slash = Slash::kEncode);

// application/x-www-form-urlencoded, as botocore writes Query bodies
// (urllib's quote_plus with safe "-_.~"): uri_encode, but a space is '+'.
std::string form_encode(std::string_view text);

// Decodes %XX escapes; malformed escapes are kept literally. '+' stays '+'.
std::string percent_decode(std::string_view text);

}  // namespace eem::aws
