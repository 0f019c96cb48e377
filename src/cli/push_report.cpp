#include "cli/push_report.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/actions_output.h"

namespace eem::cli {

namespace {

std::string human_bytes(std::uint64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(n) / 1e6);
  return buf;
}

double rate(const oci::PushSummary& s) { return s.seconds > 0 ? static_cast<double>(s.bytes_uploaded) / s.seconds : 0; }

}  // namespace

void print_push_summary(std::ostream& out, const oci::PushSummary& s, Format format) {
  if (format == Format::kJson) {
    out << nlohmann::json{{"image", s.name}, {"digest", s.digest.str()},
                          {"image_uri", s.name + "@" + s.digest.str()}, {"media_type", s.media_type},
                          {"tags", s.tags}, {"blobs_uploaded", s.blobs_uploaded},
                          {"blobs_skipped", s.blobs_skipped}, {"blobs_mounted", s.blobs_mounted},
                          {"bytes_uploaded", s.bytes_uploaded}, {"bytes_skipped", s.bytes_skipped},
                          {"manifests_skipped", s.manifests_skipped}, {"already_there", s.already_there},
                          {"seconds", s.seconds},
                          {"bytes_per_second", rate(s)}}.dump()
        << '\n';
    return;
  }
  char line[160];
  std::snprintf(line, sizeof line, "%zu blob(s) uploaded (%s), %zu skipped (%s) in %.2f s (%.1f MB/s)",
                s.blobs_uploaded, human_bytes(s.bytes_uploaded).c_str(), s.blobs_skipped,
                human_bytes(s.bytes_skipped).c_str(), s.seconds, rate(s) / 1e6);
  out << "pushed " << s.name << '@' << s.digest.str() << '\n';
  for (const auto& t : s.tags) out << "tagged " << s.name << ':' << t << '\n';
  out << line << '\n';
  if (s.already_there) {
    out << "already there: " << (s.tags.empty() ? "the digest" : "every tag") << " already named this image (a "
        << "re-run of the same build); nothing was written\n";
  } else if (s.manifests_skipped > 0) {
    out << s.manifests_skipped << " manifest reference(s) already up to date, not rewritten\n";
  }
  out << "digest: " << s.digest.str() << '\n';
}

std::string push_step_summary(const oci::PushSummary& s) {
  std::string tags;
  for (const auto& t : s.tags) tags += (tags.empty() ? "`" : ", `") + t + "`";
  char time[64];
  std::snprintf(time, sizeof time, "%.2f s", s.seconds);
  const std::string size = human_bytes(s.bytes_uploaded + s.bytes_skipped) + " (" + human_bytes(s.bytes_uploaded) +
                           " uploaded, " + std::to_string(s.blobs_skipped) + " blob(s) already there)";
  return std::string(s.already_there ? "### Already there: `" : "### Pushed `") + s.name + "`\n\n| | |\n|---|---|\n| Image | `" + s.name + "@" + s.digest.str() +
         "` |\n| Digest | `" + s.digest.str() + "` |\n| Tags | " + (tags.empty() ? "(none)" : tags) + " |\n| Size | " +
         size + " |\n| Time | " + time + " |\n\n";
}

util::Result<void> write_push_outputs(const oci::PushSummary& s, const std::string& registry,
                                      const util::EnvLookup& env) {
  const std::string image = s.name + (s.tags.empty() ? "" : ":" + s.tags.front());
  auto written = write_outputs({{"image", image}, {"digest", s.digest.str()},
                                {"image-uri", s.name + "@" + s.digest.str()}, {"registry", registry}},
                               env);
  if (!written) return written;
  return write_step_summary(push_step_summary(s), env);
}

}  // namespace eem::cli
