// hoist plan: what a deploy would do, host by host, touching nothing.
#include "aws/asg.hpp"
#include <algorithm>

#include "context.hpp"
#include "deploy/roles.hpp"
#include "deploy/artifact.hpp"
#include "deploy/balancers.hpp"
#include "deploy/interrupt.hpp"
#include "deploy/observe.hpp"
#include "deploy/plan.hpp"
#include "deploy/tag.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace hoist::cli {

void register_plan(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("plan", "Print what a deploy would do, host by host, touching nothing");
    static std::string tag;
    static bool observe = false, adopt = false;
    cmd->add_option("--tag", tag, "Plan for this tag instead of the resolved one");
    cmd->add_flag("--observe", observe,
                  "Look at the hosts first, read-only (one `docker ps` each and the load balancer's pool), and plan "
                  "against what runs there as a deploy does: shows containers hoist did not start that block it");
    cmd->add_flag("--adopt", adopt, "With --observe: plan as `deploy --adopt` would");
    cmd->callback([&ctx] {
        ctx.command = "plan";
        ctx.run = [&ctx] {
            auto p = ctx.load_pipeline_with_hosts(false);  // the hosts a deploy would change
            if (p.discovered_hosts()) {  // the running instances with the tags, or the group's, looked up now
                std::string list = (p.asg ? "Hosts from Auto Scaling group " + p.asg->name : std::string("Hosts from EC2")) +
                                   " (" + std::to_string(p.all_hosts.size()) + "):\n";
                nlohmann::json found = nlohmann::json::array();
                for (const auto& h : p.all_hosts) {
                    list += "  " + h.address + "  " + h.instance_id + "\n";
                    found.push_back({{"host", h.address}, {"instance_id", h.instance_id}});
                }
                if (p.asg)  // what the deploy does to the group around its rollout (deploy/asg_suspension.hpp)
                    list += "Auto Scaling group " + p.asg->name + ": " + join(aws::rollout_processes(), ", ") +
                            " suspended while the rollout runs (those already suspended are left so), resumed "
                            "at its end\n";
                ctx.out->result(list);
                ctx.out->event("ec2_hosts", {{"hosts", found}});
            }
            std::string t = deploy::resolve_tag(p, tag);
            deploy::FleetState state;  // offline unless --observe: the fleet is observed at deploy time
            if (adopt && !observe) throw usage_error("plan --adopt needs --observe (adoption depends on what runs)");
            std::unique_ptr<ssh::Fleet> fleet;
            if (observe) {
                deploy::Pacer pacer;
                auto warn = [&ctx](const std::string& w) { ctx.out->warning(w); };
                config::Pipeline all = p;
                all.hosts = p.all_hosts.empty() ? p.hosts : p.all_hosts;
                for (const auto& r : p.roles) deploy::add_hosts(all, r.hosts);
                fleet = ssh::Fleet::from_pipeline(all, warn);
                auto lbh = deploy::make_load_balancer(p, pacer.sleeper(), warn);
                std::vector<std::string> hosts;
                for (const auto& h : p.hosts) hosts.push_back(h.address);
                auto obs = deploy::observe_fleet(p, *fleet, hosts, lbh.get());
                if (!obs.lb_error.empty())
                    throw Error(ExitCode::rolled_back, "cannot read the load balancer: " + obs.lb_error);
                if (!obs.unreachable.empty()) {
                    std::string why;
                    for (const auto& [h, e] : obs.unreachable) why += (why.empty() ? "" : "; ") + h + ": " + e;
                    throw Error(ExitCode::rolled_back, "hosts that could not be looked at: " + why);
                }
                state = std::move(obs.state);
                if (adopt && p.strategy.type == config::StrategyType::rolling)
                    deploy::adopt_foreign(state.hosts, p.service);
            }
            auto credentials = deploy::planned_credentials(p);
            std::shared_ptr<const oci::ArchiveImage> direct;  // registry.direct: sizes when the image is built
            if (p.registry.direct) direct = deploy::direct_image(p, t, false);
            auto selected = ctx.only_roles();
            deploy::check_roles(p, selected);
            auto plan = deploy::make_plan(p, t, state, {.pull_credentials = &credentials, .direct_image = direct});
            if (!deploy::role_selected(selected, config::web_role)) {
                config::Pipeline none = p;
                none.hosts.clear();
                plan = deploy::make_plan(none, t, state, {.pull_credentials = &credentials, .direct_image = direct});
                plan.notes.clear();
            }
            // the other roles (spec section 6): their pre-flight joins web's, their rollout follows it
            std::vector<std::pair<config::Pipeline, deploy::Plan>> roles;
            for (const auto& r : p.roles) {
                if (!deploy::role_selected(selected, r.name)) continue;
                auto rp = config::role_pipeline(p, r);
                deploy::FleetState rs;
                if (fleet) {
                    std::vector<std::string> rh;
                    for (const auto& h : rp.hosts) rh.push_back(h.address);
                    auto obs = deploy::observe_fleet(rp, *fleet, rh, nullptr);
                    if (!obs.unreachable.empty())
                        throw Error(ExitCode::rolled_back, "hosts of role " + r.name + " that could not be looked at: " +
                                                               obs.unreachable.begin()->first + ": " +
                                                               obs.unreachable.begin()->second);
                    rs = std::move(obs.state);
                }
                auto rplan = deploy::make_plan(rp, t, rs, {.pull_credentials = &credentials, .direct_image = direct});
                deploy::move_preflight(rplan, plan);
                roles.emplace_back(std::move(rp), std::move(rplan));
            }
            std::string text = deploy::render_plan(plan, p);
            for (const auto& [rp, rplan] : roles)
                text += "\nThen role " + rp.role + " (after the web role; its pre-flight is above):\n" +
                        deploy::render_plan(rplan, rp);
            ctx.out->result(text);
            ctx.out->event("plan", deploy::plan_to_json(plan));
            for (const auto& [rp, rplan] : roles) ctx.out->event("plan", deploy::plan_to_json(rplan));
            return ctx.finish({{"result", "succeeded"}, {"exit_code", 0}, {"command", "plan"},
                               {"service", p.service}, {"tag", t}});
        };
    });
}

}  // namespace hoist::cli
