#include "oci/media_types.h"

namespace eem::oci::media {

Kind classify(std::string_view media_type) noexcept {
  if (media_type == kOciManifest || media_type == kDockerManifest) return Kind::kImageManifest;
  if (media_type == kOciIndex || media_type == kDockerManifestList) return Kind::kImageIndex;
  return Kind::kOther;
}

}  // namespace eem::oci::media
