#include "deploy/health.hpp"

#include "remote/docker.hpp"
#include "util/strings.hpp"

namespace hoist::deploy {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string describe_probe(const ssh::HttpResponse& r) {
    if (!r.ok()) return "no answer: " + (r.error.empty() ? std::string("no response") : r.error);
    std::string out = "HTTP " + std::to_string(r.status);
    std::string body = trim(r.body.substr(0, std::min<std::size_t>(r.body.size(), 200)));
    auto nl = body.find('\n');
    if (nl != std::string::npos) body = body.substr(0, nl);
    if (!body.empty() && (r.status < 200 || r.status >= 400)) out += ": " + body.substr(0, 80);
    return out;
}

namespace {

/// The container's state when it is not running (or restarted), else "".
std::string dead_container(ssh::Connection& c, const HealthTarget& t) {
    if (t.container.empty()) return "";
    ssh::ExecOptions o;
    o.timeout = milliseconds(30000);
    auto r = c.exec(remote::inspect_state(t.runtime, t.container), o);
    if (!r.ok()) return "container " + t.container + " is gone: " + trim(r.err);
    auto words = split(trim(r.out), ' ');
    if (words.size() < 3) return "";
    const std::string& status = words[0];
    if (status == "running" && words[2] == "0") return "";
    if (status == "created") return "";
    return "container " + t.container + " " + (status == "running" ? "restarted" : status) + " (exit code " +
           words[1] + ", restarted " + words[2] + " times)";
}

/// A role besides web: the exec probe, or still running after the watch.
HealthResult wait_until_running(ssh::Connection& c, const HealthTarget& t, const config::HealthcheckSettings& s,
                                const lb::Sleeper& sleep) {
    HealthResult res;
    auto start = Clock::now();
    const bool probe = !s.command.empty();
    auto deadline = start + (probe ? s.deadline : running_watch(s));
    auto finish = [&](bool healthy, std::string reason) {
        res.healthy = healthy;
        res.reason = std::move(reason);
        res.duration = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
        return res;
    };
    int passes = 0;
    auto step = probe ? s.interval : std::min<milliseconds>(s.interval, milliseconds(1000));
    // "<status> <exit code> <restart count>"; a restart since the first look is a crash (a container
    // started again by a rollback may carry restarts from before)
    std::string first_restarts;
    auto dead = [&]() -> std::string {
        ssh::ExecOptions o;
        o.timeout = milliseconds(30000);
        auto r = c.exec(remote::inspect_state(t.runtime, t.container), o);
        if (!r.ok()) return "container " + t.container + " is gone: " + trim(r.err);
        auto words = split(trim(r.out), ' ');
        if (words.size() < 3) return "";
        if (first_restarts.empty()) first_restarts = words[2];
        if ((words[0] == "running" || words[0] == "created") && words[2] == first_restarts) return "";
        return "container " + t.container + " " + (words[0] == "running" ? "restarted" : words[0]) + " (exit code " +
               words[1] + ", restarted " + words[2] + " times)";
    };
    while (true) {
        auto probe_start = Clock::now();
        ++res.probes;
        if (std::string why = dead(); !why.empty()) {
            res.recent.push_back(why);
            return finish(false, why);
        }
        if (probe) {
            remote::Command cmd{{t.runtime, "exec", t.container}};
            cmd.argv.insert(cmd.argv.end(), s.command.begin(), s.command.end());
            ssh::ExecOptions o;
            o.timeout = std::max(milliseconds(1000), s.timeout);
            auto r = c.exec(cmd, o);
            std::string said = trim(r.err.empty() ? r.out : r.err);
            res.recent.push_back("exit " + std::to_string(r.exit_code) + (said.empty() ? "" : ": " + said.substr(0, 80)));
            if (res.recent.size() > 5) res.recent.erase(res.recent.begin());
            if (r.ok()) {
                if (++passes >= s.healthy_threshold) return finish(true, "");
            } else {
                passes = 0;
            }
            if (Clock::now() >= deadline)
                return finish(false, "'" + remote::Command{s.command}.render() + "' did not exit 0 within " +
                                         config::format_duration(s.deadline) + " (" + std::to_string(res.probes) +
                                         " probes; last: " + res.recent.back() + ")");
        } else {
            res.recent = {"running"};
            if (Clock::now() >= deadline) return finish(true, "");  // dead() just found it running
        }
        auto next = probe_start + step;
        auto wait = std::chrono::duration_cast<milliseconds>(std::min(next, deadline) - Clock::now());
        if (wait.count() > 0 && !sleep(wait)) {
            res.interrupted = true;
            return finish(false, "interrupted");
        }
    }
}

}  // namespace

config::Duration running_watch(const config::HealthcheckSettings& s) {
    return std::min<config::Duration>(s.deadline, std::chrono::seconds(5));
}

HealthResult wait_until_healthy(ssh::Connection& c, const HealthTarget& t, const config::HealthcheckSettings& s,
                                const lb::Sleeper& sleep) {
    if (t.port == 0) return wait_until_running(c, t, s, sleep);
    HealthResult res;
    auto start = Clock::now();
    auto deadline = start + s.deadline;
    int passes = 0;
    auto finish = [&](bool healthy, std::string reason) {
        res.healthy = healthy;
        res.reason = std::move(reason);
        res.duration = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
        return res;
    };
    while (true) {
        auto probe_start = Clock::now();
        auto left = std::chrono::duration_cast<milliseconds>(deadline - probe_start);
        auto r = c.http_get(t.port, s.path, std::max(milliseconds(100), std::min(s.timeout, left)));
        ++res.probes;
        res.recent.push_back(describe_probe(r));
        if (res.recent.size() > 5) res.recent.erase(res.recent.begin());
        bool ok = r.ok() && r.status >= s.expect_min && r.status <= s.expect_max;
        if (ok) {
            if (++passes >= s.healthy_threshold) return finish(true, "");
        } else {
            passes = 0;
            std::string dead = dead_container(c, t);
            if (!dead.empty()) return finish(false, dead + "; last probe: " + res.recent.back());
        }
        if (Clock::now() >= deadline)
            return finish(false, "not healthy within " + config::format_duration(s.deadline) + " (" +
                                     std::to_string(res.probes) + " probes; last: " + res.recent.back() + ")");
        auto next = probe_start + s.interval;
        auto wait = std::chrono::duration_cast<milliseconds>(std::min(next, deadline) - Clock::now());
        if (wait.count() > 0 && !sleep(wait)) {
            res.interrupted = true;
            return finish(false, "interrupted");
        }
    }
}

}  // namespace hoist::deploy
