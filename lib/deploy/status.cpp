#include "deploy/status.hpp"

#include <map>

#include "deploy/health.hpp"
#include "deploy/observe.hpp"
#include "remote/docker.hpp"
#include "util/strings.hpp"

namespace hoist::deploy {

namespace {

/// The health column of one host's live container.
std::string probe(const config::Pipeline& u, const ObservedHost& o, ssh::Connection& c) {
    if (o.container.empty()) return "-";
    if (!u.is_web()) {  // a role besides web: running, not restarting
        ssh::ExecOptions eo;
        eo.timeout = u.ssh.command_timeout;
        auto r = c.exec(remote::inspect_state(config::to_string(u.container.runtime), o.container), eo);
        auto words = split(trim(r.out), ' ');
        if (r.ok() && !words.empty() && words[0] == "running") return "running";
        return "not running (" + trim(r.ok() ? r.out : r.err) + ")";
    }
    auto r = c.http_get(o.port, u.healthcheck.path, u.healthcheck.timeout);
    bool ok = r.ok() && r.status >= u.healthcheck.expect_min && r.status <= u.healthcheck.expect_max;
    return ok ? "healthy" : "unhealthy (" + describe_probe(r) + ")";
}

}  // namespace

std::vector<HostStatus> fleet_status(const std::vector<config::Pipeline>& units, ssh::Fleet& fleet,
                                     lb::LoadBalancer* lb, const std::function<void(const std::string&)>& warn) {
    std::vector<HostStatus> out;
    for (const auto& u : units) {
        std::vector<std::string> hosts, seen;
        for (const auto& h : u.hosts) hosts.push_back(h.address);
        auto obs = observe_fleet(u, fleet, hosts, u.is_web() ? lb : nullptr);
        if (!obs.lb_error.empty() && warn) warn("load balancer: " + obs.lb_error);
        for (const auto& h : hosts)
            if (!obs.unreachable.count(h)) seen.push_back(h);
        auto health = fleet.each<std::string>(
            [&](const std::string& host, ssh::Connection& c) { return probe(u, obs.state.hosts.at(host), c); }, seen);
        std::map<std::string, std::string> health_of;
        for (const auto& h : health) health_of[h.host] = h.ok() ? *h.value : "unknown";
        for (const auto& h : hosts) {
            HostStatus s;
            s.host = h;
            s.role = u.role;
            if (obs.unreachable.count(h)) {
                s.error = obs.unreachable[h];
                out.push_back(std::move(s));
                continue;
            }
            s.observed = obs.state.hosts[h];
            s.health = health_of[h];
            if (obs.state.pool) {
                s.pool = "not in pool";
                for (const auto& m : *obs.state.pool)
                    if (m.host == h) s.pool = (m.enabled ? "in pool :" : "down :") + std::to_string(m.port);
            }
            out.push_back(std::move(s));
        }
    }
    return out;
}

}  // namespace hoist::deploy
