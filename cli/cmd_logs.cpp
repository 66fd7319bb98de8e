// hoist logs: the live container's logs from every host at once, each line prefixed by its host.
// With -f they stream until Ctrl-C.
#include <unistd.h>

#include "context.hpp"
#include "deploy/observe.hpp"
#include "remote/docker.hpp"
#include "report/terminal_text.hpp"

namespace hoist::cli {

namespace {

int run_logs(Context& ctx, int tail, bool follow) {
    auto p = ctx.load_pipeline_with_hosts();
    auto fleet = ctx.fleet(p, false);
    std::vector<std::string> hosts;
    for (const auto& h : p.hosts) hosts.push_back(h.address);
    auto obs = deploy::observe_fleet(p, *fleet, hosts, nullptr);
    std::string runtime = config::to_string(p.container.runtime);
    auto& out = *ctx.out;
    const bool tty = ::isatty(STDOUT_FILENO) != 0;
    auto outcomes = fleet->each<int>(
        [&](const std::string& host, ssh::Connection& c) {
            const auto& o = obs.state.hosts.at(host);
            if (o.container.empty()) throw std::runtime_error("no " + p.service + " container runs here");
            ssh::LineSplitter lines([&](ssh::Stream s, std::string_view text) {
                std::lock_guard<std::mutex> lock(ctx.out_mutex);
                if (out.json()) {
                    out.event("log", {{"host", host}, {"container", o.container},
                                      {"stream", s == ssh::Stream::out ? "stdout" : "stderr"}, {"line", std::string(text)}});
                } else {
                    // remote escape sequences are shown, not obeyed, on a terminal
                    std::string l = out.bold(host) + " | " + (tty ? report::terminal_safe(text) : std::string(text)) + "\n";
                    std::fputs(l.c_str(), stdout);
                    // followed lines are shown as they come, also when stdout is a pipe or a CI
                    // log (block-buffered: nothing would appear until 4 KiB had gathered)
                    if (follow) std::fflush(stdout);
                }
            });
            ssh::ExecOptions eo;
            eo.timeout = follow ? std::chrono::hours(24 * 365) : p.ssh.command_timeout;
            eo.on_output = [&](ssh::Stream s, std::string_view chunk) { lines.feed(s, chunk); };
            auto r = c.exec(remote::logs(runtime, o.container, tail, follow), eo);
            lines.flush();
            return r.exit_code;
        },
        hosts);
    std::fflush(stdout);
    int failed = 0;
    for (const auto& o : outcomes)
        if (!o.ok() || *o.value != 0) {
            ++failed;
            out.warning(o.host + ": " + (o.ok() ? "docker logs exited " + std::to_string(*o.value) : o.error));
        }
    for (const auto& [h, why] : obs.unreachable) {
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
