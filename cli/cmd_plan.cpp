// hoist plan: what a deploy would do, host by host, touching nothing. It looks at the fleet first
// (read-only) and makes its plan with the deploy's own planning (deploy/planning.hpp), so what it
// prints is what `hoist deploy` runs; --offline plans without connecting to anything.
#include <algorithm>

#include "aws/asg.hpp"
#include "aws/error.hpp"
#include "context.hpp"
#include "deploy/artifact.hpp"
#include "deploy/balancers.hpp"
#include "deploy/connect.hpp"
#include "deploy/interrupt.hpp"
#include "deploy/launch.hpp"
#include "deploy/planning.hpp"
#include "deploy/roles.hpp"
#include "deploy/tag.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace hoist::cli {

namespace {

/// What the deploy does to the group around its rollout (deploy/asg_suspension.hpp); empty without one.
std::string suspension_note(const config::Pipeline& p) {
    if (!p.asg) return "";
    return "Auto Scaling group " + p.asg->name + ": " + join(aws::rollout_processes(), ", ") +
           " suspended while the rollout runs (those already suspended are left so), resumed at its end\n";
}

}  // namespace

void register_plan(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("plan", "Print what a deploy would do, host by host, touching nothing");
    static std::string tag;
    static bool offline = false, observe = false, adopt = false;
    cmd->add_option("--tag", tag, "Plan for this tag instead of the resolved one");
    cmd->add_flag("--offline", offline,
                  "Do not look at the hosts or the load balancer: plan from the file alone (steps are then "
                  "resolved against the hosts at deploy time)");
    cmd->add_flag("--observe", observe,
                  "Fail when a host or the load balancer cannot be looked at (by default the plan is then made "
                  "offline, with a warning)");
    cmd->add_flag("--adopt", adopt, "Plan as `deploy --adopt` would");
    cmd->callback([&ctx] {
        ctx.command = "plan";
        ctx.run = [&ctx] {
            if (offline && (observe || adopt))
                throw usage_error(std::string("plan --offline cannot be combined with ") +
                                  (observe ? "--observe" : "--adopt (adoption depends on what runs)"));
            // the hosts a deploy would change; --offline calls nothing, AWS included
            auto p = offline ? ctx.load_pipeline() : ctx.load_pipeline_with_hosts(false);
            if (offline && p.discovered_hosts()) {
                std::string where = p.asg ? "the InService instances of Auto Scaling group " + p.asg->name
                                          : std::string("the running EC2 instances with the file's tags");
                ctx.out->result("Hosts: " + where + ", not looked up (--offline); a deploy lists them when it starts\n" +
                                suspension_note(p));
                ctx.out->event("ec2_hosts", {{"hosts", nlohmann::json::array()}, {"looked_up", false}});
            } else if (p.discovered_hosts()) {  // the running instances with the tags, or the group's, looked up now
                std::string list = (p.asg ? "Hosts from Auto Scaling group " + p.asg->name : std::string("Hosts from EC2")) +
                                   " (" + std::to_string(p.all_hosts.size()) + "):\n";
                nlohmann::json found = nlohmann::json::array();
                for (const auto& h : p.all_hosts) {
                    list += "  " + h.address + "  " + h.instance_id + "\n";
                    found.push_back({{"host", h.address}, {"instance_id", h.instance_id}});
                }
                ctx.out->result(list + suspension_note(p));
                ctx.out->event("ec2_hosts", {{"hosts", found}});
            }
            std::string t = deploy::resolve_tag(p, tag);
            if (p.asg && p.asg->launch_converge) {  // deploy/launch.hpp: read-only calls, as the deploy's pre-flight
                std::string secrets;
                for (const auto& [env, name] : p.asg->ssm) secrets += (secrets.empty() ? "" : ", ") + env + "=" + name;
                const std::string what = "after a successful deploy, a new version whose user data starts " +
                                         p.service + " " + t + " at boot" +
                                         (secrets.empty() ? "" : " (secrets from SSM: " + secrets + ")") +
                                         "; hoist's versions beyond the newest 5 are deleted\n";
                try {  // no AWS call: the release's user data against EC2's limit
                    deploy::check_user_data_size(p, t, "", p.asg->region.empty() ? "us-east-1" : p.asg->region);
                } catch (const aws::Error& e) {
                    ctx.out->error(std::string(e.what()) + "; a deploy would stop before changing anything");
                }
                if (offline) {
                    ctx.out->result("Launch template of " + p.asg->name + " (not looked up: --offline): " + what);
                } else {
                    try {
                        auto lt = deploy::check_launch(p);
                        ctx.out->result("Launch template " + lt.template_id + " (" + lt.template_name +
                                        "), launched by " + p.asg->name + " at " + lt.group_version + " (now version " +
                                        std::to_string(lt.source_version) + "): " + what);
                        for (const auto& w : lt.warnings) ctx.out->warning(w);
                        ctx.out->event("launch_template", {{"id", lt.template_id},
                                                           {"group_version", lt.group_version},
                                                           {"version", lt.source_version}});
                    } catch (const aws::Error& e) {
                        ctx.out->error(std::string(e.what()) + "; a deploy would stop before changing anything");
                    }
                }
            }
            auto selected = ctx.only_roles();
            deploy::check_roles(p, selected);
            std::vector<config::Pipeline> roles;  // spec section 6: the selected roles besides web
            for (const auto& r : p.roles)
                if (deploy::role_selected(selected, r.name)) roles.push_back(config::role_pipeline(p, r));

            // Look at the fleet as a deploy does (read-only), unless --offline.
            deploy::FleetLook look = deploy::unobserved(roles);
            if (!offline) {
                deploy::Pacer pacer;
                auto warn = [&ctx](const std::string& w) { ctx.out->warning(w); };
                auto fleet = deploy::connect_fleet(deploy::every_unit_host(p, roles), warn);
                auto lbh = deploy::make_load_balancer(p, pacer.sleeper(), warn);
                look = deploy::observe_units(p, roles, *fleet, lbh.get());
                if (!look.complete()) {
                    if (observe) throw Failure("could not look at " + look.problems());
                    if (adopt)
                        throw Failure("could not look at " + look.problems() +
                                      "; plan --adopt depends on what runs there");
                    ctx.out->warning("could not look at " + look.problems() +
                                     "; this plan is made without looking (as --offline), and a deploy now would stop "
                                     "before changing anything");
                    look = deploy::unobserved(roles);
                }
            }
            auto credentials = deploy::planned_credentials(p);
            deploy::PlanRequest req{.tag = t, .roles = selected, .adopt = adopt, .pull_credentials = &credentials};
            if (p.registry.direct) req.direct_image = deploy::direct_image(p, t, false);  // sizes once it is built
            auto plans = deploy::plan_deploy(p, roles, look, req);
            std::string text = deploy::render_plan(plans.web, p);
            for (std::size_t i = 0; i < roles.size(); ++i)
                text += "\nThen role " + roles[i].role + " (after the web role; its pre-flight is above):\n" +
                        deploy::render_plan(plans.roles[i], roles[i]);
            ctx.out->result(text);
            ctx.out->event("plan", deploy::plan_to_json(plans.web));
            for (const auto& rplan : plans.roles) ctx.out->event("plan", deploy::plan_to_json(rplan));
            return ctx.finish({{"result", "succeeded"}, {"exit_code", 0}, {"command", "plan"},
                               {"service", p.service}, {"tag", t}});
        };
    });
}

}  // namespace hoist::cli
