// The forward path of the deploy engine: pre-flight, the rollout's segments, the load balancer
// steps, and on success pruning and history. See engine.hpp for the model, undo.cpp for the way back.
#include <algorithm>
#include <cstdio>
#include <ostream>

#include "deploy/direct.hpp"
#include "deploy/executor.hpp"
#include "deploy/history.hpp"
#include "deploy/secrets.hpp"
#include "remote/docker.hpp"
#include "remote/files.hpp"
#include "report/output.hpp"
#include "report/units.hpp"
#include "ssh/error.hpp"
#include "util/overloaded.hpp"
#include "util/strings.hpp"

namespace hoist::deploy {

using std::chrono::milliseconds;

std::string to_string(HostResult r) {
    switch (r) {
        case HostResult::unchanged: return "unchanged";
        case HostResult::updated: return "updated";
        case HostResult::rolled_back: return "rolled_back";
        case HostResult::failed: return "failed";
    }
    return "failed";
}

std::string to_string(Outcome o) {
    switch (o) {
        case Outcome::succeeded: return "succeeded";
        case Outcome::rolled_back: return "rolled_back";
        case Outcome::failed: return "failed";
    }
    return "failed";
}

std::ostream& operator<<(std::ostream& os, HostResult r) { return os << to_string(r); }
std::ostream& operator<<(std::ostream& os, Outcome o) { return os << to_string(o); }

nlohmann::json HostReport::to_json() const {
    nlohmann::json j{{"host", host}, {"role", role}, {"result", to_string(result)}, {"version", version}};
    j["previous_version"] = previous_version;
    j["duration_ms"] = duration_ms;
    if (!container.empty()) j["container"] = container;
    if (!error.empty()) j["error"] = error;
    nlohmann::json st = nlohmann::json::array();
    for (const auto& s : steps) {
        nlohmann::json e{{"action", s.action}, {"duration_ms", s.duration_ms}, {"ok", s.ok}};
        if (!s.error.empty()) e["error"] = s.error;
        st.push_back(e);
    }
    j["steps"] = st;
    if (!health.empty()) j["health"] = health;
    if (!logs.empty()) j["logs"] = logs;
    return j;
}

Executor::Executor(const config::Pipeline& p, const Plan& plan, const FleetState& state, EngineEnv& env)
    : m_p(p), m_plan(plan), m_state(state), m_env(env), m_pool(plan.initial_pool) {
    auto add = [&](const std::string& h) {
        HostReport r;
        r.host = h;
        r.role = p.role;
        if (auto* o = previous(h)) {
            r.version = r.previous_version = o->version;
            r.container = o->container;
        }
        m_reports[h] = r;
    };
    for (const auto& h : plan.hosts) add(h);
    for (const auto& h : plan.unchanged) add(h);
}

RolloutResult execute(const config::Pipeline& p, const Plan& plan, const FleetState& state, EngineEnv& env) {
    Executor e(p, plan, state, env);
    return e.run();
}

const ObservedHost* Executor::previous(const std::string& host) const {
    auto it = m_state.hosts.find(host);
    return it == m_state.hosts.end() || it->second.container.empty() ? nullptr : &it->second;
}

HostReport& Executor::report(const std::string& host) { return m_reports[host]; }

std::vector<std::string> Executor::touched_hosts() const {
    std::vector<std::string> out;
    for (const auto& h : m_plan.hosts) {
        auto it = m_progress.find(h);
        if (it != m_progress.end() && (it->second.touched || it->second.new_started)) out.push_back(h);
    }
    return out;
}

ssh::ExecResult Executor::exec(ssh::Connection& c, const remote::Command& cmd, const std::string& input) {
    ssh::ExecOptions o;
    o.timeout = m_p.ssh.command_timeout;
    if (!input.empty()) o.input = input;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_env.out.verbose(c.label() + " $ " + cmd.render());
    }
    return c.exec(cmd, o);
}

void Executor::fail(const std::string& host, const std::string& message) {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_failure.empty()) m_failure = message;
    if (!host.empty()) {
        m_failed_hosts.insert(host);
        if (m_reports[host].error.empty()) m_reports[host].error = message;
    }
}

void Executor::table(const std::string& host, const std::string& text) {
    m_env.out.with_bars([&](report::ProgressBars& bars) { bars.status(host, text); });
}

