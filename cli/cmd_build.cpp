// hoist build: Build the image into the local layer cache
#include "context.hpp"

namespace hoist::cli {

void register_build(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("build", "Build the image into the local layer cache");

    cmd->callback([&ctx] {
        ctx.command = "build";
        not_available(ctx, "the image builder");
    });
}

}  // namespace hoist::cli
