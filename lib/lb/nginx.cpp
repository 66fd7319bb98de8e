#include "lb/nginx.hpp"

#include <sstream>

#include "remote/files.hpp"
#include "util/strings.hpp"

namespace hoist::lb {

std::string render_nginx_upstream(const std::string& service, const std::string& upstream, const Pool& pool) {
    std::string out = "# Managed by hoist for service '" + service + "'. Rewritten on every deploy: do not edit.\n";
    out += "upstream " + upstream + " {\n";
    for (const auto& m : pool)
        out += "    server " + m.host + ":" + std::to_string(m.port) + (m.enabled ? ";\n" : " down;\n");
    out += "}\n";
    return out;
}

namespace {

/// "10.0.1.11:8080" or "[::1]:8080" -> host, port.
bool split_host_port(const std::string& s, std::string& host, int& port) {
    auto colon = s.rfind(':');
    if (colon == std::string::npos) return false;
    auto p = parse_int(s.substr(colon + 1));
    if (!p || *p < 1 || *p > 65535) return false;
    host = s.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    port = static_cast<int>(*p);
    return !host.empty();
}

}  // namespace

std::optional<Pool> parse_nginx_upstream(const std::string& text, const std::string& upstream) {
    // Tokenise on whitespace, ';', '{' and '}', dropping comments: enough for the file hoist writes
    // and for a hand-written block of plain `server` lines.
    std::vector<std::string> tokens;
    std::string cur;
    bool comment = false;
    for (char c : text) {
        if (comment) {
            if (c == '\n') comment = false;
            continue;
        }
        if (c == '#') {
            comment = true;
        } else if (c == ';' || c == '{' || c == '}') {
            if (!cur.empty()) tokens.push_back(cur);
            cur.clear();
            tokens.emplace_back(1, c);
            continue;
        } else if (!std::isspace(static_cast<unsigned char>(c))) {
            cur += c;
            continue;
        }
        if (!cur.empty()) tokens.push_back(cur);
        cur.clear();
    }
    if (!cur.empty()) tokens.push_back(cur);
    for (std::size_t i = 0; i + 2 < tokens.size(); ++i) {
        if (tokens[i] != "upstream" || tokens[i + 1] != upstream || tokens[i + 2] != "{") continue;
        Pool pool;
        std::size_t j = i + 3;
        while (j < tokens.size() && tokens[j] != "}") {
            std::vector<std::string> directive;
            while (j < tokens.size() && tokens[j] != ";" && tokens[j] != "}") directive.push_back(tokens[j++]);
            if (j < tokens.size() && tokens[j] == ";") ++j;
            if (directive.size() < 2 || directive[0] != "server") continue;
            Member m;
            if (!split_host_port(directive[1], m.host, m.port)) continue;
            for (std::size_t k = 2; k < directive.size(); ++k)
                if (directive[k] == "down") m.enabled = false;
            pool.push_back(m);
        }
        return pool;
    }
    return std::nullopt;
}

remote::Command nginx_apply_command(const std::string& path, const std::string& test_command,
                                    const std::string& reload_command) {
    // $1 file, $2 test command, $3 reload command (shell lines from the pipeline, run as written).
    //
    // `nginx -s reload` only signals the master and returns; the old workers go on accepting new
    // connections until the master has read the new file and told them to quit (tens of ms idle,
    // up to ~0.5 s under load here). A drain that started at the return would be that much
    // shorter, and a blue/green switch would return before nginx switched. So the script notes
    // the master's children before the reload (master from the `pid` of `nginx -T`, else the
    // compiled-in --pid-path) and waits, at most 5 s, until each is gone or titled "... shutting
    // down" (which a worker sets as it closes its listening sockets). When the master cannot be
    // seen (nginx in a container, another user's /proc), it returns at once, as before.
    std::string script =
        "f=$1; umask 022; cat > \"$f.hoist-new\" || exit 1; "
        "if [ -e \"$f\" ]; then cp -p \"$f\" \"$f.hoist-prev\" || exit 1; fi; "
        "mv -f \"$f.hoist-new\" \"$f\" || exit 1; "
        "if ! out=$(eval \"$2\" 2>&1); then echo \"$out\" >&2; "
        "if [ -e \"$f.hoist-prev\" ]; then mv -f \"$f.hoist-prev\" \"$f\"; else rm -f \"$f\"; fi; exit 3; fi; "
        "rm -f \"$f.hoist-prev\"; "
        "old=; if command -v nginx >/dev/null 2>&1; then "
        "pf=$(nginx -T 2>/dev/null | sed -n 's/^[[:space:]]*pid[[:space:]][[:space:]]*\\([^;]*\\);.*/\\1/p' | head -n 1); "
        "[ -n \"$pf\" ] || pf=$(nginx -V 2>&1 | sed -n 's/.*--pid-path=\\([^ ]*\\).*/\\1/p'); "
        "m=$(cat \"$pf\" 2>/dev/null); [ -n \"$m\" ] && old=$(ps -o pid= --ppid \"$m\" 2>/dev/null); fi; "
        "eval \"$3\" || exit $?; "
        "i=0; while [ -n \"$old\" ] && [ $i -lt 250 ]; do busy=; for p in $old; do "
        "t=$(tr '\\000' ' ' < /proc/$p/cmdline 2>/dev/null) || continue; "
        "case $t in *'shutting down'*|'') ;; *) busy=1;; esac; done; "
        "[ -z \"$busy\" ] && break; sleep 0.02; i=$((i + 1)); done; exit 0";
    return {{"sh", "-c", script, "sh", path, test_command, reload_command}};
}

NginxBalancer::NginxBalancer(NginxSettings settings, ssh::Connection& connection, Sleeper sleep)
    : m_settings(std::move(settings)), m_connection(connection), m_sleep(std::move(sleep)) {}

std::string NginxBalancer::name() const {
    return "nginx on " + m_connection.label() + " (upstream " + m_settings.upstream + " in " + m_settings.config_path + ")";
}

std::optional<Pool> NginxBalancer::observe() {
    ssh::ExecOptions o;
    o.timeout = m_settings.command_timeout;
    auto r = m_connection.exec(remote::read_if_exists(m_settings.config_path), o);
    if (!r.ok())
        throw Error(name() + ": cannot read " + m_settings.config_path + ": " +
                    trim(r.err.empty() ? r.out : r.err));
    if (trim(r.out).empty()) return std::nullopt;
    return parse_nginx_upstream(r.out, m_settings.upstream);
}

void NginxBalancer::apply(const Pool& pool) {
    ssh::ExecOptions o;
    o.timeout = m_settings.command_timeout;
    o.input = render_nginx_upstream(m_settings.service, m_settings.upstream, pool);
    auto r = m_connection.exec(
        nginx_apply_command(m_settings.config_path, m_settings.test_command, m_settings.reload_command), o);
    if (r.ok()) return;
    std::string why = trim(r.err.empty() ? r.out : r.err);
    if (r.timed_out) why = "timed out after " + std::to_string(o.timeout.count() / 1000) + " s";
    if (r.exit_code == 3)
        throw Error(name() + ": '" + m_settings.test_command + "' refused the new upstream file (the previous one "
                    "was put back): " + why,
                    /*kept_previous=*/true);
    throw Error(name() + ": updating " + m_settings.config_path + " failed (exit " + std::to_string(r.exit_code) +
                "): " + why);
}

std::optional<remote::Command> nginx_connections_command(const std::vector<Member>& members) {
    std::string filter;
    for (const auto& m : members) {
        if (!is_ip_address(m.host)) return std::nullopt;
        bool v6 = m.host.find(':') != std::string::npos;
        filter += std::string(filter.empty() ? "( " : " or ") + "dst " + (v6 ? "[" + m.host + "]" : m.host) + ":" +
                  std::to_string(m.port);
    }
    filter += " )";
    return remote::Command{{"sh", "-c", "command -v ss >/dev/null 2>&1 || exit 127; ss -Htn state established \"$1\" | wc -l",
                            "sh", filter}};
}

std::optional<remote::Command> nginx_connections_per_member_command(const std::vector<Member>& members) {
    auto total = nginx_connections_command(members);  // the same filter, and nullopt in the same cases
    if (!total) return std::nullopt;
    return remote::Command{{"sh", "-c",
                            "command -v ss >/dev/null 2>&1 || exit 127; ss -Htn state established \"$1\" | "
                            "awk '{print $4}'",
                            "sh", total->argv.back()}};
}

int connections_to(const std::string& ss_peers, const Member& m) {
    bool v6 = m.host.find(':') != std::string::npos;
    std::string want = (v6 ? "[" + m.host + "]" : m.host) + ":" + std::to_string(m.port);
    int n = 0;
    for (const auto& line : split(ss_peers, '\n'))
        if (trim(line) == want) ++n;
    return n;
}

void NginxBalancer::wait_drained_each(const std::vector<Member>& removed, std::chrono::milliseconds limit,
                                      const std::function<void(const Member&)>& drained) {
    using Clock = std::chrono::steady_clock;
    std::vector<bool> told(removed.size(), false);
    auto tell_rest = [&] {
        for (std::size_t i = 0; i < removed.size(); ++i)
            if (!told[i]) {
                told[i] = true;
                drained(removed[i]);
            }
    };
    if (removed.empty()) return;
    if (limit.count() <= 0) return tell_rest();
    auto end = Clock::now() + limit;
    auto command = nginx_connections_per_member_command(removed);
    std::vector<int> idle_looks(removed.size(), 0);
    std::size_t left_to_tell = removed.size();
    while (command) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
        ssh::ExecOptions o;
        o.timeout = std::max(left, std::chrono::milliseconds(1000));  // a look never outlasts the drain much
        ssh::ExecResult r;
        try {
            r = m_connection.exec(*command, o);
        } catch (...) {
            tell_rest();  // the members are out of the pool; the caller's undo or retry deals with the LB
            throw;
        }
        if (!r.ok()) break;  // no ss, or it failed: fall back to waiting the whole limit
        for (std::size_t i = 0; i < removed.size(); ++i) {
            if (told[i]) continue;
            idle_looks[i] = connections_to(r.out, removed[i]) == 0 ? idle_looks[i] + 1 : 0;
            if (idle_looks[i] >= 2) {
                told[i] = true;
                --left_to_tell;
                drained(removed[i]);
            }
        }
        if (left_to_tell == 0) return;
        left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
        if (left.count() <= 0) return tell_rest();
        if (!m_sleep(std::min(left, std::chrono::milliseconds(100)))) return tell_rest();
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
    if (left.count() > 0) m_sleep(left);
    tell_rest();
}

void NginxBalancer::wait_drained(const std::vector<Member>& removed, std::chrono::milliseconds limit) {
    // the same looks, every member done: one definition of "drained" for the batch and for each host
    wait_drained_each(removed, limit, [](const Member&) {});
}

void NginxBalancer::wait_healthy(const std::vector<Member>&, std::chrono::milliseconds) {}

}  // namespace hoist::lb
