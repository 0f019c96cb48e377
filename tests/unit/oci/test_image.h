#pragma once
// Test helpers: temporary directories, tiny OCI layouts and tar archives
// written with libarchive (tests may use it directly; src/ confines it to
// oci/tar_tree.cpp).
#include <archive.h>
#include <archive_entry.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "oci/digest.h"

namespace eem::oci::testing {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("eem-oci-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

inline void write_file(const fs::path& p, std::string_view content) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
}

enum class EntryType { kFile, kDir, kSymlink, kHardlink, kFifo };

struct TarEntry {
  std::string name;
  std::string content;  // file content, or link target
  EntryType type = EntryType::kFile;
};

inline void write_tar(const fs::path& file, const std::vector<TarEntry>& entries) {
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_open_filename(a, file.c_str());
  for (const auto& e : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.name.c_str());
    archive_entry_set_perm(entry, 0644);
    switch (e.type) {
      case EntryType::kFile:
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_size(entry, static_cast<la_int64_t>(e.content.size()));
        break;
      case EntryType::kDir: archive_entry_set_filetype(entry, AE_IFDIR); break;
      case EntryType::kSymlink:
        archive_entry_set_filetype(entry, AE_IFLNK);
        archive_entry_set_symlink(entry, e.content.c_str());
        break;
      case EntryType::kHardlink:
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_hardlink(entry, e.content.c_str());
        break;
      case EntryType::kFifo: archive_entry_set_filetype(entry, AE_IFIFO); break;
    }
    archive_write_header(a, entry);
    if (e.type == EntryType::kFile) archive_write_data(a, e.content.data(), e.content.size());
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
}

// A minimal OCI layout builder: add blobs, manifests and index entries.
struct Layout {
  std::vector<TarEntry> files{{"oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}"}};
  std::string index_entries;

  Digest blob(const std::string& content) {
    const Digest d = Digest::of(content);
    const std::string name = "blobs/sha256/" + std::string(d.hex());
    for (const auto& f : files) {
      if (f.name == name) return d;
    }
    files.push_back({name, content});
    return d;
  }
  static std::string desc(std::string_view media_type, const std::string& content,
                          std::string_view extra = "") {
    return "{\"mediaType\":\"" + std::string(media_type) + "\",\"digest\":\"" +
           Digest::of(content).str() + "\",\"size\":" + std::to_string(content.size()) +
           std::string(extra) + "}";
  }
  // Adds an image (config + layers) and returns its manifest bytes.
  std::string image(const std::string& config, const std::vector<std::string>& layers) {
    blob(config);
    std::string m = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                    "\"config\":" + desc("application/vnd.oci.image.config.v1+json", config) +
                    ",\"layers\":[";
    for (std::size_t i = 0; i < layers.size(); ++i) {
      blob(layers[i]);
      m += (i ? "," : "") + desc("application/vnd.oci.image.layer.v1.tar", layers[i]);
    }
    m += "]}";
    blob(m);
    return m;
  }
  void tag(std::string_view media_type, const std::string& content, std::string_view name) {
    const std::string ann = name.empty() ? "" : ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"" + std::string(name) + "\"}";
    index_entries += (index_entries.empty() ? "" : ",") + desc(media_type, content, ann);
  }
  std::vector<TarEntry> all() const {
    auto out = files;
    out.push_back({"index.json", "{\"schemaVersion\":2,\"manifests\":[" + index_entries + "]}"});
    return out;
  }
  void write_dir(const fs::path& dir) const {
    for (const auto& f : all()) write_file(dir / f.name, f.content);
  }
};

}  // namespace eem::oci::testing
