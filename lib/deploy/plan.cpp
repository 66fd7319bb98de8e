#include "deploy/plan.hpp"

#include <algorithm>

#include "util/strings.hpp"

namespace hoist::deploy {

using config::Pipeline;
using config::StrategyType;

std::string to_string(Action a) {
    switch (a) {
        case Action::check: return "check";
        case Action::pull: return "pull";
        case Action::upload_env: return "env";
        case Action::drain: return "drain";
        case Action::wait: return "wait";
        case Action::stop: return "stop";
        case Action::remove: return "remove";
        case Action::run: return "run";
        case Action::health: return "health";
        case Action::enable: return "enable";
        case Action::switch_pool: return "switch";
        case Action::confirm: return "confirm";
        case Action::record: return "record";
    }
    return "?";
}

std::vector<lb::UpstreamServer> pool_for(const std::vector<config::Host>& hosts, int port,
                                         const std::vector<std::string>& down) {
    std::vector<lb::UpstreamServer> out;
    for (const auto& h : hosts) {
        bool is_down = std::find(down.begin(), down.end(), h.address) != down.end();
        out.push_back({h.address + ":" + std::to_string(port), is_down});
    }
    return out;
}

namespace {

struct Builder {
    const Pipeline& p;
    const FleetState& state;
    Plan& plan;
    std::string runtime = config::to_string(p.container.runtime);
    bool has_lb = p.load_balancer.type != config::LoadBalancerType::none;
    std::string lb_target = p.load_balancer.type == config::LoadBalancerType::alb ? "alb" : p.load_balancer.host;

    std::string previous_container(const std::string& host) const {
        auto it = state.hosts.find(host);
        if (it != state.hosts.end() && !it->second.container.empty()) return it->second.container;
        return "";
    }

    remote::ContainerSpec spec(const std::string& color, int host_port) const {
        remote::ContainerSpec s;
        s.runtime = runtime;
        s.service = p.service;
        s.version = plan.tag;
        s.color = color;
        s.name = p.service + "-" + (color.empty() ? plan.tag : color);
        s.image = plan.image_ref;
        s.host_port = host_port;
        s.container_port = p.container.port;
        s.env = p.container.env;
        if (!p.container.secret_env.empty()) s.env_file = remote::env_file_path(p.service, s.name);
        s.volumes = p.container.volumes;
        s.options = p.container.options;
        s.command = p.container.command;
        s.stop_timeout = p.container.stop_timeout;
        return s;
    }

    void add(Step s) { plan.steps.push_back(std::move(s)); }

    void lb_step(Action a, int batch, const std::vector<lb::UpstreamServer>& pool, const std::string& why) {
        Step s{a, lb_target, true, batch, why, {}, pool, {}};
        const auto& lb = p.load_balancer;
        if (lb.type == config::LoadBalancerType::nginx) {
            s.detail = why + "; upstream " + lb.upstream + ": " + lb::describe_servers(pool);
            s.commands.push_back({{"write", lb.config_path}});
            s.commands.push_back({split(lb.test_command, ' ')});
            s.commands.push_back({split(lb.reload_command, ' ')});
        } else {
            s.detail = why + "; " + config::to_string(lb.type) + " pool: " + lb::describe_servers(pool);
        }
        add(s);
    }

    void preflight() {
        for (const auto& h : p.hosts) {
            add({Action::check, h.address, false, 0, "the container runtime answers",
                 {remote::server_version(runtime)}, {}, {}});
            add({Action::pull, h.address, false, 0, "pull the new image (the previous one stays for rollback)",
                 {remote::pull(runtime, plan.image_ref)}, {}, {}});
        }
    }

