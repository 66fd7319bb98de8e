// hoist status: Per host: running version, colour, health; load balancer membership
#include "context.hpp"

namespace hoist::cli {

void register_status(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("status", "Per host: running version, colour, health; load balancer membership");

    cmd->callback([&ctx] {
        ctx.command = "status";
        not_available(ctx, "status");
    });
}

}  // namespace hoist::cli
