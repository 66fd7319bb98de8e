#pragma once
/// Text codecs: XML escaping for reports (JUnit) and anything else hoist writes as XML.
#include <string>

namespace hoist {

/// `text` escaped for XML attribute values and character data; bytes XML 1.0 cannot hold
/// (control characters other than tab, CR, LF, malformed UTF-8, U+FFFE/U+FFFF) become '?'.
std::string xml_escape(const std::string& text);

}  // namespace hoist
