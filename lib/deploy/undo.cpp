// The way back: after a failure (on_failure: rollback) or SIGINT/SIGTERM, every host the deploy
// changed returns to the container that was live before, through the same drain -> swap -> health
// -> enable sequence as the rollout; with on_failure: halt, hoist stops where it is and only makes
// sure the pool points at healthy containers. Waits here are not interruptible (Pacer::undoing).
#include <algorithm>

#include "deploy/executor.hpp"
#include "remote/docker.hpp"
#include "util/strings.hpp"

namespace hoist::deploy {

namespace {
bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}
}  // namespace

bool Executor::undo_pool(Action a, int id, lb::Pool pool, const std::string& why) {
    step::PoolChange change;
    if (const Step* planned = undo_step(id); planned && planned->as<step::PoolChange>())
        change = *planned->as<step::PoolChange>();
    else if (a != Action::drain)
        change.healthy_within = m_p.healthcheck.deadline;
    change.pool = std::move(pool);
    change.why = why;
    return apply_pool(change, a, id);
}

void Executor::undo() {
    m_env.pacer.set_undoing(true);
    m_undoing = true;
    if (m_interrupted) {
        m_env.out.warning("interrupted: no new work is started; putting the fleet and the load balancer back");
        m_env.out.event("interrupted", {{"message", "putting the fleet and the load balancer back"}});
    }
    // With nothing changed there is nothing to halt at: both ways only put the pool back, and the
    // result is the pre-flight failure it is (exit 1), not a fleet left for a person (exit 4).
    bool rollback = m_p.strategy.on_failure == config::OnFailure::rollback || m_interrupted ||
                    !m_result.changed_anything;
    if (!rollback) {
        halt();
        return;
    }
    m_lb_failed = false;  // from here on it counts only when putting things back fails
    if (m_result.changed_anything) {
        m_env.out.info("rolling back " + join(touched_hosts(), ", ") + " to the previous version");
        m_env.out.event("rollback_started", {{"hosts", touched_hosts()}});
    }
    // Always: a host may be out of the pool without having been changed yet.
    if (m_plan.strategy == config::StrategyType::rolling) undo_rolling();
    else undo_blue_green();
    conclude_undo();
}

bool Executor::restore_host(const std::string& host, ssh::Connection& c) {
    Progress pr;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        pr = m_progress[host];
    }
    auto t0 = Clock::now();
    const int id = undo_id(Action::restore, host);
    auto fail_here = [&](const std::string& why) {
        table(host, "FAILED restore: " + why);
        note_step(host, "restore", t0, false, why, "", id);
        std::lock_guard<std::mutex> lock(m_mutex);
        auto& r = m_reports[host];
        r.result = HostResult::failed;
        if (r.error.empty()) r.error = why;
        m_failed_hosts.insert(host);
        return false;
    };
    if (pr.new_started && !pr.new_container.empty()) {
        auto r = exec(c, pr.new_existing ? remote::stop(runtime(), pr.new_container, m_p.container.stop_timeout)
                                         : remote::remove(runtime(), pr.new_container));
        if (!r.ok() && to_lower(r.err).find("no such container") == std::string::npos)
            return fail_here("cannot remove " + pr.new_container + ": " + trim(r.err));
    }
    const ObservedHost* prev = previous(host);
    if (!prev) {
        note_step(host, "restore", t0, true, "", "removed the new container; nothing ran here before", id);
        std::lock_guard<std::mutex> lock(m_mutex);
        m_progress[host].unreachable = false;  // reached again, and its state is known
        auto& r = m_reports[host];
        r.result = HostResult::rolled_back;
        r.version = "";
        r.container = "";
        return true;
    }
    auto st = exec(c, remote::start(runtime(), prev->container));
    if (!st.ok()) return fail_here("cannot start " + prev->container + " again: " + trim(st.err));
    const Step* planned = undo_step(id);
    const auto& check = planned && planned->as<step::Restore>() ? planned->as<step::Restore>()->check : m_p.healthcheck;
    auto h = wait_until_healthy(c, {runtime(), prev->container, prev->port}, check, m_env.pacer.sleeper());
    if (!h.healthy) return fail_here(prev->container + " (the previous version) " + h.reason);
    note_step(host, "restore", t0, true, "", prev->container + " (" + prev->version + ") serves again", id);
    table(host, "rolled back to " + prev->version);
    std::lock_guard<std::mutex> lock(m_mutex);
    // an SSH failure during the rollout made its state unknown; now it is seen serving again
    m_progress[host].unreachable = false;
    auto& r = m_reports[host];
    if (r.result != HostResult::failed) r.result = HostResult::rolled_back;
    r.version = prev->version;
    r.container = prev->container;
    return true;
}

