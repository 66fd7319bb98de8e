#pragma once
/// Looking at the fleet: every host's hoist containers (one `docker ps` each, all hosts at once)
/// and the load balancer's pool, turned into the FleetState the planner works from.
#include <map>
#include <string>
#include <vector>

#include "config/pipeline.hpp"
#include "deploy/plan.hpp"
#include "lb/balancer.hpp"
#include "ssh/fleet.hpp"

namespace hoist::deploy {

struct Observation {
    FleetState state;
    std::map<std::string, std::string> unreachable;  ///< host -> why
    std::string lb_error;                            ///< the load balancer could not be read
};

/// Observes `hosts` (addresses of the pipeline) and the load balancer (may be null).
Observation observe_fleet(const config::Pipeline& p, ssh::Fleet& fleet, const std::vector<std::string>& hosts,
                          lb::LoadBalancer* lb);

/// The colour most live containers have, "" when none has one.
std::string majority_color(const FleetState& state);

/// The output of remote::image_layer_lists: the images' IDs ("sha256:<hex>", also for podman,
/// which prints bare hex) and one diff-ID list per image; malformed lines are skipped.
struct HostImages {
    std::vector<std::string> ids;
    std::vector<std::vector<std::string>> layer_lists;
    /// The Docker Engine's unix socket on the host ("" when the host named none, or a tcp:// one).
    std::string engine_socket;
};
HostImages parse_layer_lists(const std::string& out);

}  // namespace hoist::deploy
