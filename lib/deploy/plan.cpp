#include "deploy/plan.hpp"

#include "deploy/health.hpp"

#include <algorithm>

#include "lb/nginx.hpp"
#include "report/units.hpp"
#include "util/error.hpp"
#include "util/names.hpp"
#include "util/strings.hpp"

namespace hoist::deploy {

using config::Pipeline;
using config::StrategyType;

const int min_free_mib = 256;

std::string to_string(Action a) {
    switch (a) {
        case Action::check: return "check";
        case Action::disk: return "disk";
        case Action::pull: return "pull";
        case Action::send: return "send";
        case Action::release: return "release";
        case Action::upload_env: return "env";
        case Action::verify: return "verify";
        case Action::drain: return "drain";
        case Action::wait: return "wait";
        case Action::stop: return "stop";
        case Action::remove: return "remove";
        case Action::run: return "run";
        case Action::health: return "health";
        case Action::enable: return "enable";
        case Action::switch_pool: return "switch";
        case Action::confirm: return "confirm";
        case Action::record: return "record";
        case Action::restore: return "restore";
    }
    return "?";
}

std::vector<remote::Command> Step::commands() const {
    return std::visit(
        [](const auto& k) -> std::vector<remote::Command> {
            using K = std::decay_t<decltype(k)>;
            if constexpr (std::is_same_v<K, step::Exec> || std::is_same_v<K, step::Stop> ||
                          std::is_same_v<K, step::PoolChange> || std::is_same_v<K, step::Restore>)
                return k.commands;
            else if constexpr (std::is_same_v<K, step::DiskCheck> || std::is_same_v<K, step::Start> ||
                               std::is_same_v<K, step::Release> || std::is_same_v<K, step::Send>)
                return {k.command};
            else
                return {};
        },
        what);
}

lb::Pool Step::pool() const {
    auto* change = as<step::PoolChange>();
    return change ? change->pool : lb::Pool{};
}

remote::ContainerSpec container_spec(const Pipeline& p, const std::string& tag, const std::string& image_ref,
                                     const std::string& color, int host_port) {
    remote::ContainerSpec s;
    s.runtime = config::to_string(p.container.runtime);
    s.service = p.service;
    s.version = tag;
    s.color = color;
    s.role = p.role;
    s.name = p.container_prefix() + "-" + (color.empty() ? tag : color);
    s.image = image_ref;
    s.host_port = host_port;
    s.container_port = p.container.port;
    s.env = p.container.env;
    if (!p.container.secret_env.empty()) s.env_file = remote::env_file_path(p.service, s.name);
    s.volumes = p.container.volumes;
    s.options = p.container.options;
    s.command = p.container.command;
    s.stop_timeout = p.container.stop_timeout;
    s.pull_never = p.registry.direct;
    return s;
}

lb::Pool starting_pool(const Pipeline& p, const FleetState& state) {
    lb::Pool pool;
    for (const auto& h : p.all_hosts.empty() ? p.hosts : p.all_hosts) {
        lb::Member m{h.address, p.container.host_port, true, ""};
        bool found = false;
        if (state.pool)
            for (const auto& member : *state.pool)
                if (member.host == h.address) {
                    m = member;
                    found = true;
                }
        auto seen = state.hosts.find(h.address);
        if (state.observed && seen != state.hosts.end()) {
            // What runs wins over what the load balancer was told: route to the live container, and
            // to nothing on a host that runs none.
            const ObservedHost& live = seen->second;
            if (live.container.empty()) {
                m.enabled = false;
            } else {
                if (!found || m.port != live.port) m.enabled = true;
                m.port = live.port ? live.port : m.port;
            }
        }
        pool.push_back(m);
    }
    return pool;
}

lb::Pool with_hosts(lb::Pool pool, const std::vector<std::string>& hosts, bool enabled, int port) {
    for (auto& m : pool)
        if (std::find(hosts.begin(), hosts.end(), m.host) != hosts.end()) {
            m.enabled = enabled;
            if (port) m.port = port;
        }
    return pool;
}

namespace {

struct Builder {
    const Pipeline& p;
    const FleetState& state;
    Plan& plan;
    PlanOptions options;
    std::string credentials_used = "";  ///< "<source> (user U)": where the hosts' pull credentials came from
    std::string runtime = config::to_string(p.container.runtime);
    bool has_lb = p.load_balancer.type != config::LoadBalancerType::none;
    std::string lb_target = p.load_balancer.type == config::LoadBalancerType::alb ? "alb" : p.load_balancer.host;
    lb::Pool pool = starting_pool(p, state);

    const ObservedHost* observed(const std::string& host) const {
        auto it = state.hosts.find(host);
        return it == state.hosts.end() ? nullptr : &it->second;
    }

    remote::ContainerSpec spec(const std::string& color, int host_port) const {
        return container_spec(p, plan.tag, plan.image_ref, color, host_port);
    }

