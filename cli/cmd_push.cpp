// hoist push: Push the built image (building it first if needed)
#include "context.hpp"

namespace hoist::cli {

void register_push(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("push", "Push the built image (building it first if needed)");
    static std::string from, to;
    cmd->add_option("--from", from, "Push an image built elsewhere: docker-daemon:IMAGE | docker-archive:FILE | oci:DIR");
    cmd->add_option("--to", to, "Destination reference (default: the pipeline image and tag)");
    cmd->callback([&ctx] {
        ctx.command = "push";
        not_available(ctx, "the registry push engine");
    });
}

}  // namespace hoist::cli
