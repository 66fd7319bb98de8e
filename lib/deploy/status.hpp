#pragma once
/// `hoist status`: what every host of every selected role runs now, whether its live container is
/// healthy (probed through the SSH connection as a deploy probes it; a role besides web: running,
/// not restarting) and whether the load balancer sends it traffic. Read-only.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/pipeline.hpp"
#include "deploy/state.hpp"
#include "lb/balancer.hpp"
#include "ssh/fleet.hpp"

namespace hoist::deploy {

struct HostStatus {
    std::string host;
    std::string role = "web";
    std::string error;       ///< not reached: why (the rest is empty)
    ObservedHost observed;   ///< its live container and every container of the service
    std::string health;      ///< healthy | running | unhealthy (...) | not running (...) | unknown | -
    std::string pool = "-";  ///< "in pool :8080", "down :8080", "not in pool", "-": no load balancer
    /// Counts against the command: not reached, or a live container that is not healthy/running.
    bool bad() const { return !error.empty() || (health != "healthy" && health != "running" && health != "-"); }
};

/// Looks at `units` (selected_units: web first, then each role's pipeline) on `fleet`, and at the
/// load balancer (may be null) for the web role. A load balancer that cannot be read goes to `warn`.
std::vector<HostStatus> fleet_status(const std::vector<config::Pipeline>& units, ssh::Fleet& fleet,
                                     lb::LoadBalancer* lb, const std::function<void(const std::string&)>& warn);

}  // namespace hoist::deploy
