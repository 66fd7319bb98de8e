#include "ssh/pattern.hpp"

#include <cctype>

namespace hoist::ssh {

namespace {

bool match_at(const char* p, const char* s, bool ic) {
    // Iterative glob with backtracking to the last '*': linear in practice, no recursion blow-up.
    const char* star = nullptr;
    const char* resume = nullptr;
    while (*s) {
        if (*p == '*') {
            star = p++;
            resume = s;
        } else if (*p == '?' ||
                   (*p && (ic ? std::tolower(static_cast<unsigned char>(*p)) == std::tolower(static_cast<unsigned char>(*s))
                          : *p == *s))) {
            ++p;
            ++s;
        } else if (star) {
            p = star + 1;
            s = ++resume;
        } else {
            return false;
        }
    }
    while (*p == '*') ++p;
    return *p == '\0';
}

}  // namespace

bool match_pattern(const std::string& pattern, const std::string& text, bool ignore_case) {
    return match_at(pattern.c_str(), text.c_str(), ignore_case);
}

bool match_pattern_list(const std::vector<std::string>& patterns, const std::string& text, bool ignore_case) {
    bool positive = false;
    for (const auto& p : patterns) {
        if (!p.empty() && p[0] == '!') {
            if (match_pattern(p.substr(1), text, ignore_case)) return false;  // a negated match vetoes the list
        } else if (match_pattern(p, text, ignore_case)) {
            positive = true;
        }
    }
    return positive;
}

std::vector<std::string> split_patterns(const std::string& text, char sep) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : text) {
        bool is_sep = sep == ' ' ? std::isspace(static_cast<unsigned char>(c)) != 0 : c == sep;
        if (is_sep) {
            if (!cur.empty()) out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

}  // namespace hoist::ssh
