#pragma once
// A small, owned XML tree for AWS Query responses; xml.cpp is the only file
// that includes pugixml. Namespace prefixes are dropped from element names.

#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace eem::aws {

struct XmlElement {
  std::string name;
  std::string text;  // concatenated character data directly inside
  std::vector<XmlElement> children;

  // The first child named `name`, or nullptr.
  const XmlElement* child(std::string_view child_name) const;
  // Follows a '/'-separated path of child names ("Credentials/AccessKeyId").
  const XmlElement* find(std::string_view path) const;
  // The text at `path`, or "" when absent.
  std::string text_at(std::string_view path) const;
};

// Parses `document` and returns its root element; kInvalidInput (naming the
// parser's complaint and offset) when it is not well-formed XML.
util::Result<XmlElement> parse_xml(std::string_view document);

}  // namespace eem::aws