int Executor::undo_id(Action a, const std::string& host, int batch) const {
    for (std::size_t i = 0; i < m_plan.undo.size(); ++i) {
        const Step& u = m_plan.undo[i];
        if (u.action == a && (host.empty() ? u.on_lb : !u.on_lb && u.target == host) && (batch == -2 || u.batch == batch))
            return static_cast<int>(m_plan.steps.size() + i);
    }
    return -1;
}

int Executor::record_step(const std::string& host) const {
    for (const auto& s : m_plan.steps)
        if (s.action == Action::record && s.target == host) return index_of(s);
    return -1;
}

void Executor::note_step(const std::string& host, const std::string& action, Clock::time_point start, bool ok,
                         const std::string& error, const std::string& detail, int step) {
    auto ms = std::chrono::duration_cast<milliseconds>(Clock::now() - start).count();
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!host.empty()) m_reports[host].steps.push_back({action, ms, ok, error});
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.2f s", static_cast<double>(ms) / 1000.0);
    std::string who = host.empty() ? (m_env.lb ? "lb" : "hoist") : host;
    auto pad = [](std::string t, std::size_t w) {
        if (t.size() < w) t.append(w - t.size(), ' ');
        return t;
    };
    std::string text = pad(who, 15) + " " + pad(action, 8) + " " +
                       (ok ? detail : m_env.out.red("FAILED") + " " + error) + " (" + secs + ")";
    if (ok) m_env.out.info(text);
    else m_env.out.error(text);
    nlohmann::json ev{{"host", who}, {"action", action}, {"ok", ok}, {"duration_ms", ms}};
    if (!detail.empty()) ev["detail"] = detail;
    if (!error.empty()) ev["error"] = error;
    if (step >= 0) ev["step"] = step;
    if (m_undoing) ev["undo"] = true;
    m_env.out.event("step", ev);
}

RolloutResult Executor::run() {
    const auto& steps = m_plan.steps;
    for (const auto& h : m_plan.hosts) table(h, "waiting");
    std::size_t i = 0;
    while (i < steps.size() && m_failure.empty()) {
        if (m_env.pacer.stop_requested()) {
            m_interrupted = true;
            break;
        }
        const Step& s = steps[i];
        if (s.as<step::Record>()) {  // after the deploy either way: finish_success, record_history
            ++i;
            continue;
        }
        // Host steps in a row run as one segment, every host in parallel. The release command
        // is a segment of its own: after every host's pre-flight, before any swap. A segment
        // never spans two batches: without a load balancer step between them (no balancer, a
        // role besides web) batches still go one after the other, max_unavailable at a time.
        auto joins = [&](const Step& t, int batch) {
            return !t.on_lb && !t.target.empty() && !t.as<step::Record>() && !t.as<step::Release>() &&
                   t.batch == batch;
        };
        auto host_step = [](const Step& t) { return !t.on_lb && !t.target.empty(); };
        auto segment_end = [&](std::size_t first) {
            std::size_t j = first + 1;
            if (!steps[first].as<step::Release>())
                while (j < steps.size() && joins(steps[j], steps[first].batch)) ++j;
            return j;
        };
        // A rolling batch's drain is watched while its hosts run (each stop waits for its own member).
        if (s.on_lb && s.as<step::Wait>() && m_env.lb && m_plan.strategy == config::StrategyType::rolling &&
            i + 1 < steps.size() && joins(steps[i + 1], s.batch)) {
            std::size_t j = segment_end(i + 1);
            if (!run_drain_with_segment(i, i + 1, j)) break;
            i = j;
            continue;
        }
        if (host_step(s)) {
            std::size_t j = segment_end(i);
            if (!run_host_segment(i, j)) break;
            i = j;
        } else {
            if (!run_lb_step(s)) break;
            ++i;
        }
    }
    if (m_env.pacer.ever_requested()) m_interrupted = true;
    m_result.interrupted = m_interrupted;
    m_result.changed_anything = !touched_hosts().empty() || m_switched;
    if (!m_failure.empty() || m_interrupted) undo();
    else finish_success();
    m_undoing = false;  // the history lines are the plan's record steps, after either way
    record_history();
    m_env.out.end_bars();
    m_result.pool = m_pool;
    for (const auto& h : m_p.hosts)
        if (m_reports.count(h.address)) m_result.hosts.push_back(m_reports[h.address]);
    return m_result;
}

