// hoist logs: Container logs from every host
#include "context.hpp"

namespace hoist::cli {

void register_logs(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("logs", "Container logs from every host");
    static int tail = 100;
    static bool follow = false;
    cmd->add_option("--tail", tail, "Lines from the end")->capture_default_str();
    cmd->add_flag("-f,--follow", follow, "Keep streaming");
    cmd->callback([&ctx] {
        ctx.command = "logs";
        not_available(ctx, "logs");
    });
}

}  // namespace hoist::cli
