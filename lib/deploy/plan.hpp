#pragma once
/// The deploy plan: what a deploy will do, host by host, step by step.
///
/// Parse -> plan -> execute. `make_plan` is pure: it turns a Pipeline, the tag and the fleet's
/// observed state into steps, each with the exact remote commands (built by lib/remote) and the
/// load-balancer pool it leaves. `hoist plan` prints it; the deploy engine executes the same steps,
/// so what a user reviews is what runs.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/pipeline.hpp"
#include "lb/nginx.hpp"
#include "remote/docker.hpp"

namespace hoist::deploy {

/// What is running on one host before the deploy.
struct ObservedHost {
    std::string version;    ///< tag of the running hoist container, empty: none
    std::string container;  ///< its name
    std::string color;      ///< blue | green | empty (rolling)
};

/// The fleet as observed over SSH before planning. `observed == false`: not looked at (plan offline).
struct FleetState {
    bool observed = false;
    std::map<std::string, ObservedHost> hosts;  ///< by host address
    std::string active_color;                   ///< blue/green: colour in the pool, empty: none
};

enum class Action { check, pull, upload_env, drain, wait, stop, remove, run, health, enable, switch_pool,
                    confirm, record };
std::string to_string(Action a);

struct Step {
    Action action;
    std::string target;  ///< host address, or the load balancer's
    bool on_lb = false;
    int batch = 0;       ///< 0: pre-flight or fleet-wide; 1..n: rolling batch
    std::string detail;  ///< one human sentence
    std::vector<remote::Command> commands;
    std::vector<lb::UpstreamServer> pool;  ///< drain/enable/switch: the pool after this step
    remote::ContainerSpec container;       ///< run: what is started
};

struct Plan {
    std::string service;
    std::string tag;
    std::string image_ref;  ///< image:tag
    config::StrategyType strategy = config::StrategyType::rolling;
    std::string new_color;  ///< blue/green: colour being started
    std::vector<std::vector<std::string>> batches;
    std::vector<Step> steps;
    std::vector<std::string> notes;  ///< warnings and assumptions shown above the steps
};

Plan make_plan(const config::Pipeline& p, const std::string& tag, const FleetState& state);

/// The pool hoist writes for a set of host:port servers with some hosts marked down.
std::vector<lb::UpstreamServer> pool_for(const std::vector<config::Host>& hosts, int port,
                                         const std::vector<std::string>& down);

std::string render_plan(const Plan& plan, const config::Pipeline& p);
nlohmann::json plan_to_json(const Plan& plan);

}  // namespace hoist::deploy
