#pragma once
// Internal to lib/deploy: the state of one execution, shared by the forward path (engine.cpp) and
// the undo path (undo.cpp). Not part of the library's interface.
#include <chrono>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "deploy/engine.hpp"
#include "deploy/health.hpp"
#include "deploy/history.hpp"

namespace hoist::deploy {

/// What the engine did to one host so far (what undo has to reverse).
struct Progress {
    bool touched = false;      ///< the previous container was stopped (or a stop was attempted)
    bool new_started = false;  ///< `run` of the new container was attempted
    bool healthy = false;      ///< the new container passed its health check
    bool unreachable = false;  ///< an SSH error: the host's state is unknown
    std::string new_container;
    bool new_existing = false;  ///< the "new" container existed before (rollback to an adopted one): stop, never remove
};

class Executor {
public:
    Executor(const config::Pipeline& p, const Plan& plan, const FleetState& state, EngineEnv& env);
    RolloutResult run();

private:
    using Clock = std::chrono::steady_clock;

    // forward (engine.cpp)
    bool run_host_segment(std::size_t from, std::size_t to);
    bool run_host_step(const std::string& host, ssh::Connection& c, const Step& s);
    bool run_lb_step(const Step& s);
    /// Writes `change.pool` to the load balancer as the step `a` (drain, enable or switch: what
    /// the step event is called), then waits for the balancer's own health checks of what joined
    /// as long as the change says. `step`: the plan step it executes (-1: none).
    bool apply_pool(const step::PoolChange& change, Action a, int step);
    /// Waits until what just left the pool has no requests in flight, at most `limit` (a wait
    /// step's: drain_time). When the load balancer cannot be watched (unreachable mid-drain), it
    /// waits the whole limit.
    void drain(std::chrono::milliseconds limit);
    /// Rolling: the drain (`wait`, at `wait_index`) watched on its own thread while the batch's
    /// host segment [from, to) runs; each host's stop waits only until its own member has nothing
    /// in flight (lb::LoadBalancer::wait_drained_each), so one slow request holds one host, not
    /// the batch. The same hosts are out of the pool as with a whole-batch wait.
    bool run_drain_with_segment(std::size_t wait_index, std::size_t from, std::size_t to);
    /// A host's stop waits here for its member's drain; false when interrupted.
    bool wait_until_drained(const std::string& host);
    void finish_success();
    void prune(const std::string& host, ssh::Connection& c);
    void record_history();
    /// The history line of one host, from its report.
    HistoryEntry history_entry(const std::string& host);

    // undo (undo.cpp)
    void undo();
    void undo_rolling();
    void reenable_untouched();
    void undo_blue_green();
    void halt();
    /// Removes the new container and starts the previous one; true when the host serves it again.
    bool restore_host(const std::string& host, ssh::Connection& c);
    void remove_new_containers(const std::vector<std::string>& hosts);
    void conclude_undo();

    // helpers
    ssh::ExecResult exec(ssh::Connection& c, const remote::Command& cmd, const std::string& input = "");
    void fail(const std::string& host, const std::string& message);
    /// The host's line of the live table on a terminal (nothing elsewhere).
    void table(const std::string& host, const std::string& text);
    /// One executed step: a line for people and a `step` event. `step`: the index of the plan
    /// step it executes (the event's "step", as in plan_to_json's "id"); -1 for what the plan does
    /// not list (the connection, an undo's steps, which carry "undo": true).
    void note_step(const std::string& host, const std::string& action, Clock::time_point start, bool ok,
                   const std::string& error, const std::string& detail, int step = -1);
    /// The index of `s` in the plan (s is one of m_plan.steps).
    int index_of(const Step& s) const { return static_cast<int>(&s - m_plan.steps.data()); }
    /// The id of the plan's undo step (Plan::undo) the undo is running: `host` "" for the load
    /// balancer's; `batch` -2 for any. -1 if the plan lists none.
    int undo_id(Action a, const std::string& host, int batch = -2) const;
    /// The plan's undo step with the id `id` (undo_id), nullptr for -1.
    const Step* undo_step(int id) const {
        return id < 0 ? nullptr : &m_plan.undo.at(static_cast<std::size_t>(id) - m_plan.steps.size());
    }
    /// The undo's change of the pool to `pool`, as its planned step `id` says, and writes it.
    /// Without a planned step (on_failure: halt) it waits for what joins as a plan's enable would.
    bool undo_pool(Action a, int id, lb::Pool pool, const std::string& why);
    /// The plan's record step of `host`, -1 if none.
    int record_step(const std::string& host) const;
    void collect_diagnostics(const std::string& host, ssh::Connection& c, const std::string& container);
    /// The env file of secret_env values; false with `why` when one is unset or unfit.
    bool env_file_text(std::string& text, std::string& why) const;
    /// The release command in the new image; its output streamed and masked. False with `why`.
    bool run_release(const std::string& host, ssh::Connection& c, const step::Release& step, std::string& why);
    /// registry.direct: streams the step's layers into the host's runtime; false with `why`.
    bool send_image(const std::string& host, ssh::Connection& c, const step::Send& step, std::string& why);
    const ObservedHost* previous(const std::string& host) const;
    std::string runtime() const { return config::to_string(m_p.container.runtime); }
    HostReport& report(const std::string& host);
    std::vector<std::string> touched_hosts() const;

    const config::Pipeline& m_p;
    const Plan& m_plan;
    const FleetState& m_state;
    EngineEnv& m_env;
    std::mutex m_mutex;  ///< guards reports, progress, failures and output from host threads
    std::map<std::string, HostReport> m_reports;
    std::map<std::string, Progress> m_progress;
    lb::Pool m_pool;                    ///< as the load balancer has it now (as far as hoist knows)
    std::vector<lb::Member> m_last_removed;
    bool m_switched = false;            ///< blue/green: the pool points at the new colour
    /// The drain a batch's hosts are waiting on (run_drain_with_segment), or none.
    struct DrainWatch {
        std::mutex mutex;
        std::condition_variable cv;
        std::set<std::string> pending;  ///< hosts whose member may still have requests in flight
        Clock::time_point deadline;     ///< a backstop: the watch ends by itself before this
    };
    DrainWatch* m_drain_watch = nullptr;
    bool m_history_recorded = false;    ///< finish_success wrote every host's history line
    bool m_lb_failed = false;           ///< the load balancer refused a change
    bool m_pool_unsure = false;         ///< a change failed midway: the LB may hold it or the one before
    std::string m_failure;              ///< the first failure, one sentence
    std::set<std::string> m_failed_hosts;
    bool m_interrupted = false;
    std::atomic<bool> m_undoing{false};  ///< steps from here on are the undo's, not the plan's
    Clock::time_point m_last_healthy{};
    RolloutResult m_result;
};

}  // namespace hoist::deploy
