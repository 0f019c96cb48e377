// FileTree over a tar archive: the only file that includes libarchive.
// Archives are read in place; each open() walks the headers again with its
// own handle (libarchive skips entry data by seeking on plain files), so
// parallel readers never share state.
#include <archive.h>
#include <archive_entry.h>

#include <map>
#include <vector>

#include "oci/file_tree.h"
#include "util/strings.h"

namespace eem::oci {

namespace {

namespace fs = std::filesystem;
using util::ErrorKind;
using util::fail;

// Limits against hostile archives: image archives hold a few hundred
// entries with short names; these bounds leave room for any real image.
constexpr std::size_t kMaxEntries = 100'000;
constexpr std::size_t kMaxPathLength = 1024;
constexpr int kMaxLinkHops = 8;
constexpr std::size_t kReadBlockSize = 1u << 20;

struct ArchiveFree {
  void operator()(archive* a) const noexcept { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveFree>;

util::Result<ArchivePtr> open_archive(const fs::path& file) {
  ArchivePtr a(archive_read_new());
  if (!a) return fail(ErrorKind::kInternal, "libarchive: out of memory");
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  archive_read_support_filter_all(a.get());
  if (archive_read_open_filename(a.get(), file.c_str(), kReadBlockSize) != ARCHIVE_OK) {
    return fail(ErrorKind::kIo, "cannot read archive " + file.string() + ": " +
                                    archive_error_string(a.get()));
  }
  return a;
}

// Lexically normalises an archive path: strips "./" and leading "./"
// components, rejects absolute paths and "..". Returns empty for the root.
util::Result<std::string> normalise(std::string_view name) {
  if (name.size() > kMaxPathLength) {
    return fail(ErrorKind::kInvalidInput, "entry name longer than 1024 bytes");
  }
  if (!name.empty() && name.front() == '/') {
    return fail(ErrorKind::kInvalidInput, "absolute path \"" + std::string(name) + "\"");
  }
  std::string out;
  for (const auto part : util::split(name, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      return fail(ErrorKind::kInvalidInput, "path with \"..\": \"" + std::string(name) + "\"");
    }
    if (!out.empty()) out += '/';
    out.append(part);
  }
  return out;
}

struct Entry {
  std::uint64_t size = 0;
  std::string link;  // normalised target for links; empty for regular files
};

class ArchiveReader final : public FileReader {
 public:
  explicit ArchiveReader(ArchivePtr a) : a_(std::move(a)) {}
  util::Result<std::size_t> read(std::span<std::byte> buffer) override {
    const auto n = archive_read_data(a_.get(), buffer.data(), buffer.size());
    if (n < 0) return fail(ErrorKind::kIo, std::string("archive read failed: ") + archive_error_string(a_.get()));
    return static_cast<std::size_t>(n);
  }

 private:
  ArchivePtr a_;
};

class TarTree final : public FileTree {
 public:
  TarTree(fs::path file, std::map<std::string, Entry, std::less<>> entries)
      : file_(std::move(file)), entries_(std::move(entries)) {}

  std::optional<std::uint64_t> size(std::string_view path) const override {
    const auto name = resolve(path);
    if (!name) return std::nullopt;
    return entries_.find(*name)->second.size;
  }

  util::Result<std::unique_ptr<FileReader>> open(std::string_view path) const override {
    const auto name = resolve(path);
    if (!name) return fail(ErrorKind::kNotFound, describe(path) + " is missing");
    auto a = open_archive(file_);
    if (!a) return std::unexpected(a.error());
    archive_entry* entry = nullptr;
    while (archive_read_next_header(a->get(), &entry) == ARCHIVE_OK) {
      auto n = normalise(archive_entry_pathname(entry));
      if (n && *n == *name && archive_entry_hardlink(entry) == nullptr &&
          archive_entry_filetype(entry) == AE_IFREG) {
        return std::make_unique<ArchiveReader>(std::move(*a));
      }
    }
    return fail(ErrorKind::kIo, describe(path) + " vanished from the archive");
  }

  std::string describe(std::string_view path) const override {
    return file_.string() + ":" + std::string(path);
  }

 private:
  // Follows in-archive links to a regular entry name.
  std::optional<std::string> resolve(std::string_view path) const {
    auto n = normalise(path);
    if (!n) return std::nullopt;
    std::string name = std::move(*n);
    for (int hop = 0; hop <= kMaxLinkHops; ++hop) {
      const auto it = entries_.find(name);
      if (it == entries_.end()) return std::nullopt;
      if (it->second.link.empty()) return name;
      name = it->second.link;
    }
    return std::nullopt;
  }

  fs::path file_;
  std::map<std::string, Entry, std::less<>> entries_;
};

// A symlink target is relative to the link's directory; hard link targets
// are archive paths. Either must stay inside the archive.
util::Result<std::string> link_target(archive_entry* entry, const std::string& name) {
  if (const char* hard = archive_entry_hardlink(entry)) return normalise(hard);
  const char* sym = archive_entry_symlink(entry);
  if (sym == nullptr || *sym == '/') {
    return fail(ErrorKind::kInvalidInput, "link \"" + name + "\" points outside the archive");
  }
  const auto slash = name.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : name.substr(0, slash + 1);
  const std::string joined = dir + sym;
  std::vector<std::string> parts;
  for (const auto part : util::split(joined, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (parts.empty()) {
        return fail(ErrorKind::kInvalidInput, "link \"" + name + "\" points outside the archive");
      }
      parts.pop_back();
      continue;
    }
    parts.emplace_back(part);
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

util::Result<void> add_entry(archive_entry* entry, std::map<std::string, Entry, std::less<>>& out) {
  const char* raw = archive_entry_pathname(entry);
  if (raw == nullptr) return fail(ErrorKind::kInvalidInput, "entry without a name");
  auto name = normalise(raw);
  if (!name) return std::unexpected(name.error());
  const auto type = archive_entry_filetype(entry);
  const bool hard = archive_entry_hardlink(entry) != nullptr;
  if (type == AE_IFDIR && !hard) return {};
  if (!hard && type != AE_IFREG && type != AE_IFLNK) {
    return fail(ErrorKind::kInvalidInput, "special file \"" + *name + "\" (device, fifo or socket)");
  }
  Entry e;
  if (hard || type == AE_IFLNK) {
    auto target = link_target(entry, *name);
    if (!target) return std::unexpected(target.error());
    e.link = std::move(*target);
  } else {
    e.size = static_cast<std::uint64_t>(archive_entry_size(entry));
  }
  if (!out.emplace(*name, std::move(e)).second) {
    return fail(ErrorKind::kInvalidInput, "duplicate entry \"" + *name + "\"");
  }
  return {};
}

}  // namespace

util::Result<std::unique_ptr<FileTree>> open_tar_tree(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return fail(ErrorKind::kNotFound, "no such file: " + file.string());
  auto a = open_archive(file);
  if (!a) return std::unexpected(a.error());
  std::map<std::string, Entry, std::less<>> entries;
  archive_entry* entry = nullptr;
  int rc = ARCHIVE_OK;
  while ((rc = archive_read_next_header(a->get(), &entry)) == ARCHIVE_OK ||
         rc == ARCHIVE_WARN) {
    if (entries.size() >= kMaxEntries) {
      return fail(ErrorKind::kInvalidInput, "unsafe archive " + file.string() + ": more than 100000 entries");
    }
    if (auto added = add_entry(entry, entries); !added) {
      return std::unexpected(added.error().with_context("unsafe archive " + file.string()));
    }
  }
  if (rc != ARCHIVE_EOF) {
    return fail(ErrorKind::kInvalidInput, "corrupt archive " + file.string() + ": " +
                                              archive_error_string(a->get()));
  }
  return std::make_unique<TarTree>(file, std::move(entries));
}

}  // namespace eem::oci
