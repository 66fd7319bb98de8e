#include "http/url.hpp"

#include <cctype>
#include <vector>

#include "util/strings.hpp"

namespace hoist::http {

std::optional<Url> Url::parse(const std::string& s) {
    auto sep = s.find("://");
    if (sep == std::string::npos) return std::nullopt;
    Url u;
    u.scheme = to_lower(s.substr(0, sep));
    if (u.scheme != "http" && u.scheme != "https") return std::nullopt;
    std::size_t start = sep + 3;
    std::size_t end = s.find_first_of("/?#", start);
    std::string auth = s.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (auto at = auth.rfind('@'); at != std::string::npos) auth = auth.substr(at + 1);  // drop userinfo
    if (auth.empty()) return std::nullopt;
    std::size_t colon = std::string::npos;
    if (auth[0] == '[') {
        auto close = auth.find(']');
        if (close == std::string::npos) return std::nullopt;
        if (close + 1 < auth.size() && auth[close + 1] == ':') colon = close + 1;
    } else {
        colon = auth.rfind(':');
    }
    if (colon != std::string::npos) {
        u.host = to_lower(auth.substr(0, colon));
        u.port = auth.substr(colon + 1);
        if (u.port.empty() || !parse_int(u.port)) return std::nullopt;
    } else {
        u.host = to_lower(auth);
    }
    std::string rest = end == std::string::npos ? "" : s.substr(end);
    if (auto h = rest.find('#'); h != std::string::npos) {
        u.fragment = rest.substr(h + 1);
        rest = rest.substr(0, h);
    }
    if (auto q = rest.find('?'); q != std::string::npos) {
        u.query = rest.substr(q + 1);
        rest = rest.substr(0, q);
    }
    u.path = rest.empty() ? "/" : rest;
    return u;
}

int Url::effective_port() const {
    if (!port.empty()) return static_cast<int>(*parse_int(port));
    return scheme == "https" ? 443 : 80;
}

std::string Url::authority() const {
    bool default_port = port.empty() || effective_port() == (scheme == "https" ? 443 : 80);
    return default_port ? host : host + ":" + port;
}

std::string Url::str() const {
    std::string s = scheme + "://" + authority() + path;
    if (!query.empty()) s += "?" + query;
    if (!fragment.empty()) s += "#" + fragment;
    return s;
}

namespace {
/// RFC 3986 5.2.4: remove "." and ".." segments.
std::string remove_dot_segments(const std::string& path) {
    std::vector<std::string> out;
    auto parts = split(path, '/');
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const auto& p = parts[i];
        bool last = i + 1 == parts.size();
        if (p == ".") {
            if (last) out.push_back("");
        } else if (p == "..") {
            if (out.size() > 1) out.pop_back();
            if (last) out.push_back("");
        } else {
            out.push_back(p);
        }
    }
    std::string r = join(out, "/");
    if (r.empty() || r[0] != '/') r = "/" + r;
    return r;
}
}  // namespace

std::string resolve_location(const std::string& base, const std::string& location) {
    std::string loc = trim(location);
    if (Url::parse(loc)) return loc;  // absolute: kept exactly, query untouched
    auto b = Url::parse(base);
    if (!b) return loc;
    Url r = *b;
    r.fragment.clear();
    r.query.clear();
    if (starts_with(loc, "//")) return b->scheme + ":" + loc;
    std::string path = loc, query;
    if (auto h = path.find('#'); h != std::string::npos) path = path.substr(0, h);
    if (auto q = path.find('?'); q != std::string::npos) {
        query = path.substr(q + 1);
        path = path.substr(0, q);
    }
    if (path.empty()) {
        r.path = b->path;  // "?x=y" keeps the base path; query replaced (RFC 3986 5.2.2)
        r.query = query;
        return r.str();
    }
    if (path[0] == '/') {
        r.path = remove_dot_segments(path);
    } else {
        auto slash = b->path.rfind('/');
        r.path = remove_dot_segments(b->path.substr(0, slash + 1) + path);
    }
    r.query = query;
    return r.str();
}

std::string url_encode(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

std::string add_query(const std::string& url, const std::string& key, const std::string& value) {
    std::string base = url, frag;
    if (auto h = base.find('#'); h != std::string::npos) {
        frag = base.substr(h);
        base = base.substr(0, h);
    }
    char sep = base.find('?') == std::string::npos ? '?' : (base.back() == '?' || base.back() == '&' ? '\0' : '&');
    std::string out = base;
    if (sep) out.push_back(sep);
    return out + url_encode(key) + "=" + url_encode(value) + frag;
}

bool same_origin(const std::string& from, const std::string& to) {
    auto a = Url::parse(from), b = Url::parse(to);
    if (!a || !b) return false;
    return a->scheme == b->scheme && a->host == b->host && a->effective_port() == b->effective_port();
}

}  // namespace hoist::http
