// hoist deploy: build, push and roll out (lib/deploy/session.cpp does the work).
#include <sys/resource.h>

#include <filesystem>

#include "config/values.hpp"
#include "context.hpp"
#include "deploy/session.hpp"
#include "util/strings.hpp"

namespace hoist::cli {

namespace {

struct DeployFlags {
    std::string tag, lock_wait;
    bool skip_build = false, skip_push = false, adopt = false;
};

std::chrono::milliseconds lock_wait_of(const std::string& text) {
    if (text.empty()) return std::chrono::milliseconds(0);
    auto d = config::parse_duration(text);
    if (!d) throw usage_error("--lock-wait: not a duration: '" + text + "' (e.g. 30s, 5m)");
    return *d;
}

}  // namespace

namespace {

/// What this process holds once the deploy is over (every connection closed): for soak runs,
/// which compare it across many deploys.
nlohmann::json resources() {
    int fds = 0;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec); !ec && it != std::filesystem::directory_iterator();
         it.increment(ec))
        ++fds;
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return {{"open_fds", fds}, {"max_rss_kb", ru.ru_maxrss}};
}

}  // namespace

/// Prints the outcome of a deploy or rollback and returns its exit code (shared with rollback).
int finish_deploy(Context& ctx, deploy::DeployOutcome r) {
    r.summary["resources"] = resources();
    if (r.exit_code == 0) ctx.out->result(r.message + "\n");
    else ctx.out->error(r.message);
    for (const auto& h : r.summary["hosts"]) {
        if (!h.contains("error")) continue;
        std::string host = h["host"].get<std::string>();
        ctx.out->info("  " + host + ": " + h["result"].get<std::string>() + ": " + h["error"].get<std::string>());
        if (h.contains("health")) {
            // the last probes, repeats folded: "HTTP 404: Not Found (x5)"
            std::vector<std::pair<std::string, int>> probes;
            for (const auto& p : h["health"]) {
                std::string t = p.get<std::string>();
                if (!probes.empty() && probes.back().first == t) ++probes.back().second;
                else probes.emplace_back(t, 1);
            }
            for (const auto& [t, n] : probes)
                ctx.out->info("    last health probes: " + t + (n > 1 ? " (x" + std::to_string(n) + ")" : ""));
        }
        if (h.contains("logs") && !h["logs"].get<std::string>().empty()) {
            ctx.out->info("    container logs (last lines):");
            for (const auto& line : split(h["logs"].get<std::string>(), '\n')) ctx.out->info("      " + line);
        }
    }
    return ctx.finish(r.summary);
}

void register_deploy(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("deploy", "Build, push and roll out");
    static DeployFlags f;
    cmd->add_option("--tag", f.tag, "Deploy this tag");
    cmd->add_flag("--skip-build", f.skip_build, "Do not build; the tag must exist in the registry");
    cmd->add_flag("--skip-push", f.skip_push, "Do not push");
    cmd->add_option("--lock-wait", f.lock_wait, "Wait this long for another deploy's lock (e.g. 5m)");
    cmd->add_flag("--adopt", f.adopt,
                  "Take over a running container that hoist did not start and that publishes the service's host "
                  "port (the old deploy script's) as the previous version: drained, stopped, kept for a rollback, "
                  "removed by the next successful deploy");
    cmd->footer("Exit status: 0 deployed; 1 failed and rolled back (every host serves the previous version); "
                "2 bad usage or pipeline; 3 the lock is held; 4 the fleet could not be brought back to one version; "
                "5 build or push failed; 130 interrupted.");
    cmd->callback([&ctx] {
        ctx.command = "deploy";
        ctx.run = [&ctx] {
            auto p = ctx.load_pipeline_with_hosts();
            deploy::DeployRequest req;
            req.tag = f.tag;
            req.skip_build = f.skip_build;
            req.skip_push = f.skip_push;
            req.lock_wait = lock_wait_of(f.lock_wait);
            req.adopt = f.adopt;
            req.roles = ctx.only_roles();
            return finish_deploy(ctx, deploy::run_deploy(p, req, *ctx.out));
        };
    });
}

}  // namespace hoist::cli
