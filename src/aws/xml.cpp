#include "aws/xml.h"

#include <pugixml.hpp>

#include "util/strings.h"

namespace eem::aws {

namespace {

std::string local_name(const char* name) {
  std::string_view text(name);
  const auto colon = text.find(':');
  return std::string(colon == std::string_view::npos ? text : text.substr(colon + 1));
}

XmlElement convert(const pugi::xml_node& node) {
  XmlElement element;
  element.name = local_name(node.name());
  for (const auto& child : node.children()) {
    if (child.type() == pugi::node_element) {
      element.children.push_back(convert(child));
    } else if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      element.text += child.value();
    }
  }
  return element;
}

}  // namespace

const XmlElement* XmlElement::child(std::string_view child_name) const {
  for (const auto& element : children) {
    if (element.name == child_name) return &element;
  }
  return nullptr;
}

const XmlElement* XmlElement::find(std::string_view path) const {
  const XmlElement* current = this;
  for (const auto part : util::split(path, '/')) {
    if (current == nullptr) return nullptr;
    current = current->child(part);
  }
  return current;
}

std::string XmlElement::text_at(std::string_view path) const {
  const XmlElement* element = find(path);
  return element == nullptr ? std::string() : element->text;
}

util::Result<XmlElement> parse_xml(std::string_view document) {
  pugi::xml_document parsed;
  const auto result = parsed.load_buffer(document.data(), document.size());
  if (!result) {
    return util::fail(util::ErrorKind::kInvalidInput, std::string("malformed XML: ") + result.description() +
                                                          " at offset " + std::to_string(result.offset));
  }
  const pugi::xml_node root = parsed.document_element();
  if (!root) return util::fail(util::ErrorKind::kInvalidInput, "malformed XML: no root element");
  return convert(root);
}

}  // namespace eem::aws