    void add(Step s) { plan.steps.push_back(std::move(s)); }
    /// A step on `host`.
    void add(Action a, const std::string& host, int batch, std::string detail, step::Kind what,
             std::string failure = "") {
        add(Step{a, host, false, batch, std::move(detail), std::move(what), std::move(failure)});
    }
    /// Commands on `host` (step::Exec).
    void exec(Action a, const std::string& host, int batch, std::string detail, std::vector<remote::Command> commands,
              std::string failure = "") {
        step::Exec e;
        e.commands = std::move(commands);
        e.tolerate_missing = a == Action::remove;
        add(a, host, batch, std::move(detail), std::move(e), std::move(failure));
    }

    /// How long a pool change waits for the balancer's health checks of what joined.
    std::chrono::milliseconds healthy_within(Action a) const {
        return a == Action::drain ? std::chrono::milliseconds(0) : p.healthcheck.deadline;
    }

    /// A change of the pool to `after`, with what the driver runs for it.
    Step pool_change(Action a, int batch, const lb::Pool& after, const std::string& why) const {
        step::PoolChange change{after, why, {}, healthy_within(a)};
        std::string detail;
        const auto& lb = p.load_balancer;
        if (lb.type == config::LoadBalancerType::nginx) {
            detail = why + "; upstream " + lb.upstream + ": " + lb::describe(after);
            // exactly what the driver runs (lb/nginx.hpp), the upstream file on its stdin
            change.commands.push_back(lb::nginx_apply_command(lb.config_path, lb.test_command, lb.reload_command));
        } else {
            detail = why + "; " + config::to_string(lb.type) + " pool: " + lb::describe(after);
        }
        return Step{a, lb_target, true, batch, detail, std::move(change)};
    }

    void lb_step(Action a, int batch, const lb::Pool& after, const std::string& why) {
        add(pool_change(a, batch, after, why));
        pool = after;
    }

    void preflight() {
        for (const auto& host : plan.hosts) {
            std::size_t disk_at = 0;
            // One command both proves the runtime answers (its `info` says where it keeps images)
            // and measures the space there: on a 2-core controller with 20 hosts every runtime CLI
            // start counts, and a separate `version` call was 20 more of them.
            disk_at = plan.steps.size();
            add(Action::disk, host, 0,
                "the container runtime answers, with at least " + std::to_string(min_free_mib) +
                    " MiB free where it keeps images and containers",
                step::DiskCheck{remote::disk_free_kib(runtime), min_free_mib}, "the container runtime does not answer");
            if (plan.tag == adopted_version)  // back to the container taken over: nothing to pull
                exec(Action::check, host, 0,
                     p.service + "-" + adopted_version + " (taken over with deploy --adopt) is still there",
                     {remote::inspect_state(runtime, p.service + "-" + adopted_version)});
            else if (p.registry.direct)
                send(host);
            else if (!plan.pull_auth.empty())
                add(Action::pull, host, 0,
                    std::string(options.pull_if_missing ? "use the image kept on the host, else pull it"
                                                        : "pull the new image") +
                        " with the credentials of " + credentials_used + ", given on stdin to this pull only "
                        "and removed from the host afterwards",
                    step::Exec{{remote::pull_with_auth(runtime, plan.image_ref, options.pull_if_missing)},
                               step::Input::pull_auth});
            else if (options.pull_if_missing)
                exec(Action::pull, host, 0, "use the image kept on the host (pull it only if it is gone)",
                     {remote::pull_if_missing(runtime, plan.image_ref)});
            else
                exec(Action::pull, host, 0, "pull the new image (the previous one stays for rollback)",
                     {remote::pull(runtime, plan.image_ref)});
            const ObservedHost* o = observed(host);
            // What `hoist rollback` runs is <image>:<version>: that tag must still be on the host. The
            // container's own image is no test in itself: once the tag is gone `ps` shows the image
            // ID, which exists as long as the container does. But that also makes it one: when
            // docker's `ps` (observed seconds ago) shows the container's image as that very tag, the
            // tag still names the container's image, and the host is spared one more runtime call.
            // podman's `ps` shows the name the container was created from whatever became of it.
            if (o && (!o->version.empty() || !o->image.empty())) {
                // An adopted container (--adopt, or rolled back to since) was not started from a
                // hoist tag: its own image it is.
                const bool adopted = !o->adopt_from.empty() || o->version == adopted_version;
                std::string kept = o->version.empty() || adopted ? o->image : p.image_ref(o->version);
                if (!adopted && runtime == "docker" && o->image == kept) {
                    plan.steps[disk_at].detail += "; the previous image " + kept + " is still there for a rollback (docker ps "
                                                "names the running container's image by that tag)";
                    continue;
                }
                exec(Action::check, host, 0, "the previous image " + kept + " is still there for a rollback",
                     {remote::image_exists(runtime, kept)},
                     "the image of the running version is missing, so a rollback would need the registry");
            }
        }
    }

