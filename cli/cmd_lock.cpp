// hoist lock status | acquire -m MESSAGE | release: the deploy lock on the first host.
#include "context.hpp"

namespace hoist::cli {

void register_lock(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("lock", "Show, take or release the deploy lock");
    cmd->require_subcommand(1);
    static std::string message;
    auto* status = cmd->add_subcommand("status", "Who holds the lock, since when, with what message");
    auto* acquire = cmd->add_subcommand("acquire", "Take the lock (e.g. during maintenance)");
    acquire->add_option("-m,--message", message, "Why")->required();
    auto* release = cmd->add_subcommand("release", "Remove the lock, e.g. one left by a killed deploy");
    for (auto* sub : {status, acquire, release}) {
        sub->callback([&ctx, sub] {
            ctx.command = "lock " + sub->get_name();
            not_available(ctx, "the deploy lock");
        });
    }
}

}  // namespace hoist::cli
