#pragma once
/// `.dockerignore` matching, with the semantics of moby/patternmatcher (what `docker build` uses):
///  - one pattern per line; `#` starts a comment line; blank lines are ignored;
///  - patterns are cleaned (`./a//b/` -> `a/b`) and a leading `/` is dropped: every pattern is
///    relative to the context root;
///  - `*` matches within one path component, `?` one character, `[...]` a class, `**` any number
///    of components (including none), `\` escapes;
///  - a pattern that matches a directory excludes everything below it;
///  - `!pattern` re-includes; the last pattern that matches decides.
#include <bitset>
#include <string>
#include <string_view>
#include <vector>

namespace hoist::image {

class IgnoreMatcher {
public:
    IgnoreMatcher() = default;
    /// Parses .dockerignore text. Throws hoist::Error (exit 5) naming `file:line` for a bad pattern.
    static IgnoreMatcher parse(std::string_view text, const std::string& file = ".dockerignore");

    /// True when `path` (relative to the context, '/'-separated, no leading '/') is excluded.
    bool excluded(std::string_view path) const;

    /// True when nothing below an excluded directory `dir` can be re-included by a `!` pattern,
    /// so a walk can skip the whole directory.
    bool can_skip_dir(std::string_view dir) const;

    bool empty() const { return m_patterns.empty(); }

    /// One element of a compiled pattern (public for the matcher in the .cpp).
    struct Token {
        enum Kind { literal, one, set, star, anything, any_dirs } kind = literal;
        std::bitset<256> chars;  ///< literal: its byte; set: the class's bytes
        bool negated = false;    ///< set: [!...] / [^...]
    };

private:
    struct Pattern {
        std::string text;  ///< cleaned pattern
        bool negate = false;
        std::vector<Token> tokens;
    };
    static bool matches(const Pattern& p, std::string_view path);
    std::vector<Pattern> m_patterns;
    bool m_has_negation = false;
};

/// Cleans a '/'-separated path lexically like Go's path.Clean, without a leading '/'
/// ("" and "/" become ".").
std::string clean_relative(std::string_view path);

}  // namespace hoist::image
