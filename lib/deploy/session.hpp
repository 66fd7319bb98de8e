#pragma once
/// One `hoist deploy` or `hoist rollback` from start to end: the lock, the hooks, build and push
/// (overlapped with looking at the fleet), the plan, the engine, and the summary of the spec
/// (section 4). The command line calls this and prints what it returns.
#include <chrono>
#include <map>
#include <vector>
#include <string>

#include <nlohmann/json.hpp>

#include "config/pipeline.hpp"
#include "report/output.hpp"
#include "util/secret.hpp"

namespace hoist::deploy {

struct DeployRequest {
    enum class Kind { deploy, rollback };
    Kind kind = Kind::deploy;
    std::string tag;          ///< deploy --tag / rollback --to
    bool skip_build = false;
    bool skip_push = false;
    std::chrono::milliseconds lock_wait{0};
    /// deploy --adopt: a running container hoist did not start that publishes the service's host
    /// port becomes the previous version (drained, stopped, kept for rollback, removed later).
    bool adopt = false;
    /// --roles: the roles this run changes (empty: every role, web included).
    std::vector<std::string> roles;
};

struct DeployOutcome {
    int exit_code = 0;
    std::string message;     ///< the last line for people
    nlohmann::json summary;  ///< the spec's summary object (without "event" and "time")
};

/// Runs a deploy or rollback. Failures on hosts end in the outcome (exit 1/4/130); bad input,
/// a held lock and build/push failures throw hoist::Error with exit 2/3/5 before any host changes,
/// and any other error before the rollout (an SSH failure while taking the lock, reading the
/// history, looking at the fleet) exit 1 saying "nothing was changed".
DeployOutcome run_deploy(const config::Pipeline& p, const DeployRequest& request, report::Output& out);

/// Reads the values of `container.secret_env` from hoist's environment. Throws Error(usage) naming
/// every variable that is not set.
std::map<std::string, Secret> secret_env_values(const config::Pipeline& p);

/// Runs hook commands on this machine in the pipeline's directory with HOIST_SERVICE, HOIST_TAG,
/// HOIST_HOSTS and HOIST_STAGE set; throws Error(code) at the first that exits non-zero.
void run_hooks(const config::Pipeline& p, const std::vector<std::string>& commands, const std::string& phase,
               const std::string& tag, int failure_code, report::Output& out);

}  // namespace hoist::deploy