bool Executor::run_host_segment(std::size_t from, std::size_t to) {
    std::vector<std::string> hosts;
    for (std::size_t k = from; k < to; ++k)
        if (std::find(hosts.begin(), hosts.end(), m_plan.steps[k].target) == hosts.end())
            hosts.push_back(m_plan.steps[k].target);
    auto outcomes = m_env.fleet.each<bool>(
        [&](const std::string& host, ssh::Connection& c) {
            auto t0 = Clock::now();
            bool ok = true;
            for (std::size_t k = from; k < to && ok; ++k) {
                const Step& s = m_plan.steps[k];
                if (s.target != host) continue;
                if (m_env.pacer.stop_requested()) return false;
                // a stop waits for its own member's drain first (not counted in the step's time)
                if (s.as<step::Stop>() && !wait_until_drained(host)) return false;
                ok = run_host_step(host, c, s);
            }
            std::lock_guard<std::mutex> lock(m_mutex);
            m_reports[host].duration_ms += std::chrono::duration_cast<milliseconds>(Clock::now() - t0).count();
            return ok;
        },
        hosts);
    bool all = true;
    for (const auto& o : outcomes) {
        if (o.ok() && *o.value) continue;
        all = false;
        if (!o.ok()) {
            {
                // An SSH failure leaves a host's state unknown only once hoist may have changed it
                // (a stop or run was sent). Before that it still runs what was observed: a host that
                // cannot be reached at pre-flight, or an upload it refused, changed nothing there.
                std::lock_guard<std::mutex> lock(m_mutex);
                Progress& pr = m_progress[o.host];
                if (pr.touched || pr.new_started) pr.unreachable = true;
            }
            fail(o.host, o.host + ": " + o.error);
            std::lock_guard<std::mutex> lock(m_mutex);
            m_env.out.error(o.host + ": " + o.error);
            m_env.out.event("step", {{"host", o.host}, {"action", "connect"}, {"ok", false}, {"error", o.error}});
        }
    }
    if (all) m_last_healthy = Clock::now();
    return all;
}

namespace {
std::string output_of(const ssh::ExecResult& r) {
    std::string t = trim(r.err.empty() ? r.out : r.err);
    if (r.timed_out) t = "timed out" + (t.empty() ? "" : ": " + t);
    return t.empty() ? "exit " + std::to_string(r.exit_code) : t;
}
}  // namespace