void Executor::reenable_untouched() {
    // Hosts taken out of the pool but not yet changed (the batch in flight when a stop came) go
    // back first: they still run their live container, and every host serving helps while the
    // changed ones are restored.
    auto touched = touched_hosts();
    lb::Pool pool = m_pool;
    std::vector<std::string> back;
    for (const auto& h : m_plan.hosts) {
        const ObservedHost* prev = previous(h);
        if (contains(touched, h) || !prev || m_progress[h].unreachable) continue;
        for (const auto& m : pool)
            if (m.host == h && !m.enabled) back.push_back(h);
        pool = with_hosts(pool, {h}, true, prev->port);
    }
    if (m_env.lb && pool != m_pool)
        undo_pool(Action::enable, undo_id(Action::enable, "", 0), pool, "put " + join(back, ", ") + " back (not changed yet)");
}

void Executor::undo_rolling() {
    reenable_untouched();
    auto touched = touched_hosts();
    for (auto b = m_plan.batches.rbegin(); b != m_plan.batches.rend(); ++b) {
        const int batch = static_cast<int>(m_plan.batches.rend() - b);  // 1-based, as Step::batch
        std::vector<std::string> hosts;
        for (const auto& h : *b)
            if (contains(touched, h)) hosts.push_back(h);
        if (hosts.empty()) continue;
        lb::Pool drained = with_hosts(m_pool, hosts, false);
        if (m_env.lb && drained != m_pool) {
            if (!undo_pool(Action::drain, undo_id(Action::drain, "", batch), drained, "take " + join(hosts, ", ") + " out again"))
                return;
            auto t0 = Clock::now();
            const int wait = undo_id(Action::wait, "", batch);
            const Step* planned = undo_step(wait);
            drain(planned && planned->as<step::Wait>() ? planned->as<step::Wait>()->limit : m_p.load_balancer.drain_time);
            note_step("", "wait", t0, true, "", "until no request is in flight to what left the pool", wait);
        }
        auto outcomes = m_env.fleet.each<bool>(
            [&](const std::string& host, ssh::Connection& c) { return restore_host(host, c); }, hosts);
        lb::Pool back = m_pool;
        for (const auto& o : outcomes) {
            if (!o.ok()) {
                std::lock_guard<std::mutex> lock(m_mutex);
                auto& r = m_reports[o.host];
                r.result = HostResult::failed;
                r.error = r.error.empty() ? o.error : r.error + "; then: " + o.error;
                m_failed_hosts.insert(o.host);
                m_progress[o.host].unreachable = true;
                continue;
            }
            const ObservedHost* prev = previous(o.host);
            if (*o.value && prev) back = with_hosts(back, {o.host}, true, prev->port);
        }
        if (back != m_pool && !undo_pool(Action::enable, undo_id(Action::enable, "", batch), back,
                                         "put " + join(hosts, ", ") + " back on the previous version"))
            return;
    }
}

void Executor::remove_new_containers(const std::vector<std::string>& hosts) {
    if (hosts.empty()) return;
    auto outcomes = m_env.fleet.each<bool>(
        [&](const std::string& host, ssh::Connection& c) {
            std::string name;
            {
                std::lock_guard<std::mutex> lock(m_mutex);
                name = m_progress[host].new_container;
            }
            auto t0 = Clock::now();
            auto r = exec(c, remote::remove(runtime(), name));
            bool ok = r.ok() || to_lower(r.err).find("no such container") != std::string::npos;
            note_step(host, "remove", t0, ok, ok ? "" : trim(r.err), "removed " + name, undo_id(Action::remove, host));
            std::lock_guard<std::mutex> lock(m_mutex);
            // the previous colour was never stopped (stops come after the switch): with the new
            // one gone, the host serves what it served before, even if SSH failed on it earlier
            if (ok && !m_progress[host].touched) m_progress[host].unreachable = false;
            auto& rep = m_reports[host];
            if (rep.result != HostResult::failed) rep.result = HostResult::rolled_back;
            return ok;
        },
        hosts);
    for (const auto& o : outcomes)
        if (!o.ok()) {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_reports[o.host].result = HostResult::failed;
            if (m_reports[o.host].error.empty()) m_reports[o.host].error = o.error;
            m_failed_hosts.insert(o.host);
            m_progress[o.host].unreachable = true;
        }
}

