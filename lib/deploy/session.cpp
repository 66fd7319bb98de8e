// One deploy or rollback from the lock to the summary. The order is the spec's: validate (done by
// the caller), lock, pre hooks, build and push while the hosts are connected and looked at,
// pre-flight and rollout (the engine), history, unlock, post hooks, summary.
#include "deploy/session.hpp"
#include "deploy/connect.hpp"

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
#include "deploy/launch.hpp"
#include "deploy/lock.hpp"
#include "deploy/observe.hpp"
#include "deploy/planning.hpp"
#include "deploy/roles.hpp"
#include "deploy/secrets.hpp"
#include "deploy/tag.hpp"
#include "registry/client.hpp"
#include "registry/reference.hpp"
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
    return secret_values(p.container.secret_env,
                         p.is_web() ? std::string("container.secret_env") : "roles." + p.role + ".container.secret_env");
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
/// The manifest digest of `<image>:<tag>`: the push's, else the registry's answer to a HEAD
/// ("" when it cannot say: the user data then pulls the tag).
std::string release_digest(const config::Pipeline& p, const std::string& tag, const ArtifactResult& art,
                           report::Output& out) {
    if (!art.digest.empty()) return art.digest;
    try {
        auto ref = registry::Reference::parse(p.image_ref(tag));
        registry::ClientOptions copts;
        copts.insecure = p.registry.insecure;
        registry::Client client(ref.api_host(), ref.repository, pipeline_credentials(p), copts);
        if (auto d = client.head_manifest(tag)) return d->str();
    } catch (const std::exception& e) {
        out.warning("cannot read the digest of " + p.image_ref(tag) + " from the registry (" + e.what() +
                    "): the launch template's user data pulls the tag");
    }
    return "";
}

/// launch: converge after a successful rollout: the group's launch template gets the release.
/// A failure is a warning (the deploy itself succeeded) that says what instances launch now.
nlohmann::json record_release(const config::Pipeline& p, const LaunchTarget& target, const Plan& plan,
                              const ArtifactResult& art, report::Output& out) {
    nlohmann::json j = {{"id", target.template_id}, {"group", target.group}};
    try {
        BootRelease r = boot_release(p, plan.tag, release_digest(p, plan.tag, art, out), plan.new_color, target.region);
        LaunchRecord rec = record_launch(target, r);
        j["version"] = rec.version;
        j["created"] = rec.created;
        j["pruned"] = rec.pruned;
        std::string pruned;
        for (auto n : rec.pruned) pruned += (pruned.empty() ? "" : ", ") + std::to_string(n);
        out.info("launch template " + target.template_id + " (Auto Scaling group " + target.group + ", " +
                 target.group_version + "): " +
                 (rec.created ? "version " + std::to_string(rec.version) + " written" : "version " +
                  std::to_string(rec.version) + " already") + ": instances launched from now on start " + p.service +
                 " " + plan.tag + (r.digest.empty() ? "" : " (" + r.digest.substr(0, 19) + ")") + " at boot" +
                 (pruned.empty() ? "" : "; pruned hoist's older versions " + pruned));
        for (const auto& w : rec.warnings) out.warning(w);
    } catch (const std::exception& e) {
        std::string w = "the deploy succeeded, but launch template " + target.template_id + " was not updated: " +
                        e.what() + ". Instances the group launches start version " +
                        std::to_string(target.source_version) + "'s user data until a deploy or hoist converge "
                        "writes it";
        out.warning(w);
        out.event("warning", {{"message", w}});
        j["error"] = e.what();
    }
    return j;
}

struct Stage {
    bool rollout_started = false;            ///< the engine was called: hosts may change from here
    std::optional<ExitCode> rollout_result;  ///< the engine returned this
};