    /// The release command: once, on the first host that changes (its pre-flight put the new image
    /// there), after every host's pre-flight and before any swap. The engine runs it as a step of
    /// its own, so no host is changed yet when it fails.
    void release() {
        const std::string& host = plan.hosts.front();
        remote::ContainerSpec c = spec("", p.container.host_port);
        c.name = p.service + "-release-" + plan.tag;
        c.env_file = p.container.secret_env.empty() ? "" : remote::env_file_path(p.service, c.name);
        c.command = p.release_command;
        add(Action::release, host, 0,
            "run the release command once in " + plan.image_ref + " with the web role's env" +
                (c.env_file.empty() ? "" : " and secrets (" + c.env_file + ", mode 0600, removed after)") +
                ", before any container is swapped: " + remote::Command{p.release_command}.render(),
            step::Release{remote::run_once(c), c}, "the release command failed, so no container was swapped");
    }

    /// registry.direct: the image goes over SSH, only the layers the host lacks.
    void send(const std::string& host) {
        if (options.pull_if_missing) {  // a rollback: the previous image is kept on every host
            exec(Action::check, host, 0, "the image " + plan.image_ref + " is kept on the host",
                 {remote::image_exists(runtime, plan.image_ref)},
                 "the image to roll back to is gone from the host and there is no registry to pull it "
                 "from (registry.direct); deploy that tag again to send it");
            return;
        }
        const auto& img = plan.direct_image;
        if (!img) {
            add(Action::send, host, 0,
                "send the layers the host lacks over SSH, verify and load them as " + plan.image_ref +
                    " (the image is not built yet: sizes unknown)",
                step::Send{remote::load_image(runtime, "<config digest>", plan.image_ref), std::nullopt, ""});
            return;
        }
        const ObservedHost* o = observed(host);
        const bool podman = p.container.runtime == config::Runtime::podman;
        oci::HostNeed need;
        if (o && o->layer_lists) need = oci::host_need(*img, *o->layer_lists, o->image_ids, podman);
        if (need.has_image) {
            // the host holds this very image (the ID is the config's digest): nothing to send
            exec(Action::check, host, 0,
                 "the host has the image already (" + img->config.digest.str().substr(0, 19) +
                     "): nothing to send; tag it " + plan.image_ref,
                 {remote::tag_image(runtime, img->config.digest.hex, plan.image_ref)},
                 "tagging the image the host holds failed");
            return;
        }
        Transfer t;
        t.layers = img->layers.size();
        t.first = need.first;
        t.bytes = oci::bytes_to_send(*img, t.first);
        std::string what = t.first == t.layers
                               ? "the host has every layer: send only the config"
                               : "send " + std::to_string(t.layers - t.first) + " of " + std::to_string(t.layers) +
                                     " layers (" + report::human_bytes(t.bytes) + ")" +
                                     (podman ? " (podman load reads every layer)"
                                             : o && o->layer_lists ? "" : " (the host's layers were not looked at)");
        add(Action::send, host, 0, what + " over SSH, verify and load them as " + plan.image_ref,
            step::Send{remote::load_image(runtime, img->config.digest.hex, plan.image_ref), t,
                       podman || !o ? std::string() : o->engine_socket},
            "sending the image to the host failed");
    }

    void start(const std::string& host, int batch, const remote::ContainerSpec& c) {
        if (!c.env_file.empty())
            add(Action::upload_env, host, batch, "write " + c.env_file + " (mode 0600): " + secret_list(),
                step::WriteEnv{c.env_file});
        add(Action::run, host, batch,
            "start " + c.name + (c.host_port ? " on port " + std::to_string(c.host_port) : " (" + p.role + " role: no port)"),
            step::Start{remote::run(c), c});
        health(host, batch, c);
    }

    void health(const std::string& host, int batch, const remote::ContainerSpec& c) {
        const auto& hc = p.healthcheck;
        step::Probe probe{c.existing ? c.name : "", c.host_port, p.healthcheck};
        if (!c.host_port) {  // a role besides web: an exec probe, or still running
            add(Action::health, host, batch,
                hc.command.empty()
                    ? "still running, not restarted, " + config::format_duration(running_watch(hc)) + " after the start"
                    : "'" + remote::Command{hc.command}.render() + "' in the container exits 0, " +
                          std::to_string(hc.healthy_threshold) + " in a row, every " +
                          config::format_duration(hc.interval) + ", within " + config::format_duration(hc.deadline),
                probe);
            return;
        }
        add(Action::health, host, batch,
            "GET http://127.0.0.1:" + std::to_string(c.host_port) + hc.path + " through the SSH connection until " +
                std::to_string(hc.healthy_threshold) + " consecutive " + std::to_string(hc.expect_min) + "-" +
                std::to_string(hc.expect_max) + " answers, every " + config::format_duration(hc.interval) +
                ", within " + config::format_duration(hc.deadline),
            probe);
    }

