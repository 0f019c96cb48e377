#pragma once
// The seam between AWS clients and where credentials come from.

#include <string>

#include "aws/sigv4.h"
#include "util/error.h"

namespace eem::aws {

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // Current credentials. Temporary ones are refreshed when they expire within
  // five minutes (the SDKs' advisory refresh window), so a long push never
  // signs with expired keys.
  virtual util::Result<Credentials> get() = 0;
  // Where the credentials come from, for `whoami` and errors:
  // "environment", "web identity token file", "profile dev", "github actions oidc".
  virtual std::string source() const = 0;
};

// Always returns `credentials` (tests; already-resolved keys).
class StaticCredentials final : public CredentialsProvider {
 public:
  explicit StaticCredentials(Credentials credentials, std::string source_name = "static")
      : credentials_(std::move(credentials)), source_(std::move(source_name)) {}
  util::Result<Credentials> get() override { return credentials_; }
  std::string source() const override { return source_; }

 private:
  Credentials credentials_;
  std::string source_;
};

}  // namespace eem::aws
