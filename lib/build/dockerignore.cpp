#include "build/dockerignore.hpp"

#include "util/error.hpp"
#include "util/strings.hpp"

namespace hoist::build {
namespace {

/// Translates a pattern to an anchored regex the way patternmatcher does.
std::string to_regex(const std::string& pattern) {
    std::string re = "^";
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        char c = pattern[i];
        if (c == '*') {
            if (i + 1 < pattern.size() && pattern[i + 1] == '*') {
                ++i;
                // "**/" matches zero or more directories; a trailing "**" matches anything.
                if (i + 1 < pattern.size() && pattern[i + 1] == '/') {
                    ++i;
                    re += "(.*/)?";
                } else {
                    re += ".*";
                }
            } else {
                re += "[^/]*";
            }
        } else if (c == '?') {
            re += "[^/]";
        } else if (c == '[') {
            std::size_t end = pattern.find(']', i + 1);
            if (end == std::string::npos) throw std::runtime_error("unterminated character class");
            std::string cls = pattern.substr(i + 1, end - i - 1);
            if (!cls.empty() && cls[0] == '!') cls[0] = '^';  // glob negation is regex negation
            re += "[" + cls + "]";
            i = end;
        } else if (c == '\\') {
            if (i + 1 >= pattern.size()) throw std::runtime_error("trailing escape");
            ++i;
            re += '\\';
            re += pattern[i];
        } else if (std::string_view(".+()|^$}{").find(c) != std::string_view::npos) {
            re += '\\';
            re += c;
        } else {
            re += c;
        }
    }
    return re + "$";
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
            p.re = std::regex(to_regex(p.text), std::regex::ECMAScript | std::regex::optimize);
        } catch (const std::exception& e) {
            throw Error(ExitCode::build_push,
                        file + ":" + std::to_string(line_no) + ": bad pattern '" + line + "': " + e.what());
        }
        m.m_patterns.push_back(std::move(p));
    }
    return m;
}

bool IgnoreMatcher::matches(const Pattern& p, std::string_view path) {
    std::string s(path);
    if (std::regex_match(s, p.re)) return true;
    // A pattern matching a parent directory matches everything below it.
    for (std::size_t pos = s.find('/'); pos != std::string::npos; pos = s.find('/', pos + 1))
        if (std::regex_match(s.substr(0, pos), p.re)) return true;
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

}  // namespace hoist::build