    void start(const std::string& host, int batch, const remote::ContainerSpec& c) {
        if (!c.env_file.empty())
            add({Action::upload_env, host, false, batch,
                 "write " + c.env_file + " (mode 0600): " + secret_list(), {}, {}, {}});
        add({Action::run, host, false, batch, "start " + c.name + " on port " + std::to_string(c.host_port),
             {remote::run(c)}, {}, c});
        const auto& hc = p.healthcheck;
        add({Action::health, host, false, batch,
             "GET http://127.0.0.1:" + std::to_string(c.host_port) + hc.path + " through the SSH connection until " +
                 std::to_string(hc.healthy_threshold) + " consecutive " + std::to_string(hc.expect_min) + "-" +
                 std::to_string(hc.expect_max) + " answers, every " + config::format_duration(hc.interval) +
                 ", within " + config::format_duration(hc.deadline),
             {}, {}, {}});
    }

    std::string secret_list() const {
        std::vector<std::string> parts;
        for (const auto& name : p.container.secret_env) parts.push_back(name + "=" + Secret::mask);
        return join(parts, " ");
    }

    void rolling() {
        long long n = static_cast<long long>(p.hosts.size());
        long long k = std::max<long long>(1, std::min(n, p.strategy.max_unavailable.resolve(n)));
        for (long long i = 0; i < n; i += k) {
            std::vector<std::string> batch;
            for (long long j = i; j < std::min(n, i + k); ++j) batch.push_back(p.hosts[j].address);
            plan.batches.push_back(batch);
        }
        if (n == 1 && has_lb)
            plan.notes.push_back("a rolling deploy of a single host cannot avoid downtime: consider strategy "
                                 "blue_green");
        int port = p.container.host_port;
        int b = 0;
        for (const auto& batch : plan.batches) {
            ++b;
            if (has_lb) {
                lb_step(Action::drain, b, pool_for(p.hosts, port, batch), "take " + join(batch, ", ") + " out of the pool");
                add({Action::wait, lb_target, true, b,
                     config::format_duration(p.load_balancer.drain_time) + " for in-flight requests to finish", {}, {}, {}});
            }
            for (const auto& host : batch) {
                std::string prev = previous_container(host);
                std::string shown = prev.empty() ? (state.observed ? "" : p.service + "-<previous>") : prev;
                if (!shown.empty())
                    add({Action::stop, host, false, b, "stop " + shown + " (kept for rollback until the deploy ends)",
                         {remote::stop(runtime, shown, p.container.stop_timeout)}, {}, {}});
                start(host, b, spec("", port));
            }
            if (has_lb) lb_step(Action::enable, b, pool_for(p.hosts, port, {}), "put " + join(batch, ", ") + " back");
            if (p.strategy.pause.count() > 0 && b < static_cast<int>(plan.batches.size()))
                add({Action::wait, "", false, b, config::format_duration(p.strategy.pause) + " before the next batch",
                     {}, {}, {}});
        }
    }

