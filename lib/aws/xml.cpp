// A recursive-descent XML reader, just enough of XML 1.0 for AWS responses, strict about the rest:
// it is better to report "line 3, column 9: expected '>'" than to read a truncated or hostile body
// as an empty target list.
#include "aws/xml.hpp"

#include "util/strings.hpp"

namespace hoist::aws {

namespace {

constexpr int kMaxDepth = 64;

class Parser {
public:
    explicit Parser(std::string_view s) : m_s(s) {}

    XmlElement document() {
        prolog();
        if (at_end() || peek() != '<') fail("expected the root element");
        XmlElement root = element(0);
        misc();
        if (!at_end()) fail("unexpected content after the root element");
        return root;
    }

private:
    std::string_view m_s;
    std::size_t m_pos = 0;

    bool at_end() const { return m_pos >= m_s.size(); }
    char peek() const { return m_s[m_pos]; }
    bool starts(std::string_view p) const { return m_s.substr(m_pos, p.size()) == p; }

    [[noreturn]] void fail(const std::string& what) const {
        int line = 1, col = 1;
        for (std::size_t i = 0; i < m_pos && i < m_s.size(); ++i) {
            if (m_s[i] == '\n') {
                ++line;
                col = 1;
            } else {
                ++col;
            }
        }
        throw XmlError("line " + std::to_string(line) + ", column " + std::to_string(col) + ": " + what);
    }

    void skip_space() {
        while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\r' || peek() == '\n')) ++m_pos;
    }

    void skip_until(std::string_view end, const char* what) {
        auto at = m_s.find(end, m_pos);
        if (at == std::string_view::npos) fail(std::string("unterminated ") + what);
        m_pos = at + end.size();
    }

    /// Whitespace, comments and processing instructions (outside the root element).
    void misc() {
        for (;;) {
            skip_space();
            if (starts("<!--"))
                skip_until("-->", "comment");
            else if (starts("<?"))
                skip_until("?>", "processing instruction");
            else
                return;
        }
    }

    void prolog() {
        if (starts("\xEF\xBB\xBF")) m_pos += 3;  // UTF-8 byte order mark
        misc();
        if (starts("<!DOCTYPE")) fail("DOCTYPE is not accepted");
    }

    static bool name_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
               c == '-' || c == '.' || c == ':' || static_cast<unsigned char>(c) >= 0x80;
    }

    std::string name() {
        std::size_t start = m_pos;
        while (!at_end() && name_char(peek())) ++m_pos;
        if (m_pos == start) fail("expected a name");
        return std::string(m_s.substr(start, m_pos - start));
    }

    static std::string local(const std::string& qname) {
        auto colon = qname.find(':');
        return colon == std::string::npos ? qname : qname.substr(colon + 1);
    }

    static void append_utf8(std::string& out, unsigned long cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    /// After '&': one entity or character reference, appended decoded.
    void reference(std::string& out) {
        auto semi = m_s.find(';', m_pos);
        if (semi == std::string_view::npos || semi - m_pos > 12) fail("unterminated entity reference");
        std::string_view ref = m_s.substr(m_pos, semi - m_pos);
        if (ref == "lt")
            out += '<';
        else if (ref == "gt")
            out += '>';
        else if (ref == "amp")
            out += '&';
        else if (ref == "quot")
            out += '"';
        else if (ref == "apos")
            out += '\'';
        else if (ref.size() > 1 && ref[0] == '#') {
            bool hexa = ref[1] == 'x';
            std::string digits(ref.substr(hexa ? 2 : 1));
            unsigned long cp = 0;
            try {
                std::size_t used = 0;
                cp = std::stoul(digits, &used, hexa ? 16 : 10);
                if (used != digits.size() || digits.empty()) throw std::invalid_argument("");
            } catch (const std::exception&) {
                fail("bad character reference '&" + std::string(ref) + ";'");
            }
            if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                fail("character reference out of range '&" + std::string(ref) + ";'");
            append_utf8(out, cp);
        } else {
            fail("unknown entity '&" + std::string(ref) + ";'");
        }
        m_pos = semi + 1;
    }

    std::string attribute_value() {
        if (at_end() || (peek() != '"' && peek() != '\'')) fail("expected a quoted attribute value");
        char q = m_s[m_pos++];
        std::string out;
        while (!at_end() && peek() != q) {
            if (peek() == '<') fail("'<' in an attribute value");
            if (peek() == '&') {
                ++m_pos;
                reference(out);
            } else {
                out += m_s[m_pos++];
            }
        }
        if (at_end()) fail("unterminated attribute value");
        ++m_pos;
        return out;
    }

    XmlElement element(int depth) {
        if (depth > kMaxDepth) fail("elements nested too deeply");
        ++m_pos;  // '<'
        std::string qname = name();
        XmlElement e;
        e.name = local(qname);
        for (;;) {
            skip_space();
            if (at_end()) fail("unterminated start tag <" + qname + ">");
            if (starts("/>")) {
                m_pos += 2;
                return e;
            }
            if (peek() == '>') {
                ++m_pos;
                break;
            }
            std::string an = name();
            skip_space();
            if (at_end() || peek() != '=') fail("expected '=' after attribute " + an);
            ++m_pos;
            skip_space();
            e.attributes[an] = attribute_value();
        }
        content(e, qname, depth);
        return e;
    }

    void content(XmlElement& e, const std::string& qname, int depth) {
        for (;;) {
            if (at_end()) fail("missing </" + qname + ">");
            char c = peek();
            if (c == '&') {
                ++m_pos;
                reference(e.text);
            } else if (c != '<') {
                e.text += c;
                ++m_pos;
            } else if (starts("</")) {
                std::size_t tag = m_pos;
                m_pos += 2;
                std::string end = name();
                if (end != qname) {
                    m_pos = tag;
                    fail("</" + end + "> closes <" + qname + ">");
                }
                skip_space();
                if (at_end() || peek() != '>') fail("expected '>'");
                ++m_pos;
                return;
            } else if (starts("<!--")) {
                skip_until("-->", "comment");
            } else if (starts("<![CDATA[")) {
                m_pos += 9;
                auto end = m_s.find("]]>", m_pos);
                if (end == std::string_view::npos) fail("unterminated CDATA section");
                e.text += m_s.substr(m_pos, end - m_pos);
                m_pos = end + 3;
            } else if (starts("<?")) {
                skip_until("?>", "processing instruction");
            } else if (starts("<!")) {
                fail("unexpected markup declaration");
            } else {
                e.children.push_back(element(depth + 1));
            }
        }
    }
};

}  // namespace

const XmlElement* XmlElement::child(std::string_view n) const {
    for (const auto& c : children)
        if (c.name == n) return &c;
    return nullptr;
}

std::vector<const XmlElement*> XmlElement::children_named(std::string_view n) const {
    std::vector<const XmlElement*> out;
    for (const auto& c : children)
        if (c.name == n) out.push_back(&c);
    return out;
}

const XmlElement* XmlElement::find(std::string_view path) const {
    const XmlElement* at = this;
    for (const auto& part : split(path, '/')) {
        if (part.empty()) continue;
        at = at->child(part);
        if (!at) return nullptr;
    }
    return at;
}

std::string XmlElement::text_at(std::string_view path) const {
    const XmlElement* e = find(path);
    return e ? trim(e->text) : std::string();
}

std::vector<const XmlElement*> XmlElement::members(std::string_view path) const {
    const XmlElement* e = find(path);
    return e ? e->children_named("member") : std::vector<const XmlElement*>{};
}

XmlElement parse_xml(std::string_view text) {
    return Parser(text).document();
}

}  // namespace hoist::aws
