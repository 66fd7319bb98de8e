// hoist status: per host the live container (version, colour), its health through the SSH
// connection, and whether the load balancer sends it traffic (deploy/status.hpp), as a table.
#include "context.hpp"
#include "deploy/balancers.hpp"
#include "deploy/interrupt.hpp"
#include "deploy/roles.hpp"
#include "deploy/status.hpp"

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
    for (const auto& s : deploy::fleet_status(units, *fleet, lbh.get(), [&ctx](const std::string& w) { ctx.out->warning(w); })) {
        if (s.bad()) ++bad;
        nlohmann::json row{{"host", s.host}, {"role", s.role}};
        std::string role_cell = with_roles ? pad(s.role, 10) : "";
        if (!s.error.empty()) {
            text += role_cell + pad(s.host, 16) + "unreachable: " + s.error + "\n";
            row["error"] = s.error;
            rows.push_back(row);
            continue;
        }
        const auto& o = s.observed;
        text += role_cell + pad(s.host, 16) + pad(o.version.empty() ? "-" : o.version, 13) +
                pad(o.color.empty() ? "-" : o.color, 6) +
                pad(o.container.empty() ? "(none running)" : o.container, 21) + pad(s.health, 12) + s.pool + "\n";
        row.update({{"version", o.version}, {"color", o.color}, {"container", o.container}, {"port", o.port},
                    {"health", s.health}, {"pool", s.pool}});
        nlohmann::json list = nlohmann::json::array();
        for (const auto& c : o.containers)
            list.push_back({{"name", c.name}, {"version", c.version}, {"state", c.state}, {"port", c.port}});
        row["containers"] = list;
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
