#pragma once
// Push progress: per-blob bars redrawn in place on a terminal, periodic
// plain lines otherwise (CI logs), nothing with kQuiet. Thread-safe; the
// workers report bytes, a printer thread owned by the reporter draws.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "oci/digest.h"

namespace eem::oci {

enum class ProgressStyle { kBars, kLines, kQuiet };
enum class BlobOutcome { kPushed, kFailed };

class Progress {
 public:
  Progress(std::ostream& out, ProgressStyle style,
           std::chrono::milliseconds interval = std::chrono::milliseconds(2000));
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // A one-off line ("checking 5 blobs").
  void note(const std::string& line);
  void begin(const Digest& digest, std::uint64_t size);
  void add(const Digest& digest, std::int64_t bytes);
  // Ends the blob's bar with "pushed sha256:ab12… (3.0 MB)", or with
  // "failed sha256:ab12… (3.0 MB)" (the error itself is reported once, by
  // the command).
  void end(const Digest& digest, BlobOutcome outcome);

 private:
  struct Entry {
    std::uint64_t size = 0;
    std::int64_t done = 0;
  };
  void draw();  // with mutex_ held
  void loop();

  std::ostream& out_;
  ProgressStyle style_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::map<Digest, Entry> active_;
  std::size_t drawn_lines_ = 0;
  std::thread printer_;
};

}  // namespace eem::oci