    std::string secret_list() const {
        std::vector<std::string> parts;
        for (const auto& name : p.container.secret_env) parts.push_back(name + "=" + Secret::mask);
        return join(parts, " ");
    }

    /// The wait for the drain, on the load balancer, bounded by drain_time.
    Step drain_step(int batch, bool per_host = false) const {
        return Step{Action::wait, lb_target, true, batch, drain_wait(per_host), step::Wait{p.load_balancer.drain_time}};
    }

    std::string drain_wait(bool per_host = false) const {
        // every driver watches for the end of the requests in flight (nginx: its connections on
        // the LB host; HAProxy: current sessions; ALB: the draining state), bounded by drain_time
        return "until no request is in flight to what left the pool, at most " +
               config::format_duration(p.load_balancer.drain_time) +
               (per_host ? "; each host is stopped as soon as its own requests are done" : "");
    }

    /// Hosts that already serve the tag are left alone (rolling); the rest change.
    void choose_hosts(bool skip_current) {
        for (const auto& h : p.hosts) {
            const ObservedHost* o = observed(h.address);
            bool current = o && o->version == plan.tag && !o->container.empty();
            if (skip_current && current) plan.unchanged.push_back(h.address);
            else plan.hosts.push_back(h.address);
        }
    }

    /// Rolling: a host left alone because it already runs the tag, but out of the pool (an earlier
    /// deploy was killed between its swap and its return), goes back once it answers its health check.
    void readmit() {
        if (!has_lb || !state.observed) return;
        std::vector<std::string> back;
        for (const auto& h : plan.unchanged) {
            bool listed = false;  // an instance the Auto Scaling group launched is in no pool yet
            if (state.pool)
                for (const auto& m : *state.pool) listed = listed || (m.host == h && m.enabled);
            for (auto& m : pool)
                if (m.host == h && (!m.enabled || (state.pool && !listed))) {
                    m.enabled = false;
                    back.push_back(h);
                }
        }
        if (back.empty()) return;
        plan.new_port = p.container.host_port;
        for (const auto& h : back)
            add(Action::verify, h, readmit_batch,
                "healthy: GET http://127.0.0.1:" + std::to_string(plan.new_port) + p.healthcheck.path +
                    " (one good answer in 3 tries)",
                step::Verify{plan.new_port, p.healthcheck});
        lb_step(Action::enable, readmit_batch, with_hosts(pool, back, true),
                "put " + join(back, ", ") + " back: already on " + plan.tag + ", but out of the pool");
    }

