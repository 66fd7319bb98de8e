#pragma once
/// Dockerfile syntax: logical lines, parser directives, flags, and JSON ("exec") vs shell form.
///
/// This is the first pass only; it knows nothing about what an instruction means. It follows the
/// Dockerfile reference (and moby/buildkit's parser where the reference is silent):
///  - parser directives (`# syntax=`, `# escape=`) only at the very top, before any comment,
///    blank line or instruction;
///  - a line ending in the escape character continues on the next line; comment lines and empty
///    lines inside a continuation are dropped;
///  - `--name=value` words at the start of the arguments are flags;
///  - arguments that are a JSON array of strings are the exec form (`json == true`).
/// Heredocs (`<<EOF`) are rejected with a located error rather than misread.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hoist::image {

/// One instruction of a Dockerfile.
struct Instruction {
    int line = 0;                 ///< 1-based line where the instruction starts
    std::string keyword;          ///< upper case: "FROM", "COPY", ...
    std::string original;         ///< the logical line as written (continuations joined)
    std::vector<std::pair<std::string, std::string>> flags;  ///< {"chown", "1000:1000"}; value "" if none
    std::string args;             ///< arguments after the flags, trimmed
    bool json = false;            ///< `args` is a JSON array of strings; see `json_args`
    std::vector<std::string> json_args;

    /// The value of flag `name`, or nullptr.
    const std::string* flag(std::string_view name) const;
};

struct Dockerfile {
    std::string name = "Dockerfile";  ///< used as the file part of every message
    char escape = '\\';
    std::string syntax;  ///< the `# syntax=` directive, if any (recorded, not acted on)
    std::vector<Instruction> instructions;
};

/// Parses Dockerfile text. Throws hoist::Error (exit 5) "NAME:LINE: message" on a syntax error.
Dockerfile parse_dockerfile(std::string_view text, const std::string& name = "Dockerfile");

/// Throws hoist::Error (exit 5) "NAME:LINE: message".
[[noreturn]] void fail_at(const Dockerfile& df, const Instruction& ins, const std::string& message);

}  // namespace hoist::image
