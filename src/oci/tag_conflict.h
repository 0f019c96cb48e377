#pragma once
// Why a registry refused to move a tag, and what to do: the message a
// re-run of a commit's job reads when its image differs from the first run's
// (issue 15, "Safe re-runs").

#include <optional>
#include <string_view>

#include "oci/digest.h"
#include "oci/registry.h"
#include "util/error.h"

namespace eem::oci {

// The registry refused (a conflict) to point `tag` at `pushing`. When the tag
// named another image before the push (`before`) and still names it
// (`after`), the tag exists and the repository keeps its tags immutable (ECR's
// ImageTagAlreadyExistsException, TAG_INVALID on the registry API): returns a
// kConflict error naming both digests, the likely cause (a build that is not
// reproducible: the same commit built twice gave two images) and the fixes
// (SOURCE_DATE_EPOCH, another tag, or deleting the old image; the ECR command
// for `endpoint`'s repository). Otherwise nullopt: the registry's error says
// more than a guess would. An empty digest means "unknown"; so does a
// `before` that is not a digest (a registry's header is not echoed unchecked).
std::optional<util::Error> immutable_tag_error(const Endpoint& endpoint, std::string_view tag,
                                               std::string_view before, std::string_view after,
                                               const Digest& pushing);

}  // namespace eem::oci
