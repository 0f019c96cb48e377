#pragma once
// The registry protocol (OCI distribution spec v1.1, "Push"): /v2/ ping,
// blob existence, blob upload (monolithic PUT or chunked PATCH with resume),
// and manifest PUT. One RegistryClient per worker thread, each with its own
// HttpClient; they share one Authenticator.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "net/http_client.h"
#include "net/retry.h"
#include "oci/auth.h"
#include "oci/file_tree.h"
#include "oci/manifest.h"
#include "oci/reference.h"
#include "util/error.h"

namespace eem::oci {

struct Endpoint {
  std::string base;        // "https://host:port", no trailing slash
  std::string repository;  // "team/app"
  std::optional<EcrRegistry> ecr;
};

// Opens a fresh reader positioned at the start of a blob.
using BlobOpener = std::function<util::Result<std::unique_ptr<FileReader>>()>;
// Told how many bytes of the blob went out (may go back on a resume: negative).
using ByteCounter = std::function<void(std::int64_t)>;

struct UploadPolicy {
  // Blobs larger than this go in PATCH chunks of `chunk_size` (at least the
  // registry's OCI-Chunk-Min-Length); smaller ones in one monolithic PUT.
  std::uint64_t chunk_threshold = std::uint64_t{1} << 62;
  std::uint64_t chunk_size = 64u << 20;
};

// "repository X does not exist in registry N (region R); create it with
// `shipctl bootstrap --apply` or `aws ecr create-repository ...`": ECR never
// creates repositories on push (DESIGN.md section 3).
std::string ecr_missing_repository(std::string_view repository, std::string_view registry_id,
                                   std::string_view region);

// Maps a registry error response to an Error whose message says what to do.
// `what` is the operation ("uploading blob sha256:..."), most general first.
util::Error registry_error(const net::Response& response, std::string_view what, const Endpoint& endpoint);

// Every request below is retried by net::with_retries under `retry` when it
// fails with a kind util::kind_info calls retryable (connection failures and
// stalls, 408, 429, 5xx, BLOB_UPLOAD_*, DIGEST_INVALID), honouring the
// registry's Retry-After up to the policy's bound.
class RegistryClient {
 public:
  RegistryClient(Endpoint endpoint, std::shared_ptr<Authenticator> auth,
                 std::unique_ptr<net::HttpClient> http, net::RetryPolicy retry = {});

  // GET /v2/, authenticating when challenged.
  util::Result<void> ping();
  // HEAD /v2/<name>/blobs/<digest>: true when present with the right size.
  util::Result<bool> has_blob(const Descriptor& blob);
  // Uploads `blob`, retrying transient failures with backoff and resuming
  // chunked uploads from the registry's Range.
  // `session` may name an upload already started (by mount_blob).
  util::Result<void> upload_blob(const Descriptor& blob, const BlobOpener& open,
                                 const UploadPolicy& policy, const ByteCounter& sent,
                                 std::string session = {});
  // Cross-repository mount from repository `from` (same registry). Returns
  // nullopt when mounted, else the upload session the registry opened
  // instead (pass it to upload_blob).
  util::Result<std::optional<std::string>> mount_blob(const Descriptor& blob, std::string_view from);
  // HEAD /v2/<name>/manifests/<reference> accepting `manifest`'s media type:
  // the digest `reference` names there (its Docker-Content-Digest), so the
  // caller can tell "already this image" from "another image". 401 and 403
  // are kDenied (a push-only role may not read manifests: on ECR, no
  // ecr:BatchGetImage), so the caller can say so; any other answer, errors
  // included, is "" (nothing known there) and the caller PUTs as usual.
  util::Result<std::string> manifest_digest(const Manifest& manifest, std::string_view reference);
  // manifest_digest() is `manifest`'s own digest: the registry already holds
  // exactly `manifest` under `reference`.
  util::Result<bool> has_manifest(const Manifest& manifest, std::string_view reference);
  // PUT /v2/<name>/manifests/<reference>. A registry answering with a
  // Docker-Content-Digest other than manifest.digest fails with kConflict
  // naming both (it stored something else than what was sent).
  util::Result<void> put_manifest(const Manifest& manifest, std::string_view reference);

  const Endpoint& endpoint() const { return endpoint_; }
  void set_retry(net::RetryPolicy retry) { retry_ = std::move(retry); }

 private:
  util::Result<net::Response> send(net::Request request);
  // with_retries under retry_, with each attempt's Retry-After.
  template <class F>
  std::invoke_result_t<F&> retrying(F&& operation);
  util::Result<void> resume(const Descriptor& blob, const UploadPolicy& policy, std::string& location,
                            std::uint64_t& offset);
  util::Result<void> put_manifest_once(const Manifest& manifest, std::string_view reference);
  util::Result<void> upload_once(const Descriptor& blob, const BlobOpener& open,
                                 const UploadPolicy& policy, const ByteCounter& sent,
                                 std::string& location, std::uint64_t& offset);
  util::Result<std::uint64_t> upload_offset(const std::string& location);
  util::Result<bool> blob_present(const util::Result<net::Response>& response, const Descriptor& blob);
  util::Result<std::string> start_upload(std::uint64_t& min_chunk);
  std::string absolute(std::string_view location) const;

  Endpoint endpoint_;
  std::shared_ptr<Authenticator> auth_;
  std::unique_ptr<net::HttpClient> http_;
  net::RetryPolicy retry_;
  // Retry-After of the last answer, if it had one.
  std::optional<std::chrono::milliseconds> retry_after_;
};

}  // namespace eem::oci
