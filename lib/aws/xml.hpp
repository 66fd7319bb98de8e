#pragma once
/// A small XML reader for AWS Query API responses (ELBv2, EC2): elements, attributes, character
/// data, CDATA, comments and processing instructions; the five predefined entities and numeric
/// character references. DOCTYPE is refused (AWS never sends one, and it is the door to entity
/// expansion attacks), as is anything malformed: an error names the line and column.
/// Namespace prefixes are dropped from names, since AWS responses use one default namespace.
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"

namespace hoist::aws {

/// An answer that is not the XML it should be (query.cpp reports it as an aws::Error).
class XmlError : public hoist::Failure {
public:
    explicit XmlError(const std::string& message) : hoist::Failure(message) {}
};

struct XmlElement {
    std::string name;  ///< local name
    std::map<std::string, std::string> attributes;
    std::string text;  ///< character data directly inside this element, decoded, in order
    std::vector<XmlElement> children;

    /// The first child named `name`, or nullptr.
    const XmlElement* child(std::string_view name) const;
    /// Every child named `name`, in order.
    std::vector<const XmlElement*> children_named(std::string_view name) const;
    /// The descendant at a '/'-separated path of child names ("Error/Code"), or nullptr.
    const XmlElement* find(std::string_view path) const;
    /// Text of `find(path)` with surrounding whitespace trimmed, or "" when absent.
    std::string text_at(std::string_view path) const;
    /// The `member` children of `find(path)` (AWS's list encoding), empty when absent.
    std::vector<const XmlElement*> members(std::string_view path) const;
};

/// Parses one document. Throws XmlError ("line L, column C: ...").
XmlElement parse_xml(std::string_view text);

}  // namespace hoist::aws
