// hoist logs: the live container's logs from every host at once, each line prefixed by its host.
// With -f they stream until Ctrl-C.
#include <unistd.h>

#include "context.hpp"
#include "deploy/observe.hpp"
#include "deploy/roles.hpp"
#include "util/error.hpp"

#include <algorithm>
#include "remote/docker.hpp"
#include "report/terminal_text.hpp"

namespace hoist::cli {

namespace {

int run_logs(Context& ctx, int tail, bool follow) {
    auto p = ctx.load_pipeline_with_hosts();
    auto selected = ctx.only_roles();
    deploy::check_roles(p, selected);
    auto units = deploy::selected_units(p, selected);  // web and the other roles (spec section 6)
    if (follow && units.size() > 1)
        throw usage_error("logs -f follows one role at a time: add --roles " + units[0].role + " (or another of " +
                          std::to_string(units.size()) + " roles)");
    const bool with_roles = !p.roles.empty();
    config::Pipeline all = p;
    for (const auto& u : units) deploy::add_hosts(all, u.hosts);
    auto fleet = ctx.fleet(all, false);
    // per host, the live container of each role it has
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> containers;  // host -> (role, name)
    std::map<std::string, std::string> unreachable;
    std::vector<std::string> hosts;
    for (const auto& u : units) {
        std::vector<std::string> uh;
        for (const auto& h : u.hosts) uh.push_back(h.address);
        auto obs = deploy::observe_fleet(u, *fleet, uh, nullptr);
        for (const auto& [h, why] : obs.unreachable) unreachable[h] = why;
        for (const auto& h : uh) {
            if (obs.unreachable.count(h)) continue;
            if (std::find(hosts.begin(), hosts.end(), h) == hosts.end()) hosts.push_back(h);
            containers[h].emplace_back(u.role, obs.state.hosts[h].container);
        }
    }
    std::string runtime = config::to_string(p.container.runtime);
    auto& out = *ctx.out;
    const bool tty = ::isatty(STDOUT_FILENO) != 0;
    auto outcomes = fleet->each<int>(
        [&](const std::string& host, ssh::Connection& c) {
            int code = 0;
            for (const auto& [role, container] : containers.at(host)) {
                if (container.empty())
                    throw std::runtime_error("no " + p.service + (role == config::web_role ? "" : " " + role) +
                                             " container runs here");
                std::string who = with_roles ? host + " " + role : host;
                ssh::LineSplitter lines([&](ssh::Stream s, std::string_view text) {
                    std::lock_guard<std::mutex> lock(ctx.out_mutex);
                    if (out.json()) {
                        out.event("log", {{"host", host}, {"role", role}, {"container", container},
                                          {"stream", s == ssh::Stream::out ? "stdout" : "stderr"},
                                          {"line", std::string(text)}});
                    } else {
                        // remote escape sequences are shown, not obeyed, on a terminal
                        std::string l = out.bold(who) + " | " + (tty ? report::terminal_safe(text) : std::string(text)) + "\n";
                        std::fputs(l.c_str(), stdout);
                        // followed lines are shown as they come, also when stdout is a pipe or a CI
                        // log (block-buffered: nothing would appear until 4 KiB had gathered)
                        if (follow) std::fflush(stdout);
                    }
                });
                ssh::ExecOptions eo;
                eo.timeout = follow ? std::chrono::hours(24 * 365) : p.ssh.command_timeout;
                eo.on_output = [&](ssh::Stream s, std::string_view chunk) { lines.feed(s, chunk); };
                auto r = c.exec(remote::logs(runtime, container, tail, follow), eo);
                lines.flush();
                if (r.exit_code != 0) code = r.exit_code;
            }
            return code;
        },
        hosts);
    std::fflush(stdout);
    int failed = 0;
    for (const auto& o : outcomes)
        if (!o.ok() || *o.value != 0) {
            ++failed;
            out.warning(o.host + ": " + (o.ok() ? "docker logs exited " + std::to_string(*o.value) : o.error));
        }
    for (const auto& [h, why] : unreachable) {
        ++failed;
        out.warning(h + ": " + why);
    }
    int code = failed ? 1 : 0;
    return ctx.finish({{"result", failed ? "failed" : "succeeded"}, {"exit_code", code}, {"command", "logs"}});
}

}  // namespace

void register_logs(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("logs", "Container logs from every host");
    static int tail = 100;
    static bool follow = false;
    cmd->add_option("--tail", tail, "Lines from the end")->capture_default_str();
    cmd->add_flag("-f,--follow", follow, "Keep streaming");
    cmd->callback([&ctx] {
        ctx.command = "logs";
        ctx.run = [&ctx] { return run_logs(ctx, tail, follow); };
    });
}

}  // namespace hoist::cli
