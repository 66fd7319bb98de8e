// hoist exec: Run a command on every host, output prefixed by host
#include "context.hpp"

namespace hoist::cli {

void register_exec(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("exec", "Run a command on every host, output prefixed by host");
    static std::vector<std::string> words;
    cmd->add_option("command", words, "The command (after --)")->required();
    cmd->callback([&ctx] {
        ctx.command = "exec";
        not_available(ctx, "remote exec over SSH");
    });
}

}  // namespace hoist::cli
