#include "config/reader.hpp"

#include "util/strings.hpp"

namespace hoist::config {

namespace {
std::string got(const Node& n) {
    if (n.is_scalar()) return "'" + n.scalar + "'";
    return n.kind_name();
}
}  // namespace

std::string describe_parent(const std::string& path) { return path.empty() ? "" : " in '" + path + "'"; }

bool Reader::present(const Node* n, const std::string& path) {
    if (!n || n->is_null()) return false;
    remember(path, n->loc);
    return !n->invalid;  // an unset ${VAR} was reported once; don't cascade into type errors
}

bool Reader::expect_map(const Node& node, const std::string& path, const std::vector<std::string>& known) {
    if (node.is_null()) return false;
    if (!node.is_map()) {
        error(node.loc, "'" + path + "' must be a map, got " + got(node));
        return false;
    }
    remember(path, node.loc);
    for (std::size_t i = 0; i < node.map.size(); ++i) {
        const std::string& key = node.map[i].first;
        bool ok = false;
        for (const auto& k : known) ok = ok || k == key;
        if (ok) continue;
        std::string msg = "unknown key '" + key + "'" + describe_parent(path);
        if (auto hint = closest_match(key, known)) {
            msg += " (did you mean '" + *hint + "'?)";
            m_suggested.push_back(path.empty() ? *hint : path + "." + *hint);
        }
        error(node.key_locs[i], msg);
    }
    return true;
}

void Reader::missing(const Location& where, const std::string& key, const std::string& parent) {
    std::string path = parent.empty() ? key : parent + "." + key;
    for (const auto& s : m_suggested)
        if (s == path) return;
    error(where, "missing required key '" + key + "'" + describe_parent(parent));
}

std::optional<std::string> Reader::string(const Node* n, const std::string& path) {
    if (!present(n, path)) return std::nullopt;
    if (!n->is_scalar()) {
        error(n->loc, "'" + path + "' must be a string, got " + n->kind_name());
        return std::nullopt;
    }
    return n->scalar;
}

std::optional<long long> Reader::integer(const Node* n, const std::string& path, long long min, long long max) {
    if (!present(n, path)) return std::nullopt;
    auto v = n->is_scalar() ? parse_int(n->scalar) : std::nullopt;
    if (!v) {
        error(n->loc, "'" + path + "' must be an integer, got " + got(*n));
        return std::nullopt;
    }
    if (*v < min || *v > max) {
        error(n->loc, "'" + path + "' must be between " + std::to_string(min) + " and " + std::to_string(max) +
                          ", got " + n->scalar);
        return std::nullopt;
    }
    return v;
}

std::optional<bool> Reader::boolean(const Node* n, const std::string& path) {
    if (!present(n, path)) return std::nullopt;
    if (n->is_scalar() && n->scalar == "true") return true;
    if (n->is_scalar() && n->scalar == "false") return false;
    error(n->loc, "'" + path + "' must be true or false, got " + got(*n));
    return std::nullopt;
}

std::optional<Duration> Reader::duration(const Node* n, const std::string& path) {
    if (!present(n, path)) return std::nullopt;
    auto d = n->is_scalar() ? parse_duration(n->scalar) : std::nullopt;
    if (!d) {
        error(n->loc, "'" + path + "' must be a duration such as 500ms, 10s, 5m or 1h, got " + got(*n));
        return std::nullopt;
    }
    return d;
}

std::optional<std::vector<std::string>> Reader::string_list(const Node* n, const std::string& path) {
    if (!present(n, path)) return std::nullopt;
    if (!n->is_seq()) {
        error(n->loc, "'" + path + "' must be a list, got " + got(*n));
        return std::nullopt;
    }
    std::vector<std::string> out;
    bool ok = true;
    for (std::size_t i = 0; i < n->seq.size(); ++i) {
        const Node& item = n->seq[i];
        if (!item.is_scalar()) {
            error(item.loc, "'" + path + "[" + std::to_string(i) + "]' must be a string, got " + item.kind_name());
            ok = false;
            continue;
        }
        out.push_back(item.scalar);
    }
    if (!ok) return std::nullopt;
    return out;
}

std::optional<std::map<std::string, std::string>> Reader::string_map(const Node* n, const std::string& path) {
    if (!present(n, path)) return std::nullopt;
    if (!n->is_map()) {
        error(n->loc, "'" + path + "' must be a map of names to values, got " + got(*n));
        return std::nullopt;
    }
    std::map<std::string, std::string> out;
    bool ok = true;
    for (const auto& [k, v] : n->map) {
        if (!v.is_scalar()) {
            error(v.loc, "'" + path + "." + k + "' must be a string, got " + v.kind_name());
            ok = false;
            continue;
        }
        out[k] = v.scalar;
    }
    if (!ok) return std::nullopt;
    return out;
}

std::optional<std::string> Reader::one_of(const Node* n, const std::string& path,
                                          const std::vector<std::string>& words) {
    auto s = string(n, path);
    if (!s) return std::nullopt;
    for (const auto& w : words)
        if (w == *s) return s;
    std::string msg = "'" + path + "' must be one of " + join(words, ", ") + "; got '" + *s + "'";
    if (auto hint = closest_match(*s, words)) msg += " (did you mean '" + *hint + "'?)";
    error(n->loc, msg);
    return std::nullopt;
}

}  // namespace hoist::config
