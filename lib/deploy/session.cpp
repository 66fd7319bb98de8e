// One deploy or rollback from the lock to the summary. The order is the spec's: validate (done by
// the caller), lock, pre hooks, build and push while the hosts are connected and looked at,
// pre-flight and rollout (the engine), history, unlock, post hooks, summary.
#include "deploy/session.hpp"

#include <unistd.h>

#include <algorithm>
#include <future>
#include <map>
#include <optional>

#include "deploy/artifact.hpp"
#include "deploy/asg_suspension.hpp"
#include "deploy/balancers.hpp"
#include "deploy/engine.hpp"
#include "deploy/history.hpp"
#include "deploy/lock.hpp"
#include "deploy/observe.hpp"
#include "deploy/tag.hpp"
#include "remote/docker.hpp"
#include "ssh/error.hpp"
#include "util/process.hpp"
#include "util/process_stream.hpp"
#include "util/strings.hpp"

namespace hoist::deploy {

using Clock = std::chrono::steady_clock;

namespace {

std::int64_t ms_since(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

std::string host_list(const std::vector<config::Host>& hosts) {
    std::vector<std::string> a;
    for (const auto& h : hosts) a.push_back(h.address);
    return join(a, ",");
}

/// Releases the lock on every way out, including exceptions.
class LockGuard {
public:
    LockGuard(Lock& lock, std::string id, report::Output& out) : m_lock(lock), m_id(std::move(id)), m_out(out) {}
    ~LockGuard() {
        try {
            if (!m_lock.release(m_id)) m_out.warning("the deploy lock on " + m_lock.host() + " was taken over by someone else; left alone");
        } catch (const std::exception& e) {
            m_out.warning("could not release the deploy lock on " + m_lock.host() + ": " + e.what() +
                          "; remove it with 'hoist lock release'");
        }
    }

private:
    Lock& m_lock;
    std::string m_id;
    report::Output& m_out;
};

/// The previous version a rolling rollback goes back to, from the first host's history.
std::string previous_from_history(ssh::Connection& c, const std::string& service, const std::string& current) {
    return previous_tag(read_history(c, service), current, c.label());
}

}  // namespace

std::map<std::string, Secret> secret_env_values(const config::Pipeline& p) {
    std::map<std::string, Secret> out;
    std::vector<std::string> missing;
    for (const auto& name : p.container.secret_env) {
        const char* v = std::getenv(name.c_str());
        if (!v) missing.push_back(name);
        else out.emplace(name, Secret(v));
    }
    if (!missing.empty())
        throw usage_error("container.secret_env names " + join(missing, ", ") + (missing.size() == 1 ? ", which is" : ", which are") +
                          " not set in hoist's environment; nothing was done");
    return out;
}

void run_hooks(const config::Pipeline& p, const std::vector<std::string>& commands, const std::string& phase,
               const std::string& tag, int failure_code, report::Output& out) {
    for (const auto& cmd : commands) {
        const std::string& shown = p.hooks.shown(cmd);  // as written: ${VAR} may be a secret
        out.info("hook " + phase + ": " + shown);
        ProcessOptions o;
        o.cwd = p.directory;
        o.timeout = std::chrono::minutes(30);  // a hook may run a test suite; never for ever
        o.env = {{"HOIST_SERVICE", p.service}, {"HOIST_TAG", tag}, {"HOIST_HOSTS", host_list(p.hosts)},
                 {"HOIST_STAGE", p.stage}};
        auto t0 = Clock::now();
        // each line as the hook writes it: a hook that runs for minutes shows where it is
        auto r = run_process_lines({"sh", "-c", cmd}, o, [&](bool, const std::string& line) {
            if (!trim(line).empty()) out.info("  | " + line);
        });
        out.event("hook", {{"phase", phase}, {"command", shown}, {"exit_code", r.exit_code}, {"duration_ms", ms_since(t0)}});
        if (r.timed_out)
            throw Error(static_cast<ExitCode>(failure_code), "hook " + phase + " '" + shown + "' did not finish within " +
                                                                 std::to_string(o.timeout.count() / 60000) +
                                                                 " minutes and was stopped; nothing was changed");
        if (r.exit_code != 0)
            throw Error(static_cast<ExitCode>(failure_code), "hook " + phase + " '" + shown + "' exited with " +
                                                                 std::to_string(r.exit_code) + "; nothing was changed");
    }
}

namespace {

/// How far a deploy got, for errors that are not already one of the spec's exit codes.
struct Stage {
    bool rollout_started = false;            ///< the engine was called: hosts may change from here
    std::optional<ExitCode> rollout_result;  ///< the engine returned this
};

DeployOutcome run_stages(const config::Pipeline& p, const DeployRequest& req, report::Output& out, Stage& stage) {
    auto t0 = Clock::now();
    bool rollback = req.kind == DeployRequest::Kind::rollback;
    if (rollback && !req.tag.empty()) check_tag(req.tag, "--to");
    if (p.hosts.empty()) throw usage_error("the pipeline has no hosts to deploy to");
    auto secrets = secret_env_values(p);
    for (const auto& [name, value] : secrets) out.mask(value);  // GitHub masks them in the log too
    Interrupts interrupts;
    Pacer pacer;

    auto warn = [&](const std::string& w) {  // from host threads too: Output has its own lock
        out.warning(w);
        out.event("warning", {{"message", w}});
    };
    config::Pipeline all = p;
    all.hosts = p.all_hosts.empty() ? p.hosts : p.all_hosts;
    auto fleet = ssh::Fleet::from_pipeline(all, warn);
    auto lbh = make_load_balancer(p, pacer.sleeper(), warn);
    const std::string lock_host = all.hosts.front().address;
    std::vector<std::string> hosts;
    for (const auto& h : p.hosts) hosts.push_back(h.address);

    bool build = !rollback && !req.skip_build && p.build.has_value();
    bool push = !rollback && !req.skip_push && p.build.has_value();
    report::Phase prepare(out, build || push ? "build, push and look at the fleet" : "look at the fleet");

    // 1. the lock (before anything that costs or changes something)
    std::string tag = rollback ? req.tag : resolve_tag(p, req.tag);
    if (!rollback && tag == adopted_version)
        throw usage_error(std::string("the tag '") + adopted_version + "' is reserved for the container taken over "
                          "with deploy --adopt; nothing was done");
    std::unique_ptr<Lock> lock;
    try {
        lock = std::make_unique<Lock>(fleet->connection(lock_host), remote::state_dir(p.service), lock_host);
    } catch (const ssh::Error& e) {
        throw Error(ExitCode::rolled_back, "cannot reach " + lock_host + " (the host that holds the deploy lock): " +
                                               e.what() + "; nothing was changed");
    }
    LockInfo me = LockInfo::mine(rollback ? "rollback" : "deploy", tag, "");
    lock->acquire(me, req.lock_wait, pacer.sleeper());
    LockGuard unlock(*lock, me.id, out);
    out.event("locked", {{"host", lock_host}, {"id", me.id}});

    // 2. build and push on their own thread while the fleet is looked at
    if (build) run_hooks(p, p.hooks.pre_build, "pre_build", tag, static_cast<int>(ExitCode::build_push), out);
    std::future<ArtifactResult> artifact;
    if (build || push) {
        ArtifactOptions ao;
        ao.build = build;
        ao.push = push && !p.registry.direct;  // direct: the hosts get the image over SSH
        artifact = std::async(std::launch::async, [&, ao] { return build_and_push(p, tag, ao, out); });
    }
    Observation obs;
    std::exception_ptr observe_error;
    try {
        obs = observe_fleet(p, *fleet, hosts, lbh.get());
    } catch (...) {
        observe_error = std::current_exception();
    }
    ArtifactResult art;
    if (artifact.valid()) {
        try {
            art = artifact.get();  // exit 5 propagates; the lock guard releases
        } catch (const Failure& e) {
            throw Error(ExitCode::build_push, "build or push of " + tag + " failed: " + e.what() + "; nothing was changed");
        } catch (const Error&) {
            throw;
        } catch (const std::exception& e) {
            throw Error(ExitCode::build_push, "build or push of " + tag + " failed: " + e.what() + "; nothing was changed");
        }
    }
    if (observe_error) std::rethrow_exception(observe_error);
    if (!obs.lb_error.empty())
        throw Error(ExitCode::rolled_back, "cannot read the load balancer: " + obs.lb_error + "; nothing was changed");
    if (!obs.unreachable.empty()) {
        std::string why;
        for (const auto& [h, e] : obs.unreachable)
            why += (why.empty() ? "" : "; ") + (starts_with(e, h) ? e : h + ": " + e);
        throw Error(ExitCode::rolled_back, std::to_string(obs.unreachable.size()) + " of " + std::to_string(hosts.size()) +
                                               " hosts could not be looked at (unreachable, or the container runtime "
                                               "does not answer): " + why + "; nothing was changed");
    }
    if (pacer.stop_requested())
        throw Error(ExitCode::interrupted, "interrupted before any host was changed; nothing was changed");

    // 3. the plan; hosts pull with the credentials the push used (pipeline, config.json, helper)
    Plan plan;
    config::Pipeline run_p = p;
    registry::Credentials pull_credentials = pipeline_credentials(p);
    if (req.adopt && p.strategy.type == config::StrategyType::rolling) adopt_foreign(obs.state.hosts, p.service);
    out.mask(pull_credentials.password);
    out.mask(pull_credentials.identity_token);
    if (rollback) {
        // Instant when every host still runs one same version beside its live container.
        std::map<std::string, ObservedContainer> targets;
        std::string version;
        for (const auto& h : hosts) {
            const ObservedHost& o = obs.state.hosts[h];
            const ObservedContainer* pick = nullptr;
            for (const auto& c : o.containers)
                if (c.running() && c.name != o.container && c.port && (tag.empty() || c.version == tag) &&
                    (version.empty() || c.version == version) && (!pick || c.created > pick->created))
                    pick = &c;
            if (!pick) {
                targets.clear();
                break;
            }
            version = pick->version;
            targets[h] = *pick;
        }
        if (!targets.empty()) {
            run_p.healthcheck.healthy_threshold = 1;  // running containers: one good answer is enough
            plan = make_switch_back_plan(run_p, obs.state, targets);
            tag = plan.tag;
        } else {
            if (tag.empty()) {
                std::string current = obs.state.hosts[hosts.front()].version;
                tag = previous_from_history(fleet->connection(hosts.front()), p.service, current);
                if (tag.empty())
                    throw usage_error("no previous version to roll back to: the history on " + hosts.front() +
                                      " records none before " + (current.empty() ? "nothing" : current) +
                                      "; name one with --to TAG");
            }
            plan = make_plan(run_p, tag, obs.state, {.pull_if_missing = true, .pull_credentials = &pull_credentials});
        }
    } else {
        std::shared_ptr<const oci::ArchiveImage> direct;
        if (p.registry.direct) {
            try {
                direct = direct_image(p, tag, true);
            } catch (const Error& e) {
                throw Error(e.code(), std::string(e.what()) + "; nothing was changed");
            }
        }
        plan = make_plan(run_p, tag, obs.state, {.pull_credentials = &pull_credentials, .direct_image = direct});
        if (!plan.blockers.empty()) {
            // before the hooks: nothing is started, nothing changes
            for (const auto& b : plan.blockers) out.error(b);
            out.event("plan", plan_to_json(plan));
            throw Error(ExitCode::rolled_back, std::to_string(plan.blockers.size()) + " of " +
                                                   std::to_string(plan.hosts.size()) + " hosts run a container hoist "
                                                   "did not start on the service's port; " + adoption_advice(plan) +
                                                   "; nothing was changed");
        }
        run_hooks(p, p.hooks.pre_deploy, "pre_deploy", tag, static_cast<int>(ExitCode::rolled_back), out);
    }
    for (const auto& n : plan.notes) out.warning(n);
    out.info(std::string(rollback ? "rollback" : "deploy") + " " + p.service + " " + tag + ": " +
             std::to_string(plan.hosts.size()) + " to change, " + std::to_string(plan.unchanged.size()) + " unchanged, " +
             config::to_string(plan.strategy) + (plan.new_color.empty() ? "" : " (" + plan.new_color + ")") +
             (lbh.get() ? " behind " + lbh.get()->name() : ""));
    out.event("plan", plan_to_json(plan));

    // 4. the engine; an Auto Scaling group neither launches, terminates nor replaces instances meanwhile
    std::optional<AsgSuspension> asg;
    if (p.asg) {
        try {
            asg.emplace(p, out);
        } catch (const Error& e) {  // aws::Error: a failed call before any host changed
            throw Error(ExitCode::rolled_back, std::string("cannot suspend the Auto Scaling group's processes: ") +
                                                   e.what() + "; nothing was changed");
        }
    }
    out.begin_phase(rollback ? "rollback" : "rollout");
    auto r0 = Clock::now();
    EngineEnv env{*fleet, lbh.get(), out, pacer, std::move(secrets), me.id, me.user + "@" + me.machine,
                  rollback ? "rollback" : "deploy"};
    stage.rollout_started = true;
    RolloutResult rr = execute(run_p, plan, obs.state, env);
    stage.rollout_result = rr.code;
    asg.reset();  // resumes (a failure is a warning; the record stays for the next command)
    auto rollout_ms = ms_since(r0);
    out.end_phase(rr.code != ExitCode::ok);
    if (rr.code == ExitCode::ok && !rollback) {
        try {
            run_hooks(p, p.hooks.post_deploy, "post_deploy", tag, 1, out);
        } catch (const Error& e) {
            // the hook's error ends "; nothing was changed", untrue here; the command itself may
            // hold a ';', so the suffix is cut, not everything after the first ';'
            std::string what = e.what();
            const std::string suffix = "; nothing was changed";
            if (what.size() >= suffix.size() && what.compare(what.size() - suffix.size(), suffix.size(), suffix) == 0)
                what.resize(what.size() - suffix.size());
            out.warning(what + "; the deploy itself succeeded");
        }
    }

    // 5. the summary (spec section 4)
    std::map<std::string, int> prev_count;
    nlohmann::json hosts_json = nlohmann::json::array();
    for (const auto& h : rr.hosts) {
        if (!h.previous_version.empty()) prev_count[h.previous_version]++;
        hosts_json.push_back(h.to_json());
    }
    std::string previous_tag;
    int best = 0;
    for (const auto& [v, n] : prev_count)
        if (n > best) best = n, previous_tag = v;
    DeployOutcome res;
    res.exit_code = static_cast<int>(rr.code);
    res.message = rr.message;
    res.summary = {{"result", to_string(rr.result)}, {"exit_code", res.exit_code}, {"command", rollback ? "rollback" : "deploy"},
                   {"service", p.service}, {"tag", tag}, {"previous_tag", previous_tag},
                   {"strategy", config::to_string(plan.strategy)}, {"duration_ms", ms_since(t0)},
                   {"phases", {{"build_ms", art.build_ms}, {"push_ms", art.push_ms}, {"rollout_ms", rollout_ms}}},
                   {"hosts", hosts_json}, {"message", rr.message}};
    if (!plan.new_color.empty()) res.summary["color"] = plan.new_color;
    if (rr.switch_ms >= 0) res.summary["switch_ms"] = rr.switch_ms;
    if (rr.interrupted) res.summary["interrupted"] = true;
    if (lbh.get()) {
        nlohmann::json members = nlohmann::json::array();
        for (const auto& m : rr.pool) members.push_back({{"host", m.host}, {"port", m.port}, {"enabled", m.enabled}});
        res.summary["pool"] = members;
    }
    return res;
}

}  // namespace

DeployOutcome run_deploy(const config::Pipeline& p, const DeployRequest& req, report::Output& out) {
    // Errors that carry a decided exit code keep it. A `Failure` (an SSH connection that drops
    // while the lock is taken or the history read) and anything else (an internal error) get
    // theirs from how far the deploy got, because only the engine changes hosts and the load
    // balancer.
    Stage stage;
    auto by_stage = [&](const std::exception& e) -> Error {
        if (!stage.rollout_started)
            return Error(ExitCode::rolled_back, std::string(e.what()) + "; nothing was changed");
        if (stage.rollout_result)  // the rollout ended; what failed after it does not change its result
            return Error(*stage.rollout_result, "after the rollout: " + std::string(e.what()));
        // the engine never throws for host or load balancer failures; if it did, nobody knows
        // what it left behind
        return Error(ExitCode::inconsistent, "the rollout stopped on an unexpected error: " + std::string(e.what()) +
                                                ". The fleet may not be on one version: a person must look");
    };
    try {
        return run_stages(p, req, out, stage);
    } catch (const Failure& e) {
        throw by_stage(e);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw by_stage(e);
    }
}

}  // namespace hoist::deploy
