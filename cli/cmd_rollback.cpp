// hoist rollback: back to the previous version. Blue/green: when the previous colour still runs on
// every host, a probe of it and one switch of the pool. Otherwise (rolling, or --to another tag): a
// deploy of that tag from the images kept on the hosts, with no build and no push.
#include "context.hpp"
#include "deploy/session.hpp"

namespace hoist::cli {

int finish_deploy(Context& ctx, deploy::DeployOutcome r);

void register_rollback(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("rollback", "Go back to the previous (or given) version");
    static std::string to, lock_wait;
    cmd->add_option("--to", to, "Roll back to this tag");
    cmd->callback([&ctx] {
        ctx.command = "rollback";
        ctx.run = [&ctx] {
            auto p = ctx.load_pipeline_with_hosts();
            deploy::DeployRequest req;
            req.kind = deploy::DeployRequest::Kind::rollback;
            req.tag = to;
            req.roles = ctx.only_roles();
            return finish_deploy(ctx, deploy::run_deploy(p, req, *ctx.out));
        };
    });
}

}  // namespace hoist::cli
