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

}  // namespace

HealthResult wait_until_healthy(ssh::Connection& c, const HealthTarget& t, const config::HealthcheckSettings& s,
                                const lb::Sleeper& sleep) {
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
