#pragma once
/// Remote text shown on a terminal. A container's log or a command's output may hold escape
/// sequences that move the cursor, rewrite earlier lines, set the window title or, on some
/// terminals, answer back into the input; `hoist logs` and `hoist exec` print them through this
/// when their output is a terminal (piped output stays byte for byte).
#include <string>
#include <string_view>

namespace hoist::report {

/// `text` with control characters made visible: C0 controls but tab as `^X` (ESC is `^[`), DEL
/// as `^?`, C1 controls (U+0080-U+009F, and their lone 8-bit bytes) as `\xNN`.
std::string terminal_safe(std::string_view text);

}  // namespace hoist::report
