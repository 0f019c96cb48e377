#include "aws/sigv4.h"

#include <algorithm>
#include <array>
#include <ctime>
#include <utility>
#include <vector>

#include "aws/uri.h"
#include "crypto/hash.h"
#include "util/strings.h"

namespace eem::aws {

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
// botocore auth.SIGNED_HEADERS_BLACKLIST: headers that proxies and HTTP
// stacks may change in flight.
constexpr std::array<std::string_view, 4> kUnsignedHeaders{"expect", "transfer-encoding",
                                                           "user-agent", "x-amzn-trace-id"};

struct UrlParts {
  std::string scheme;
  std::string authority;  // host[:port] as written
  std::string path;       // as sent, "/" when empty
  std::string query;      // without '?'
};

util::Result<UrlParts> split_url(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return util::fail(util::ErrorKind::kInvalidInput, "cannot sign a request without an absolute URL");
  }
  UrlParts parts;
  parts.scheme = util::to_lower(url.substr(0, scheme_end));
  if (parts.scheme != "http" && parts.scheme != "https") {
    return util::fail(util::ErrorKind::kInvalidInput, "cannot sign a " + parts.scheme + " URL");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const auto path_start = rest.find_first_of("/?");
  parts.authority = std::string(rest.substr(0, path_start));
  rest = path_start == std::string_view::npos ? std::string_view() : rest.substr(path_start);
  const auto question = rest.find('?');
  parts.path = std::string(rest.substr(0, question));
  if (question != std::string_view::npos) parts.query = std::string(rest.substr(question + 1));
  if (parts.path.empty()) parts.path = "/";
  return parts;
}

// The Host header value: lower-case host, port only when not the scheme's
// default (botocore auth._host_from_url).
std::string host_header(const UrlParts& url) {
  std::string authority = util::to_lower(url.authority);
  if (const auto at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
  const auto colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
    const std::string_view port = std::string_view(authority).substr(colon + 1);
    if ((url.scheme == "http" && port == "80") || (url.scheme == "https" && port == "443")) {
      authority.erase(colon);
    }
  }
  return authority;
}

// RFC 3986 section 5.2.4 dot-segment removal, plus the collapsing of empty
// segments AWS services expect (botocore utils.remove_dot_segments).
std::string remove_dot_segments(std::string_view path) {
  std::vector<std::string_view> kept;
  for (const auto segment : util::split(path, '/')) {
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (!kept.empty()) kept.pop_back();
      continue;
    }
    kept.push_back(segment);
  }
  std::string out = path.starts_with('/') ? "/" : "";
  for (std::size_t i = 0; i < kept.size(); ++i) {
    if (i > 0) out.push_back('/');
    out.append(kept[i]);
  }
  if (path.ends_with('/') && !kept.empty()) out.push_back('/');
  return out;
}

std::string canonical_path(const std::string& path, const SigningParams& params) {
  std::string normalized =
      params.normalization == PathNormalization::kRemoveDotSegments ? remove_dot_segments(path) : path;
  if (normalized.empty()) normalized = "/";
  return params.path_encoding == PathEncoding::kEncodeAgain ? uri_encode(normalized, Slash::kKeep)
                                                            : normalized;
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

// Query pairs in canonical form: each key and value decoded and re-encoded
// with the SigV4 rules, so "~" and "%7E" sign alike.
Pairs canonical_query_pairs(std::string_view query) {
  Pairs pairs;
  if (query.empty()) return pairs;
  for (const auto piece : util::split(query, '&')) {
    if (piece.empty()) continue;
    const auto equals = piece.find('=');
    const auto key = piece.substr(0, equals);
    const auto value = equals == std::string_view::npos ? std::string_view() : piece.substr(equals + 1);
    pairs.emplace_back(uri_encode(percent_decode(key)), uri_encode(percent_decode(value)));
  }
  return pairs;
}

std::string join_pairs(Pairs pairs) {
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (!out.empty()) out.push_back('&');
    out.append(key).append("=").append(value);
  }
  return out;
}

// Lower-case name, Trimall(value): surrounding whitespace dropped and inner
// runs collapsed to one space (botocore: ' '.join(value.split())).
std::string trim_all(std::string_view value) {
  std::string out;
  bool pending_space = false;
  for (const char c : value) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

struct CanonicalHeaders {
  std::string block;   // "name:value\n" per header
  std::string signed_names;  // "host;x-amz-date"
};

CanonicalHeaders canonical_headers(const net::Headers& headers) {
  std::vector<std::pair<std::string, std::string>> entries;
  for (const auto& header : headers) {
    std::string name = util::to_lower(header.name);
    if (std::find(kUnsignedHeaders.begin(), kUnsignedHeaders.end(), name) != kUnsignedHeaders.end()) {
      continue;
    }
    entries.emplace_back(std::move(name), trim_all(header.value));
  }
  // Stable: repeated headers keep their order and are joined with ','.
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  CanonicalHeaders out;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (i > 0 && entries[i].first == entries[i - 1].first) {
      out.block.back() = ',';
      out.block.append(entries[i].second).push_back('\n');
      continue;
    }
    if (!out.signed_names.empty()) out.signed_names.push_back(';');
    out.signed_names.append(entries[i].first);
    out.block.append(entries[i].first).append(":").append(entries[i].second).push_back('\n');
  }
  return out;
}

