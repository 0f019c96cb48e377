#include "oci/registry.h"

#include <algorithm>
#include <charconv>
#include <utility>
#include <vector>

#include "util/strings.h"

namespace eem::oci {

namespace {

using util::ErrorKind;
using util::fail;

std::uint64_t parse_u64(std::string_view text, std::uint64_t fallback) {
  std::uint64_t v = 0;
  const auto t = util::trim(text);
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  return ec == std::errc() && end == t.data() + t.size() ? v : fallback;
}

// Adds `param` to a Location URL that may already carry a query (distribution
// puts the upload state there: "?_state=...").
std::string with_query(const std::string& url, std::string_view param) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + std::string(param);
}

// Streams at most `limit` bytes of `reader` into curl's buffer, counting
// them and keeping the first read error (curl then fails the transfer).
struct LimitedBody {
  FileReader* reader;
  std::uint64_t left;
  const ByteCounter* sent;
  std::optional<util::Error> error;

  std::size_t read(std::span<std::byte> buffer) {
    if (left == 0 || error) return 0;
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer.size()));
    auto n = reader->read(buffer.first(want));
    if (!n) {
      error = n.error();
      return 0;
    }
    left -= *n;
    if (*sent) (*sent)(static_cast<std::int64_t>(*n));
    return *n;
  }
};

util::Result<void> skip(FileReader& reader, std::uint64_t bytes) {
  std::vector<std::byte> buffer(std::min<std::uint64_t>(bytes, 1u << 20));
  while (bytes > 0) {
    auto n = reader.read(std::span(buffer).first(static_cast<std::size_t>(std::min<std::uint64_t>(bytes, buffer.size()))));
    if (!n) return std::unexpected(n.error());
    if (*n == 0) return fail(ErrorKind::kIo, "blob ended early while resuming");
    bytes -= *n;
  }
  return {};
}

}  // namespace

RegistryClient::RegistryClient(Endpoint endpoint, std::shared_ptr<Authenticator> auth,
                               std::unique_ptr<net::HttpClient> http, net::RetryPolicy retry)
    : endpoint_(std::move(endpoint)), auth_(std::move(auth)), http_(std::move(http)), retry_(std::move(retry)) {}

template <class F>
std::invoke_result_t<F&> RegistryClient::retrying(F&& operation) {
  return net::with_retries(retry_, [&](net::Attempt& attempt) {
    retry_after_.reset();
    auto result = operation();
    attempt.retry_after = retry_after_;
    return result;
  });
}

std::string RegistryClient::absolute(std::string_view location) const {
  if (location.find("://") != std::string_view::npos) return std::string(location);
  return endpoint_.base + std::string(location);
}

util::Result<net::Response> RegistryClient::send(net::Request request) {
  const auto base_headers = request.headers;
  for (int attempt = 0;; ++attempt) {
    request.headers = base_headers;
    const auto generation = auth_->generation();
    if (auto header = auth_->header_for(request.url)) request.headers.push_back({"Authorization", *header});
    auto response = http_->send(request);
    retry_after_.reset();
    if (response) {
      if (const auto after = response->header("Retry-After")) {
        retry_after_ = net::parse_retry_after(*after, std::chrono::system_clock::now());
      }
    }
    if (!response || response->status != 401 || attempt > 0) return response;
    const auto challenge = response->header("WWW-Authenticate");
    if (!challenge) return response;
    if (auto ok = auth_->on_unauthorized(*challenge, generation, *http_); !ok) return std::unexpected(ok.error());
    if (request.stream) {
      // A streamed body cannot be replayed here; the caller's retry reopens it.
      return fail(ErrorKind::kTransient, "authorization was refreshed during an upload");
    }
  }
}

util::Result<void> RegistryClient::ping() {
  net::Request request;
  request.url = endpoint_.base + "/v2/";
  auto response = retrying([&]() -> util::Result<net::Response> {
    auto r = send(request);
    if (r && r->status != 200 && r->status != 401) return std::unexpected(registry_error(*r, "checking the registry API (/v2/)", endpoint_));
    return r;
  });
  if (!response) return std::unexpected(response.error());
  if (response->status == 200) return {};
  if (response->status == 401) {
    return fail(ErrorKind::kDenied,
                "registry " + auth_->host() +
                    (auth_->has_credentials()
                         ? " rejected the credentials: check the user name and password (ECR "
                           "passwords are tokens that expire after 12 hours: log in again)"
                         : " requires credentials: pass --username and --password-stdin, or log in "
                           "(shipctl login)"));
  }
  return {};
}

util::Result<bool> RegistryClient::has_blob(const Descriptor& blob) {
  net::Request request;
  request.method = "HEAD";
  request.url = endpoint_.base + "/v2/" + endpoint_.repository + "/blobs/" + blob.digest.str();
  return retrying([&] { return blob_present(send(request), blob); });
}

