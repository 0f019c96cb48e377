#pragma once
// The push engine: sends a loaded Image to a registry repository.
//
// Order (nothing is written before everything is checked):
//   1. ping and authenticate;
//   2. HEAD the root manifest under each tag (or its digest), then by
//      digest: when the registry has it, it has every blob and child it
//      references (registries refuse manifests with missing references), so
//      only the tags that do not name it yet are written, and a warm re-push
//      writes nothing; local blobs are then neither read nor hashed (what is
//      sent, the manifest, was hashed when loaded; blob sizes were checked);
//   3. otherwise HEAD every blob in parallel: present blobs are skipped;
//   4. hash every missing blob in parallel and compare with its digest and
//      size; any mismatch fails the push before a byte is uploaded;
//   5. upload the missing blobs in parallel (`jobs` workers, one HTTP
//      client each), streamed from the source, retried with backoff and
//      resumed; memory stays bounded by the workers' buffers;
//   6. PUT child manifests by digest, then the root manifest under every tag.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/http_client.h"
#include "oci/auth.h"
#include "oci/progress.h"
#include "oci/reference.h"
#include "oci/registry.h"
#include "oci/source.h"
#include "util/error.h"

namespace eem::oci {

using ClientFactory = std::function<std::unique_ptr<net::HttpClient>()>;

// crane uses 4 parallel jobs and skopeo 6 (DESIGN.md §3).
inline constexpr int kDefaultJobs = 4;

struct PushOptions {
  std::vector<std::string> tags;  // tags for the root manifest; empty: by digest only
  std::optional<Credentials> credentials;
  PlainHttp plain_http = PlainHttp::kRefuse;  // kAllow: --insecure (http fallback)
  int jobs = kDefaultJobs;
  std::string mount_from;  // repository on the same registry to mount blobs from

  UploadPolicy policy;
  net::RetryPolicy retry;      // for every registry request (net/retry.h)
  ClientFactory make_client;   // one client per worker
  Progress* progress = nullptr;
};

struct PushSummary {
  std::string name;  // registry/repository
  Digest digest;     // of the root manifest
  std::string media_type;
  std::vector<std::string> tags;
  std::uint64_t bytes_uploaded = 0;
  std::uint64_t bytes_skipped = 0;
  std::size_t blobs_uploaded = 0;
  std::size_t blobs_skipped = 0;
  std::size_t blobs_mounted = 0;  // of the skipped ones
  double seconds = 0;
  // Tags (or the digest) that already named the manifest: not written.
  std::size_t manifests_skipped = 0;
  // Every tag (or the digest) already named the manifest: nothing was
  // written. A re-run of a reproducible build lands here, and succeeds.
  bool already_there = false;
  // What went wrong without failing the push (a manifest the credentials may
  // not read), one line each, for the command to print.
  std::vector<std::string> warnings;
};

util::Result<PushSummary> push_image(const Image& image, const ImageRef& destination,
                                     const PushOptions& options);

}  // namespace eem::oci
