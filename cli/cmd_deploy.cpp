// hoist deploy: Build, push and roll out
#include "context.hpp"

namespace hoist::cli {

void register_deploy(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("deploy", "Build, push and roll out");
    static std::string tag, lock_wait;
    static bool skip_build = false, skip_push = false;
    cmd->add_option("--tag", tag, "Deploy this tag");
    cmd->add_flag("--skip-build", skip_build, "Do not build; the tag must exist in the registry");
    cmd->add_flag("--skip-push", skip_push, "Do not push");
    cmd->add_option("--lock-wait", lock_wait, "Wait this long for another deploy's lock (e.g. 5m)");
    cmd->callback([&ctx] {
        ctx.command = "deploy";
        not_available(ctx, "the deploy engine");
    });
}

}  // namespace hoist::cli
