#include "report/terminal_text.hpp"

#include <gtest/gtest.h>

using hoist::report::terminal_safe;

// A log line could clear the screen, move the cursor over earlier lines or set the title.
TEST(TerminalText, ControlsAreShownNotObeyed) {
    EXPECT_EQ(terminal_safe("\x1b[2J\x1b]0;pwned\x07ok"), "^[[2J^[]0;pwned^Gok");
    EXPECT_EQ(terminal_safe("a\tb\rc\x7f"), "a\tb^Mc^?");
    EXPECT_EQ(terminal_safe("\x9b" "31m"), "\\x9b31m");             // 8-bit CSI
    EXPECT_EQ(terminal_safe("\xc2\x9b" "31m"), "\\x9b31m");         // CSI as UTF-8
    EXPECT_EQ(terminal_safe("caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x9a\x80"), "caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x9a\x80");
    EXPECT_EQ(terminal_safe("\xe2\x86"), "\\xe2\\x86");              // truncated character
}
