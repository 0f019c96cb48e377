#include "oci/push.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "oci/tag_conflict.h"

namespace eem::oci {

namespace {

using util::ErrorKind;
using util::fail;

// Runs `task(worker, index)` for every index in [0, count) on up to `jobs`
// threads; stops handing out work after the first failure and returns it.
util::Result<void> run_parallel(std::size_t count, std::size_t jobs,
                                const std::function<util::Result<void>(std::size_t, std::size_t)>& task) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;
  std::optional<util::Error> first_error;
  auto worker = [&](std::size_t w) {
    for (std::size_t i = next++; i < count && !failed; i = next++) {
      if (auto r = task(w, i); !r) {
        std::lock_guard lock(mutex);
        if (!first_error) first_error = r.error();
        failed = true;
      }
    }
  };
  {
    std::vector<std::jthread> threads;
    const std::size_t n = std::max<std::size_t>(1, std::min(jobs, count));
    for (std::size_t w = 1; w < n; ++w) threads.emplace_back(worker, w);
    worker(0);
  }
  if (first_error) return std::unexpected(*first_error);
  return {};
}

struct Session {
  std::vector<std::unique_ptr<RegistryClient>> clients;
};

// Pings over https; with --insecure, falls back to plain http when https
// cannot connect (test registries without TLS).
util::Result<Session> connect(const ImageRef& dest, const PushOptions& options) {
  std::string scope = "repository:" + dest.repository + ":pull,push";
  if (!options.mount_from.empty()) scope += " repository:" + options.mount_from + ":pull";
  auto auth = std::make_shared<Authenticator>(dest.registry, scope, options.credentials, options.plain_http);
  const std::vector<std::string> schemes =
      options.plain_http == PlainHttp::kAllow ? std::vector<std::string>{"https", "http"}
                                              : std::vector<std::string>{"https"};
  util::Error last{ErrorKind::kInternal, "no scheme tried"};
  for (const auto& scheme : schemes) {
    Endpoint endpoint{scheme + "://" + dest.registry, dest.repository, dest.ecr()};
    // With a fallback to come, https is probed once: a plain-http registry
    // fails the TLS handshake every time.
    net::RetryPolicy probe = options.retry;
    if (&scheme != &schemes.back()) probe.max_attempts = 1;
    auto first = std::make_unique<RegistryClient>(endpoint, auth, options.make_client(), probe);
    auto pinged = first->ping();
    if (!pinged) {
      last = pinged.error();
      if (last.kind == ErrorKind::kTransient) continue;
      return std::unexpected(last);
    }
    first->set_retry(options.retry);
    Session s;
    s.clients.push_back(std::move(first));
    for (int i = 1; i < std::max(1, options.jobs); ++i) {
      s.clients.push_back(std::make_unique<RegistryClient>(endpoint, auth, options.make_client(), options.retry));
    }
    return s;
  }
  return std::unexpected(last);
}

// One push: the phases of push.h, sharing the workers' clients.
class Pusher {
 public:
  Pusher(const Image& image, const PushOptions& options, Session session, PushSummary summary)
      : image_(image), options_(options), clients_(std::move(session.clients)), summary_(std::move(summary)) {}

  // Asks the registry what it already has, cheapest question first, on the
  // connection the ping opened: (1) does each reference (tag, or the digest
  // when there is no tag) name this manifest? (2) if none does, does the
  // manifest exist by digest? A registry holding the manifest holds what it
  // references: registries reject a manifest whose blobs or children are
  // missing (distribution, ECR; go-containerregistry skips an index child
  // that exists by digest on the same grounds). So a warm re-push is the ping
  // and one HEAD, and only (3) an unknown manifest HEADs every blob, in
  // parallel. Fills missing_, the skipped counts and ref_present_.
  // A manifest the credentials may not read counts as absent (it is PUT
  // again, as docker push does) and is said once, naming ECR's action.
  // Returns the digest `reference` names ("" when none, or unreadable).
  std::string named_digest(RegistryClient& client, const std::string& reference) {
    auto named = client.manifest_digest(image_.root(), reference);
    if (named) return *named;
    if (summary_.warnings.empty()) {
      summary_.warnings.push_back(
          named.error().message + ": the manifest is sent again on every push" +
          (client.endpoint().ecr ? "; allow ecr:BatchGetImage on the repository (shipctl policy role prints the policy)"
                                 : ""));
    }
    return "";
  }

