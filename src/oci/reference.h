#pragma once
// Image references for push destinations: REGISTRY/REPOSITORY[:TAG][@DIGEST],
// following the grammar of distribution's reference package
// (distribution/reference/regexp.go), with a registry host always required:
// a push must never silently go to Docker Hub.

#include <optional>
#include <string>
#include <string_view>

#include "oci/digest.h"
#include "util/error.h"

namespace eem::oci {

// Account and region of an Amazon ECR private registry host
// (<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]).
struct EcrRegistry {
  std::string account;
  std::string region;
};

struct ImageRef {
  std::string registry;              // host[:port], as written
  std::string repository;            // path components joined by '/'
  std::optional<std::string> tag;    // absent when only a digest is given
  std::optional<Digest> digest;

  // Parses `text`. Errors are kInvalidInput and say what to write instead,
  // including the common ECR mistakes (a URL scheme, the registry host
  // repeated inside the repository name, upper case).
  static util::Result<ImageRef> parse(std::string_view text);

  // "registry/repository[:tag][@digest]".
  std::string str() const;
  // "registry/repository".
  std::string name() const { return registry + "/" + repository; }
  // Set when `registry` is an ECR private registry host.
  std::optional<EcrRegistry> ecr() const;
};

// Validates a tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
util::Result<std::string> parse_tag(std::string_view text);

// Parses `host` as an ECR private registry host; nullopt for other hosts.
std::optional<EcrRegistry> parse_ecr_host(std::string_view host);

}  // namespace eem::oci
