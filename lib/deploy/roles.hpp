#pragma once
/// Roles besides web (spec section 6) in one deploy or rollback.
///
/// Each role is a rolling deploy of its own (config::role_pipeline: its hosts, no load balancer,
/// its own max_unavailable), planned by make_plan and run by the same engine as the web role. The
/// order: the pre-flight of every role's hosts runs with the web role's pre-flight (so a host that
/// cannot pull stops the deploy before the release command and before any swap), then the release
/// command, the web role, and the other roles one after the other in the file's order. A role
/// shares hosts with web freely: its containers carry their own name and `hoist.role` label.
///
/// One after the other, not at the same time as web: a role that fails then finds the web role
/// already swapped and healthy, and a web role that fails leaves every other role untouched. When a
/// role fails (or a stop is asked), every role already deployed goes back to the version it ran
/// before, through a rollback plan of its own (drained, swapped, health-checked like any rollout).
#include <string>
#include <vector>

#include "config/pipeline.hpp"
#include "deploy/engine.hpp"
#include "deploy/observe.hpp"
#include "deploy/plan.hpp"

namespace hoist::deploy {

/// One role's part of the run.
struct RoleRun {
    config::Pipeline p;  ///< config::role_pipeline
    Observation obs;
    Plan plan;           ///< without its pre-flight, which moved into the web role's plan
    std::map<std::string, Secret> secrets;
    RolloutResult result;
    bool ran = false;
};

/// Moves `role`'s pre-flight steps (pull/send, disk, previous image) into `web`'s pre-flight, before
/// its release command and first swap.
void move_preflight(Plan& role, Plan& web);

/// The version a unit ran before `result` changed it: the previous version most of its changed
/// hosts reported; "" when a changed host ran nothing before (a first deploy).
std::string version_before(const RolloutResult& result);

/// Adds to `into.hosts` those of `hosts` it does not have yet (one connection a host, whatever roles
/// it has).
void add_hosts(config::Pipeline& into, const std::vector<config::Host>& hosts);

/// The pipelines of the roles `selected` names (empty: every role): web (the file itself) first,
/// then config::role_pipeline of each other role in the file's order.
std::vector<config::Pipeline> selected_units(const config::Pipeline& p, const std::vector<std::string>& selected);

/// `--roles`: whether `role` is one of `selected` (empty: every role).
bool role_selected(const std::vector<std::string>& selected, const std::string& role);

/// Checks `--roles` names against the pipeline: throws Error(usage) for a name it does not have.
void check_roles(const config::Pipeline& p, const std::vector<std::string>& selected);

}  // namespace hoist::deploy
