#include "deploy/observe.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

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

HostImages parse_layer_lists(const std::string& out) {
    HostImages images;
    for (const auto& raw : split(out, '\n')) {
        // the host's answer is untrusted: a line that is not "<id> <list of strings>" is ignored
        // (that image's layers are then sent again, which is safe)
        std::string line = trim(raw);
        if (starts_with(line, "engine ")) {
            // an absolute path, nothing else (it becomes a direct-streamlocal target on that host)
            std::string path = line.substr(7);
            if (starts_with(path, "unix://")) path = path.substr(7);
            else path.clear();
            if (!path.empty() && path[0] == '/' && path.find_first_of(" \t\r\n") == std::string::npos &&
                path.size() < 256)
                images.engine_socket = path;
            continue;
        }
        auto space = line.find(' ');
        if (space == std::string::npos) continue;
        std::string id = line.substr(0, space);
        if (!starts_with(id, "sha256:")) id = "sha256:" + id;
        auto j = nlohmann::json::parse(line.substr(space + 1), nullptr, false);
        if (!j.is_array()) continue;
        std::vector<std::string> ids;
        for (const auto& e : j)
            if (e.is_string()) ids.push_back(e.get<std::string>());
            else {
                ids.clear();
                break;
            }
        if (ids.empty()) continue;
        images.ids.push_back(id);
        images.layer_lists.push_back(std::move(ids));
    }
    return images;
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
    if (!p.is_web()) ports = {};  // a role besides web publishes nothing
    else if (p.strategy.type == config::StrategyType::rolling) ports = {p.container.host_port};
    else ports = {p.strategy.blue_port, p.strategy.green_port};
    const std::string adopted_name = p.service + "-" + adopted_version;
    struct Seen {
        std::vector<ObservedContainer> mine, foreign;
        std::optional<HostImages> images;
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
            // web: one listing gives both hoist's containers and the unlabelled ones (each runtime
            // CLI start costs the host a moment of CPU; 20 hosts on one small machine feel it).
            // Another role: only hoist's (adopting the old script's container is web's).
            std::string all = run(p.is_web() ? remote::list_all_containers(runtime)
                                             : remote::list_containers(runtime, p.service));
            seen.mine = of_role(parse_container_list(all, p.service), p.role);
            for (auto& u : parse_unlabelled_containers(all)) {
                if (!p.is_web()) break;
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
            if (p.registry.direct) seen.images = parse_layer_lists(run(remote::image_layer_lists(runtime)));
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
        if (o.value->images) {
            obs.state.hosts[o.host].layer_lists = std::move(o.value->images->layer_lists);
            obs.state.hosts[o.host].image_ids = std::move(o.value->images->ids);
            obs.state.hosts[o.host].engine_socket = std::move(o.value->images->engine_socket);
        }
    }
    obs.state.active_color = majority_color(obs.state);
    return obs;
}

}  // namespace hoist::deploy
