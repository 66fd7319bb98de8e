#include "ssh/ssh_config.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "ssh/pattern.hpp"
#include "ssh/proxy_command.hpp"

namespace hoist::ssh {

namespace {

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// Splits the arguments of a config line: whitespace separates, double quotes group.
std::vector<std::string> split_args(const std::string& text) {
    std::vector<std::string> out;
    std::string cur;
    bool quoted = false, have = false;
    for (char c : text) {
        if (c == '"') {
            quoted = !quoted;
            have = true;
        } else if (!quoted && std::isspace(static_cast<unsigned char>(c))) {
            if (have) out.push_back(cur);
            cur.clear();
            have = false;
        } else {
            cur += c;
            have = true;
        }
    }
    if (have) out.push_back(cur);
    return out;
}

std::string home_dir() {
    if (const char* h = std::getenv("HOME"); h && *h) return h;
    if (const passwd* pw = ::getpwuid(::getuid())) return pw->pw_dir;
    return "/";
}

std::string local_user() {
    if (const passwd* pw = ::getpwuid(::getuid())) return pw->pw_name;
    if (const char* u = std::getenv("USER")) return u;
    return "root";
}

}  // namespace

std::optional<JumpSpec> parse_jump(const std::string& text) {
    std::string t = text;
    if (t.rfind("ssh://", 0) == 0) t = t.substr(6);
    JumpSpec j;
    if (auto at = t.rfind('@'); at != std::string::npos) {
        j.user = t.substr(0, at);
        t = t.substr(at + 1);
    }
    if (!t.empty() && t[0] == '[') {  // [v6::addr]:port
        auto close = t.find(']');
        if (close == std::string::npos) return std::nullopt;
        j.host = t.substr(1, close - 1);
        t = t.substr(close + 1);
        if (!t.empty() && t[0] != ':') return std::nullopt;
    } else {
        auto colon = t.find(':');
        j.host = t.substr(0, colon);
        t = colon == std::string::npos ? "" : t.substr(colon);
    }
    if (!t.empty()) {
        std::string p = t.substr(1);
        if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
        j.port = std::stoi(p);
        if (j.port < 1 || j.port > 65535) return std::nullopt;
    }
    if (j.host.empty()) return std::nullopt;
    return j;
}

std::string to_string(const JumpSpec& j) {
    std::string out = j.user.empty() ? j.host : j.user + "@" + j.host;
    if (j.port) out += ":" + std::to_string(j.port);
    return out;
}

namespace {
bool valid_port(const std::string& v) {
    if (v.empty() || v.size() > 5 || v.find_first_not_of("0123456789") != std::string::npos) return false;
    int p = std::stoi(v);
    return p >= 1 && p <= 65535;
}
}  // namespace

SshConfig SshConfig::parse(const std::string& text, const std::string& file) {
    SshConfig cfg;
    cfg.m_blocks.push_back(Block{{}, true, false, {}});  // lines before the first Host apply to all
    std::istringstream in(text);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        std::size_t i = 0;
        while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
        if (i == line.size() || line[i] == '#') continue;
        std::size_t k = i;
        while (k < line.size() && !std::isspace(static_cast<unsigned char>(line[k])) && line[k] != '=') ++k;
        std::string keyword = lower(line.substr(i, k - i));
        while (k < line.size() && std::isspace(static_cast<unsigned char>(line[k]))) ++k;
        if (k < line.size() && line[k] == '=') ++k;
        while (k < line.size() && std::isspace(static_cast<unsigned char>(line[k]))) ++k;
        std::string raw = line.substr(k);
        while (!raw.empty() && std::isspace(static_cast<unsigned char>(raw.back()))) raw.pop_back();
        auto args = split_args(raw);
        std::string where = file + ":" + std::to_string(n) + ": ";
        if (keyword == "host") {
            cfg.m_blocks.push_back(Block{args, false, false, {}});
        } else if (keyword == "match") {
            bool all = args.size() == 1 && lower(args[0]) == "all";
            if (!all) cfg.m_problems.push_back(where + "'Match' is not supported by hoist; this block is ignored");
            cfg.m_blocks.push_back(Block{{}, all, !all, {}});
        } else if (keyword == "include") {
            cfg.m_problems.push_back(where + "'Include' is not supported by hoist; ignored");
        } else if (args.empty() || args[0].empty()) {
            // `HostName ""`: ssh stops with "Missing argument"; hoist reports it and ignores the line
            cfg.m_problems.push_back(where + "'" + keyword + "' has no value");
        } else if (keyword == "port" && !valid_port(args[0])) {
            // ssh refuses the whole file for this ("Bad port '0'"); hoist reports it and ignores the line
            cfg.m_problems.push_back(where + "bad port '" + args[0] + "' (want 1-65535)");
        } else if (auto bad = keyword == "proxycommand" ? unknown_proxy_token(raw) : std::nullopt) {
            // ssh stops at connect time ("percent_expand: unknown key %x"); hoist says so and where
            cfg.m_problems.push_back(where + "ProxyCommand has the unknown token '" + *bad +
                                     "' (known: %h %p %r %n %%); this line is ignored");
        } else {
            cfg.m_blocks.back().settings.push_back(Setting{keyword, args, raw, n});
        }
    }
    return cfg;
}

