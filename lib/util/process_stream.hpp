#pragma once
/// Running a local program while its output arrives: a hook that runs a test suite or a migration
/// for minutes shows each line as it is written, not all of them when it ends.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/process.hpp"

namespace hoist {

/// A piece of the child's output as read (stderr when `is_stderr`).
using OutputChunk = std::function<void(bool is_stderr, std::string_view data)>;

/// run_process (always capturing) that also calls `on_line` for every line of stdout and stderr
/// as soon as its newline is read (without it), on the calling thread; a last line without a
/// newline comes when the child is done. The result holds the whole output as well.
ProcessResult run_process_lines(const std::vector<std::string>& argv, const ProcessOptions& options,
                                const std::function<void(bool is_stderr, const std::string& line)>& on_line);

}  // namespace hoist
