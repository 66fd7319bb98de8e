#include "report/terminal_text.hpp"

#include <cstdio>

namespace hoist::report {

std::string terminal_safe(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    auto byte = [&text](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    auto hex = [&out](unsigned char c) {
        char buf[5];
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        out += buf;
    };
    for (std::size_t i = 0; i < text.size();) {
        unsigned char c = byte(i);
        if (c == '\t' || (c >= 0x20 && c < 0x7f)) {
            out += char(c);
            ++i;
            continue;
        }
        if (c < 0x20 || c == 0x7f) {
            out += '^';
            out += c == 0x7f ? '?' : char(c + 0x40);
            ++i;
            continue;
        }
        // A multi-byte UTF-8 character is kept whole; a byte that does not form one (a lone 8-bit
        // C1 control such as CSI 0x9b, a stray continuation) and C1 controls in UTF-8 are shown as hex.
        std::size_t len = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
        bool whole = len > 0 && i + len <= text.size();
        for (std::size_t k = 1; whole && k < len; ++k) whole = (byte(i + k) & 0xc0) == 0x80;
        if (!whole) {
            hex(c);
            ++i;
        } else if (c == 0xc2 && byte(i + 1) <= 0x9f) {
            hex(byte(i + 1));
            i += 2;
        } else {
            out.append(text.substr(i, len));
            i += len;
        }
    }
    return out;
}

}  // namespace hoist::report
