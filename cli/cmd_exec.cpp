// hoist exec: run a command on every host at once (bounded by ssh.max_parallel), output prefixed by
// host, a per-host summary, exit 1 when the command failed (or could not run) on any host.
//
// The words after `--` are joined with spaces into one shell line, as ssh(1) does, so
// `hoist exec -- docker ps -a` and `hoist exec -- 'cd /tmp && ls'` both do what they say.
#include <unistd.h>

#include <mutex>

#include "deploy/connect.hpp"
#include "config/values.hpp"
#include "context.hpp"
#include "report/terminal_text.hpp"
#include "ssh/fleet.hpp"

namespace hoist::cli {

namespace {

struct ExecFlags {
    std::vector<std::string> words;
    std::string timeout;  ///< overrides ssh.command_timeout
    int repeat = 1;
    bool stdin_input = false;
};

std::string read_stdin() {
    std::string in;
    char buf[65536];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) in.append(buf, n);
    return in;
}

int run_exec(Context& ctx, const ExecFlags& flags) {
    auto p = ctx.load_pipeline_with_hosts();
    if (p.hosts.empty()) throw usage_error("this pipeline has no hosts; nothing was done");
    std::string line;
    for (const auto& w : flags.words) line += (line.empty() ? "" : " ") + w;
    if (line.empty()) throw usage_error("hoist exec: no command given (hoist exec -- CMD)");
    ssh::ExecOptions base;
    base.timeout = p.ssh.command_timeout;
    if (!flags.timeout.empty()) {
        auto t = config::parse_duration(flags.timeout);
        if (!t) throw usage_error("--timeout: not a duration: '" + flags.timeout + "' (e.g. 30s, 5m)");
        base.timeout = *t;
    }
    if (flags.stdin_input) base.input = read_stdin();

    std::mutex out_mutex;
    auto& out = *ctx.out;
    auto warn = [&](const std::string& w) {
        std::lock_guard<std::mutex> lock(out_mutex);
        out.warning(w);
        out.event("warning", {{"message", w}});
    };
    auto fleet = deploy::connect_fleet(p, warn);
    auto start = std::chrono::steady_clock::now();

    auto outcomes = fleet->each<std::vector<ssh::ExecResult>>([&](const std::string& host, ssh::Connection& c) {
        ssh::LineSplitter lines([&](ssh::Stream s, std::string_view text) {
            std::lock_guard<std::mutex> lock(out_mutex);
            if (out.json()) {
                out.event("output", {{"host", host}, {"stream", s == ssh::Stream::out ? "stdout" : "stderr"},
                                     {"line", std::string(text)}});
            } else {
                std::FILE* f = s == ssh::Stream::out ? stdout : stderr;
                // remote escape sequences are shown, not obeyed, on a terminal
                bool tty = ::isatty(::fileno(f)) != 0;
                std::string l = out.bold(host) + " | " + (tty ? report::terminal_safe(text) : std::string(text)) + "\n";
                std::fputs(l.c_str(), f);
            }
        });
        ssh::ExecOptions o = base;
        o.on_output = [&](ssh::Stream s, std::string_view chunk) { lines.feed(s, chunk); };
        std::vector<ssh::ExecResult> runs;
        for (int i = 0; i < flags.repeat; ++i) {
            runs.push_back(c.exec(line, o));
            lines.flush();
        }
        return runs;
    });
    std::fflush(stdout);

    int failed = 0;
    nlohmann::json hosts = nlohmann::json::array();
    std::string summary;
    for (const auto& o : outcomes) {
        nlohmann::json h = {{"host", o.host}, {"duration_ms", o.duration.count()}};
        std::string status;
        if (!o.ok()) {
            ++failed;
            h["result"] = o.kind == ssh::ErrorKind::host_key ? "refused" : "unreachable";
            h["error"] = o.error;
            if (o.kind) h["error_kind"] = ssh::to_string(*o.kind);
            status = out.red("FAILED") + "  " + o.error;
        } else {
            const auto& last = o.value->back();
            bool ok = true;
            for (const auto& r : *o.value) ok = ok && r.ok();
            for (const auto& r : *o.value)
                if (!r.ok()) {
                    ok = false;
                    h["exit_code"] = r.exit_code;
                    if (r.timed_out) h["timed_out"] = true;
                    // no status even after KILL: the host stopped answering and the session was abandoned
                    if (r.timed_out && r.exit_code == -1) h["host_silent"] = true;
                    if (!r.exit_signal.empty()) h["signal"] = r.exit_signal;
                    break;
                }
            if (ok) h["exit_code"] = last.exit_code;
            h["result"] = ok ? "succeeded" : "failed";
            if (!ok) ++failed;
            int code = h["exit_code"].get<int>();
            status = ok ? out.green("ok") + "      exit 0"
                        : out.red("FAILED") + "  " +
                              (h.contains("timed_out") ? "timed out after " + config::format_duration(base.timeout) +
                                                             (h.contains("host_silent")
                                                                  ? "; the host stopped answering, connection abandoned"
                                                                  : ", killed")
                                                       : "exit " + std::to_string(code) +
                                                             (h.contains("signal") ? " (SIG" + h["signal"].get<std::string>() + ")" : ""));
        }
        char dur[32];
        std::snprintf(dur, sizeof dur, "%.2f s", static_cast<double>(o.duration.count()) / 1000.0);
        summary += "  " + o.host + "  " + status + "  (" + dur + ")\n";
        out.event("host_result", h);
        hosts.push_back(h);
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    std::size_t n = outcomes.size();
    out.info(summary + (failed ? std::to_string(failed) + " of " + std::to_string(n) + " hosts failed"
                               : n == 1 ? "the host succeeded" : "all " + std::to_string(n) + " hosts succeeded"));
    int code = failed ? 1 : 0;
    return ctx.finish({{"result", failed ? "failed" : "succeeded"}, {"exit_code", code}, {"command", "exec"},
                       {"service", p.service}, {"duration_ms", ms}, {"hosts", hosts}});
}

}  // namespace

void register_exec(CLI::App& app, Context& ctx) {
    auto* cmd = app.add_subcommand("exec", "Run a command on every host, output prefixed by host");
    static ExecFlags flags;
    cmd->add_option("--timeout", flags.timeout, "Kill the command after this long (default: ssh.command_timeout)");
    cmd->add_option("--repeat", flags.repeat, "Run it this many times in a row on each host, over one connection")
        ->check(CLI::Range(1, 100000));
    cmd->add_flag("--stdin", flags.stdin_input, "Send hoist's stdin to the command on every host");
    cmd->add_option("command", flags.words, "The command (after --)")->required();
    cmd->footer("Exit status: 0 when the command succeeded on every host; 1 when it failed, timed out or could not "
                "run on at least one host; 2 for bad usage.");
    cmd->callback([&ctx] {
        ctx.command = "exec";
        ctx.run = [&ctx] { return run_exec(ctx, flags); };
    });
}

}  // namespace hoist::cli
