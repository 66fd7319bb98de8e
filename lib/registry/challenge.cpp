#include "registry/challenge.hpp"

#include <algorithm>
#include <cctype>

#include "util/strings.hpp"

namespace hoist::registry {

namespace {
bool is_tchar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~/=").find(c) != std::string_view::npos;
}

struct Lexer {
    const std::string& s;
    std::size_t i = 0;
    void ws() {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    }
    bool eof() const { return i >= s.size(); }
    std::string token() {
        std::size_t b = i;
        while (i < s.size() && is_tchar(s[i]) && s[i] != '=') ++i;
        return s.substr(b, i - b);
    }
    std::string token68_or_value() {  // a bare value may contain '=' (token68 padding)
        std::size_t b = i;
        while (i < s.size() && (is_tchar(s[i]) || s[i] == ':' || s[i] == '@')) ++i;
        return s.substr(b, i - b);
    }
    std::string quoted() {
        std::string out;
        ++i;  // opening quote
        while (i < s.size() && s[i] != '"') {
            if (s[i] == '\\' && i + 1 < s.size()) ++i;
            out.push_back(s[i++]);
        }
        if (i < s.size()) ++i;  // closing quote
        return out;
    }
};
}  // namespace

std::vector<Challenge> parse_challenges(const std::string& header) {
    std::vector<Challenge> out;
    Lexer lx{header};
    while (true) {
        lx.ws();
        while (!lx.eof() && lx.s[lx.i] == ',') {
            ++lx.i;
            lx.ws();
        }
        if (lx.eof()) break;
        std::string scheme = lx.token();
        if (scheme.empty()) {
            ++lx.i;  // skip garbage
            continue;
        }
        // Is this a new scheme or a parameter of the current challenge? A parameter is
        // "name=" right after; a scheme is followed by space or end.
        lx.ws();
        if (!lx.eof() && lx.s[lx.i] == '=' && !out.empty()) {
            ++lx.i;
            lx.ws();
            std::string value = (!lx.eof() && lx.s[lx.i] == '"') ? lx.quoted() : lx.token68_or_value();
            out.back().params[to_lower(scheme)] = value;
            continue;
        }
        out.push_back(Challenge{to_lower(scheme), {}});
        // Parameters follow until the next scheme; parsed by the loop above.
    }
    return out;
}

std::optional<Challenge> find_challenge(const std::vector<Challenge>& all, const std::string& scheme) {
    for (const auto& c : all)
        if (c.scheme == to_lower(scheme)) return c;
    return std::nullopt;
}

std::string repository_scope(const std::string& repository, const std::vector<std::string>& actions) {
    return "repository:" + repository + ":" + join(actions, ",");
}

std::vector<std::string> push_scopes(const std::string& repository, const std::vector<std::string>& mount_sources,
                                     const std::string& challenge_scope) {
    std::vector<std::string> out{repository_scope(repository, {"pull", "push"})};
    auto add = [&](const std::string& s) {
        if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    };
    for (const auto& src : mount_sources)
        if (src != repository) add(repository_scope(src, {"pull"}));
    return merge_scopes(std::move(out), challenge_scope);
}

std::vector<std::string> merge_scopes(std::vector<std::string> out, const std::string& challenge_scope) {
    auto add = [&](const std::string& s) {
        if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    };
    for (const auto& s : split(challenge_scope, ' ')) {
        std::string t = trim(s);
        if (t.empty()) continue;
        // "repository:acme/web:push" is covered by our push+pull scope on the same repository.
        bool covered = false;
        for (const auto& mine : out) {
            auto colon = mine.rfind(':');
            if (colon == std::string::npos) continue;  // a scope without actions covers nothing else
            auto base = mine.substr(0, colon);
            if (t.rfind(base + ":", 0) == 0) {
                auto acts = split(t.substr(base.size() + 1), ',');
                auto have = split(mine.substr(base.size() + 1), ',');
                covered = std::all_of(acts.begin(), acts.end(), [&](const std::string& a) {
                    return std::find(have.begin(), have.end(), a) != have.end();
                });
                if (covered) break;
            }
        }
        if (!covered) add(t);
    }
    return out;
}

std::vector<std::string> pull_scopes(const std::string& repository) {
    return {repository_scope(repository, {"pull"})};
}

}  // namespace hoist::registry
