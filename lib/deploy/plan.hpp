#pragma once
/// The deploy plan: what a deploy will do, host by host, step by step.
///
/// Parse -> plan -> execute. `make_plan` is pure: it turns a Pipeline, the tag and the fleet's
/// observed state into steps, each with the exact remote commands (built by lib/remote) and the
/// load-balancer pool it leaves. `hoist plan` prints it; the deploy engine executes the same steps,
/// so what a user reviews is what runs.
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/pipeline.hpp"
#include "deploy/state.hpp"
#include "lb/balancer.hpp"
#include "oci/docker_archive.hpp"
#include "registry/credentials.hpp"
#include "remote/docker.hpp"

namespace hoist::deploy {

/// The fleet as observed over SSH before planning. `observed == false`: not looked at (plan offline).
struct FleetState {
    bool observed = false;
    std::map<std::string, ObservedHost> hosts;  ///< by host address
    std::string active_color;                   ///< blue/green: colour in the pool, empty: none
    std::optional<lb::Pool> pool;               ///< as the load balancer has it; nullopt: unknown/none
};

enum class Action { check, pull, send, release, disk, upload_env, verify, drain, wait, stop, remove, run, health, enable,
                    switch_pool, confirm, record, restore };
std::string to_string(Action a);

/// Pre-flight refuses a host with less free space than this where its runtime keeps images.
extern const int min_free_mib;

/// registry.direct: what a `send` step streams to its host (oci/docker_archive.hpp).
struct Transfer {
    std::size_t first = 0;   ///< layers [first, layers) are sent; the host has the ones below
    std::size_t layers = 0;
    std::int64_t bytes = 0;  ///< layer bytes on the wire
};

struct Step {
    Action action;
    std::string target;  ///< host address, or the load balancer's
    bool on_lb = false;
    int batch = 0;       ///< 0: pre-flight or fleet-wide; 1..n: rolling batch; readmit_batch
    std::string detail;  ///< one human sentence
    std::vector<remote::Command> commands;
    lb::Pool pool;                         ///< drain/enable/switch: the pool after this step
    remote::ContainerSpec container;       ///< run: what is started
    std::string why = {};                  ///< drain/enable/switch: the reason alone (detail adds the pool)
    /// What a failed command of this step means for the deploy, said before its output ("" : the
    /// output is the reason). The engine never works it out from the command's words.
    std::string failure = {};
    std::optional<Transfer> transfer = {};  ///< send: the layers this host gets
    /// What the step's commands read on stdin (a secret, never in a command line or the plan).
    enum class Input { none, pull_auth } input = Input::none;  ///< pull_auth: Plan::pull_auth
    /// wait: how long at most (lb: the drain's bound, drain_time; hoist: the pause between batches)
    std::chrono::milliseconds limit{0};
};

/// Step::batch of the steps that put back hosts already on the tag but out of the pool (a deploy
/// killed after their swap left them there).
inline constexpr int readmit_batch = -1;

struct Plan {
    std::string service;
    std::string role = "web";  ///< the role whose containers the steps change (spec section 6)
    std::string tag;
    std::string image_ref;  ///< image:tag
    config::StrategyType strategy = config::StrategyType::rolling;
    std::string new_color;  ///< blue/green: colour being started
    std::vector<std::vector<std::string>> batches;
    std::vector<Step> steps;
    /// The way back when a step fails (on_failure: rollback) or a stop is asked (engine.hpp): every
    /// step the undo may run, in its order. Rolling: the hosts taken out but not changed yet go back,
    /// then each batch from the last: out of the pool again, drained, restored (the new container
    /// removed, the previous one started and health-checked), back in; blue/green: the pool switched
    /// back, the new colour removed; then whatever hoist cannot vouch for leaves the pool. The undo
    /// runs the steps of what was changed only: a batch never reached is skipped. Their ids follow
    /// the steps' (plan_to_json: "undo"; a step event's "step" with "undo": true).
    std::vector<Step> undo;
    std::vector<std::string> notes;  ///< warnings and assumptions shown above the steps
    /// Why this plan must not run (a container hoist did not start holds a port the deploy needs);
    /// a deploy stops before changing anything and prints `adoption_advice`.
    std::vector<std::string> blockers;
    std::vector<std::string> hosts;      ///< the hosts this deploy changes, in rollout order
    std::vector<std::string> unchanged;  ///< hosts already running the tag: left alone
    lb::Pool initial_pool;               ///< the pool before the first change (every host of the file)
    bool observed = false;               ///< made from a look at the fleet (FleetState::observed)
    /// observed: what each host of the file runs now, in the file's order (host, live container
    /// and version, "" : nothing of this service)
    std::vector<std::pair<std::string, std::string>> now;
    int new_port = 0;                    ///< host port of the new containers
    bool has_lb = false;
    /// The config.json document each host's pull reads on stdin (registry::host_auth_document);
    /// empty: pulls are anonymous. Never printed: plan_to_json and render_plan leave it out.
    Secret pull_auth;
    /// registry.direct: the image the send steps stream (nullptr: not built yet, `hoist plan`).
    std::shared_ptr<const oci::ArchiveImage> direct_image;
};

struct PlanOptions {
    bool pull_if_missing = false;  ///< rollbacks: use the image kept on the host, pull only when it is gone
    /// What the hosts pull with: the push's credentials (deploy::pipeline_credentials), owned by
    /// the caller. nullptr: the pipeline's registry settings when it has some, else anonymous.
    const registry::Credentials* pull_credentials = nullptr;
    /// registry.direct: the image from the local store (nullptr: not built yet).
    std::shared_ptr<const oci::ArchiveImage> direct_image = nullptr;
};

Plan make_plan(const config::Pipeline& p, const std::string& tag, const FleetState& state,
               const PlanOptions& options = {});

/// Rollback to containers that still run: when every host keeps the previous version running
/// beside the live one (blue/green with keep_previous, or a rolling container left by a switch to
/// blue/green), going back is one health probe of each and one switch of the pool.
/// `targets`: per host address, the container to switch to.
Plan make_switch_back_plan(const config::Pipeline& p, const FleetState& state,
                           const std::map<std::string, ObservedContainer>& targets);

/// The pool before a deploy: the load balancer's members where it has them, corrected by what runs:
/// each host's live container's port, and no traffic to a host that runs nothing.
lb::Pool starting_pool(const config::Pipeline& p, const FleetState& state);
/// `pool` with `hosts` disabled (drain) or enabled on `port` (port 0: keep theirs).
lb::Pool with_hosts(lb::Pool pool, const std::vector<std::string>& hosts, bool enabled, int port = 0);

std::string render_plan(const Plan& plan, const config::Pipeline& p);
/// What to do about the plan's blockers: `hoist deploy --adopt` (rolling), or remove the container.
std::string adoption_advice(const Plan& plan);
nlohmann::json plan_to_json(const Plan& plan);

}  // namespace hoist::deploy
