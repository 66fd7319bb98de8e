// hoist plan: what a deploy would do, host by host, touching nothing.
#include "aws/ec2_hosts.hpp"
#include "context.hpp"
#include "deploy/artifact.hpp"
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
            auto p = ctx.load_pipeline();
            if (p.ec2) {  // the hosts are the running instances with the tags, looked up now
                p.hosts = p.all_hosts = aws::resolve_ec2_hosts(p);
                std::string list = "Hosts from EC2 (" + std::to_string(p.hosts.size()) + "):\n";
                nlohmann::json found = nlohmann::json::array();
                for (const auto& h : p.hosts) {
                    list += "  " + h.address + "  " + h.instance_id + "\n";
                    found.push_back({{"host", h.address}, {"instance_id", h.instance_id}});
                }
                ctx.out->result(list);
                ctx.out->event("ec2_hosts", {{"hosts", found}});
            }
            std::string t = deploy::resolve_tag(p, tag);
            deploy::FleetState state;  // offline: the fleet is observed at deploy time
            auto credentials = deploy::pipeline_credentials(p);
            auto plan = deploy::make_plan(p, t, state, {.pull_credentials = &credentials});
            ctx.out->result(deploy::render_plan(plan, p));
            ctx.out->event("plan", deploy::plan_to_json(plan));
            return ctx.finish({{"result", "succeeded"}, {"exit_code", 0}, {"command", "plan"},
                               {"service", p.service}, {"tag", t}});
        };
    });
}

}  // namespace hoist::cli
