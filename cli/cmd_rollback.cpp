// hoist rollback: Go back to the previous (or given) version
#include "context.hpp"

namespace hoist::cli {

void register_rollback(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("rollback", "Go back to the previous (or given) version");
    static std::string to;
    cmd->add_option("--to", to, "Roll back to this tag");
    cmd->callback([&ctx] {
        ctx.command = "rollback";
        not_available(ctx, "rollback");
    });
}

}  // namespace hoist::cli