SshConfig SshConfig::load(const std::string& path) {
    std::ifstream in(expand_tilde(path));
    if (!in) {
        SshConfig cfg;
        cfg.m_problems.push_back(path + ": cannot read the ssh config file");
        return cfg;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse(ss.str(), path);
}

SshConfigResult SshConfig::resolve(const std::string& name) const {
    SshConfigResult r;
    std::optional<std::string> hostname;
    bool jump_set = false, jump_given = false, command_set = false;
    for (const auto& b : m_blocks) {
        if (b.never) continue;
        if (!b.all && !match_pattern_list(b.patterns, name, /*ignore_case=*/false)) continue;
        for (const auto& s : b.settings) {
            const std::string& v = s.args[0];
            if (s.keyword == "hostname" && !hostname) {
                hostname = v;
            } else if (s.keyword == "user" && !r.user) {
                r.user = v;
            } else if (s.keyword == "port" && !r.port) {
                if (valid_port(v)) r.port = std::stoi(v);
            } else if (s.keyword == "identityfile") {
                r.identity_files.push_back(v);
            } else if (s.keyword == "proxyjump" && !jump_set && !command_set) {
                jump_set = true;
                if (lower(v) == "none") continue;
                jump_given = true;
                for (auto& hop : split_patterns(v, ','))
                    if (auto j = parse_jump(hop)) r.proxy_jump.push_back(*j);
            } else if (s.keyword == "proxycommand" && !command_set && !jump_given) {
                command_set = true;
                if (s.raw != "none") r.proxy_command = s.raw;  // ssh compares case-sensitively
            }
        }
    }
    std::string h = hostname.value_or(name);
    std::string expanded;
    for (std::size_t i = 0; i < h.size(); ++i) {
        if (h[i] == '%' && i + 1 < h.size()) {
            if (h[i + 1] == 'h') expanded += name;
            else if (h[i + 1] == '%') expanded += '%';
            else expanded += h.substr(i, 2);
            ++i;
        } else {
            expanded += h[i];
        }
    }
    r.hostname = lower(expanded);
    return r;
}

std::string expand_tilde(const std::string& path) {
    if (path == "~") return home_dir();
    if (path.rfind("~/", 0) == 0) return home_dir() + path.substr(1);
    return path;
}

std::string expand_identity_path(const std::string& path, const std::string& host, const std::string& remote_user) {
    std::string p = expand_tilde(path);
    std::string out;
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (p[i] != '%' || i + 1 >= p.size()) {
            out += p[i];
            continue;
        }
        char t = p[++i];
        if (t == 'd') out += home_dir();
        else if (t == 'u') out += local_user();
        else if (t == 'h') out += host;
        else if (t == 'r') out += remote_user;
        else if (t == '%') out += '%';
        else out += std::string("%") + t;
    }
    return out;
}

}  // namespace hoist::ssh