void Executor::undo_blue_green() {
    if (m_switched && !undo_pool(Action::switch_pool, undo_id(Action::switch_pool, ""), m_plan.initial_pool,
                                 "switch back to the previous colour"))
        return;
    std::vector<std::string> started;
    for (const auto& h : touched_hosts())
        if (m_progress[h].new_started) started.push_back(h);
    remove_new_containers(started);
}

void Executor::halt() {
    // Stop where we are; only make sure no traffic goes to a container that failed.
    std::vector<std::string> healthy, bad;
    for (const auto& h : touched_hosts()) {
        const Progress& pr = m_progress[h];
        (pr.healthy && !pr.unreachable ? healthy : bad).push_back(h);
        auto& r = m_reports[h];
        if (pr.healthy) {
            r.result = HostResult::updated;
            r.version = m_plan.tag;
            r.container = pr.new_container;
        } else {
            r.result = HostResult::failed;
        }
    }
    if (m_plan.strategy == config::StrategyType::rolling) {
        reenable_untouched();
        lb::Pool pool = with_hosts(with_hosts(m_pool, healthy, true, m_plan.new_port), bad, false);
        if (pool != m_pool) undo_pool(Action::enable, -1, pool, "halt: only healthy containers in the pool");
    }
    m_result.code = ExitCode::inconsistent;
    m_result.result = Outcome::failed;
    m_result.message = "halted after: " + m_failure + ". " + std::to_string(healthy.size()) + " hosts run " +
                       m_plan.tag + "; " + (bad.empty() ? "" : join(bad, ", ") + " are out of the pool; ") +
                       "a person must look (on_failure: halt)";
}

void Executor::conclude_undo() {
    // Any host we could not vouch for leaves the pool: its state is unknown.
    std::vector<std::string> unknown;
    for (const auto& [h, pr] : m_progress)
        if (pr.unreachable || m_reports[h].result == HostResult::failed) unknown.push_back(h);
    lb::Pool pool = with_hosts(m_pool, unknown, false);
    if (m_env.lb && pool != m_pool)
        undo_pool(Action::drain, undo_id(Action::drain, "", 0), pool, "take " + join(unknown, ", ") + " out: state unknown");
    // a change that failed midway may have landed: write the pool hoist vouches for once more
    else if (m_env.lb && m_pool_unsure)
        undo_pool(Action::drain, undo_id(Action::drain, "", 0), pool,
                  "put the pool back as it was (the last change failed midway)");

    bool consistent = unknown.empty() && !m_lb_failed;
    for (const auto& [h, r] : m_reports)
        if (r.result == HostResult::failed) consistent = false;
    std::string what = m_failure.empty() ? "interrupted" : m_failure;
    if (consistent) {
        m_result.code = m_interrupted ? ExitCode::interrupted : ExitCode::rolled_back;
        m_result.result = m_result.changed_anything ? Outcome::rolled_back : Outcome::failed;
        m_result.message = (m_result.changed_anything ? "rolled back: " : "nothing was changed: ") + what +
                           ". Every host serves the version it served before";
    } else {
        m_result.code = ExitCode::inconsistent;
        m_result.result = Outcome::failed;
        std::string hosts;
        for (const auto& h : m_p.hosts) {
            if (!m_reports.count(h.address)) continue;
            const auto& r = m_reports[h.address];
            hosts += (hosts.empty() ? "" : "; ") + h.address + ": " +
                     (r.result == HostResult::failed ? "UNKNOWN/FAILED (out of the pool)" : r.version.empty() ? "nothing" : r.version);
        }
        std::string lb_state = m_lb_failed ? "; the load balancer could not be put back and may hold a pool hoist "
                                             "cannot vouch for"
                                           : "";
        m_result.message = what + ". The fleet could not be brought back to one version (" + hosts + ")" +
                           lb_state + ": a person must look";
    }
}

}  // namespace hoist::deploy
