// hoist lock status | acquire -m MESSAGE | release: the deploy lock on the first host of the file.
#include "context.hpp"
#include "deploy/lock.hpp"
#include "remote/docker.hpp"
#include "ssh/error.hpp"

namespace hoist::cli {

namespace {

int run_lock(Context& ctx, const std::string& what, const std::string& message) {
    auto p = ctx.load_pipeline_with_hosts();
    auto fleet = ctx.fleet(p, true);
    std::string host = fleet->targets().front().name;
    ssh::Connection* c = nullptr;
    try {
        c = &fleet->connection(host);
    } catch (const ssh::Error& e) {
        throw Failure("cannot reach " + host + ", the host that holds the deploy lock: " + e.what());
    }
    deploy::Lock lock(*c, remote::state_dir(p.service), host);
    if (what == "status") {
        auto s = lock.status();
        nlohmann::json j{{"host", host}, {"held", s.held}};
        if (s.holder) j["holder"] = s.holder->to_json();
        if (s.holder && s.holder->stale_here()) j["stale"] = true;
        ctx.out->event("lock", j);
        ctx.out->result(!s.held ? "the deploy lock on " + host + " is free\n"
                                : deploy::lock_held_message(host, s) + "\n");
        return ctx.finish({{"result", "succeeded"}, {"exit_code", 0}, {"command", "lock status"}, {"held", s.held}});
    }
    if (what == "acquire") {
        auto me = deploy::LockInfo::mine("lock acquire", "", message);
        me.pid = 0;  // held by a person, not by this process: never "stale"
        auto s = lock.try_acquire(me);
        if (s.held) throw Error(ExitCode::locked, deploy::lock_held_message(host, s));
        ctx.out->result("took the deploy lock on " + host + ": deploys exit 3 until 'hoist lock release'\n");
        return ctx.finish({{"result", "succeeded"}, {"exit_code", 0}, {"command", "lock acquire"}, {"host", host}});
    }
    auto before = lock.status();
    lock.release("");
    ctx.out->result(before.held ? "released the deploy lock on " + host + " (it was held: " +
                                      (before.holder ? before.holder->describe() : std::string("no info")) + ")\n"
                                : "the deploy lock on " + host + " was not held\n");
    return ctx.finish({{"result", "succeeded"}, {"exit_code", 0}, {"command", "lock release"}, {"host", host},
                       {"was_held", before.held}});
}

}  // namespace

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
            std::string what = sub->get_name();
            ctx.run = [&ctx, what] { return run_lock(ctx, what, message); };
        });
    }
}

}  // namespace hoist::cli