/// Spec section 6: every other role after the web role succeeded, one after the other (see
/// roles.hpp). When one fails or a stop is asked, the units already changed (the roles before it,
/// then web) go back to what they ran before; `web` becomes the result of the whole run.
void run_roles(std::vector<RoleRun>& roles, const config::Pipeline& web_p, RolloutResult& web,
               const registry::Credentials& creds, ssh::Fleet& fleet, lb::LoadBalancer* lb, EngineEnv& env,
               report::Output& out) {
    std::size_t failed = roles.size();
    for (std::size_t i = 0; i < roles.size(); ++i) {
        auto& r = roles[i];
        out.info("role " + r.p.role + ": " + std::to_string(r.plan.hosts.size()) + " to change, " +
                 std::to_string(r.plan.unchanged.size()) + " unchanged");
        EngineEnv renv{env.fleet, nullptr, out, env.pacer, r.secrets, env.deploy_id, env.by, env.event};
        r.result = execute(r.p, r.plan, r.obs.state, renv);
        r.ran = true;
        if (r.result.code != ExitCode::ok) {
            failed = i;
            break;
        }
    }
    if (failed == roles.size()) {
        for (const auto& r : roles)
            if (!r.plan.hosts.empty()) web.message += "; " + r.p.role + ": " + r.result.message;
        web.changed_anything = web.changed_anything || std::any_of(roles.begin(), roles.end(), [](const RoleRun& r) {
                                   return r.result.changed_anything;
                               });
        return;
    }
    RoleRun& bad = roles[failed];
    out.error("role " + bad.p.role + " failed: " + bad.result.message + "; taking back every role it changed before");
    out.event("rollback_started", {{"role", bad.p.role}, {"reason", bad.result.message}});
    // Not interruptible: after a stop this is how the fleet gets back to one version.
    Pacer calm(Interrupts::uninterruptible(), [] { return false; }, Interrupts::uninterruptible());
    std::vector<std::string> problems;
    std::string to_version;
    auto back = [&](const config::Pipeline& up, RolloutResult& res, lb::LoadBalancer* ulb,
                    const std::map<std::string, Secret>& sec) {
        std::vector<std::string> changed;
        for (const auto& h : res.hosts)
            if (h.result == HostResult::updated) changed.push_back(h.host);
        if (changed.empty()) return;
        std::string to = version_before(res);
        if (to.empty()) {
            problems.push_back("role " + up.role + " ran nothing before on " + join(changed, ", ") +
                               " (a first deploy): it keeps the new version");
            return;
        }
        to_version = to;
        config::Pipeline q = up;
        std::erase_if(q.hosts, [&](const config::Host& h) {
            return std::find(changed.begin(), changed.end(), h.address) == changed.end();
        });
        out.info("role " + up.role + ": back to " + to + " on " + join(changed, ", "));
        auto o = observe_fleet(q, fleet, changed, ulb);
        if (!o.unreachable.empty() || !o.lb_error.empty()) {
            problems.push_back("role " + up.role + " cannot be looked at again (" +
                               (o.lb_error.empty() ? o.unreachable.begin()->first + ": " + o.unreachable.begin()->second
                                                   : o.lb_error) + ")");
            return;
        }
        Plan bp = make_plan(q, to, o.state, {.pull_if_missing = true, .pull_credentials = &creds});
        EngineEnv benv{fleet, ulb, out, calm, sec, env.deploy_id, env.by, "rollback"};
        RolloutResult br = execute(q, bp, o.state, benv);
        for (auto& h : res.hosts)
            for (const auto& b : br.hosts)
                if (b.host == h.host && h.result == HostResult::updated) {
                    h.result = br.code == ExitCode::ok ? HostResult::rolled_back : HostResult::failed;
                    h.version = b.version;
                    h.container = b.container;
                    if (br.code != ExitCode::ok) h.error = b.error.empty() ? br.message : b.error;
                }
        if (br.code != ExitCode::ok) problems.push_back("role " + up.role + ": " + br.message);
    };
    for (std::size_t i = failed; i-- > 0;) back(roles[i].p, roles[i].result, nullptr, roles[i].secrets);
    back(web_p, web, lb, env.secret_env);
    const bool consistent = (bad.result.code == ExitCode::rolled_back || bad.result.code == ExitCode::interrupted) &&
                            problems.empty();
    web.changed_anything = true;
    web.interrupted = web.interrupted || bad.result.interrupted;
    if (consistent) {
        web.code = bad.result.code;
        web.result = Outcome::rolled_back;
        web.message = "role " + bad.p.role + " failed (" + bad.result.message + "); every role is back" +
                      (to_version.empty() ? "" : " on " + to_version);
    } else {
        web.code = ExitCode::inconsistent;
        web.result = Outcome::failed;
        std::string why = join(problems, "; ");
        web.message = "role " + bad.p.role + " failed (" + bad.result.message + ")" + (why.empty() ? "" : "; " + why) +
                      ". The fleet could not be brought back to one version: a person must look";
    }
}

