#pragma once
// Read-only access to the files of an image source, whether a directory or
// a tar archive read in place (never extracted to disk). Every `open` is
// independent, so parallel uploads each stream their own blob.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "util/error.h"

namespace eem::oci {

// A sequential reader of one file.
class FileReader {
 public:
  virtual ~FileReader() = default;
  // Fills up to `buffer.size()` bytes; returns 0 at the end.
  virtual util::Result<std::size_t> read(std::span<std::byte> buffer) = 0;
};

class FileTree {
 public:
  virtual ~FileTree() = default;
  // Size of the regular file at relative path `path` ("blobs/sha256/ab.."),
  // nullopt when absent.
  virtual std::optional<std::uint64_t> size(std::string_view path) const = 0;
  // Opens `path` for reading. Thread-safe; each reader is independent.
  virtual util::Result<std::unique_ptr<FileReader>> open(std::string_view path) const = 0;
  // "ARCHIVE:path" or "DIR/path", for error messages.
  virtual std::string describe(std::string_view path) const = 0;
};

// A directory tree rooted at `root`.
util::Result<std::unique_ptr<FileTree>> open_directory_tree(const std::filesystem::path& root);

// A tar archive (optionally compressed). The whole header list is read and
// checked first: absolute paths, ".." components, device or fifo entries,
// duplicate entries, links that leave the archive, over-long names and too
// many entries are rejected with kInvalidInput naming the entry. Symbolic
// and hard links inside the archive are resolved when opening (docker save
// writes them), never followed outside it.
util::Result<std::unique_ptr<FileTree>> open_tar_tree(const std::filesystem::path& file);

// Reads the whole of `path` if it is at most `max_bytes` long.
util::Result<std::string> read_small_file(const FileTree& tree, std::string_view path,
                                          std::size_t max_bytes);

}  // namespace eem::oci