    void blue_green() {
        std::string active = state.active_color;
        plan.new_color = active == "blue" ? "green" : "blue";
        int port = plan.new_color == "blue" ? p.strategy.blue_port : p.strategy.green_port;
        std::vector<std::string> all;
        for (const auto& h : p.hosts) all.push_back(h.address);
        plan.batches.push_back(all);
        std::string name = p.service + "-" + plan.new_color;
        for (const auto& h : p.hosts) {
            add({Action::remove, h.address, false, 1, "remove an old " + name + " if one is left",
                 {remote::remove(runtime, name)}, {}, {}});
            start(h.address, 1, spec(plan.new_color, port));
        }
        if (has_lb) {
            lb_step(Action::switch_pool, 1, pool_for(p.hosts, port, {}),
                    "switch every host to " + plan.new_color + " at once");
            add({Action::confirm, lb_target, true, 1, "the load balancer serves " + plan.new_color, {}, {}, {}});
        }
        if (!active.empty() && !p.strategy.keep_previous) {
            add({Action::wait, lb_target, true, 1,
                 config::format_duration(p.load_balancer.drain_time) + " for in-flight requests to finish", {}, {}, {}});
            for (const auto& h : p.hosts)
                add({Action::stop, h.address, false, 1, "stop " + p.service + "-" + active,
                     {remote::stop(runtime, p.service + "-" + active, p.container.stop_timeout)}, {}, {}});
        } else if (!active.empty()) {
            plan.notes.push_back(p.service + "-" + active + " keeps running on every host for an instant rollback");
        }
    }
};

}  // namespace

Plan make_plan(const Pipeline& p, const std::string& tag, const FleetState& state) {
    Plan plan;
    plan.service = p.service;
    plan.tag = tag;
    plan.image_ref = p.image + ":" + tag;
    plan.strategy = p.strategy.type;
    if (!state.observed)
        plan.notes.push_back("the fleet was not observed: steps assume the previous containers hoist names "
                             "itself, and are resolved against the hosts at deploy time");
    Builder b{p, state, plan};
    b.preflight();
    if (p.strategy.type == StrategyType::rolling) b.rolling();
    else b.blue_green();
    for (const auto& h : p.hosts)
        plan.steps.push_back({Action::record, h.address, false, 0,
                              "append the result to " + remote::state_dir(p.service) + "/history.jsonl", {}, {}, {}});
    return plan;
}

std::string render_plan(const Plan& plan, const Pipeline& p) {
    std::string out;
    std::string lb = config::to_string(p.load_balancer.type);
    out += "Plan: deploy " + plan.service + " " + plan.tag + " to " + std::to_string(p.hosts.size()) +
           (p.hosts.size() == 1 ? " host" : " hosts") + ", " + config::to_string(plan.strategy);
    if (plan.strategy == StrategyType::rolling && !plan.batches.empty())
        out += " in " + std::to_string(plan.batches.size()) + " batches of up to " +
               std::to_string(plan.batches.front().size());
    if (plan.strategy == StrategyType::blue_green) out += " (starting " + plan.new_color + ")";
    out += p.load_balancer.type == config::LoadBalancerType::none ? ", no load balancer\n"
                                                                  : ", behind " + lb + "\n";
    out += "Image: " + plan.image_ref + "\n";
    for (const auto& n : plan.notes) out += "Note: " + n + "\n";

    std::size_t tw = 0;
    for (const auto& s : plan.steps) tw = std::max(tw, s.target.size() + (s.on_lb ? 5 : 0));
    auto pad = [](std::string s, std::size_t w) {
        if (s.size() < w) s.append(w - s.size(), ' ');
        return s;
    };
    int section = -1;
    for (const auto& s : plan.steps) {
        int sec = s.action == Action::record ? 1000 : s.batch;
        if (sec != section) {
            section = sec;
            out += "\n";
            if (sec == 0) out += "Pre-flight, every host in parallel (nothing changes yet):\n";
            else if (sec == 1000) out += "Finally:\n";
            else if (plan.strategy == StrategyType::rolling)
                out += "Batch " + std::to_string(sec) + "/" + std::to_string(plan.batches.size()) + ": " +
                       join(plan.batches[sec - 1], ", ") + "\n";
            else out += "Switch (hosts in parallel until the pool switches):\n";
        }
        std::string target = s.target.empty() ? "hoist" : s.target + (s.on_lb ? " (lb)" : "");
        std::string lead = "  " + pad(target, tw) + "  " + pad(to_string(s.action), 8);
        out += lead + s.detail + "\n";
        for (const auto& c : s.commands) {
            std::string line = c.argv.size() == 2 && c.argv[0] == "write" ? "write " + c.argv[1] : c.render();
            out += std::string(lead.size(), ' ') + "$ " + line + "\n";
        }
    }
    return out;
}

nlohmann::json plan_to_json(const Plan& plan) {
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& s : plan.steps) {
        nlohmann::json j{{"action", to_string(s.action)}, {"target", s.target}, {"load_balancer", s.on_lb},
                         {"batch", s.batch}, {"detail", s.detail}};
        nlohmann::json cmds = nlohmann::json::array();
        for (const auto& c : s.commands) cmds.push_back(c.render());
        j["commands"] = cmds;
        steps.push_back(j);
    }
    return {{"service", plan.service}, {"tag", plan.tag}, {"image", plan.image_ref},
            {"strategy", config::to_string(plan.strategy)}, {"batches", plan.batches},
            {"notes", plan.notes}, {"steps", steps}};
}

}  // namespace hoist::deploy
