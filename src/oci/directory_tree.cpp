// FileTree over a plain directory (the oci: source).
#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

#include "oci/file_tree.h"

namespace eem::oci {

namespace {

namespace fs = std::filesystem;
using util::ErrorKind;
using util::fail;

class StreamReader final : public FileReader {
 public:
  explicit StreamReader(std::ifstream in) : in_(std::move(in)) {}
  util::Result<std::size_t> read(std::span<std::byte> buffer) override {
    in_.read(reinterpret_cast<char*>(buffer.data()), static_cast<std::streamsize>(buffer.size()));
    if (in_.bad()) return fail(ErrorKind::kIo, "read failed");
    return static_cast<std::size_t>(in_.gcount());
  }

 private:
  std::ifstream in_;
};

class DirectoryTree final : public FileTree {
 public:
  explicit DirectoryTree(fs::path root) : root_(std::move(root)) {}

  std::optional<std::uint64_t> size(std::string_view path) const override {
    std::error_code ec;
    const fs::path p = root_ / path;
    if (!fs::is_regular_file(p, ec)) return std::nullopt;
    const auto n = fs::file_size(p, ec);
    if (ec) return std::nullopt;
    return n;
  }

  util::Result<std::unique_ptr<FileReader>> open(std::string_view path) const override {
    std::ifstream in(root_ / path, std::ios::binary);
    if (!in) {
      return fail(ErrorKind::kIo, "cannot open " + describe(path) + ": " + std::strerror(errno));
    }
    return std::make_unique<StreamReader>(std::move(in));
  }

  std::string describe(std::string_view path) const override {
    return (root_ / path).string();
  }

 private:
  fs::path root_;
};

}  // namespace

util::Result<std::unique_ptr<FileTree>> open_directory_tree(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return fail(ErrorKind::kNotFound, "no such directory: " + root.string());
  }
  return std::make_unique<DirectoryTree>(root);
}

util::Result<std::string> read_small_file(const FileTree& tree, std::string_view path,
                                          std::size_t max_bytes) {
  const auto n = tree.size(path);
  if (!n) return fail(ErrorKind::kNotFound, tree.describe(path) + " is missing");
  if (*n > max_bytes) {
    return fail(ErrorKind::kInvalidInput, tree.describe(path) + " is " + std::to_string(*n) +
                                              " bytes, over the limit of " +
                                              std::to_string(max_bytes));
  }
  auto reader = tree.open(path);
  if (!reader) return std::unexpected(reader.error());
  std::string out(static_cast<std::size_t>(*n), '\0');
  std::size_t got = 0;
  while (got < out.size()) {
    auto r = (*reader)->read(std::as_writable_bytes(std::span(out).subspan(got)));
    if (!r) return std::unexpected(r.error().with_context(tree.describe(path)));
    if (*r == 0) break;
    got += *r;
  }
  if (got != out.size()) {
    return fail(ErrorKind::kInvalidInput, tree.describe(path) + " is truncated");
  }
  return out;
}

}  // namespace eem::oci
