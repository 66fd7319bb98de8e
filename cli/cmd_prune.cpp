// hoist prune [--keep N]: on every host of every role, the service's stopped containers and image
// tags older than the last N versions; never a running container, never a role's live or rollback
// container (spec section 6). Prints what it removed and the image space that freed.
#include <algorithm>

#include "context.hpp"
#include "deploy/history.hpp"
#include "deploy/prune.hpp"
#include "deploy/roles.hpp"
#include "remote/docker.hpp"
#include "remote/files.hpp"
#include "report/units.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace hoist::cli {

namespace {

struct Freed {
    std::vector<std::string> containers, images;
    std::vector<std::string> kept;
    std::vector<std::string> errors;
    long long freed_kib = -1;  ///< free space gained where the runtime keeps images; -1: not seen
};

int run_prune(Context& ctx, int keep) {
    if (keep < 1) throw usage_error("--keep must be at least 1 (the live version)");
    auto p = ctx.load_pipeline_with_hosts();
    config::Pipeline all = p;
    for (const auto& r : p.roles) deploy::add_hosts(all, r.hosts);
    auto fleet = ctx.fleet(all, false);
    std::string runtime = config::to_string(p.container.runtime);
    auto outcomes = fleet->each<Freed>([&](const std::string&, ssh::Connection& c) {
        ssh::ExecOptions o;
        o.timeout = p.ssh.command_timeout;
        auto run = [&](const remote::Command& cmd) {
            auto r = c.exec(cmd, o);
            if (!r.ok()) throw std::runtime_error("'" + cmd.render() + "' failed: " + trim(r.err.empty() ? r.out : r.err));
            return r.out;
        };
        auto containers = deploy::parse_container_list(run(remote::list_containers(runtime, p.service)));
        std::vector<std::string> tags;
        for (const auto& t : split(run(remote::list_image_tags(runtime, p.image)), '\n'))
            if (!trim(t).empty()) tags.push_back(trim(t));
        std::vector<std::string> deployed;  // newest first
        auto history = deploy::read_history(c, p.service);
        for (auto it = history.rbegin(); it != history.rend(); ++it)
            if (it->result == "updated") deployed.push_back(it->tag);
        auto choice = deploy::choose_prune(containers, tags, keep, deployed);
        // what it freed: the free space of the runtime's filesystem before and after (shared
        // layers make a per-image sum wrong); unknown when the login user cannot see it
        auto free_kib = [&]() -> long long {
            auto r = c.exec(remote::disk_free_kib(runtime), o);
            auto v = r.ok() ? parse_int(trim(r.out)) : std::nullopt;
            return v ? *v : -1;
        };
        long long before = choice.containers.empty() && choice.tags.empty() ? -1 : free_kib();
        Freed f;
        f.kept = choice.kept_versions;
        for (const auto& name : choice.containers) {
            auto r = c.exec(remote::remove(runtime, name), o);
            if (!r.ok()) {
                f.errors.push_back("container " + name + ": " + trim(r.err));
                continue;
            }
            f.containers.push_back(name);
            if (name.find('/') == std::string::npos) c.exec(remote::remove_file(remote::env_file_path(p.service, name)), o);
        }
        for (const auto& tag : choice.tags) {
            auto r = c.exec(remote::remove_image(runtime, p.image_ref(tag)), o);
            if (!r.ok()) {  // still used by a container hoist keeps, or another tag: not an error of prune's
                f.errors.push_back("image " + p.image_ref(tag) + ": " + trim(r.err));
                continue;
            }
            f.images.push_back(tag);
        }
        if (before >= 0)
            if (long long after = free_kib(); after >= 0) f.freed_kib = std::max(0LL, after - before);
        return f;
    });
    int failed = 0;
    std::string text;
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& o : outcomes) {
        if (!o.ok()) {
            ++failed;
            text += o.host + ": " + o.error + "\n";
            rows.push_back({{"host", o.host}, {"error", o.error}});
            continue;
        }
        const Freed& f = *o.value;
        text += o.host + ": removed " + std::to_string(f.containers.size()) + " containers" +
                (f.containers.empty() ? "" : " (" + join(f.containers, ", ") + ")") + " and " +
                std::to_string(f.images.size()) + " images" + (f.images.empty() ? "" : " (" + join(f.images, ", ") + ")") +
                (f.freed_kib >= 0 ? "; freed " + report::human_bytes(f.freed_kib * 1024) : std::string()) +
                "; kept " + (f.kept.empty() ? std::string("nothing") : join(f.kept, ", ")) + "\n";
        for (const auto& e : f.errors) ctx.out->warning(o.host + ": not removed: " + e);
        nlohmann::json row{{"host", o.host}, {"containers", f.containers}, {"images", f.images}, {"kept", f.kept}};
        if (f.freed_kib >= 0) row["freed_bytes"] = f.freed_kib * 1024;
        if (!f.errors.empty()) row["not_removed"] = f.errors;
        ctx.out->event("pruned", row);
        rows.push_back(row);
    }
    ctx.out->result(text);
    int code = failed ? 1 : 0;
    return ctx.finish({{"result", failed ? "failed" : "succeeded"}, {"exit_code", code}, {"command", "prune"},
                       {"service", p.service}, {"hosts", rows}});
}

}  // namespace

void register_prune(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("prune", "Remove the service's stopped containers and images older than the last N "
                                            "versions on every host (never the live or the rollback one)");
    static int keep = 3;
    cmd->add_option("--keep", keep, "Versions to keep on each host")->capture_default_str();
    cmd->footer("Exit status: 0 when every host was pruned; 1 when a host could not be reached or listed.");
    cmd->callback([&ctx] {
        ctx.command = "prune";
        ctx.run = [&ctx] { return run_prune(ctx, keep); };
    });
}

}  // namespace hoist::cli
