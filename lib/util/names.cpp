#include "util/names.hpp"

namespace hoist {
namespace {

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool alnum(char c) { return lower_alnum(c) || (c >= 'A' && c <= 'Z'); }

/// [a-z0-9]+ joined by '.', '_', '__' or '-'+.
bool valid_component(std::string_view s) {
    if (s.empty() || !lower_alnum(s.front()) || !lower_alnum(s.back())) return false;
    std::size_t i = 0;
    while (i < s.size()) {
        if (lower_alnum(s[i])) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < s.size() && !lower_alnum(s[j])) ++j;
        std::string_view sep = s.substr(i, j - i);
        bool dashes = sep.find_first_not_of('-') == std::string_view::npos;
        if (sep != "." && sep != "_" && sep != "__" && !dashes) return false;
        i = j;
    }
    return true;
}

bool all_of(std::string_view s, bool (*ok)(char)) {
    for (char c : s)
        if (!ok(c)) return false;
    return true;
}

}  // namespace

const char* const tag_rule = "1-128 characters of A-Z, a-z, 0-9, '_', '.' and '-', not starting with '.' or '-'";

bool valid_tag(std::string_view s) {
    if (s.empty() || s.size() > 128 || s.front() == '.' || s.front() == '-') return false;
    return all_of(s, [](char c) { return alnum(c) || c == '_' || c == '.' || c == '-'; });
}

bool valid_repository(std::string_view s) {
    std::size_t start = 0;
    while (true) {
        std::size_t slash = s.find('/', start);
        if (!valid_component(s.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start)))
            return false;
        if (slash == std::string_view::npos) return true;
        start = slash + 1;
    }
}

bool valid_platform(std::string_view s) {
    std::size_t a = s.find('/');
    if (a == std::string_view::npos) return false;
    std::size_t b = s.find('/', a + 1);
    std::string_view os = s.substr(0, a);
    std::string_view arch = s.substr(a + 1, b == std::string_view::npos ? std::string_view::npos : b - a - 1);
    std::string_view variant = b == std::string_view::npos ? "x" : s.substr(b + 1);
    return !os.empty() && !arch.empty() && !variant.empty() && all_of(os, lower_alnum) &&
           all_of(arch, [](char c) { return lower_alnum(c) || c == '_'; }) && all_of(variant, lower_alnum);
}

bool valid_env_name(std::string_view s) {
    if (s.empty() || (s.front() >= '0' && s.front() <= '9')) return false;
    return all_of(s, [](char c) { return alnum(c) || c == '_'; });
}

bool valid_service_name(std::string_view s) {
    if (s.empty() || s.size() > 63 || s.front() == '-') return false;
    return all_of(s, [](char c) { return lower_alnum(c) || c == '-'; });
}

}  // namespace hoist
