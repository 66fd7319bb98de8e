// hoist status: per host the live container (version, colour), its health through the SSH
// connection, and whether the load balancer sends it traffic.
#include "context.hpp"
#include "deploy/balancers.hpp"
#include "deploy/health.hpp"
#include "deploy/interrupt.hpp"
#include "deploy/observe.hpp"

namespace hoist::cli {

namespace {

int run_status(Context& ctx) {
    auto p = ctx.load_pipeline_with_hosts();
    auto fleet = ctx.fleet(p, false);
    auto lbh = deploy::make_load_balancer(p, deploy::Interrupts::uninterruptible(),
                                          [&ctx](const std::string& w) { ctx.out->warning(w); });
    std::vector<std::string> hosts;
    for (const auto& h : p.hosts) hosts.push_back(h.address);
    auto obs = deploy::observe_fleet(p, *fleet, hosts, lbh.get());
    if (!obs.lb_error.empty()) ctx.out->warning("load balancer: " + obs.lb_error);

    auto health = fleet->each<std::string>(
        [&](const std::string& host, ssh::Connection& c) -> std::string {
            const auto& o = obs.state.hosts.at(host);
            if (o.container.empty()) return "-";
            auto r = c.http_get(o.port, p.healthcheck.path, p.healthcheck.timeout);
            bool ok = r.ok() && r.status >= p.healthcheck.expect_min && r.status <= p.healthcheck.expect_max;
            return ok ? "healthy" : "unhealthy (" + deploy::describe_probe(r) + ")";
        },
        hosts);
    std::map<std::string, std::string> health_of;
    for (const auto& h : health) health_of[h.host] = h.ok() ? *h.value : "unknown";

    auto pad = [](std::string s, std::size_t w) {
        if (s.size() < w) s.append(w - s.size(), ' ');
        return s + " ";
    };
    std::string text = "HOST             VERSION       COLOR  CONTAINER             HEALTH       POOL\n";
    int bad = 0;
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& h : hosts) {
        nlohmann::json row{{"host", h}};
        if (obs.unreachable.count(h)) {
            ++bad;
            text += pad(h, 16) + "unreachable: " + obs.unreachable[h] + "\n";
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
        if (hs != "healthy" && hs != "-") ++bad;
        text += pad(h, 16) + pad(o.version.empty() ? "-" : o.version, 13) + pad(o.color.empty() ? "-" : o.color, 6) +
                pad(o.container.empty() ? "(none running)" : o.container, 21) + pad(hs, 12) + pool + "\n";
        row.update({{"version", o.version}, {"color", o.color}, {"container", o.container}, {"port", o.port},
                    {"health", hs}, {"pool", pool}});
        nlohmann::json all = nlohmann::json::array();
        for (const auto& c : o.containers)
            all.push_back({{"name", c.name}, {"version", c.version}, {"state", c.state}, {"port", c.port}});
        row["containers"] = all;
        rows.push_back(row);
        ctx.out->event("host_status", row);
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
