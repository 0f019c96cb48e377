#include "oci/tag_conflict.h"

#include <string>

namespace eem::oci {

namespace {

// How to replace the image the tag names: ECR's own command when the
// registry is ECR (AWS CLI reference, ecr batch-delete-image).
std::string delete_advice(const Endpoint& endpoint, std::string_view tag) {
  const std::string t(tag);
  if (!endpoint.ecr) return "delete the old image (tag " + t + ") first if you mean to replace it";
  return "delete the old image first if you mean to replace it (aws ecr batch-delete-image --repository-name " +
         endpoint.repository + " --image-ids imageTag=" + t + " --region " + endpoint.ecr->region + ")";
}

}  // namespace

std::optional<util::Error> immutable_tag_error(const Endpoint& endpoint, std::string_view tag,
                                               std::string_view before, std::string_view after,
                                               const Digest& pushing) {
  // The registry's header is echoed only when it is a digest.
  if (!Digest::parse(before) || before == pushing.str() || after != before) return std::nullopt;
  const std::string t(tag);
  return util::Error{
      util::ErrorKind::kConflict,
      "putting manifest " + t + ": tag " + t + " already names " + std::string(before) + ", not this image (" +
          pushing.str() + "), and the registry refused to move it: the repository's tags are immutable. A re-run "
          "of a commit's job gets here when the build is not reproducible (the commit was built before with a "
          "different result): build with SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) so the same commit gives "
          "the same digest (docs/deploy-guide.md, \"Re-running a job\"), or push under a new tag (--tag), or " +
          delete_advice(endpoint, tag)};
}

}  // namespace eem::oci