bool Executor::run_host_step(const std::string& host, ssh::Connection& c, const Step& s) {
    auto t0 = Clock::now();
    std::string action = to_string(s.action);
    const int id = index_of(s);
    table(host, action + ": " + s.detail);
    auto failed = [&](const std::string& why) {
        table(host, "FAILED " + action + ": " + why);
        note_step(host, action, t0, false, why, s.detail, id);
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            if (m_reports[host].error.empty()) m_reports[host].error = action + ": " + why;
        }
        fail(host, host + ": " + action + ": " + why);
        return false;
    };
    auto failed_with = [&](const ssh::ExecResult& r) {
        return failed(s.failure.empty() ? output_of(r) : s.failure + ": " + output_of(r));
    };
    auto done = [&](const std::string& detail) {
        note_step(host, action, t0, true, "", detail.empty() ? s.detail : detail, id);
        return true;
    };
    auto set = [&](auto fn) {
        std::lock_guard<std::mutex> lock(m_mutex);
        fn(m_progress[host]);
    };
    auto missing = [](const ssh::ExecResult& r) {
        return to_lower(r.err).find("no such container") != std::string::npos;
    };
    // Runs `commands` in order; the first that fails ends the step.
    auto run_all = [&](const std::vector<remote::Command>& commands, const std::string& input, bool tolerate_missing) {
        for (const auto& cmd : commands) {
            auto r = exec(c, cmd, input);
            if (r.ok() || (tolerate_missing && missing(r))) continue;
            return failed_with(r);
        }
        return done("");
    };

    return std::visit(
        overloaded{
            [&](const step::Exec& e) {
                return run_all(e.commands, e.input == step::Input::pull_auth ? m_plan.pull_auth.reveal() : "",
                               e.tolerate_missing);
            },
            [&](const step::DiskCheck& d) {
                auto r = exec(c, d.command);
                // exit 3: the runtime's `info` failed (remote::disk_free_kib), the runtime is down
                if (r.timed_out || r.exit_code == 3)
                    return failed((s.failure.empty() ? "the container runtime does not answer" : s.failure) + ": " +
                                  output_of(r));
                auto kib = parse_int(trim(r.out));
                if (!r.ok() || !kib) {
                    // the login user may not see the runtime's directory: say so, do not guess
                    {
                        std::lock_guard<std::mutex> lock(m_mutex);
                        m_env.out.verbose(host + ": free disk space unknown (" + output_of(r) + ")");
                    }
                    return done("free space unknown (the runtime's storage is not visible to this user)");
                }
                if (*kib < static_cast<long long>(d.min_mib) * 1024)
                    return failed("only " + std::to_string(*kib / 1024) + " MiB free for images and containers (at least " +
                                  std::to_string(d.min_mib) + " MiB needed)");
                return done(std::to_string(*kib / 1024) + " MiB free");
            },
            [&](const step::Stop& st) {
                if (m_switched) {
                    // Blue/green after the switch: no traffic reaches the previous colour, so
                    // stopping it is cleanup. A failure here must not undo a deploy that is done:
                    // the undo would point the pool back at containers this very step may already
                    // have stopped on other hosts.
                    std::string why;
                    try {
                        bool ok = true;
                        for (const auto& cmd : st.commands) {
                            auto r = exec(c, cmd);
                            if (r.ok() || missing(r)) continue;
                            why = output_of(r);
                            ok = false;
                            break;
                        }
                        if (ok) return done("");
                    } catch (const std::exception& e) {
                        why = e.what();
                    }
                    {
                        std::lock_guard<std::mutex> lock(m_mutex);
                        m_env.out.warning(host + ": " + s.detail + " failed (" + why + "); it keeps running outside the pool");
                    }
                    return done("not stopped: " + why + " (outside the pool: the new colour serves)");
                }
                set([](Progress& p) { p.touched = true; });
                return run_all(st.commands, "", true);
            },
            [&](const step::Start& st) {
                set([&](Progress& p) {
                    p.new_started = true;
                    p.new_existing = st.container.existing;
                    p.new_container = st.container.name;
                });
                return run_all({st.command}, "", false);
            },
            [&](const step::WriteEnv& w) {
                std::string text, why;
                if (!env_file_text(text, why)) return failed(why);
                c.upload(w.path, text, 0600);
                return done("");
            },
            [&](const step::Probe& probe) {
                std::string name;
                set([&](Progress& p) {
                    if (!probe.container.empty()) p.new_container = probe.container;  // switch back: an existing one
                    name = p.new_container;
                });
                auto r = wait_until_healthy(c, {runtime(), name, probe.port}, probe.check, m_env.pacer.sleeper());
                if (r.healthy) {
                    set([](Progress& p) { p.healthy = true; });
                    char d[64];
                    std::snprintf(d, sizeof d, "healthy after %d probes", r.probes);
                    return done(d);
                }
                if (r.interrupted) {
                    note_step(host, action, t0, false, "interrupted", s.detail, id);
                    return false;
                }
                {
                    std::lock_guard<std::mutex> lock(m_mutex);
                    m_reports[host].health = r.recent;
                }
                collect_diagnostics(host, c, name);
                return failed(name + " " + r.reason);
            },
            [&](const step::Verify& v) {
                std::string name;
                set([&](Progress& p) { name = p.new_container; });
                if (v.port == 0) {  // a role besides web: still running, never restarted
                    auto r = exec(c, remote::inspect_state(runtime(), name));
                    auto words = split(trim(r.out), ' ');
                    if (r.ok() && words.size() >= 3 && words[0] == "running" && words[2] == "0") return done("");
                    collect_diagnostics(host, c, name);
                    return failed(name + " stopped running after it passed its health check: " +
                                  (r.ok() ? trim(r.out) : output_of(r)));
                }
                ssh::HttpResponse last;
                for (int attempt = 0; attempt < v.attempts; ++attempt) {
                    if (attempt && !m_env.pacer.sleep(v.check.interval)) return failed("interrupted");
                    last = c.http_get(v.port, v.check.path, v.check.timeout);
                    if (last.ok() && last.status >= v.check.expect_min && last.status <= v.check.expect_max)
                        return done("");
                }
                {
                    std::lock_guard<std::mutex> lock(m_mutex);
                    m_reports[host].health = {describe_probe(last)};
                }
                collect_diagnostics(host, c, name);
                return failed(name + " turned unhealthy after it passed its health check: " + describe_probe(last));
            },
            [&](const step::Release& r) {
                std::string why;
                if (run_release(host, c, r, why)) return done("");
                return failed(s.failure + ": " + why);
            },
            [&](const step::Send& send) {
                if (!m_plan.direct_image || !send.transfer)
                    return failed("no image to send (registry.direct): it was not built");
                std::string why;
                if (send_image(host, c, send, why)) return done("");
                return failed(s.failure + ": " + why);
            },
            [&](const step::Restore& r) { return run_all(r.commands, "", true); },
            [&](const auto&) { return failed("not a step for a host (the plan is inconsistent)"); },
        },
        s.what);
}

