// hoist accessory boot|reboot|remove|logs|status NAME|all: the service's long-lived companions
// (spec section 6), which deploy and rollback never touch.
#include <mutex>

#include "context.hpp"
#include "deploy/accessories.hpp"
#include "remote/docker.hpp"
#include "ssh/fleet.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace hoist::cli {

namespace {

struct AccessoryFlags {
    std::string name;
    bool yes = false;
    int tail = 100;
    bool follow = false;
};

int run_accessory_logs(Context& ctx, const config::Pipeline& p, const std::vector<const config::Accessory*>& which,
                       const AccessoryFlags& f) {
    auto q = deploy::accessory_fleet_pipeline(p, which);
    auto fleet = ctx.fleet(q, false);
    std::string runtime = config::to_string(p.container.runtime);
    std::mutex m;
    auto outcomes = fleet->each<int>([&](const std::string& host, ssh::Connection& c) {
        int rc = 0;
        for (const auto* a : which) {
            bool here = false;
            for (const auto& h : a->hosts) here = here || h.address == host;
            if (!here) continue;
            std::string prefix = host + " " + a->name + "| ";
            ssh::LineSplitter lines([&](ssh::Stream, std::string_view line) {
                std::lock_guard<std::mutex> lock(m);
                ctx.out->result(prefix + std::string(line) + "\n");
            });
            ssh::ExecOptions o;
            o.timeout = f.follow ? std::chrono::hours(24) : p.ssh.command_timeout;
            o.on_output = [&](ssh::Stream s, std::string_view chunk) { lines.feed(s, chunk); };
            auto r = c.exec(remote::logs(runtime, deploy::container_name(p, *a), f.tail, f.follow), o);
            lines.flush();
            if (!r.ok()) rc = 1;
        }
        return rc;
    });
    int failed = 0;
    for (const auto& o : outcomes)
        if (!o.ok() || *o.value != 0) ++failed;
    if (failed) throw Failure("the logs of " + std::to_string(failed) + " host(s) could not be read (see above)");
    return ctx.finish({{"result", "succeeded"}, {"exit_code", 0}, {"command", "accessory logs"}});
}

int run_accessory(Context& ctx, const std::string& what, const AccessoryFlags& f) {
    auto p = ctx.load_pipeline();
    auto which = deploy::select_accessories(p, f.name);
    if (what == "logs") return run_accessory_logs(ctx, p, which, f);
    if (what == "remove" && !f.yes)
        throw usage_error("hoist accessory remove stops and removes " + std::string(f.name == "all" ? "every accessory" : f.name) +
                          "'s container (its volumes' host directories are kept); add --yes to do it");
    deploy::AccessoryAction action = what == "boot" ? deploy::AccessoryAction::boot
                                     : what == "reboot" ? deploy::AccessoryAction::reboot
                                     : what == "remove" ? deploy::AccessoryAction::remove
                                                        : deploy::AccessoryAction::status;
    auto results = deploy::accessory_action(p, which, action, *ctx.out);
    nlohmann::json list = nlohmann::json::array();
    int bad = 0;
    std::string table;
    for (const auto& r : results) {
        bad += !r.ok();
        list.push_back({{"accessory", r.accessory}, {"host", r.host}, {"result", r.result}, {"detail", r.detail}});
        table += pad_right(r.accessory, 14) + "  " + pad_right(r.host, 16) + "  " + pad_right(r.result, 10) + "  " + r.detail + "\n";
        ctx.out->event("accessory", list.back());
        if (r.result == "failed") ctx.out->error(r.accessory + " on " + r.host + ": " + r.detail);
        if (r.result == "changed") ctx.out->warning(r.accessory + " on " + r.host + ": " + r.detail);
    }
    ctx.out->result(table);
    if (bad)
        throw Failure(std::to_string(bad) + " of " + std::to_string(results.size()) + " accessory containers are not as "
                      "asked (see above)");
    return ctx.finish({{"result", "succeeded"}, {"exit_code", 0}, {"command", "accessory " + what}, {"accessories", list}});
}

}  // namespace

void register_accessory(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("accessory", "Boot, reboot, remove, inspect or read the logs of the accessories "
                                                "(long-lived companions such as Redis; deploys never touch them)");
    cmd->require_subcommand(1);
    static AccessoryFlags flags;
    const std::pair<const char*, const char*> subs[] = {
        {"boot", "Start NAME (or all) where it is not running; running with the file's settings: nothing to do"},
        {"reboot", "Replace NAME's container (stop, remove, run with the file's settings)"},
        {"remove", "Stop and remove NAME's container (needs --yes; volumes' host directories are kept)"},
        {"logs", "Print NAME's container logs from every host"},
        {"status", "Whether NAME runs on each host, and with the file's settings"}};
    for (const auto& [name, help] : subs) {
        auto* sub = cmd->add_subcommand(name, help);
        sub->add_option("name", flags.name, "An accessory of the pipeline, or 'all'")->required();
        if (std::string(name) == "remove") sub->add_flag("--yes", flags.yes, "Really remove");
        if (std::string(name) == "logs") {
            sub->add_option("-n,--tail", flags.tail, "Lines from the end")->capture_default_str();
            sub->add_flag("-f,--follow", flags.follow, "Keep printing new lines");
        }
        std::string what = name;
        sub->callback([&ctx, what] {
            ctx.command = "accessory " + what;
            ctx.run = [&ctx, what] { return run_accessory(ctx, what, flags); };
        });
    }
}

}  // namespace hoist::cli