util::Result<bool> RegistryClient::blob_present(const util::Result<net::Response>& response, const Descriptor& blob) {
  if (!response) return std::unexpected(response.error());
  if (response->status == 404) return false;
  // A redirect means the registry serves the blob from other storage (S3,
  // a CDN): it has it. We never follow it (no credentials leave the host).
  if (response->status == 302 || response->status == 303 || response->status == 307) return true;
  if (response->status != 200) {
    return std::unexpected(registry_error(*response, "checking blob " + blob.digest.str(), endpoint_));
  }
  const auto length = response->header("Content-Length");
  return !length || parse_u64(*length, blob.size) == blob.size;
}

util::Result<std::string> RegistryClient::start_upload(std::uint64_t& min_chunk) {
  net::Request request;
  request.method = "POST";
  request.url = endpoint_.base + "/v2/" + endpoint_.repository + "/blobs/uploads/";
  auto response = send(request);  // retried with the whole upload attempt
  if (!response) return std::unexpected(response.error());
  const auto location = response->header("Location");
  if (response->status != 202 || !location) {
    return std::unexpected(registry_error(*response, "starting a blob upload", endpoint_));
  }
  if (const auto m = response->header("OCI-Chunk-Min-Length")) min_chunk = parse_u64(*m, 0);
  return absolute(*location);
}

util::Result<std::optional<std::string>> RegistryClient::mount_blob(const Descriptor& blob,
                                                                   std::string_view from) {
  // OCI distribution spec, "Mounting a blob from another repository":
  // 201 means mounted; 202 opens an ordinary upload session instead.
  net::Request request;
  request.method = "POST";
  request.url = endpoint_.base + "/v2/" + endpoint_.repository + "/blobs/uploads/?mount=" +
                blob.digest.str() + "&from=" + std::string(from);
  return retrying([&]() -> util::Result<std::optional<std::string>> {
    auto response = send(request);
    if (!response) return std::unexpected(response.error());
    if (response->status == 201) return std::optional<std::string>{};
    const auto location = response->header("Location");
    if (response->status != 202 || !location) {
      return std::unexpected(registry_error(*response, "mounting blob " + blob.digest.str() + " from " +
                                                           std::string(from), endpoint_));
    }
    return std::optional<std::string>{absolute(*location)};
  });
}

util::Result<std::uint64_t> RegistryClient::upload_offset(const std::string& location) {
  // GET on the upload URL answers 204 with "Range: 0-<last byte>" (OCI
  // distribution spec, "Resuming an upload").
  net::Request request;
  request.url = location;
  auto response = send(request);
  if (!response) return std::unexpected(response.error());
  const auto range = response->header("Range");
  if (response->status != 204 || !range) {
    return std::unexpected(registry_error(*response, "querying the upload status", endpoint_));
  }
  const auto dash = range->find('-');
  if (dash == std::string_view::npos) return std::uint64_t{0};
  const auto start = range->substr(0, dash);
  if (util::trim(start) != "bytes=0" && util::trim(start) != "0") return std::uint64_t{0};
  // distribution answers "0-0" both for nothing and for one byte stored
  // (registry/handlers/blobupload.go); our chunks are never one byte, so
  // "0-0" means start over.
  const auto last = parse_u64(range->substr(dash + 1), 0);
  return last == 0 ? 0 : last + 1;
}

util::Result<void> RegistryClient::upload_once(const Descriptor& blob, const BlobOpener& open,
                                               const UploadPolicy& policy, const ByteCounter& sent,
                                               std::string& location, std::uint64_t& offset) {
  std::uint64_t min_chunk = 0;
  if (location.empty()) {
    auto started = start_upload(min_chunk);
    if (!started) return std::unexpected(started.error());
    location = std::move(*started);
    offset = 0;
  }
  auto reader = open();
  if (!reader) return std::unexpected(reader.error());
  if (offset > 0) {
    if (auto s = skip(**reader, offset); !s) return s;
  }
  const bool chunked = blob.size > policy.chunk_threshold;
  const std::uint64_t chunk = std::max(policy.chunk_size, min_chunk);
  while (chunked && offset < blob.size) {
    const std::uint64_t n = std::min(chunk, blob.size - offset);
    LimitedBody body{reader->get(), n, &sent, std::nullopt};
    net::Request patch;
    patch.method = "PATCH";
    patch.url = location;
    patch.headers = {{"Content-Type", "application/octet-stream"},
                     {"Content-Range", std::to_string(offset) + "-" + std::to_string(offset + n - 1)}};
    patch.stream = net::BodyStream{n, [&body](std::span<std::byte> b) { return body.read(b); }};
    auto response = send(std::move(patch));
    if (body.error) return std::unexpected(*body.error);
    if (!response) return std::unexpected(response.error());
    // ECR answers an intermediate PATCH with 201 rather than 202 (DESIGN.md §3).
    const auto next = response->header("Location");
    if ((response->status != 202 && response->status != 201) || !next) {
      return std::unexpected(registry_error(*response, "uploading blob " + blob.digest.str(), endpoint_));
    }
    location = absolute(*next);
    offset += n;
  }
  net::Request put;
  put.method = "PUT";
  put.url = with_query(location, "digest=" + blob.digest.str());
  LimitedBody body{reader->get(), chunked ? 0 : blob.size - offset, &sent, std::nullopt};
  put.headers = {{"Content-Type", "application/octet-stream"}};
  put.stream = net::BodyStream{body.left, [&body](std::span<std::byte> b) { return body.read(b); }};
  auto response = send(std::move(put));
  if (body.error) return std::unexpected(*body.error);
  if (!response) return std::unexpected(response.error());
  if (response->status != 201) {
    return std::unexpected(registry_error(*response, "uploading blob " + blob.digest.str(), endpoint_));
  }
  return {};
}

