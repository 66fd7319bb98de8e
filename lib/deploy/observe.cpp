#include "deploy/observe.hpp"

#include <algorithm>

#include "remote/docker.hpp"
#include "util/strings.hpp"

namespace hoist::deploy {

std::string majority_color(const FleetState& state) {
    int blue = 0, green = 0;
    for (const auto& [h, o] : state.hosts) {
        blue += o.color == "blue";
        green += o.color == "green";
    }
    if (blue == 0 && green == 0) return "";
    return blue >= green ? "blue" : "green";
}

Observation observe_fleet(const config::Pipeline& p, ssh::Fleet& fleet, const std::vector<std::string>& hosts,
                          lb::LoadBalancer* lb) {
    Observation obs;
    obs.state.observed = true;
    if (lb) {
        try {
            obs.state.pool = lb->observe();
        } catch (const std::exception& e) {
            obs.lb_error = e.what();
        }
    }
    std::string runtime = config::to_string(p.container.runtime);
    // the ports this deploy publishes: a container hoist did not start may hold one (the old script's)
    std::vector<int> ports;
    if (p.strategy.type == config::StrategyType::rolling) ports = {p.container.host_port};
    else ports = {p.strategy.blue_port, p.strategy.green_port};
    const std::string adopted_name = p.service + "-" + adopted_version;
    struct Seen {
        std::vector<ObservedContainer> mine, foreign;
    };
    auto outcomes = fleet.each<Seen>(
        [&](const std::string&, ssh::Connection& c) {
            ssh::ExecOptions o;
            o.timeout = p.ssh.command_timeout;
            auto run = [&](const remote::Command& cmd) {
                auto r = c.exec(cmd, o);
                if (!r.ok())
                    throw std::runtime_error("'" + cmd.render() + "' failed: " + trim(r.err.empty() ? r.out : r.err));
                return r.out;
            };
            Seen seen;
            seen.mine = parse_container_list(run(remote::list_containers(runtime, p.service)));
            for (auto& u : parse_unlabelled_containers(run(remote::list_all_containers(runtime)))) {
                if (u.name == adopted_name) {  // taken over by an earlier deploy --adopt
                    u.version = adopted_version;
                    u.port = p.container.host_port;
                    seen.mine.push_back(u);
                    continue;
                }
                if (!u.running()) continue;
                for (int port : ports)
                    if (std::find(u.published.begin(), u.published.end(), port) != u.published.end()) {
                        u.port = port;
                        seen.foreign.push_back(u);
                        break;
                    }
            }
            return seen;
        },
        hosts);
    for (auto& o : outcomes) {
        if (!o.ok()) {
            obs.unreachable[o.host] = o.error;
            continue;
        }
        const lb::Member* member = nullptr;
        if (obs.state.pool)
            for (const auto& m : *obs.state.pool)
                if (m.host == o.host) member = &m;
        obs.state.hosts[o.host] = live_host(std::move(o.value->mine), member);
        obs.state.hosts[o.host].foreign = std::move(o.value->foreign);
    }
    obs.state.active_color = majority_color(obs.state);
    return obs;
}

}  // namespace hoist::deploy