bool Executor::env_file_text(std::string& text, std::string& why) const {
    // the values were read and checked (set, no newline) before anything was touched
    for (const auto& name : m_p.container.secret_env)
        if (!m_env.secret_env.count(name)) {
            why = name + " is not set in hoist's environment";
            return false;
        }
    text = secret_env_file(m_p.container.secret_env, m_env.secret_env);
    return true;
}

bool Executor::run_release(const std::string& host, ssh::Connection& c, const step::Release& step, std::string& why) {
    const auto& spec = step.container;
    if (!spec.env_file.empty()) {
        std::string text;
        if (!env_file_text(text, why)) return false;
        c.upload(spec.env_file, text, 0600);
    }
    // Its output is shown as it comes, with the values of secret_env masked (a migration tool that
    // prints its connection string must not put the password in the CI log).
    std::vector<std::string> secrets;
    for (const auto& [name, value] : m_env.secret_env)
        if (value.reveal().size() >= 3) secrets.push_back(value.reveal());
    auto masked = [&](std::string line) {
        for (const auto& secret : secrets)
            for (auto at = line.find(secret); at != std::string::npos; at = line.find(secret, at + 3))
                line.replace(at, secret.size(), "***");
        return line;
    };
    ssh::LineSplitter lines([&](ssh::Stream stream, std::string_view text) {
        std::string line = masked(std::string(text));
        std::lock_guard<std::mutex> lock(m_mutex);
        m_env.out.info(host + " release| " + line);
        m_env.out.event("release_output", {{"host", host}, {"stream", stream == ssh::Stream::out ? "stdout" : "stderr"},
                                           {"line", line}});
    });
    ssh::ExecOptions o;
    o.timeout = m_p.ssh.command_timeout;
    o.on_output = [&](ssh::Stream stream, std::string_view chunk) { lines.feed(stream, chunk); };
    auto t0 = Clock::now();
    auto remove_env_file = [&] {
        if (spec.env_file.empty()) return;
        try {
            ssh::ExecOptions rm;
            rm.timeout = std::chrono::seconds(30);
            c.exec(remote::Command{{"rm", "-f", spec.env_file}}, rm);
        } catch (const std::exception&) {
            // the connection went away: the deploy fails on it anyway; the file is 0600
        }
    };
    ssh::ExecResult r;
    try {
        r = c.exec(step.command, o);
    } catch (...) {
        remove_env_file();
        throw;
    }
    lines.flush();
    remove_env_file();
    auto ms = std::chrono::duration_cast<milliseconds>(Clock::now() - t0).count();
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_env.out.event("release", {{"host", host}, {"exit_code", r.exit_code}, {"duration_ms", ms},
                                    {"image", spec.image}});
    }
    if (r.ok()) return true;
    why = r.timed_out ? "it did not end within " + std::to_string(o.timeout.count() / 1000) + " s (ssh.command_timeout)"
                      : "it exited with " + std::to_string(r.exit_code);
    return false;
}

