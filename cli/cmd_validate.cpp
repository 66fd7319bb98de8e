// hoist validate: every problem of the pipeline file as FILE:LINE:COL: message; exit 2 if any.
#include "context.hpp"

namespace hoist::cli {

void register_validate(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("validate", "Check the pipeline file; every problem as FILE:LINE:COL: message");
    cmd->callback([&ctx] {
        ctx.command = "validate";
        ctx.run = [&ctx] {
            auto p = ctx.load_pipeline();
            std::string what = p.ec2 ? "hosts from EC2 tags" : p.asg ? "hosts from Auto Scaling group " + p.asg->name : std::to_string(p.hosts.size()) + (p.hosts.size() == 1 ? " host" : " hosts");
            ctx.out->info(ctx.global.file + (p.stage.empty() ? "" : " (stage " + p.stage + ")") + ": valid: service " +
                          p.service + ", " + what + ", " + config::to_string(p.strategy.type) + ", load balancer " +
                          config::to_string(p.load_balancer.type));
            return ctx.finish({{"result", "succeeded"}, {"exit_code", 0}, {"command", "validate"},
                               {"service", p.service}, {"file", ctx.global.file}});
        };
    });
}

}  // namespace hoist::cli
