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
#include <variant>
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

/// What a step does, with every parameter it needs: the engine is a visit over these (engine.cpp),
/// `hoist plan` prints them, and nothing is read again from the pipeline or worked out from a
/// step's words. The step's Action names it (events, plan ids); its kind says how it runs.
namespace step {
/// What a step's commands read on stdin: a secret, never in a command line or the plan.
enum class Input { none, pull_auth };  ///< pull_auth: Plan::pull_auth
/// Commands on the host, in order (check, pull, remove). `tolerate_missing`: a runtime's "no such
/// container" is success (removing what is already gone).
struct Exec {
    std::vector<remote::Command> commands;
    Input input = Input::none;
    bool tolerate_missing = false;
};
/// Free space where the runtime keeps images (`disk`): the command prints KiB, exit 3 when the
/// runtime does not answer (remote::disk_free_kib); below `min_mib` the host is refused.
struct DiskCheck {
    remote::Command command;
    int min_mib = 0;
};
/// Stops the live container (`stop`; a take-over renames it first). From here the host is changed.
/// It waits for its own member's drain when the batch's drain is watched. After a blue/green switch
/// a failure is a warning: no traffic reaches it any more.
struct Stop {
    std::vector<remote::Command> commands;
};
/// Starts the new container (`run`): the command and what it starts.
struct Start {
    remote::Command command;
    remote::ContainerSpec container;
};
/// Writes the container's secret env file, mode 0600 (`env`): the values come from hoist's
/// environment (EngineEnv::secret_env), never from the plan.
struct WriteEnv {
    std::string path;
};
/// Waits until a container is healthy (`health`): `container` "" and `port` 0 are the one the
/// host's Start step started; a switch back names an existing one.
struct Probe {
    std::string container;
    int port = 0;
    config::HealthcheckSettings check;  ///< the role's healthcheck: what, how often, how long
};
/// A container already healthy still is (`verify`): one good answer in `attempts` tries on `port`,
/// or (port 0, a role without one) still running, not restarted.
struct Verify {
    int port = 0;
    config::HealthcheckSettings check;  ///< path, expected answers, interval between tries, timeout
    int attempts = 3;
};
/// The release command, once, in a one-off container of the new image (`release`); its output is
/// streamed with the secret values masked, the env file removed after.
struct Release {
    remote::Command command;
    remote::ContainerSpec container;
};
/// registry.direct: streams the layers [transfer.first, layers) of Plan::direct_image into the
/// host's runtime through `command` (`send`); nullopt: the image is not built yet (`hoist plan`).
struct Send {
    remote::Command command;  ///< the CLI's load, when the Engine API is not known or not reachable
    std::optional<Transfer> transfer;
    std::string engine_socket;  ///< the host's Docker Engine socket, as its look named it ("" = none)
};
/// The load balancer's pool becomes `pool` (`drain`, `enable`, `switch`). `commands`: what the
/// driver runs for it, where it runs commands (nginx); runtime-API and AWS calls are named by the
/// detail. `healthy_within` > 0: then wait that long at most for the balancer's own health checks
/// of what joined (an enable or a switch: healthcheck.deadline; a drain: 0).
struct PoolChange {
    lb::Pool pool;
    std::string why;  ///< the reason alone (detail adds the pool)
    std::vector<remote::Command> commands;
    std::chrono::milliseconds healthy_within{0};
};
/// The load balancer serves the pool hoist wrote (`confirm`).
struct Confirm {};
/// `wait` at most `limit`: on the load balancer until what left the pool has no requests in flight
/// (drain_time), on hoist a plain pause between batches.
struct Wait {
    std::chrono::milliseconds limit{0};
};
/// The result goes to the host's history (`record`), after the deploy either way; on success with
/// the prune of what is no longer kept.
struct Record {};
/// Undo only (`restore`): the new container removed (stopped when it existed before), the previous
/// one started again and health-checked (Plan::undo).
struct Restore {
    std::vector<remote::Command> commands;
    config::HealthcheckSettings check;  ///< the previous container's health check
};
using Kind = std::variant<Exec, DiskCheck, Stop, Start, WriteEnv, Probe, Verify, Release, Send, PoolChange, Confirm,
                          Wait, Record, Restore>;
}  // namespace step

struct Step {
    Action action;
    std::string target;  ///< host address, or the load balancer's
    bool on_lb = false;
    int batch = 0;       ///< 0: pre-flight or fleet-wide; 1..n: rolling batch; readmit_batch
    std::string detail;  ///< one human sentence
    step::Kind what;
    /// What a failed command of this step means for the deploy, said before its output ("" : the
    /// output is the reason). The engine never works it out from the command's words.
    std::string failure = {};

    /// The step's kind when it is a K, else nullptr.
    template <class K>
    const K* as() const { return std::get_if<K>(&what); }
    template <class K>
    K* as() { return std::get_if<K>(&what); }
    /// The remote commands the step runs as the plan shows them (none for probes, waits, records).
    std::vector<remote::Command> commands() const;
    /// The pool after a pool change; empty for every other step.
    lb::Pool pool() const;
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

/// The container a deploy of `tag` starts for the pipeline's role: name, image, labels, env, secret
/// env file, volumes, options, command. `color` "" for rolling; `host_port` the port it publishes.
/// The one definition the planner, `hoist run` and the launch template's user data share.
remote::ContainerSpec container_spec(const config::Pipeline& p, const std::string& tag, const std::string& image_ref,
                                     const std::string& color, int host_port);

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