util::Result<void> RegistryClient::upload_blob(const Descriptor& blob, const BlobOpener& open,
                                               const UploadPolicy& policy, const ByteCounter& sent,
                                               std::string session) {
  std::string location = std::move(session);
  std::uint64_t offset = 0;
  // Counts what this blob has put on the wire, so a restart can take back
  // from the progress what will be sent again.
  std::int64_t counted = 0;
  const ByteCounter counter = [&](std::int64_t n) {
    counted += n;
    if (sent) sent(n);
  };
  bool first = true;
  return retrying([&]() -> util::Result<void> {
    if (!std::exchange(first, false)) {
      if (auto ok = resume(blob, policy, location, offset); !ok) return ok;
      counter(static_cast<std::int64_t>(offset) - counted);
    }
    return upload_once(blob, open, policy, counter, location, offset);
  });
}

// Before another attempt: resume a chunked upload where the registry says it
// stands; a monolithic one (or a lost session) starts over.
util::Result<void> RegistryClient::resume(const Descriptor& blob, const UploadPolicy& policy, std::string& location,
                                          std::uint64_t& offset) {
  offset = 0;
  if (location.empty() || blob.size <= policy.chunk_threshold) {
    location.clear();
    return {};
  }
  if (auto at = upload_offset(location)) {
    offset = std::min(*at, blob.size);
  } else {
    location.clear();
  }
  return {};
}

util::Result<bool> RegistryClient::has_manifest(const Manifest& manifest, std::string_view reference) {
  auto digest = manifest_digest(manifest, reference);
  if (!digest) return std::unexpected(digest.error());
  return *digest == manifest.digest.str();
}

util::Result<std::string> RegistryClient::manifest_digest(const Manifest& manifest, std::string_view reference) {
  net::Request request;
  request.method = "HEAD";
  request.url = endpoint_.base + "/v2/" + endpoint_.repository + "/manifests/" + std::string(reference);
  // Only our media type: a registry that would have to convert (schema 2 to
  // schema 1, say) answers another digest or 404, and we PUT.
  request.headers = {{"Accept", manifest.media_type}};
  auto response = retrying([&]() -> util::Result<net::Response> {
    auto r = send(request);
    if (r && (r->status == 429 || r->status == 408 || r->status >= 500)) {
      return std::unexpected(registry_error(*r, "checking manifest " + std::string(reference), endpoint_));
    }
    return r;
  });
  if (response && (response->status == 401 || response->status == 403)) {
    return std::unexpected(registry_error(*response, "checking manifest " + std::string(reference), endpoint_));
  }
  if (!response || response->status != 200) return std::string();
  const auto digest = response->header("Docker-Content-Digest");
  return digest ? std::string(util::trim(*digest)) : std::string();
}

util::Result<void> RegistryClient::put_manifest(const Manifest& manifest, std::string_view reference) {
  return retrying([&] { return put_manifest_once(manifest, reference); });
}

util::Result<void> RegistryClient::put_manifest_once(const Manifest& manifest, std::string_view reference) {
  net::Request request;
  request.method = "PUT";
  request.url = endpoint_.base + "/v2/" + endpoint_.repository + "/manifests/" + std::string(reference);
  request.headers = {{"Content-Type", manifest.media_type}};
  request.body = manifest.raw;
  auto response = send(std::move(request));
  if (!response) return std::unexpected(response.error());
  const std::string what = "putting manifest " + std::string(reference);
  if (response->status != 201) return std::unexpected(registry_error(*response, what, endpoint_));
  // The registry names what it stored (distribution spec, "Pushing
  // Manifests"); another digest means the manifest was altered on the way
  // or rewritten by the registry, and the tag does not name our image.
  // A header that is not a digest is not echoed (it could carry anything).
  const auto stored = response->header("Docker-Content-Digest");
  if (stored && util::trim(*stored) != manifest.digest.str()) {
    const auto named = Digest::parse(util::trim(*stored));
    const std::string said = named ? "digest " + named->str() : "a digest that is not sha256:<64 hex digits>";
    return util::fail(ErrorKind::kConflict, what + ": the registry stored " + said + " but the manifest sent is " +
                                                manifest.digest.str() +
                                                " (a proxy or the registry altered it); the tag does not name this image");
  }
  return {};
}

}  // namespace eem::oci
