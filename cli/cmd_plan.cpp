// hoist plan: what a deploy would do, host by host, touching nothing.
#include "context.hpp"
#include "deploy/plan.hpp"
#include "deploy/tag.hpp"

namespace hoist::cli {

void register_plan(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("plan", "Print what a deploy would do, host by host, touching nothing");
    static std::string tag;
    cmd->add_option("--tag", tag, "Plan for this tag instead of the resolved one");
    cmd->callback([&ctx] {
        ctx.command = "plan";
        ctx.run = [&ctx] {
            auto p = ctx.load_pipeline_with_hosts(false);  // the hosts a deploy would change
            if (p.ec2) {  // the running instances with the tags, looked up now
                std::string list = "Hosts from EC2 (" + std::to_string(p.all_hosts.size()) + "):\n";
                nlohmann::json found = nlohmann::json::array();
                for (const auto& h : p.all_hosts) {
                    list += "  " + h.address + "  " + h.instance_id + "\n";
                    found.push_back({{"host", h.address}, {"instance_id", h.instance_id}});
                }
                ctx.out->result(list);
                ctx.out->event("ec2_hosts", {{"hosts", found}});
            }
            std::string t = deploy::resolve_tag(p, tag);
            deploy::FleetState state;  // offline: the fleet is observed at deploy time
            auto plan = deploy::make_plan(p, t, state);
            ctx.out->result(deploy::render_plan(plan, p));
            ctx.out->event("plan", deploy::plan_to_json(plan));
            return ctx.finish({{"result", "succeeded"}, {"exit_code", 0}, {"command", "plan"},
                               {"service", p.service}, {"tag", t}});
        };
    });
}

}  // namespace hoist::cli
