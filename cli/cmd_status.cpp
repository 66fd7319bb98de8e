// hoist status: per host the live container (version, colour), its health through the SSH
// connection, and whether the load balancer sends it traffic.
#include "context.hpp"
#include "deploy/balancers.hpp"
#include "deploy/health.hpp"
#include "deploy/interrupt.hpp"
#include "deploy/observe.hpp"
#include "deploy/roles.hpp"
#include "remote/docker.hpp"
#include "util/strings.hpp"

#include <algorithm>

namespace hoist::cli {

namespace {

int run_status(Context& ctx) {
    auto p = ctx.load_pipeline_with_hosts();
    auto selected = ctx.only_roles();
    deploy::check_roles(p, selected);
    // the web role and every other role (spec section 6), each looked at as its own pipeline
    auto units = deploy::selected_units(p, selected);
    const bool with_roles = !p.roles.empty();
    config::Pipeline all = p;
    for (const auto& u : units) deploy::add_hosts(all, u.hosts);
    auto fleet = ctx.fleet(all, false);
    auto lbh = deploy::make_load_balancer(p, deploy::Interrupts::uninterruptible(),
                                          [&ctx](const std::string& w) { ctx.out->warning(w); });
    auto pad = [](std::string s, std::size_t w) {
        if (s.size() < w) s.append(w - s.size(), ' ');
        return s + " ";
    };
    std::string text = std::string(with_roles ? "ROLE       " : "") +
                       "HOST             VERSION       COLOR  CONTAINER             HEALTH       POOL\n";
    int bad = 0;
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& u : units) {
        std::vector<std::string> hosts;
        for (const auto& h : u.hosts) hosts.push_back(h.address);
        auto obs = deploy::observe_fleet(u, *fleet, hosts, u.is_web() ? lbh.get() : nullptr);
        if (!obs.lb_error.empty()) ctx.out->warning("load balancer: " + obs.lb_error);
        auto health = fleet->each<std::string>(
            [&](const std::string& host, ssh::Connection& c) -> std::string {
                const auto& o = obs.state.hosts.at(host);
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
                return ok ? "healthy" : "unhealthy (" + deploy::describe_probe(r) + ")";
            },
            [&] {
                std::vector<std::string> seen;
                for (const auto& h : hosts)
                    if (!obs.unreachable.count(h)) seen.push_back(h);
                return seen;
            }());
        std::map<std::string, std::string> health_of;
        for (const auto& h : health) health_of[h.host] = h.ok() ? *h.value : "unknown";
        for (const auto& h : hosts) {
            nlohmann::json row{{"host", h}, {"role", u.role}};
            std::string role_cell = with_roles ? pad(u.role, 10) : "";
            if (obs.unreachable.count(h)) {
                ++bad;
                text += role_cell + pad(h, 16) + "unreachable: " + obs.unreachable[h] + "\n";
                row["error"] = obs.unreachable[h];
                rows.push_back(row);
                continue;
            }
            const auto& o = obs.state.hosts[h];
            std::string pool = "-";
            if (obs.state.pool) {
                pool = "not in pool";
                for (const auto& m : *obs.state.pool)
                    if (m.host == h) pool = (m.enabled ? "in pool :" : "down :") + std::to_string(m.port);
            }
            std::string hs = health_of[h];
            if (hs != "healthy" && hs != "running" && hs != "-") ++bad;
            text += role_cell + pad(h, 16) + pad(o.version.empty() ? "-" : o.version, 13) +
                    pad(o.color.empty() ? "-" : o.color, 6) +
                    pad(o.container.empty() ? "(none running)" : o.container, 21) + pad(hs, 12) + pool + "\n";
            row.update({{"version", o.version}, {"color", o.color}, {"container", o.container}, {"port", o.port},
                        {"health", hs}, {"pool", pool}});
            nlohmann::json list = nlohmann::json::array();
            for (const auto& c : o.containers)
                list.push_back({{"name", c.name}, {"version", c.version}, {"state", c.state}, {"port", c.port}});
            row["containers"] = list;
            rows.push_back(row);
            ctx.out->event("host_status", row);
        }
    }
    if (lbh.get()) text += "load balancer: " + lbh.get()->name() + "\n";
    ctx.out->result(text);
    int code = bad ? 1 : 0;
    return ctx.finish({{"result", bad ? "failed" : "succeeded"}, {"exit_code", code}, {"command", "status"},
                       {"service", p.service}, {"hosts", rows}});
}

}  // namespace

void register_status(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("status", "Per host: running version, colour, health; load balancer membership");
    cmd->footer("Exit status: 0 when every host answers and its live container is healthy; 1 otherwise.");
    cmd->callback([&ctx] {
        ctx.command = "status";
        ctx.run = [&ctx] { return run_status(ctx); };
    });
}

}  // namespace hoist::cli
