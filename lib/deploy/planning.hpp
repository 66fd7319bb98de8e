#pragma once
/// What one deploy will run, made from one look at the fleet: the web role's plan (with every other
/// role's pre-flight in it) and each other role's rollout.
///
/// `hoist deploy` (session.cpp) and `hoist plan` both call `observe_units` and `plan_deploy`, the
/// way ninja's `-n` runs the same builder with a runner that does nothing: what `hoist plan` prints
/// is the plan the engine then executes, step for step, not a second rendering of the file. The
/// only difference is the image a registry.direct deploy sends: a deploy builds it first, `plan`
/// sizes the transfers from the local store when the image is already there.
#include <memory>
#include <string>
#include <vector>

#include "config/pipeline.hpp"
#include "deploy/observe.hpp"
#include "deploy/plan.hpp"
#include "lb/balancer.hpp"
#include "oci/docker_archive.hpp"
#include "registry/credentials.hpp"
#include "ssh/fleet.hpp"

namespace hoist::deploy {

/// The fleet as one deploy sees it: the web role's hosts and load balancer, and each other role's
/// hosts (in the order of the role pipelines given).
struct FleetLook {
    Observation web;                 ///< `unreachable` also lists the other roles' hosts that were not reached
    std::vector<Observation> roles;
    bool complete() const { return web.unreachable.empty() && web.lb_error.empty(); }
    /// Every host that was not reached, and why, in one sentence ("h1: why; h2: why").
    std::string unreachable_hosts() const;
    /// unreachable_hosts(), and the load balancer first if it could not be read.
    std::string problems() const;
};

/// `web` with the hosts of every unit as its hosts (the web role's, its Auto Scaling group's or EC2
/// instances' when resolved, then each role's not listed yet): one connection a host, whatever roles
/// it has. The first is the one that holds the deploy lock.
config::Pipeline every_unit_host(const config::Pipeline& web, const std::vector<config::Pipeline>& roles);

/// Looks at every unit, read-only: one `docker ps` a host, all hosts at once, and the load
/// balancer's pool (`lb` may be null). Throws only for what is not a host's answer.
FleetLook observe_units(const config::Pipeline& web, const std::vector<config::Pipeline>& roles, ssh::Fleet& fleet,
                        lb::LoadBalancer* lb);

/// A look that saw nothing (`hoist plan --offline`): every host planned as if it ran nothing.
FleetLook unobserved(const std::vector<config::Pipeline>& roles);

struct PlanRequest {
    std::string tag;
    std::vector<std::string> roles;  ///< --roles (empty: every role)
    bool adopt = false;              ///< deploy --adopt
    bool pull_if_missing = false;    ///< a rollback: the image kept on the host, pulled only when gone
    const registry::Credentials* pull_credentials = nullptr;
    std::shared_ptr<const oci::ArchiveImage> direct_image = nullptr;
};

struct DeployPlans {
    Plan web;                  ///< the web role's, or only the other roles' pre-flight when --roles leaves web out
    std::vector<Plan> roles;   ///< one per role pipeline, without their pre-flight (moved into `web`)
    /// Why the web role must not be deployed (plan.blockers of the web role, even when --roles
    /// leaves it out: a deploy refuses before changing anything).
    std::vector<std::string> blockers;
    std::string advice;        ///< adoption_advice of the web role's plan, when it has blockers
    std::size_t blocked_of = 0;  ///< how many hosts the web role's plan changes, for the blockers' message
};

/// Plans each role of `roles` from its part of `look` and moves its pre-flight into `web`.
std::vector<Plan> plan_roles(Plan& web, const std::vector<config::Pipeline>& roles, const FleetLook& look,
                             const PlanRequest& request);

/// The plans of one deploy. `look` is changed: with `adopt`, the web role's foreign containers
/// become the previous version (adopt_foreign), as the deploy then sees them.
DeployPlans plan_deploy(const config::Pipeline& web, const std::vector<config::Pipeline>& roles, FleetLook& look,
                        const PlanRequest& request);

}  // namespace hoist::deploy