bool Executor::send_image(const std::string& host, ssh::Connection& c, const step::Send& step, std::string& why) {
    const oci::ArchiveImage& img = *m_plan.direct_image;
    auto t0 = Clock::now();
    std::int64_t sent = 0;
    // a large image over a slow link: the command's own timeout is for commands, not transfers
    auto timeout = std::max<std::chrono::milliseconds>(m_p.ssh.command_timeout, std::chrono::minutes(60));
    bool via_engine = false;
    auto attempt = [&](std::size_t first) {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_env.out.verbose(c.label() + " $ " +
                              (step.engine_socket.empty() ? step.command.render()
                                                          : "POST /images/load on " + step.engine_socket +
                                                                " (else " + step.command.render() + ")") +
                              " < " + std::to_string(img.layers.size() - first) + " layers (" +
                              report::human_bytes(oci::bytes_to_send(img, first)) + ")");
        }
        std::int64_t bytes = 0;
        auto r = load_on_host(c, step.engine_socket, img, first, step.command, timeout,
                              [&](std::int64_t done, std::int64_t total) {
                                  table(host, "send: " + report::human_bytes(done) + " of " + report::human_bytes(total));
                              },
                              bytes, via_engine);
        sent += bytes;
        return r;
    };
    auto r = attempt(step.transfer->first);
    std::size_t sent_layers = step.transfer->layers - step.transfer->first;
    if (!r.ok() && step.transfer->first > 0 && output_of(r).find("no such file") != std::string::npos) {
        // a layer the host had when it was looked at is gone (an image prune in between): send all
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_env.out.warning(host + ": the host no longer has the layers it had a moment ago; sending all " +
                              std::to_string(img.layers.size()));
        }
        r = attempt(0);
        sent_layers = img.layers.size();
    }
    if (!r.ok()) {
        why = output_of(r);
        return false;
    }
    auto ms = std::chrono::duration_cast<milliseconds>(Clock::now() - t0).count();
    std::lock_guard<std::mutex> lock(m_mutex);
    m_env.out.event("sent", {{"host", host}, {"image", img.ref}, {"layers_sent", sent_layers},
                             {"layers", img.layers.size()}, {"bytes", sent}, {"duration_ms", ms},
                             {"via", via_engine ? "engine_api" : "cli"}});
    return true;
}

void Executor::collect_diagnostics(const std::string& host, ssh::Connection& c, const std::string& container) {
    if (container.empty()) return;
    try {
        auto r = exec(c, remote::logs(runtime(), container, 30, false));
        std::string logs = trim(r.out + (r.err.empty() ? "" : "\n" + r.err));
        std::lock_guard<std::mutex> lock(m_mutex);
        m_reports[host].logs = logs;
    } catch (const std::exception&) {
        // the host went away while we asked: the failure itself is reported already
    }
}

bool Executor::apply_pool(const step::PoolChange& change, Action a, int step) {
    const lb::Pool& pool = change.pool;
    const std::string action = to_string(a);
    if (!m_env.lb) {
        m_pool = pool;
        return true;
    }
    auto t0 = Clock::now();
    lb::Pool before = m_pool;
    try {
        m_env.lb->apply(pool);
        m_pool = pool;
        m_pool_unsure = false;
        m_last_removed = lb::removed_members(before, pool);
        if (change.healthy_within.count() > 0)
            m_env.lb->wait_healthy(lb::added_members(before, pool), change.healthy_within);
    } catch (const std::exception& e) {
        m_lb_failed = true;
        // unless it was refused outright (the connection may have dropped after the file was
        // written), what the load balancer serves now is unknown
        auto* lbe = dynamic_cast<const lb::Error*>(&e);
        m_pool_unsure = !(lbe && lbe->kept_previous());
        note_step("", action, t0, false, e.what(), change.why, step);
        fail("", e.what());
        return false;
    }
    note_step("", action, t0, true, "", change.why + ": " + lb::describe(pool), step);
    nlohmann::json members = nlohmann::json::array();
    for (const auto& m : pool) members.push_back({{"host", m.host}, {"port", m.port}, {"enabled", m.enabled}});
    m_env.out.event("pool", {{"members", members}});
    return true;
}

void Executor::drain(milliseconds limit) {
    if (!m_env.lb) return;
    auto t0 = Clock::now();
    try {
        m_env.lb->wait_drained(m_last_removed, limit);
    } catch (const std::exception& e) {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_env.out.warning("cannot watch the drain (" + std::string(e.what()) + "): waiting the whole drain_time");
        }
        auto left = limit - std::chrono::duration_cast<milliseconds>(Clock::now() - t0);
        if (left.count() > 0) m_env.pacer.sleep(left);
    }
}

