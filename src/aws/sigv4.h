#pragma once
// AWS Signature Version 4, header and query (presigned URL) forms, as
// specified in https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
// and as botocore's SigV4Auth / SigV4QueryAuth / S3SigV4Auth implement it.
// Proven against the official suite (aws-c-auth's v4 folder) and against
// botocore on a generated corpus (tests/unit/aws/sigv4_*_test.cpp).

#include <chrono>
#include <optional>
#include <string>

#include "net/http_client.h"
#include "util/error.h"

namespace eem::aws {

// One set of AWS credentials. `session_token` is empty for long-term keys.
struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  // When temporary credentials stop working; empty for long-term keys.
  std::optional<std::chrono::system_clock::time_point> expiration;
};

// Path rules differ between services: all but S3 remove dot segments and
// repeated slashes, then percent-encode the (already encoded) wire path once
// more; S3 signs the wire path exactly as sent.
enum class PathNormalization { kRemoveDotSegments, kKeep };
enum class PathEncoding { kEncodeAgain, kAsIs };
// kHashBody signs SHA-256 of the body; kUnsigned signs "UNSIGNED-PAYLOAD"
// (presigned URLs, streamed uploads over TLS where the service allows it).
enum class Payload { kHashBody, kUnsigned };
// Whether the payload hash is also sent as x-amz-content-sha256 (S3, ECR
// registry uploads); botocore's SigV4Auth does not add it, S3SigV4Auth does.
enum class ContentHashHeader { kOmit, kAdd };
// kSigned: the session token is a signed header / signed query parameter
// (every SDK today). kAppendAfterSigning: added afterwards, unsigned (some
// older services need this; the suite's post-sts-header-after case).
enum class SessionTokenSigning { kSigned, kAppendAfterSigning };

struct SigningParams {
  Credentials credentials;
  std::string region;   // e.g. "ap-northeast-1"
  std::string service;  // signing name, e.g. "sts", "ecr", "ecs", "iam"
  std::chrono::sys_seconds time;
  PathNormalization normalization = PathNormalization::kRemoveDotSegments;
  PathEncoding path_encoding = PathEncoding::kEncodeAgain;
  Payload payload = Payload::kHashBody;
  ContentHashHeader content_hash_header = ContentHashHeader::kOmit;
  SessionTokenSigning session_token_signing = SessionTokenSigning::kSigned;
  // Overrides the payload hash (a streamed body whose digest the caller
  // already computed). Must be lower-case hex SHA-256 or "UNSIGNED-PAYLOAD".
  std::string precomputed_payload_hash;
  std::chrono::seconds expires{3600};  // presigned URLs only (X-Amz-Expires)
};

// The intermediate values of one signature, for tests and `--debug` (which
// prints only the canonical request, never the signature).
struct SigningResult {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // secret-equivalent: never log it
};

// Signs `request` in place with an Authorization header. Replaces any
// Authorization, X-Amz-Date and X-Amz-Security-Token headers, adds X-Amz-Date,
// Host (from the URL, without a default port) when absent, the session token
// and, when asked, x-amz-content-sha256. Signs every header except
// Expect, Transfer-Encoding, User-Agent and X-Amzn-Trace-Id (botocore's list).
// Fails with kInvalidInput on a URL that is not absolute http(s), and when the
// body is streamed and neither kUnsigned nor a precomputed hash is given.
util::Result<SigningResult> sign_request(net::Request& request, const SigningParams& params);

// Presigns `request` in place: rewrites the URL's query to carry
// X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders, the session
// token and X-Amz-Signature. The payload rule comes from `params.payload`:
// S3 presigns with kUnsigned; other services (botocore's SigV4QueryAuth, the
// official suite) hash the body, usually empty.
util::Result<SigningResult> presign_request(net::Request& request, const SigningParams& params);

// "20150830T123600Z" (ISO 8601 basic, UTC), as X-Amz-Date spells it.
std::string amz_date(std::chrono::sys_seconds time);

}  // namespace eem::aws
