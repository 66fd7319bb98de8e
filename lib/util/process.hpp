#pragma once
/// Running local programs (git, hooks, credential helpers) without a shell unless asked for one.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hoist {

struct ProcessResult {
    int exit_code = -1;  ///< 128+N when killed by signal N; -1 when it could not start
    std::string out;
    std::string err;
};

struct ProcessOptions {
    std::string cwd;                           ///< empty: inherit
    std::map<std::string, std::string> env;    ///< added to (or replacing in) the inherited environment
    std::optional<std::string> input;          ///< written to stdin, then closed
    bool capture = true;                       ///< false: inherit stdout/stderr
};

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

}  // namespace hoist
