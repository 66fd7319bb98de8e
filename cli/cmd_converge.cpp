// hoist converge: every host to the current release (the newest successful deploy or rollback
// in the hosts' history), as a deploy of that tag with no build and no push: hosts that already
// run it are left alone, the others are changed rolling behind the load balancer with the
// deploy's safety (health checks, rollback, lock, Auto Scaling processes suspended). For cron and
// for an Auto Scaling lifecycle hook: a host launched since the last deploy gets the release.
#include "context.hpp"
#include "deploy/history.hpp"
#include "deploy/session.hpp"

namespace hoist::cli {

int finish_deploy(Context& ctx, deploy::DeployOutcome r);

void register_converge(CLI::App& app, Context& ctx) {
    auto* cmd =
        app.add_subcommand("converge",
                           "Bring every host that runs no release or another one to the current release "
                           "(the newest successful deploy in the hosts' history)");
    cmd->footer(
        "Exit status as deploy: 0 every host runs the current release (nothing to do included); 1 failed "
        "and rolled back; 3 the lock is held; 4 a person must look.");
    cmd->callback([&ctx] {
        ctx.command = "converge";
        ctx.run = [&ctx] {
            auto p = ctx.load_pipeline_with_hosts();
            auto fleet = ctx.fleet(p, true);
            auto outcomes = fleet->each<std::vector<deploy::HistoryEntry>>(
                [&](const std::string&, ssh::Connection& c) { return deploy::read_history(c, p.service); });
            std::vector<std::pair<std::string, deploy::HistoryEntry>> entries;
            for (auto& o : outcomes) {
                if (!o.ok()) {  // the deploy below reports it too, and changes nothing then
                    ctx.out->warning(o.host + ": " + o.error);
                    continue;
                }
                for (auto& e : *o.value) entries.emplace_back(o.host, e);
            }
            fleet.reset();
            std::string tag = deploy::current_release(entries);
            if (tag.empty())
                throw usage_error("no release to converge to: no host's history (~/.hoist/" + p.service +
                                  "/history.jsonl) records a successful deploy; run hoist deploy first");
            ctx.out->info("converge " + p.service + " to " + tag +
                          ", the newest release in the hosts' history");
            deploy::DeployRequest req;
            req.tag = tag;
            req.skip_build = true;
            req.skip_push = true;
            return finish_deploy(ctx, deploy::run_deploy(p, req, *ctx.out));
        };
    });
}

}  // namespace hoist::cli
