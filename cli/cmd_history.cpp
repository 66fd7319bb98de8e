// hoist history: The deploy history kept on the hosts
#include "context.hpp"

namespace hoist::cli {

void register_history(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("history", "The deploy history kept on the hosts");

    cmd->callback([&ctx] {
        ctx.command = "history";
        not_available(ctx, "history");
    });
}

}  // namespace hoist::cli
