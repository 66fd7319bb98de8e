#pragma once
/// The deploy engine: executes a Plan on the fleet and, when anything goes wrong, brings every host
/// it changed back to the container that was live before, through the same safe sequence.
///
/// Execution follows the plan's steps in order. Consecutive host steps form a segment that runs on
/// all its hosts at once (each host its own steps in order, bounded by ssh.max_parallel); a load
/// balancer step runs alone. So a rolling batch is: drain (lb) -> wait (lb) -> stop/run/health on
/// the batch's hosts in parallel -> enable (lb); blue/green is: run/health on every host ->
/// switch (lb) -> confirm (lb).
///
/// Undo (on_failure: rollback, or SIGINT/SIGTERM): rolling hosts are restored batch by batch in
/// reverse — drained, the new container removed, the old one started again (it was only stopped,
/// so no registry is needed), health-checked, put back. Blue/green puts the previous pool back in
/// one change (when it had switched) and removes the new colour. Once the pool serves the new colour,
/// stopping the previous one (keep_previous: false) is cleanup: a failure there is a warning, not
/// a reason to switch back to containers already stopped on other hosts. A host that cannot be restored is
/// left out of the pool, never pointed at. The result says which of the spec's exit codes applies:
/// 1 when every host serves its previous version ("nothing was changed" when no host was), 4 when
/// not, or on_failure: halt after a change. An SSH failure on a host makes its state unknown only
/// once a stop or run was sent to it, and a host seen serving its previous version again is known.
#include <chrono>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/pipeline.hpp"
#include "deploy/interrupt.hpp"
#include "deploy/plan.hpp"
#include "lb/balancer.hpp"
#include "report/output.hpp"
#include "ssh/fleet.hpp"
#include "util/error.hpp"
#include "util/secret.hpp"

namespace hoist::deploy {

/// What a deploy left on one host (spec section 4, `hosts[].result`).
enum class HostResult { unchanged, updated, rolled_back, failed };
/// How a deploy or rollback ended (spec section 4, `result`).
enum class Outcome { succeeded, rolled_back, failed };
std::string to_string(HostResult r);
std::string to_string(Outcome o);
std::ostream& operator<<(std::ostream& os, HostResult r);
std::ostream& operator<<(std::ostream& os, Outcome o);

struct StepRecord {
    std::string action;
    std::int64_t duration_ms = 0;
    bool ok = true;
    std::string error;
};

struct HostReport {
    std::string host;
    std::string role = "web";          ///< spec section 6
    HostResult result = HostResult::unchanged;
    std::string version;               ///< what it serves now, as far as hoist knows
    std::string previous_version;
    std::string container;             ///< the container it serves from now
    std::string error;
    std::int64_t duration_ms = 0;
    std::vector<StepRecord> steps;
    std::vector<std::string> health;   ///< last health probes of a failed container
    std::string logs;                  ///< tail of a failed container's logs
    nlohmann::json to_json() const;
};

struct RolloutResult {
    ExitCode code = ExitCode::ok;
    Outcome result = Outcome::succeeded;
    std::string message;               ///< one sentence for the end of the output
    bool interrupted = false;
    bool changed_anything = false;
    std::vector<HostReport> hosts;     ///< every host of the deploy, in the file's order
    lb::Pool pool;                     ///< as hoist left it
    std::int64_t switch_ms = -1;       ///< blue/green: last new container healthy -> pool switched
};

struct EngineEnv {
    ssh::Fleet& fleet;
    lb::LoadBalancer* lb = nullptr;  ///< null: load_balancer.type none
    report::Output& out;
    Pacer& pacer;
    std::map<std::string, Secret> secret_env;  ///< values of container.secret_env, by name
    std::string deploy_id;
    std::string by;                            ///< user@machine for the history
    std::string event = "deploy";              ///< history event: deploy | rollback
};

/// Runs `plan` (made from `state`) and undoes it on failure. Never throws for failures on hosts or
/// the load balancer: they are in the result.
RolloutResult execute(const config::Pipeline& p, const Plan& plan, const FleetState& state, EngineEnv& env);

}  // namespace hoist::deploy