  bool manifest_present(RegistryClient& client, const std::string& reference) {
    return named_digest(client, reference) == image_.root().digest.str();
  }

  util::Result<void> find_missing() {
    RegistryClient& first = *clients_.front();
    const Manifest& root = image_.root();
    refs_ = options_.tags.empty() ? std::vector<std::string>{root.digest.str()} : options_.tags;
    ref_present_.assign(refs_.size(), 0);
    ref_named_.assign(refs_.size(), "");
    for (std::size_t k = 0; k < refs_.size(); ++k) {
      ref_named_[k] = named_digest(first, refs_[k]);
      ref_present_[k] = ref_named_[k] == root.digest.str() ? 1 : 0;
      root_present_ = root_present_ || ref_present_[k];
    }
    if (!root_present_ && !options_.tags.empty()) root_present_ = manifest_present(first, root.digest.str());
    if (root_present_) {
      for (const auto& blob : image_.blobs) {
        summary_.bytes_skipped += blob.size;
        ++summary_.blobs_skipped;
      }
      return {};
    }
    return head_blobs();
  }

  // Hashes every missing blob before anything is uploaded.
  util::Result<void> verify() {
    if (options_.progress && !missing_.empty()) {
      options_.progress->note("verifying " + std::to_string(missing_.size()) + " blob(s) to upload (" +
                              std::to_string(summary_.blobs_skipped) + " already in the registry)");
    }
    auto verified = run_parallel(missing_.size(), clients_.size(), [&](std::size_t, std::size_t k) {
      return verify_blob(image_, image_.blobs[missing_[k]], {});
    });
    if (!verified) return std::unexpected(verified.error().with_context("nothing was pushed"));
    return {};
  }

  util::Result<void> upload() {
    std::vector<char> mounted(missing_.size(), 0);
    auto uploaded = run_parallel(missing_.size(), clients_.size(), [&](std::size_t w, std::size_t k) {
      return upload_one(*clients_[w], image_.blobs[missing_[k]], mounted[k]);
    });
    if (!uploaded) return std::unexpected(uploaded.error().with_context("no manifest was written"));
    for (std::size_t k = 0; k < missing_.size(); ++k) {
      const auto size = image_.blobs[missing_[k]].size;
      if (mounted[k]) {
        ++summary_.blobs_mounted;
        ++summary_.blobs_skipped;
        summary_.bytes_skipped += size;
      } else {
        ++summary_.blobs_uploaded;
        summary_.bytes_uploaded += size;
      }
    }
    return {};
  }

  // Children by digest, then the root under every tag (or its digest);
  // when the registry has the manifest, only the references that do not
  // name it yet.
  util::Result<void> put_manifests() {
    RegistryClient& client = *clients_.front();
    for (std::size_t m = 0; !root_present_ && m + 1 < image_.manifests.size(); ++m) {
      const auto& child = image_.manifests[m];
      if (auto put = client.put_manifest(child, child.digest.str()); !put) return put;
    }
    for (std::size_t k = 0; k < refs_.size(); ++k) {
      if (ref_present_[k]) {
        ++summary_.manifests_skipped;
        continue;
      }
      if (auto put = client.put_manifest(image_.root(), refs_[k]); !put) return refused(client, k, put.error());
    }
    summary_.already_there = summary_.manifests_skipped == refs_.size();
    return {};
  }

  PushSummary& summary() { return summary_; }