    void rolling() {
        long long n = static_cast<long long>(plan.hosts.size());
        long long k = std::max<long long>(1, std::min(n, p.strategy.max_unavailable.resolve(
                                                              static_cast<long long>(p.hosts.size()))));
        for (long long i = 0; i < n; i += k) {
            std::vector<std::string> batch;
            for (long long j = i; j < std::min(n, i + k); ++j) batch.push_back(plan.hosts[j]);
            plan.batches.push_back(batch);
        }
        if (p.hosts.size() == 1 && has_lb)
            plan.notes.push_back("a rolling deploy of a single host cannot avoid downtime: consider strategy "
                                 "blue_green");
        int port = plan.new_port = p.is_web() ? p.container.host_port : 0;
        std::string name = p.container_prefix() + "-" + plan.tag;
        int b = 0;
        std::vector<std::string> done;
        // Without a pause between batches, putting a batch back and taking the next one out is one
        // change of the pool (one nginx reload instead of two; as many hosts out as before).
        bool merge = has_lb && p.strategy.pause.count() == 0;
        bool drained_already = false;  // the previous batch's change took this one out
        auto verify = [&](const std::vector<std::string>& hosts, int batch_no) {
            // A container can turn bad after it passed its health check: before taking more hosts
            // out, the ones already updated must still answer, or the deploy stops and rolls back.
            for (const auto& host : hosts)
                add(Action::verify, host, batch_no,
                    port ? "still healthy: GET http://127.0.0.1:" + std::to_string(port) + p.healthcheck.path +
                               " (one good answer in 3 tries)"
                         : "still running, not restarted",
                    step::Verify{port, p.healthcheck});
        };
        for (std::size_t bi = 0; bi < plan.batches.size(); ++bi) {
            const auto& batch = plan.batches[bi];
            ++b;
            if (!drained_already) verify(done, b);
            if (has_lb && !drained_already)
                lb_step(Action::drain, b, with_hosts(pool, batch, false), "take " + join(batch, ", ") + " out of the pool");
            if (has_lb) add(drain_step(b, true));
            for (const auto& host : batch) {
                const ObservedHost* o = observed(host);
                std::string prev = o ? o->container : (state.observed ? "" : p.container_prefix() + "-<previous>");
                if (o && !o->adopt_from.empty())
                    add(Action::stop, host, b,
                        "take over " + o->adopt_from + ": rename it " + prev + " and stop it (kept for rollback; the "
                        "next successful deploy removes it)",
                        step::Stop{{remote::rename(runtime, o->adopt_from, prev),
                                    remote::stop(runtime, prev, p.container.stop_timeout)}});
                else if (!prev.empty())
                    add(Action::stop, host, b, "stop " + prev + " (kept for rollback until the deploy ends)",
                        step::Stop{{remote::stop(runtime, prev, p.container.stop_timeout)}});
                if (plan.tag == adopted_version) {
                    // the container taken over with --adopt: started again, never removed
                    remote::ContainerSpec again = spec("", port);
                    again.existing = true;
                    add(Action::run, host, b, "start " + name + " again (taken over with deploy --adopt)",
                        step::Start{remote::start(runtime, name), again});
                    health(host, b, again);
                    continue;
                }
                if (o && o->has(name))
                    exec(Action::remove, host, b, "remove the stopped " + name + " left by an earlier deploy",
                         {remote::remove(runtime, name)});
                start(host, b, spec("", port));
            }
            bool last = bi + 1 == plan.batches.size();
            drained_already = merge && !last;
            if (drained_already) {
                // the hosts serving meanwhile and this batch (healthy a moment ago), before more leave
                std::vector<std::string> updated = done;
                updated.insert(updated.end(), batch.begin(), batch.end());
                verify(updated, b);
                const auto& next = plan.batches[bi + 1];
                lb_step(Action::enable, b, with_hosts(with_hosts(pool, batch, true, port), next, false),
                        "put " + join(batch, ", ") + " back and take " + join(next, ", ") + " out of the pool");
            } else if (has_lb) {
                lb_step(Action::enable, b, with_hosts(pool, batch, true, port), "put " + join(batch, ", ") + " back");
            }
            done.insert(done.end(), batch.begin(), batch.end());
            if (p.strategy.pause.count() > 0 && b < static_cast<int>(plan.batches.size())) {
                add(Step{Action::wait, "", false, b, config::format_duration(p.strategy.pause) + " before the next batch",
                         step::Wait{p.strategy.pause}});
            }
        }
        if (plan.batches.size() > 1)
            for (const auto& host : done) {
                const auto& last = plan.batches.back();
                if (std::find(last.begin(), last.end(), host) != last.end()) continue;  // just checked
                add(Action::verify, host, b,
                    port ? "still healthy at the end: GET http://127.0.0.1:" + std::to_string(port) +
                               p.healthcheck.path + " (one good answer in 3 tries)"
                         : "still running at the end, not restarted",
                    step::Verify{port, p.healthcheck});
            }
    }

    /// Plan::undo, from the batches and what each host ran before.
    void undo() {
        auto& u = plan.undo;
        // the pools of the undo's changes depend on what was changed: worked out when it runs
        auto lb_undo = [&](Action a, int batch, const std::string& why) {
            if (has_lb) u.push_back(Step{a, lb_target, true, batch, why, step::PoolChange{{}, why, {}, healthy_within(a)}});
        };
        if (plan.strategy == StrategyType::rolling) {
            lb_undo(Action::enable, 0, "put back the hosts taken out of the pool but not changed yet, if any");
            for (int b = static_cast<int>(plan.batches.size()); b >= 1; --b) {
                const auto& batch = plan.batches[b - 1];
                lb_undo(Action::drain, b, "take " + join(batch, ", ") + " out again, those of them back in the pool");
                if (has_lb) u.push_back(drain_step(b));
                for (const auto& host : batch) {
                    const ObservedHost* o = observed(host);
                    std::string prev = o ? o->container : (state.observed ? "" : p.container_prefix() + "-<previous>");
                    std::string name = spec("", 0).name;
                    step::Restore restore;
                    restore.check = p.healthcheck;
                    restore.commands.push_back(plan.tag == adopted_version
                                                   ? remote::stop(runtime, name, p.container.stop_timeout)
                                                   : remote::remove(runtime, name));
                    std::string detail = (plan.tag == adopted_version ? "stop " : "remove ") + name;
                    if (prev.empty()) {
                        detail += " (nothing ran here before)";
                    } else {
                        detail += ", start " + prev + " again and health-check it";
                        restore.commands.push_back(remote::start(runtime, prev));
                    }
                    u.push_back(Step{Action::restore, host, false, b, detail, std::move(restore)});
                }
                lb_undo(Action::enable, b, "put " + join(batch, ", ") + " back on the previous version");
            }
        } else {
            if (has_lb) {
                Step back = pool_change(Action::switch_pool, 1, plan.initial_pool, "switch back to the previous colour");
                back.detail = "switch back to the previous colour, if it had switched";
                u.push_back(back);
            }
            for (const auto& h : plan.hosts) {
                std::string name = spec(plan.new_color, 0).name;
                if (!plan.new_color.empty())
                    u.push_back(Step{Action::remove, h, false, 1, "remove " + name + ", if it was started",
                                     step::Exec{{remote::remove(runtime, name)}, step::Input::none, true}});
            }
        }
        lb_undo(Action::drain, 0, "take out any host whose state hoist cannot vouch for, if any");
    }

