#include "lb/haproxy.hpp"

#include <algorithm>
#include <thread>

#include "util/strings.hpp"

namespace hoist::lb {

using Clock = std::chrono::steady_clock;

std::string haproxy_server_name(const std::string& address) {
    std::string out = "hoist-";
    for (char c : address) out += (c == '.' || c == ':') ? '-' : c;
    return out;
}

namespace {

std::vector<std::string> words(const std::string& line) {
    std::vector<std::string> out;
    for (const auto& w : split(line, ' '))
        if (!w.empty()) out.push_back(w);
    return out;
}

int int_of(const std::string& s) {
    auto v = parse_int(s);
    return v ? static_cast<int>(*v) : 0;
}

bool belongs_to(const HaproxyServer& s, const std::string& host) {
    std::string base = haproxy_server_name(host);
    return s.name == base || starts_with(s.name, base + "-");
}

}  // namespace

std::vector<HaproxyServer> parse_servers_state(const std::string& text, const std::string& backend) {
    std::vector<std::string> columns;
    std::vector<HaproxyServer> out;
    for (const auto& raw : split(text, '\n')) {
        std::string line = trim(raw);
        if (line.empty()) continue;
        if (line[0] == '#') {
            columns = words(line.substr(1));
            continue;
        }
        if (columns.empty()) continue;  // the format version line
        auto w = words(line);
        std::map<std::string, std::string> row;
        for (std::size_t i = 0; i < columns.size() && i < w.size(); ++i) row[columns[i]] = w[i];
        if (row["be_name"] != backend) continue;
        HaproxyServer s;
        s.name = row["srv_name"];
        s.address = row["srv_addr"];
        s.port = int_of(row["srv_port"]);
        s.op_state = int_of(row["srv_op_state"]);
        s.admin_state = int_of(row["srv_admin_state"]);
        out.push_back(s);
    }
    return out;
}

std::map<std::string, int> parse_current_sessions(const std::string& csv, const std::string& backend) {
    std::map<std::string, int> out;
    std::vector<std::string> header;
    for (const auto& raw : split(csv, '\n')) {
        std::string line = trim(raw);
        if (line.empty()) continue;
        if (starts_with(line, "# ")) {
            header = split(line.substr(2), ',');
            continue;
        }
        auto f = split(line, ',');
        std::size_t px = 0, sv = 1, scur = 4;
        for (std::size_t i = 0; i < header.size(); ++i) {
            if (header[i] == "pxname") px = i;
            if (header[i] == "svname") sv = i;
            if (header[i] == "scur") scur = i;
        }
        // every column read must exist in this row (a short or reordered row read past its end)
        if (f.size() <= std::max({px, sv, scur}) || f[px] != backend || f[sv] == "BACKEND" || f[sv] == "FRONTEND") continue;
        out[f[sv]] = int_of(f[scur]);
    }
    return out;
}

std::vector<std::string> haproxy_commands(const std::string& backend, const std::vector<HaproxyServer>& servers,
                                          const Pool& pool) {
    std::vector<std::string> cmds;
    auto set = [&](const std::string& server, const std::string& what) {
        cmds.push_back("set server " + backend + "/" + server + " " + what);
    };
    for (const auto& m : pool) {
        std::string base = haproxy_server_name(m.host);
        const HaproxyServer* target = nullptr;
        for (const auto& s : servers)
            if (belongs_to(s, m.host) && s.port == m.port && (!target || target->name == base)) target = &s;
        if (!target)
            for (const auto& s : servers)
                if (s.name == base) target = &s;
        if (!target) {
            if (!m.enabled) continue;  // nothing to take out
            throw Error("the HAProxy backend " + backend + " has no server " + base + " for " + m.host +
                        " (declare `server " + base + " " + m.host + ":" + std::to_string(m.port) + " check`)");
        }
        for (const auto& s : servers) {
            if (!belongs_to(s, m.host) || (m.enabled && &s == target)) continue;
            if (s.ready()) set(s.name, "state drain");
        }
        if (!m.enabled) continue;
        if (target->port != m.port || target->address != m.host)
            set(target->name, "addr " + m.host + " port " + std::to_string(m.port));
        if (!target->ready()) set(target->name, "state ready");
    }
    return cmds;
}

HaproxyBalancer::HaproxyBalancer(HaproxySettings settings, ssh::Connection& connection, Sleeper sleep)
    : m_settings(std::move(settings)), m_connection(connection), m_sleep(std::move(sleep)) {}

std::string HaproxyBalancer::name() const {
    return "HAProxy on " + m_connection.label() + " (backend " + m_settings.backend + ", " + m_settings.socket + ")";
}

std::string HaproxyBalancer::request(const std::string& command) {
    try {
        return m_connection.unix_socket_request(m_settings.socket, command + "\n", m_settings.timeout);
    } catch (const std::exception& e) {
        throw Error(name() + ": '" + command.substr(0, 60) + "' failed: " + e.what());
    }
}

std::vector<HaproxyServer> HaproxyBalancer::servers() {
    auto out = parse_servers_state(request("show servers state " + m_settings.backend), m_settings.backend);
    if (out.empty()) throw Error(name() + ": the backend has no servers (or does not exist)");
    return out;
}

std::string HaproxyBalancer::server_for(const std::vector<HaproxyServer>& servers, const Member& m) const {
    std::string base = haproxy_server_name(m.host);
    std::string found;
    for (const auto& s : servers)
        if (belongs_to(s, m.host) && s.port == m.port && (found.empty() || found == base)) found = s.name;
    return found;
}

std::optional<Pool> HaproxyBalancer::observe() {
    auto list = servers();
    Pool pool;
    std::map<std::string, std::size_t> index;
    for (const auto& s : list) {
        if (!starts_with(s.name, "hoist-")) continue;
        auto it = index.find(s.address);
        if (it == index.end()) {
            index[s.address] = pool.size();
            pool.push_back({s.address, s.port, s.ready(), ""});
        } else if (s.ready() && !pool[it->second].enabled) {
            pool[it->second] = {s.address, s.port, true, ""};
        }
    }
    return pool;
}

void HaproxyBalancer::apply(const Pool& pool) {
    auto cmds = haproxy_commands(m_settings.backend, servers(), pool);
    if (cmds.empty()) return;
    // One write, commands separated by ';': HAProxy runs them back to back, so a blue/green switch
    // never leaves a moment with both colours (or neither) taking new requests.
    std::string answer = request(join(cmds, ";"));
    for (const auto& line : split(answer, '\n')) {
        std::string l = to_lower(trim(line));
        if (l.empty() || starts_with(l, "ip changed") || l.find("no need to change") != std::string::npos ||
            l.find("port changed") != std::string::npos)
            continue;
        throw Error(name() + " refused '" + join(cmds, "; ") + "': " + trim(line));
    }
}

void HaproxyBalancer::wait_drained(const std::vector<Member>& removed, std::chrono::milliseconds limit) {
    if (removed.empty()) return;
    auto list = servers();
    std::vector<std::string> names;
    for (const auto& m : removed)
        if (auto n = server_for(list, m); !n.empty()) names.push_back(n);
    auto end = Clock::now() + limit;
    while (Clock::now() < end) {
        auto sessions = parse_current_sessions(request("show stat"), m_settings.backend);
        bool idle = true;
        for (const auto& n : names) idle = idle && sessions[n] == 0;
        if (idle) return;
        if (!m_sleep(std::chrono::milliseconds(100))) return;
    }
}

void HaproxyBalancer::wait_healthy(const std::vector<Member>& added, std::chrono::milliseconds limit) {
    if (added.empty()) return;
    auto end = Clock::now() + limit;
    while (true) {
        auto list = servers();
        std::vector<std::string> pending;
        for (const auto& m : added) {
            std::string n = server_for(list, m);
            for (const auto& s : list)
                if (s.name == n && s.op_state != 2) pending.push_back(n);
        }
        if (pending.empty()) return;
        if (Clock::now() >= end)
            throw Error(name() + ": HAProxy's health check has not passed for " + join(pending, ", ") + " within " +
                        std::to_string(limit.count() / 1000) + " s");
        if (!m_sleep(std::chrono::milliseconds(100))) return;
    }
}

}  // namespace hoist::lb