util::Result<std::string> payload_hash(const net::Request& request, const SigningParams& params) {
  if (!params.precomputed_payload_hash.empty()) return params.precomputed_payload_hash;
  // A caller-set x-amz-content-sha256 is the payload hash (botocore
  // SigV4Auth.canonical_request does the same).
  if (params.content_hash_header == ContentHashHeader::kOmit) {
    if (const auto given = net::find_header(request.headers, "x-amz-content-sha256")) {
      return std::string(*given);
    }
  }
  if (params.payload == Payload::kUnsigned) return std::string(kUnsignedPayload);
  if (request.stream) {
    return util::fail(util::ErrorKind::kInvalidInput,
                      "a streamed body needs a precomputed payload hash or UNSIGNED-PAYLOAD");
  }
  return crypto::sha256_hex(request.body);
}

void remove_headers(net::Headers& headers, std::initializer_list<std::string_view> names) {
  std::erase_if(headers, [&](const net::Header& header) {
    return std::any_of(names.begin(), names.end(),
                       [&](std::string_view name) { return util::iequals(header.name, name); });
  });
}

std::string scope(const SigningParams& params) {
  const auto date = amz_date(params.time).substr(0, 8);
  return date + "/" + params.region + "/" + params.service + "/aws4_request";
}

// Fills string_to_sign and signature from the canonical request. The key
// derivation chain is the one in the SigV4 documentation ("Calculate the
// signature"): kDate, kRegion, kService, kSigning.
void finish(SigningResult& result, const SigningParams& params) {
  const std::string date = amz_date(params.time);
  result.string_to_sign = std::string(kAlgorithm) + "\n" + date + "\n" + scope(params) + "\n" +
                          crypto::sha256_hex(result.canonical_request);
  const auto k_date = crypto::hmac_sha256("AWS4" + params.credentials.secret_access_key, date.substr(0, 8));
  const auto k_region = crypto::hmac_sha256(k_date, params.region);
  const auto k_service = crypto::hmac_sha256(k_region, params.service);
  const auto k_signing = crypto::hmac_sha256(k_service, "aws4_request");
  result.signature = crypto::to_hex(crypto::hmac_sha256(k_signing, result.string_to_sign));
}

}  // namespace

std::string amz_date(std::chrono::sys_seconds time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  const std::size_t n = std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
  return std::string(text, n);
}

util::Result<SigningResult> sign_request(net::Request& request, const SigningParams& params) {
  auto url = split_url(request.url);
  if (!url) return std::unexpected(url.error());
  auto hash = payload_hash(request, params);
  if (!hash) return std::unexpected(hash.error());
  const bool has_token = !params.credentials.session_token.empty();
  remove_headers(request.headers, {"authorization", "x-amz-date", "x-amz-security-token"});
  if (params.content_hash_header == ContentHashHeader::kAdd) {
    remove_headers(request.headers, {"x-amz-content-sha256"});
    request.headers.push_back({"X-Amz-Content-SHA256", *hash});
  }
  if (!net::find_header(request.headers, "host")) request.headers.push_back({"Host", host_header(*url)});
  request.headers.push_back({"X-Amz-Date", amz_date(params.time)});
  if (has_token && params.session_token_signing == SessionTokenSigning::kSigned) {
    request.headers.push_back({"X-Amz-Security-Token", params.credentials.session_token});
  }
  const CanonicalHeaders headers = canonical_headers(request.headers);
  SigningResult result;
  result.canonical_request = request.method + "\n" + canonical_path(url->path, params) + "\n" +
                             join_pairs(canonical_query_pairs(url->query)) + "\n" + headers.block +
                             "\n" + headers.signed_names + "\n" + *hash;
  finish(result, params);
  request.headers.push_back(
      {"Authorization", std::string(kAlgorithm) + " Credential=" + params.credentials.access_key_id +
                            "/" + scope(params) + ", SignedHeaders=" + headers.signed_names +
                            ", Signature=" + result.signature});
  if (has_token && params.session_token_signing == SessionTokenSigning::kAppendAfterSigning) {
    request.headers.push_back({"X-Amz-Security-Token", params.credentials.session_token});
  }
  return result;
}

util::Result<SigningResult> presign_request(net::Request& request, const SigningParams& params) {
  auto url = split_url(request.url);
  if (!url) return std::unexpected(url.error());
  auto hash = payload_hash(request, params);
  if (!hash) return std::unexpected(hash.error());
  if (!net::find_header(request.headers, "host")) request.headers.push_back({"Host", host_header(*url)});
  const CanonicalHeaders headers = canonical_headers(request.headers);
  Pairs pairs = canonical_query_pairs(url->query);
  const auto add = [&pairs](std::string_view key, std::string_view value) {
    pairs.emplace_back(std::string(key), uri_encode(value));
  };
  add("X-Amz-Algorithm", kAlgorithm);
  add("X-Amz-Credential", params.credentials.access_key_id + "/" + scope(params));
  add("X-Amz-Date", amz_date(params.time));
  add("X-Amz-Expires", std::to_string(params.expires.count()));
  add("X-Amz-SignedHeaders", headers.signed_names);
  const bool has_token = !params.credentials.session_token.empty();
  if (has_token && params.session_token_signing == SessionTokenSigning::kSigned) {
    add("X-Amz-Security-Token", params.credentials.session_token);
  }
  const std::string query = join_pairs(pairs);
  SigningResult result;
  result.canonical_request = request.method + "\n" + canonical_path(url->path, params) + "\n" + query +
                             "\n" + headers.block + "\n" + headers.signed_names + "\n" + *hash;
  finish(result, params);
  std::string signed_query = query + "&X-Amz-Signature=" + result.signature;
  if (has_token && params.session_token_signing == SessionTokenSigning::kAppendAfterSigning) {
    signed_query += "&X-Amz-Security-Token=" + uri_encode(params.credentials.session_token);
  }
  request.url = url->scheme + "://" + url->authority + url->path + "?" + signed_query;
  return result;
}

}  // namespace eem::aws
