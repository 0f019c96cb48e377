#include "iam/json_strict.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "iam/excerpt.h"

namespace eem::iam::detail {
namespace {

using nlohmann::json;

// A SAX consumer that builds the DOM itself (nlohmann's own DOM builder lives
// in its detail namespace) and tracks, per open object, the keys seen so far.
class DomBuilder final : public nlohmann::json_sax<json> {
 public:
  DomBuilder(std::string_view text, std::size_t max_depth) : text_(text), max_depth_(max_depth) {}

  bool null() override { return put(json(nullptr)); }
  bool boolean(bool v) override { return put(json(v)); }
  bool number_integer(number_integer_t v) override { return put(json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return put(json(v)); }
  bool number_float(number_float_t v, const string_t&) override { return put(json(v)); }
  bool string(string_t& v) override { return put(json(std::move(v))); }
  bool binary(binary_t&) override { return false; }

  bool start_object(std::size_t) override { return open(json::object()); }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(json::array()); }
  bool end_array() override { return close(); }

  bool key(string_t& k) override {
    Frame& frame = stack_.back();
    if (!frame.seen.insert(k).second) record_duplicate(k);
    frame.pending_key = std::move(k);
    return true;
  }

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    error_ = describe(position, ex.what());
    return false;
  }

  json result;
  std::vector<DuplicateKey> duplicates_;
  std::size_t unlisted_duplicates_ = 0;
  std::string error_;

 private:
  // An open array or object. No path is stored: storing one per level made
  // memory quadratic in the depth (issue 13, item 6); path_of_top() builds it
  // from the keys and sizes of the open frames when a duplicate is reported.
  struct Frame {
    json value;
    std::set<std::string> seen;
    std::string pending_key;
  };

  std::string path_of_top() const {
    std::string path = "$";
    for (std::size_t i = 0; i + 1 < stack_.size(); ++i) {
      const Frame& f = stack_[i];
      path = f.value.is_object() ? child_path(path, f.pending_key) : index_path(path, f.value.size());
    }
    return path;
  }

  void record_duplicate(const std::string& key) {
    if (duplicates_.size() < kMaxListedDuplicates) {
      duplicates_.push_back({key, path_of_top()});
    } else {
      ++unlisted_duplicates_;
    }
  }

  bool put(json v) {
    if (stack_.empty()) {
      result = std::move(v);
    } else if (Frame& parent = stack_.back(); parent.value.is_object()) {
      parent.value[parent.pending_key] = std::move(v);  // the last duplicate wins, as in IAM
    } else {
      parent.value.push_back(std::move(v));
    }
    return true;
  }
  bool open(json v) {
    if (stack_.size() >= max_depth_) {
      error_ = "$: JSON nested more than " + std::to_string(max_depth_) +
               " levels deep; an IAM policy nests at most 6 (policy, Statement, statement, Condition, operator, values)";
      return false;
    }
    stack_.push_back({std::move(v), {}, {}});
    return true;
  }
  bool close() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    return put(std::move(frame.value));
  }

  // nlohmann reports a byte offset; users want a line and a column.
  std::string describe(std::size_t position, std::string_view what) const {
    const std::size_t end = std::min(position, text_.size());
    std::size_t line = 1;
    std::size_t column = 1;
    for (std::size_t i = 0; i + 1 < end; ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    // what(): "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ...",
    // or "[json.exception.out_of_range.406] number overflow parsing '1e400'".
    std::string_view reason(what);
    if (reason.starts_with("[json.exception.out_of_range")) {
      reason.remove_prefix(reason.find("] ") + 2);
    } else if (const auto colon = reason.find(": "); colon != std::string_view::npos) {
      reason.remove_prefix(colon + 2);
    }
    // The reason quotes the token last read, which can be a whole 100 KB string.
    return "not valid JSON: line " + std::to_string(line) + ", column " + std::to_string(column) + ": " +
           cut_to(reason, 2 * kMaxEchoBytes);
  }

  std::string_view text_;
  std::size_t max_depth_;
  std::vector<Frame> stack_;
};

bool is_plain_key(std::string_view key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  });
}

}  // namespace

util::Result<StrictJson> parse_strict_json(std::string_view text, std::size_t max_depth) {
  DomBuilder builder(text, max_depth);
  const bool ok = json::sax_parse(text.begin(), text.end(), &builder, nlohmann::detail::input_format_t::json,
                                  /*strict=*/true, /*ignore_comments=*/false);
  if (!ok) {
    return util::fail(util::ErrorKind::kInvalidInput,
                      builder.error_.empty() ? std::string("not valid JSON") : builder.error_);
  }
  return StrictJson{std::move(builder.result), std::move(builder.duplicates_), builder.unlisted_duplicates_};
}

std::string child_path(std::string_view parent, std::string_view key) {
  if (is_plain_key(key) && key.size() <= kMaxEchoBytes) return std::string(parent) + "." + std::string(key);
  return std::string(parent) + "[" + quoted_prefix(key) + "]";
}

std::string index_path(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

}  // namespace eem::iam::detail