DeployOutcome run_stages(const config::Pipeline& p, const DeployRequest& req, report::Output& out, Stage& stage) {
    auto t0 = Clock::now();
    bool rollback = req.kind == DeployRequest::Kind::rollback;
    if (rollback && !req.tag.empty()) check_tag(req.tag, "--to");
    if (p.hosts.empty()) throw usage_error("the pipeline has no hosts to deploy to");
    check_roles(p, req.roles);
    auto secrets = secret_env_values(p);
    for (const auto& [name, value] : secrets) out.mask(value);  // GitHub masks them in the log too
    const bool web_selected = role_selected(req.roles, config::web_role);
    std::vector<RoleRun> roles;  // spec section 6: the roles besides web, in the file's order
    for (const auto& role : p.roles) {
        if (!role_selected(req.roles, role.name)) continue;
        RoleRun r;
        r.p = config::role_pipeline(p, role);
        r.secrets = secret_env_values(r.p);
        for (const auto& [name, value] : r.secrets) out.mask(value);
        roles.push_back(std::move(r));
    }
    Interrupts interrupts;
    Pacer pacer;

    auto warn = [&](const std::string& w) {  // from host threads too: Output has its own lock
        out.warning(w);
        out.event("warning", {{"message", w}});
    };
    std::vector<config::Pipeline> role_ps;
    for (const auto& r : roles) role_ps.push_back(r.p);
    config::Pipeline all = every_unit_host(p, role_ps);
    auto fleet = connect_fleet(all, warn);
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
    FleetLook look;
    std::exception_ptr observe_error;
    try {
        look = observe_units(p, role_ps, *fleet, lbh.get());
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
    Observation& obs = look.web;
    if (!obs.lb_error.empty())
        throw Error(ExitCode::rolled_back, "cannot read the load balancer: " + obs.lb_error + "; nothing was changed");
    if (!obs.unreachable.empty())
        throw Error(ExitCode::rolled_back, std::to_string(obs.unreachable.size()) + " of " + std::to_string(hosts.size()) +
                                               " hosts could not be looked at (unreachable, or the container runtime "
                                               "does not answer): " + look.unreachable_hosts() + "; nothing was changed");
    for (std::size_t i = 0; i < roles.size(); ++i) roles[i].obs = look.roles[i];
    if (pacer.stop_requested())
        throw Error(ExitCode::interrupted, "interrupted before any host was changed; nothing was changed");

    // 3. the plan (planning.hpp: the same function `hoist plan` prints); hosts pull with the
    // credentials the push used (pipeline, config.json, helper)
    Plan plan;
    config::Pipeline run_p = p;
    registry::Credentials pull_credentials = pipeline_credentials(p);
    out.mask(pull_credentials.password);
    out.mask(pull_credentials.identity_token);
    PlanRequest preq{.tag = tag, .roles = req.roles, .adopt = req.adopt, .pull_if_missing = rollback,
                     .pull_credentials = &pull_credentials};
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
        preq.tag = tag;
        if (!web_selected) {  // --roles without web: the web role's hosts are left as they are
            config::Pipeline none = run_p;
            none.hosts.clear();
            plan = make_plan(none, tag, obs.state, {.pull_credentials = &pull_credentials});
            plan.notes.clear();
        }
        auto role_plans = plan_roles(plan, role_ps, look, preq);
        for (std::size_t i = 0; i < roles.size(); ++i) roles[i].plan = std::move(role_plans[i]);
    } else {
        if (p.registry.direct) {
            try {
                preq.direct_image = direct_image(p, tag, true);
            } catch (const Error& e) {
                throw Error(e.code(), std::string(e.what()) + "; nothing was changed");
            }
        }
        auto plans = plan_deploy(p, role_ps, look, preq);
        if (!plans.blockers.empty()) {
            // before the hooks: nothing is started, nothing changes
            for (const auto& b : plans.blockers) out.error(b);
            out.event("plan", plan_to_json(plans.web));
            throw Error(ExitCode::rolled_back, std::to_string(plans.blockers.size()) + " of " +
                                                   std::to_string(plans.blocked_of) + " hosts run a container hoist "
                                                   "did not start on the service's port; " + plans.advice +
                                                   "; nothing was changed");
        }
        plan = std::move(plans.web);
        for (std::size_t i = 0; i < roles.size(); ++i) roles[i].plan = std::move(plans.roles[i]);
        run_hooks(p, p.hooks.pre_deploy, "pre_deploy", tag, static_cast<int>(ExitCode::rolled_back), out);
    }
    for (const auto& n : plan.notes) out.warning(n);
    out.info(std::string(rollback ? "rollback" : "deploy") + " " + p.service + " " + tag + ": " +
             std::to_string(plan.hosts.size()) + " to change, " + std::to_string(plan.unchanged.size()) + " unchanged, " +
             config::to_string(plan.strategy) + (plan.new_color.empty() ? "" : " (" + plan.new_color + ")") +
             (lbh.get() ? " behind " + lbh.get()->name() : ""));
    out.event("plan", plan_to_json(plan));
    for (const auto& r : roles) {
        out.info("  then role " + r.p.role + ": " + std::to_string(r.plan.hosts.size()) + " to change, " +
                 std::to_string(r.plan.unchanged.size()) + " unchanged, rolling by " +
                 std::to_string(r.p.strategy.max_unavailable.value) + (r.p.strategy.max_unavailable.percent ? "%" : "") +
                 ", after the web role");
        out.event("plan", plan_to_json(r.plan));
    }

    // 4. the engine; an Auto Scaling group neither launches, terminates nor replaces instances meanwhile
    std::optional<LaunchTarget> launch;
    if (p.asg && p.asg->launch_converge && web_selected) {
        try {
            launch = check_launch(p);
            check_user_data_size(p, plan.tag, plan.new_color, launch->region);
        } catch (const Error& e) {  // aws::Error: before any host changed
            throw Error(ExitCode::rolled_back, std::string(e.what()) + "; nothing was changed");
        }
        for (const auto& w : launch->warnings) out.warning(w);
    }
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
    if (rr.code == ExitCode::ok && !roles.empty()) run_roles(roles, run_p, rr, pull_credentials, *fleet, lbh.get(), env, out);
    stage.rollout_result = rr.code;
    nlohmann::json launch_json;
    // before the group may launch again: no instance starts from the previous release's template
    if (launch && rr.code == ExitCode::ok) launch_json = record_release(p, *launch, plan, art, out);
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
    for (const auto& r : roles)
        for (const auto& h : r.result.hosts) hosts_json.push_back(h.to_json());
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
    if (!launch_json.is_null()) res.summary["launch_template"] = launch_json;
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
