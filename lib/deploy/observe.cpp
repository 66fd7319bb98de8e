#include "deploy/observe.hpp"

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
    auto outcomes = fleet.each<std::vector<ObservedContainer>>(
        [&](const std::string&, ssh::Connection& c) {
            ssh::ExecOptions o;
            o.timeout = p.ssh.command_timeout;
            auto r = c.exec(remote::list_containers(runtime, p.service), o);
            if (!r.ok())
                throw std::runtime_error("'" + remote::list_containers(runtime, p.service).render() + "' failed: " +
                                         trim(r.err.empty() ? r.out : r.err));
            std::vector<ObservedContainer> list;
            for (auto& c : parse_container_list(r.out)) list.push_back(c);
            return list;
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
        obs.state.hosts[o.host] = live_host(std::move(*o.value), member);
    }
    obs.state.active_color = majority_color(obs.state);
    return obs;
}

}  // namespace hoist::deploy
