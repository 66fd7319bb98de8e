#include "image/dockerignore.hpp"

#include <algorithm>
#include <stdexcept>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace hoist::image {
namespace {

using Token = IgnoreMatcher::Token;

/// Compiles a cleaned pattern to tokens, with patternmatcher's meaning of each wildcard. Throws
/// std::runtime_error on a malformed class or escape.
std::vector<Token> compile(const std::string& pattern) {
    std::vector<Token> out;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        char c = pattern[i];
        Token t;
        if (c == '*') {
            if (i + 1 < pattern.size() && pattern[i + 1] == '*') {
                ++i;
                // "**/" matches zero or more directories; a "**" elsewhere matches anything.
                if (i + 1 < pattern.size() && pattern[i + 1] == '/') {
                    ++i;
                    t.kind = Token::any_dirs;
                } else {
                    t.kind = Token::anything;
                }
            } else {
                t.kind = Token::star;
            }
        } else if (c == '?') {
            t.kind = Token::one;
        } else if (c == '[') {
            std::size_t end = pattern.find(']', i + 1);
            if (end == std::string::npos) throw std::runtime_error("unterminated character class");
            std::string cls = pattern.substr(i + 1, end - i - 1);
            t.kind = Token::set;
            std::size_t k = 0;
            if (k < cls.size() && (cls[k] == '!' || cls[k] == '^')) {
                t.negated = true;
                ++k;
            }
            while (k < cls.size()) {
                unsigned char lo = static_cast<unsigned char>(cls[k]);
                if (lo == '\\') {
                    if (++k >= cls.size()) throw std::runtime_error("trailing escape in a character class");
                    lo = static_cast<unsigned char>(cls[k]);
                }
                ++k;
                unsigned char hi = lo;
                if (k + 1 < cls.size() && cls[k] == '-') {
                    hi = static_cast<unsigned char>(cls[k + 1]);
                    k += 2;
                    if (hi == '\\') {
                        if (k >= cls.size()) throw std::runtime_error("trailing escape in a character class");
                        hi = static_cast<unsigned char>(cls[k++]);
                    }
                    if (hi < lo) throw std::runtime_error("character class range out of order");
                }
                for (unsigned v = lo; v <= hi; ++v) t.chars.set(v);
            }
            i = end;
        } else if (c == '\\') {
            if (i + 1 >= pattern.size()) throw std::runtime_error("trailing escape");
            t.kind = Token::literal;
            t.chars.set(static_cast<unsigned char>(pattern[++i]));
        } else {
            t.kind = Token::literal;
            t.chars.set(static_cast<unsigned char>(c));
        }
        out.push_back(t);
    }
    return out;
}

/// Which prefixes of `path` the whole pattern matches: result[j] is true when it matches
/// path[0, j). One pass per token over the path, so O(tokens x length) for any pattern: a
/// backtracking matcher (std::regex) took exponential time on patterns like "**********x".
std::vector<char> prefixes_matched(const std::vector<Token>& tokens, std::string_view path) {
    const std::size_t n = path.size();
    std::vector<char> cur(n + 1, 0), next(n + 1, 0);
    cur[0] = 1;
    for (const Token& t : tokens) {
        std::fill(next.begin(), next.end(), 0);
        bool any = false;
        switch (t.kind) {
            case Token::literal:
            case Token::one:
            case Token::set:
                for (std::size_t j = 0; j < n; ++j) {
                    if (!cur[j]) continue;
                    unsigned char ch = static_cast<unsigned char>(path[j]);
                    bool ok = t.kind == Token::one ? ch != '/' : t.chars.test(ch) != t.negated;
                    if (ok) next[j + 1] = any = 1;
                }
                break;
            case Token::star: {  // [^/]*
                bool active = false;
                for (std::size_t j = 0; j <= n; ++j) {
                    if (cur[j]) active = true;
                    if (active) next[j] = any = 1;
                    if (j < n && path[j] == '/') active = false;
                }
                break;
            }
            case Token::anything: {  // .*
                bool active = false;
                for (std::size_t j = 0; j <= n; ++j) {
                    if (cur[j]) active = true;
                    if (active) next[j] = any = 1;
                }
                break;
            }
            case Token::any_dirs: {  // (.*/)?
                bool active = false;
                for (std::size_t j = 0; j <= n; ++j) {
                    if (cur[j]) {
                        active = true;
                        next[j] = any = 1;
                    }
                    if (active && j < n && path[j] == '/') next[j + 1] = any = 1;
                }
                break;
            }
        }
        cur.swap(next);
        if (!any) break;  // nothing can match any more
    }
    return cur;
}

}  // namespace

std::string clean_relative(std::string_view path) {
    std::vector<std::string> out;
    for (auto& part : split(path, '/')) {
        if (part.empty() || part == ".") continue;
        if (part == "..") {
            if (!out.empty() && out.back() != "..")
                out.pop_back();
            else if (!starts_with(path, "/"))
                out.push_back("..");  // relative paths keep leading ".."; rooted ones stop at root
            continue;
        }
        out.push_back(part);
    }
    std::string joined = join(out, "/");
    return joined.empty() ? "." : joined;
}

IgnoreMatcher IgnoreMatcher::parse(std::string_view text, const std::string& file) {
    IgnoreMatcher m;
    int line_no = 0;
    for (auto& raw : split(text, '\n')) {
        ++line_no;
        std::string line = raw;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty() && line[0] == '#') continue;
        line = trim(line);
        if (line.empty()) continue;
        Pattern p;
        if (line[0] == '!') {
            p.negate = true;
            line = trim(line.substr(1));
            if (line.empty())
                throw Error(ExitCode::build_push, file + ":" + std::to_string(line_no) + ": illegal exclusion pattern: \"!\"");
            m.m_has_negation = true;
        }
        p.text = clean_relative(line);
        try {
            p.tokens = compile(p.text);
        } catch (const std::exception& e) {
            throw Error(ExitCode::build_push,
                        file + ":" + std::to_string(line_no) + ": bad pattern '" + line + "': " + e.what());
        }
        m.m_patterns.push_back(std::move(p));
    }
    return m;
}

bool IgnoreMatcher::matches(const Pattern& p, std::string_view path) {
    std::vector<char> m = prefixes_matched(p.tokens, path);
    if (m[path.size()]) return true;
    // A pattern matching a parent directory matches everything below it.
    for (std::size_t pos = path.find('/'); pos != std::string_view::npos; pos = path.find('/', pos + 1))
        if (m[pos]) return true;
    return false;
}

bool IgnoreMatcher::excluded(std::string_view path) const {
    bool out = false;
    for (auto& p : m_patterns)
        if (p.negate ? out : !out)  // only a pattern that could flip the result needs testing
            if (matches(p, path)) out = !p.negate;
    return out;
}

bool IgnoreMatcher::can_skip_dir(std::string_view dir) const {
    if (!excluded(dir)) return false;
    if (!m_has_negation) return true;
    // A `!` pattern that could match something below `dir` forbids skipping it.
    std::string prefix = std::string(dir) + "/";
    for (auto& p : m_patterns) {
        if (!p.negate) continue;
        // Conservative: a negation whose literal prefix (before any wildcard) is compatible with dir.
        std::size_t wild = p.text.find_first_of("*?[\\");
        std::string lit = p.text.substr(0, wild);
        if (starts_with(lit, prefix) || starts_with(prefix, lit)) return false;
    }
    return true;
}

}  // namespace hoist::image
