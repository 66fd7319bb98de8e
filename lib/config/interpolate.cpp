#include "config/interpolate.hpp"

#include <cctype>
#include <cstdlib>

namespace hoist::config {

EnvLookup process_environment() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (!v) return std::nullopt;
        return std::string(v);
    };
}

namespace {
bool valid_name(const std::string& name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
    for (char c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
    return true;
}
}  // namespace

InterpolationResult interpolate(const std::string& text, const EnvLookup& env) {
    InterpolationResult r;
    std::size_t i = 0;
    while (i < text.size()) {
        char c = text[i];
        if (c != '$' || i + 1 >= text.size()) {
            r.value += c;
            ++i;
            continue;
        }
        char next = text[i + 1];
        if (next == '$') {
            r.value += '$';
            i += 2;
            continue;
        }
        if (next != '{') {
            r.value += c;
            ++i;
            continue;
        }
        auto close = text.find('}', i + 2);
        if (close == std::string::npos) {
            r.errors.push_back("unclosed '${' in '" + text + "'");
            r.value += text.substr(i);
            break;
        }
        std::string inner = text.substr(i + 2, close - i - 2);
        std::string name = inner;
        std::optional<std::string> fallback;
        if (auto sep = inner.find(":-"); sep != std::string::npos) {
            name = inner.substr(0, sep);
            fallback = inner.substr(sep + 2);
        }
        if (!valid_name(name)) {
            r.errors.push_back("invalid variable reference '${" + inner + "}'");
        } else {
            auto v = env(name);
            if (fallback && (!v || v->empty())) {
                r.value += *fallback;
            } else if (v) {
                r.value += *v;
            } else {
                r.unset.push_back(name);
            }
        }
        i = close + 1;
    }
    return r;
}

}  // namespace hoist::config