bool Executor::run_drain_with_segment(std::size_t wait_index, std::size_t from, std::size_t to) {
    const Step& wait_step = m_plan.steps[wait_index];
    const step::Wait& wait = std::get<step::Wait>(wait_step.what);
    DrainWatch watch;
    for (const auto& m : m_last_removed) watch.pending.insert(m.host);
    // The watch ends by itself after drain_time (plus one bounded look); the backstop only guards
    // against a driver that never returns.
    watch.deadline = Clock::now() + wait.limit + std::chrono::seconds(60);
    auto t0 = Clock::now();
    auto release = [&](const std::string& host) {
        std::lock_guard<std::mutex> lock(watch.mutex);
        watch.pending.erase(host);
        watch.cv.notify_all();
    };
    std::thread watcher([&] {
        try {
            m_env.lb->wait_drained_each(m_last_removed, wait.limit,
                                        [&](const lb::Member& m) { release(m.host); });
        } catch (const std::exception& e) {
            {
                std::lock_guard<std::mutex> lock(m_mutex);
                m_env.out.warning("cannot watch the drain (" + std::string(e.what()) + "): waiting the whole drain_time");
            }
            auto left = wait.limit - std::chrono::duration_cast<milliseconds>(Clock::now() - t0);
            if (left.count() > 0) m_env.pacer.sleep(left);
        }
        {
            std::lock_guard<std::mutex> lock(watch.mutex);
            watch.pending.clear();
            watch.cv.notify_all();
        }
        note_step("", "wait", t0, true, "", wait_step.detail, static_cast<int>(wait_index));
    });
    struct Join {
        std::thread& t;
        ~Join() {
            if (t.joinable()) t.join();
        }
    } join{watcher};
    m_drain_watch = &watch;
    bool ok = run_host_segment(from, to);
    watcher.join();
    m_drain_watch = nullptr;
    return ok;
}

bool Executor::wait_until_drained(const std::string& host) {
    DrainWatch* w = m_drain_watch;
    if (!w) return true;
    bool waited = false;
    std::unique_lock<std::mutex> lock(w->mutex);
    while (w->pending.count(host) && Clock::now() < w->deadline) {
        if (m_env.pacer.stop_requested()) return false;
        if (!waited) {
            waited = true;
            lock.unlock();
            table(host, "waiting for its requests in flight to finish");
            lock.lock();
            continue;
        }
        w->cv.wait_for(lock, milliseconds(50));
    }
    // An interrupted drain tells every member at once: nothing more may start then.
    return !m_env.pacer.stop_requested();
}

bool Executor::run_lb_step(const Step& s) {
    const int id = index_of(s);
    return std::visit(
        overloaded{
            [&](const step::PoolChange& change) {
                if (s.action != Action::switch_pool) return apply_pool(change, s.action, id);
                auto healthy_at = m_last_healthy;
                bool ok = apply_pool(change, s.action, id);
                if (ok) {
                    m_switched = true;
                    m_result.switch_ms = std::chrono::duration_cast<milliseconds>(Clock::now() - healthy_at).count();
                }
                return ok;
            },
            [&](const step::Confirm&) {
                if (!m_env.lb) return true;
                auto t0 = Clock::now();
                try {
                    auto seen = m_env.lb->observe();
                    auto enabled = [](const lb::Pool& pool) {
                        std::vector<std::string> out;
                        for (const auto& m : pool)
                            if (m.enabled) out.push_back(m.host + ":" + std::to_string(m.port));
                        std::sort(out.begin(), out.end());
                        return out;
                    };
                    if (!seen || enabled(*seen) != enabled(m_pool))
                        throw lb::Error(m_env.lb->name() + " does not serve the new pool: it has " +
                                        (seen ? lb::describe(*seen) : std::string("nothing hoist wrote")));
                } catch (const std::exception& e) {
                    note_step("", "confirm", t0, false, e.what(), s.detail, id);
                    fail("", e.what());
                    return false;
                }
                note_step("", "confirm", t0, true, "", s.detail, id);
                return true;
            },
            [&](const step::Wait& w) {
                auto t0 = Clock::now();
                if (s.on_lb) drain(w.limit);
                else m_env.pacer.sleep(w.limit);
                note_step("", "wait", t0, true, "", s.detail, id);
                return true;
            },
            [&](const auto&) {
                note_step("", to_string(s.action), Clock::now(), false, "not a step for the load balancer", s.detail, id);
                fail("", "the plan is inconsistent: " + to_string(s.action) + " is not a step for the load balancer");
                return false;
            },
        },
        s.what);
}