    void blue_green() {
        std::string active = state.active_color;
        plan.new_color = active == "blue" ? "green" : "blue";
        int port = plan.new_port = plan.new_color == "blue" ? p.strategy.blue_port : p.strategy.green_port;
        if (plan.hosts.empty()) return;
        plan.batches.push_back(plan.hosts);
        std::string name = p.service + "-" + plan.new_color;
        for (const auto& h : plan.hosts) {
            exec(Action::remove, h, 1, "remove an old " + name + " if one is left", {remote::remove(runtime, name)});
            start(h, 1, spec(plan.new_color, port));
        }
        if (has_lb) {
            lb_step(Action::switch_pool, 1, with_hosts(pool, plan.hosts, true, port),
                    "switch every host to " + plan.new_color + " at once");
            add(Step{Action::confirm, lb_target, true, 1, "the load balancer serves " + plan.new_color, step::Confirm{}});
        }
        std::vector<std::pair<std::string, std::string>> old;  // host, live container
        for (const auto& h : plan.hosts) {
            const ObservedHost* o = observed(h);
            if (o && !o->container.empty() && o->container != name) old.emplace_back(h, o->container);
        }
        if (!old.empty() && !p.strategy.keep_previous) {
            add(drain_step(1));
            for (const auto& [h, c] : old)
                add(Action::stop, h, 1, "stop " + c, step::Stop{{remote::stop(runtime, c, p.container.stop_timeout)}});
        } else if (!old.empty()) {
            plan.notes.push_back(old.front().second + " keeps running on every host for an instant rollback");
        }
    }
};

}  // namespace

Plan make_plan(const Pipeline& p, const std::string& tag, const FleetState& state, const PlanOptions& options) {
    // The last line of defence: the tag becomes a container name and an env file path.
    if (!valid_tag(tag)) throw usage_error("tag '" + tag + "': a tag must be " + tag_rule);
    Plan plan;
    plan.service = p.service;
    plan.role = p.role;
    plan.tag = tag;
    plan.image_ref = p.image_ref(tag);
    plan.strategy = p.strategy.type;
    plan.has_lb = p.load_balancer.type != config::LoadBalancerType::none;
    plan.observed = state.observed;
    if (state.observed)
        for (const auto& h : p.hosts) {
            auto it = state.hosts.find(h.address);
            std::string what;
            if (it != state.hosts.end() && !it->second.container.empty())
                what = it->second.container + " (" + it->second.version + ")" +
                       (it->second.port ? " on port " + std::to_string(it->second.port) : "");
            plan.now.emplace_back(h.address, what);
        }
    if (!state.observed)
        plan.notes.push_back("the fleet was not observed: steps assume the previous containers hoist names "
                             "itself, and are resolved against the hosts at deploy time");
    Builder b{p, state, plan, options};
    registry::Credentials creds;
    if (options.pull_credentials) {
        creds = *options.pull_credentials;
    } else if (p.registry.has_credentials()) {
        creds.username = p.registry.username;
        creds.password = p.registry.password;
        creds.source = "the pipeline's registry settings";
    }
    if (!p.registry.direct) plan.pull_auth = registry::host_auth_document(p.registry_host(), creds);
    plan.direct_image = options.direct_image;
    b.credentials_used = creds.source + (creds.identity_token.empty() ? " (user " + creds.username + ")"
                                                                      : " (an identity token)");
    plan.initial_pool = b.pool;
    bool rolling = p.strategy.type == StrategyType::rolling;
    b.choose_hosts(rolling);
    for (const auto& h : plan.hosts)
        if (const ObservedHost* o = b.observed(h)) {
            for (const auto& f : o->foreign)
                plan.blockers.push_back(h + ": container " + f.name + " (image " + f.image +
                                        "), not started by hoist, publishes port " + std::to_string(f.port) +
                                        ", which " + p.service + "'s new container needs");
            if (!o->adopt_from.empty())
                plan.notes.push_back(h + ": takes over " + o->adopt_from + " (not started by hoist; --adopt) as the "
                                     "previous version: renamed " + o->container + ", drained, stopped and kept for "
                                     "a rollback; the next successful deploy removes it");
        }
    if (!rolling && !plan.hosts.empty()) {
        // blue/green changes every host or none: a fleet already on the tag in the live colour is left alone
        bool all_current = true;
        for (const auto& h : plan.hosts) {
            const ObservedHost* o = b.observed(h);
            all_current = all_current && o && o->version == tag && !o->container.empty();
        }
        if (all_current && state.observed) {
            plan.unchanged = plan.hosts;
            plan.hosts.clear();
        }
    }
    if (plan.hosts.empty()) {
        if (rolling) b.readmit();
        if (plan.steps.empty())
            plan.notes.push_back(!p.hosts.empty() ? "every host already runs " + tag + ": nothing to do"
                                 : state.observed ? std::string("there is no host to deploy to")
                                                  : std::string("no host is known without looking (the instances are "
                                                                "listed when a deploy starts): no steps to show"));
        b.undo();
        return plan;
    }
    b.preflight();
    if (!p.release_command.empty() && !options.pull_if_missing) b.release();
    if (rolling) b.readmit();
    if (rolling) b.rolling();
    else b.blue_green();
    for (const auto& h : plan.hosts)
        b.add(Action::record, h, 0, "append the result to " + remote::state_dir(p.service) + "/history.jsonl",
              step::Record{});
    b.undo();
    return plan;
}

Plan make_switch_back_plan(const Pipeline& p, const FleetState& state,
                           const std::map<std::string, ObservedContainer>& targets) {
    Plan plan;
    plan.service = p.service;
    plan.role = p.role;
    plan.strategy = p.strategy.type;
    plan.has_lb = p.load_balancer.type != config::LoadBalancerType::none;
    const PlanOptions none;
    Builder b{p, state, plan, none};
    plan.initial_pool = b.pool;
    for (const auto& h : p.hosts) plan.hosts.push_back(h.address);
    plan.batches.push_back(plan.hosts);
    lb::Pool pool = b.pool;
    for (const auto& h : plan.hosts) {
        const ObservedContainer& c = targets.at(h);
        if (!valid_tag(c.version))
            throw Error(ExitCode::rolled_back, h + ": container " + c.name + " carries the hoist.version label '" +
                                                   c.version + "', which is not a tag (" + tag_rule + "); nothing was "
                                                   "changed");
        plan.tag = c.version;
        plan.new_color = c.color;
        plan.new_port = c.port;
        b.add(Action::health, h, 1, "probe " + c.name + " (" + c.version + ", still running) on port " + std::to_string(c.port),
              step::Probe{c.name, c.port, p.healthcheck});
        pool = with_hosts(pool, {h}, true, c.port);
    }
    plan.image_ref = p.image_ref(plan.tag);
    if (plan.has_lb) {
        b.lb_step(Action::switch_pool, 1, pool, "switch every host back to " + plan.tag + " at once");
        b.add(Step{Action::confirm, b.lb_target, true, 1, "the load balancer serves " + plan.tag, step::Confirm{}});
    }
    for (const auto& h : plan.hosts)
        b.add(Action::record, h, 0, "append the result to " + remote::state_dir(p.service) + "/history.jsonl",
              step::Record{});
    b.undo();
    return plan;
}

std::string render_plan(const Plan& plan, const Pipeline& p) {
    std::string out;
    std::string lb = config::to_string(p.load_balancer.type);
    out += "Plan: deploy " + plan.service + " " + plan.tag + " to " + std::to_string(p.hosts.size()) +
           (p.hosts.size() == 1 ? " host" : " hosts") + ", " + config::to_string(plan.strategy);
    if (plan.strategy == StrategyType::rolling && !plan.batches.empty())
        out += plan.batches.size() == 1 ? " in 1 batch of " + std::to_string(plan.batches.front().size())
                                        : " in " + std::to_string(plan.batches.size()) + " batches of up to " +
                                              std::to_string(plan.batches.front().size());
    if (plan.strategy == StrategyType::blue_green) out += " (starting " + plan.new_color + ")";
    out += p.load_balancer.type == config::LoadBalancerType::none ? ", no load balancer\n"
                                                                  : ", behind " + lb + "\n";
    out += "Image: " + plan.image_ref + "\n";
    for (const auto& n : plan.notes) out += "Note: " + n + "\n";
    if (plan.observed && !plan.now.empty()) {
        out += "Now (looked at, read-only):\n";
        std::size_t w = 0;
        for (const auto& [h, what] : plan.now) w = std::max(w, h.size());
        for (const auto& [h, what] : plan.now) {
            std::string pool;
            for (const auto& m : plan.initial_pool)
                if (m.host == h && plan.has_lb) pool = m.enabled ? ", in the pool" : ", out of the pool";
            out += "  " + pad_right(h, w) + "  " + (what.empty() ? "runs nothing of " + plan.service : what) + pool + "\n";
        }
    }
    for (const auto& b : plan.blockers) out += "Blocked: " + b + "\n";
    if (!plan.blockers.empty()) out += "Blocked: " + adoption_advice(plan) + "\n";

    std::size_t tw = 0;
    for (const auto& s : plan.steps) tw = std::max(tw, s.target.size() + (s.on_lb ? 5 : 0));
    int section = -100;
    for (const auto& s : plan.steps) {
        int sec = s.action == Action::record ? 1000 : s.action == Action::release ? 999 : s.batch;
        if (sec != section) {
            section = sec;
            out += "\n";
            if (sec == 0) out += "Pre-flight, every host in parallel (nothing changes yet):\n";
            else if (sec == readmit_batch) out += "Back into the pool (already on " + plan.tag + "):\n";
            else if (sec == 1000) out += "Finally:\n";
            else if (sec == 999) out += "Release command, once, after every pre-flight and before any swap:\n";
            else if (plan.strategy == StrategyType::rolling)
                out += "Batch " + std::to_string(sec) + "/" + std::to_string(plan.batches.size()) + ": " +
                       join(plan.batches[sec - 1], ", ") + "\n";
            else out += "Switch (hosts in parallel until the pool switches):\n";
        }
        std::string target = s.target.empty() ? "hoist" : s.target + (s.on_lb ? " (lb)" : "");
        std::string lead = "  " + pad_right(target, tw) + "  " + pad_right(to_string(s.action), 8);
        out += lead + s.detail + "\n";
        for (const auto& c : s.commands()) {
            std::string line = c.render();
            if (s.on_lb && c.argv.size() > 3 && c.argv[0] == "sh" && c.argv[1] == "-c")  // the driver's script
                line = "sh -c '<" + config::to_string(p.load_balancer.type) + " apply script>' " +
                       remote::Command{{c.argv.begin() + 3, c.argv.end()}}.render() +
                       "  (the new upstream file on stdin; the previous file is put back if the test refuses it)";
            out += std::string(lead.size(), ' ') + "$ " + line + "\n";
        }
    }
    if (!plan.hosts.empty() && !plan.undo.empty()) {
        out += p.strategy.on_failure == config::OnFailure::rollback
                   ? "\nIf a step fails or a stop is asked, the way back (only the steps of what was changed):\n"
                   : "\nIf a stop is asked, the way back (only the steps of what was changed; after a failure "
                     "on_failure: halt stops instead, with only healthy containers in the pool):\n";
        for (const auto& s : plan.undo) {
            std::string target = s.target.empty() ? "hoist" : s.target + (s.on_lb ? " (lb)" : "");
            std::string lead = "  " + pad_right(target, tw) + "  " + pad_right(to_string(s.action), 8);
            out += lead + s.detail + (s.batch > 0 && plan.strategy == StrategyType::rolling
                                          ? " [batch " + std::to_string(s.batch) + "]" : "") + "\n";
        }
    }
    return out;
}

nlohmann::json plan_to_json(const Plan& plan) {
    nlohmann::json steps = nlohmann::json::array(), undo = nlohmann::json::array();
    for (std::size_t id = 0; id < plan.steps.size() + plan.undo.size(); ++id) {
        const bool back = id >= plan.steps.size();
        const Step& s = back ? plan.undo[id - plan.steps.size()] : plan.steps[id];
        // "id": what a deploy's step events name as "step" when they execute this one
        nlohmann::json j{{"id", id}, {"action", to_string(s.action)}, {"target", s.target}, {"load_balancer", s.on_lb},
                         {"batch", s.batch}, {"detail", s.detail}};
        nlohmann::json cmds = nlohmann::json::array();
        for (const auto& c : s.commands()) cmds.push_back(c.render());
        j["commands"] = cmds;
        if (auto* wait = s.as<step::Wait>(); wait && wait->limit.count() > 0) j["limit_ms"] = wait->limit.count();
        if (auto* send = s.as<step::Send>(); send && send->transfer)
            j["transfer"] = {{"layers_sent", send->transfer->layers - send->transfer->first},
                             {"layers", send->transfer->layers}, {"bytes", send->transfer->bytes}};
        (back ? undo : steps).push_back(j);
    }
    nlohmann::json now = nlohmann::json::array();
    for (const auto& [h, what] : plan.now) now.push_back({{"host", h}, {"runs", what}});
    return {{"service", plan.service}, {"role", plan.role}, {"tag", plan.tag}, {"image", plan.image_ref},
            {"strategy", config::to_string(plan.strategy)}, {"batches", plan.batches},
            {"observed", plan.observed}, {"now", now},
            {"notes", plan.notes}, {"blockers", plan.blockers}, {"steps", steps}, {"undo", undo}};
}

std::string adoption_advice(const Plan& plan) {
    std::string remove = "stop and remove it yourself (e.g. `docker rm -f NAME` on that host)";
    if (plan.strategy != StrategyType::rolling)
        return "a deploy would collide with it: " + remove + " before the first blue/green deploy (--adopt takes over "
               "only with strategy rolling)";
    return "a deploy would collide with it. To take it over as the previous version (drained from the load balancer, "
           "stopped, renamed " + plan.service + "-" + adopted_version + " and kept for a rollback, removed by the next "
           "successful deploy) run `hoist deploy --adopt`; or " + remove;
}

}  // namespace hoist::deploy