 private:
  // The PUT of refs_[k] failed with `error`. A conflict on a tag that named
  // another image before the push, and still does, is an immutable tag:
  // said with the cause and the fixes (immutable_tag_error).
  util::Result<void> refused(RegistryClient& client, std::size_t k, const util::Error& error) {
    if (error.kind != ErrorKind::kConflict || ref_named_[k].empty() || options_.tags.empty()) {
      return std::unexpected(error);
    }
    const std::string after = named_digest(client, refs_[k]);
    auto explained = immutable_tag_error(client.endpoint(), refs_[k], ref_named_[k], after, image_.root().digest);
    return std::unexpected(explained ? *explained : error);
  }

  util::Result<void> upload_one(RegistryClient& client, const Descriptor& blob, char& mounted) {
    std::string session;
    if (!options_.mount_from.empty()) {
      auto m = client.mount_blob(blob, options_.mount_from);
      if (!m) return std::unexpected(m.error());
      if (!*m) {
        mounted = 1;
        return {};
      }
      session = **m;
    }
    Progress* progress = options_.progress;
    const std::string& path = image_.blob_paths.at(blob.digest);
    if (progress) progress->begin(blob.digest, blob.size);
    auto done = client.upload_blob(
        blob, [&] { return image_.tree->open(path); }, options_.policy,
        [&](std::int64_t n) { if (progress) progress->add(blob.digest, n); }, session);
    if (progress) progress->end(blob.digest, done ? BlobOutcome::kPushed : BlobOutcome::kFailed);
    return done;
  }

  // HEADs every blob in parallel; fills missing_ and the skipped counts.
  util::Result<void> head_blobs() {
    const auto& blobs = image_.blobs;
    std::vector<char> present(blobs.size(), 0);
    auto checked = run_parallel(blobs.size(), clients_.size(), [&](std::size_t w, std::size_t i) -> util::Result<void> {
      auto has = clients_[w]->has_blob(blobs[i]);
      if (!has) return std::unexpected(has.error());
      present[i] = *has ? 1 : 0;
      return {};
    });
    if (!checked) return checked;
    for (std::size_t i = 0; i < blobs.size(); ++i) {
      if (!present[i]) {
        missing_.push_back(i);
        continue;
      }
      summary_.bytes_skipped += blobs[i].size;
      ++summary_.blobs_skipped;
    }
    return {};
  }

  const Image& image_;
  const PushOptions& options_;
  std::vector<std::unique_ptr<RegistryClient>> clients_;
  PushSummary summary_;
  std::vector<std::size_t> missing_;  // indexes into image_.blobs
  std::vector<std::string> refs_;     // the root manifest's references: tags, or its digest
  std::vector<char> ref_present_;     // per refs_ entry: already names the root manifest
  std::vector<std::string> ref_named_;  // per refs_ entry: the digest it named before ("" none or unknown)
  bool root_present_ = false;         // the registry has the root manifest (by digest)
};

}  // namespace

util::Result<PushSummary> push_image(const Image& image, const ImageRef& dest, const PushOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  if (dest.digest && *dest.digest != image.root().digest) {
    return fail(ErrorKind::kInvalidInput, "the destination names digest " + dest.digest->str() +
                                              " but the image's manifest is " + image.root().digest.str());
  }
  auto session = connect(dest, options);
  if (!session) return std::unexpected(session.error());
  Pusher pusher(image, options, std::move(*session),
                PushSummary{dest.name(), image.root().digest, image.root().media_type, options.tags, 0, 0, 0, 0, 0, 0, 0, false, {}});
  for (auto phase : {&Pusher::find_missing, &Pusher::verify, &Pusher::upload, &Pusher::put_manifests}) {
    if (auto ok = (pusher.*phase)(); !ok) return std::unexpected(ok.error());
  }
  pusher.summary().seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return std::move(pusher.summary());
}

}  // namespace eem::oci
