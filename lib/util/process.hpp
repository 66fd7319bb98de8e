#pragma once
/// Running local programs (git, hooks, credential helpers) without a shell unless asked for one.
///
/// Every run has a deadline: a hook that never ends, a credential helper waiting for a prompt or
/// a child whose grandchild keeps its output pipe open must not hang hoist (or a test) forever.
/// Past the deadline the child gets SIGTERM, then SIGKILL after a short grace; with `new_group`
/// the whole process group it started gets them. Input is written while the output is read, so
/// a child that writes a lot before reading its stdin cannot deadlock against us.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hoist {

struct ProcessResult {
    int exit_code = -1;  ///< 128+N when killed by signal N; -1 when it could not start
    std::string out;
    std::string err;
    bool timed_out = false;  ///< the deadline passed and the child was killed
};

struct ProcessOptions {
    std::string cwd;                           ///< empty: inherit
    std::map<std::string, std::string> env;    ///< added to (or replacing in) the inherited environment
    std::optional<std::string> input;          ///< written to stdin, then closed
    bool capture = true;                       ///< false: inherit stdout/stderr
    /// How long the child may run. Past it: SIGTERM, 2 s grace, SIGKILL; `timed_out` is set.
    std::chrono::milliseconds timeout = std::chrono::minutes(10);
    /// Start the child in a process group of its own and signal the whole group on a timeout
    /// (a shell's children too). Off by default: a hook in hoist's own group also gets the
    /// terminal's Ctrl-C, as a user expects.
    bool new_group = false;
};

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

}  // namespace hoist
