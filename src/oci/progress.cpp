#include "oci/progress.h"

#include <algorithm>
#include <ostream>
#include <sstream>

namespace eem::oci {

namespace {

constexpr int kBarWidth = 30;

std::string megabytes(std::int64_t bytes) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(1);
  s << static_cast<double>(bytes) / 1e6 << " MB";
  return s.str();
}

int percent(const std::int64_t done, std::uint64_t size) {
  if (size == 0) return 100;
  return static_cast<int>(std::clamp<std::int64_t>(done * 100 / static_cast<std::int64_t>(size), 0, 100));
}

}  // namespace

Progress::Progress(std::ostream& out, ProgressStyle style, std::chrono::milliseconds interval)
    : out_(out), style_(style), interval_(style == ProgressStyle::kBars ? std::chrono::milliseconds(100) : interval) {
  if (style_ != ProgressStyle::kQuiet) printer_ = std::thread([this] { loop(); });
}

Progress::~Progress() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (printer_.joinable()) printer_.join();
}

void Progress::note(const std::string& line) {
  if (style_ == ProgressStyle::kQuiet) return;
  std::lock_guard lock(mutex_);
  if (style_ == ProgressStyle::kBars && drawn_lines_ > 0) {
    out_ << "\x1b[" << drawn_lines_ << "A\x1b[J";  // erase the bars, redraw below
    drawn_lines_ = 0;
  }
  out_ << line << '\n' << std::flush;
}

void Progress::begin(const Digest& digest, std::uint64_t size) {
  std::lock_guard lock(mutex_);
  active_[digest] = Entry{size, 0};
}

void Progress::add(const Digest& digest, std::int64_t bytes) {
  std::lock_guard lock(mutex_);
  if (auto it = active_.find(digest); it != active_.end()) it->second.done += bytes;
}

void Progress::end(const Digest& digest, BlobOutcome outcome) {
  std::lock_guard lock(mutex_);
  const auto it = active_.find(digest);
  if (it == active_.end()) return;
  if (style_ != ProgressStyle::kQuiet) {
    if (style_ == ProgressStyle::kBars && drawn_lines_ > 0) {
      out_ << "\x1b[" << drawn_lines_ << "A\x1b[J";
      drawn_lines_ = 0;
    }
    out_ << (outcome == BlobOutcome::kPushed ? "pushed " : "failed ") << digest.short_form() << " (" << megabytes(static_cast<std::int64_t>(it->second.size))
         << ")\n" << std::flush;
  }
  active_.erase(it);
}

void Progress::draw() {
  if (style_ == ProgressStyle::kBars) {
    if (drawn_lines_ > 0) out_ << "\x1b[" << drawn_lines_ << "A\x1b[J";
    for (const auto& [digest, e] : active_) {
      const int p = percent(e.done, e.size);
      const int filled = p * kBarWidth / 100;
      out_ << digest.short_form() << " [" << std::string(static_cast<std::size_t>(filled), '=')
           << std::string(static_cast<std::size_t>(kBarWidth - filled), ' ') << "] " << p << "% "
           << megabytes(e.done) << " / " << megabytes(static_cast<std::int64_t>(e.size)) << '\n';
    }
    drawn_lines_ = active_.size();
  } else {
    for (const auto& [digest, e] : active_) {
      out_ << "uploading " << digest.short_form() << ": " << percent(e.done, e.size) << "% ("
           << megabytes(e.done) << " of " << megabytes(static_cast<std::int64_t>(e.size)) << ")\n";
    }
  }
  out_ << std::flush;
}

void Progress::loop() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stop_; })) {
    if (!active_.empty()) draw();
  }
  if (style_ == ProgressStyle::kBars && drawn_lines_ > 0) out_ << "\x1b[" << drawn_lines_ << "A\x1b[J" << std::flush;
}

}  // namespace eem::oci