void Executor::finish_success() {
    for (const auto& h : m_plan.hosts) {
        auto& r = m_reports[h];
        r.result = HostResult::updated;
        r.version = m_plan.tag;
        r.container = m_progress[h].new_container;
        table(h, "updated to " + m_plan.tag);
    }
    if (!m_plan.hosts.empty()) {
        // One pass over the changed hosts: prune, then the history line, on the host's connection
        // (a second pass waited for the slowest host's prune before any host's history started).
        auto outcomes = m_env.fleet.each<bool>(
            [&](const std::string& host, ssh::Connection& c) {
                auto t0 = Clock::now();
                prune(host, c);
                append_history(c, m_p.service, history_entry(host));
                note_step(host, "record", t0, true, "", "pruned; history appended", record_step(host));
                return true;
            },
            m_plan.hosts);
        for (const auto& o : outcomes)
            if (!o.ok()) m_env.out.warning(o.host + ": the history was not recorded: " + o.error);
        m_history_recorded = true;
    }
    m_result.code = ExitCode::ok;
    m_result.result = Outcome::succeeded;
    m_result.message = m_plan.hosts.empty()
                           ? "every host already runs " + m_plan.tag + "; nothing changed"
                           : std::to_string(m_plan.hosts.size()) + (m_plan.hosts.size() == 1 ? " host runs " : " hosts run ") +
                                 m_plan.tag;
}

void Executor::prune(const std::string& host, ssh::Connection& c) {
    // Keep the new container and the one that was live before (the instant or local rollback);
    // remove every other container of the service and the images nothing kept uses. One call per
    // kind (containers, their env files, images), whatever their number.
    const ObservedHost* o = m_state.hosts.count(host) ? &m_state.hosts.at(host) : nullptr;
    std::set<std::string> keep{m_progress[host].new_container};
    std::set<std::string> keep_tags{m_plan.tag};
    if (o && !o->container.empty()) {
        keep.insert(o->container);
        keep_tags.insert(o->version);
        // a container taken over with --adopt: its image may be the service's under another tag
        if (starts_with(o->image, m_p.image + ":")) keep_tags.insert(o->image.substr(m_p.image.size() + 1));
    }
    try {
        std::vector<std::string> containers, env_files, images;
        if (o)
            for (const auto& ct : o->containers)
                if (!keep.count(ct.name)) {
                    containers.push_back(ct.name);
                    // its secret env file goes with it (a name with '/' is not one hoist gave)
                    if (ct.name.find('/') == std::string::npos)
                        env_files.push_back(remote::env_file_path(m_p.service, ct.name));
                }
        if (!containers.empty()) exec(c, remote::remove(runtime(), containers));
        if (!env_files.empty()) exec(c, remote::remove_files(env_files));
        auto tags = exec(c, remote::list_image_tags(runtime(), m_p.image));
        if (tags.ok())
            for (const auto& t : split(tags.out, '\n')) {
                std::string tag = trim(t);
                if (!tag.empty() && tag != "<none>" && !keep_tags.count(tag)) images.push_back(m_p.image_ref(tag));
            }
        if (!images.empty()) exec(c, remote::remove_images(runtime(), images));
    } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_env.out.warning(host + ": pruning old containers and images failed: " + e.what());
    }
}

HistoryEntry Executor::history_entry(const std::string& host) {
    HostReport r;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        r = m_reports[host];
    }
    HistoryEntry e;
    e.time = report::rfc3339_now();
    e.event = r.result == HostResult::updated ? m_env.event : "failure";
    e.deploy_id = m_env.deploy_id;
    e.tag = r.version;
    e.previous_tag = r.previous_version;
    e.result = to_string(r.result);
    e.strategy = config::to_string(m_plan.strategy);
    e.color = r.result == HostResult::updated ? m_plan.new_color : "";
    e.container = r.container;
    e.by = m_env.by;
    e.error = r.error.empty() && r.result != HostResult::updated ? m_failure : r.error;
    if (!m_p.is_web()) e.role = m_p.role;
    return e;
}

void Executor::record_history() {
    if (m_history_recorded) return;  // the success pass wrote it with the prune
    std::vector<std::string> hosts;
    for (const auto& h : m_plan.hosts)
        if (m_reports[h].result != HostResult::unchanged || m_failed_hosts.count(h)) hosts.push_back(h);
    if (hosts.empty()) return;
    auto outcomes = m_env.fleet.each<bool>(
        [&](const std::string& host, ssh::Connection& c) {
            auto t0 = Clock::now();
            append_history(c, m_p.service, history_entry(host));
            note_step(host, "record", t0, true, "", "history appended", record_step(host));
            return true;
        },
        hosts);
    for (const auto& o : outcomes)
        if (!o.ok()) m_env.out.warning(o.host + ": the history was not recorded: " + o.error);
}

}  // namespace hoist::deploy
