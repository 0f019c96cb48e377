#include "iam/json_strict.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace eem::iam::detail {
namespace {

using nlohmann::json;

// A SAX consumer that builds the DOM itself (nlohmann's own DOM builder lives
// in its detail namespace) and tracks, per open object, the keys seen so far.
class DomBuilder final : public nlohmann::json_sax<json> {
 public:
  explicit DomBuilder(std::string_view text) : text_(text) {}

  bool null() override { return put(json(nullptr)); }
  bool boolean(bool v) override { return put(json(v)); }
  bool number_integer(number_integer_t v) override { return put(json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return put(json(v)); }
  bool number_float(number_float_t v, const string_t&) override { return put(json(v)); }
  bool string(string_t& v) override { return put(json(v)); }
  bool binary(binary_t&) override { return false; }

  bool start_object(std::size_t) override { return open(json::object()); }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(json::array()); }
  bool end_array() override { return close(); }

  bool key(string_t& k) override {
    Frame& frame = stack_.back();
    if (!frame.seen.insert(k).second) duplicates_.push_back({k, frame.path});
    frame.pending_key = k;
    return true;
  }

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    error_ = describe(position, ex.what());
    return false;
  }

  json result;
  std::vector<DuplicateKey> duplicates_;
  std::string error_;

 private:
  struct Frame {
    json value;
    std::string path;
    std::set<std::string> seen;
    std::string pending_key;
  };

  std::string path_for_child() const {
    if (stack_.empty()) return "$";
    const Frame& parent = stack_.back();
    if (parent.value.is_object()) return child_path(parent.path, parent.pending_key);
    return index_path(parent.path, parent.value.size());
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
    stack_.push_back({std::move(v), path_for_child(), {}, {}});
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
    // what(): "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ..."
    std::string reason(what);
    if (const auto colon = reason.find(": "); colon != std::string::npos) reason.erase(0, colon + 2);
    return "not valid JSON: line " + std::to_string(line) + ", column " + std::to_string(column) + ": " +
           reason;
  }

  std::string_view text_;
  std::vector<Frame> stack_;
};

bool is_plain_key(std::string_view key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  });
}

}  // namespace

util::Result<StrictJson> parse_strict_json(std::string_view text) {
  DomBuilder builder(text);
  const bool ok = json::sax_parse(text.begin(), text.end(), &builder, nlohmann::detail::input_format_t::json,
                                  /*strict=*/true, /*ignore_comments=*/false);
  if (!ok) {
    return util::fail(util::ErrorKind::kInvalidInput,
                      builder.error_.empty() ? std::string("not valid JSON") : builder.error_);
  }
  return StrictJson{std::move(builder.result), std::move(builder.duplicates_)};
}

std::string child_path(std::string_view parent, std::string_view key) {
  if (is_plain_key(key)) return std::string(parent) + "." + std::string(key);
  return std::string(parent) + "[" + json(std::string(key)).dump() + "]";
}

std::string index_path(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

}  // namespace eem::iam::detail
