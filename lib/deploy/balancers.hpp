#pragma once
/// The pipeline's load balancer as a driver: where it is, how hoist reaches it, which driver.
/// nginx and HAProxy live on a host reached over SSH with the pipeline's ssh settings (or this
/// machine for `host: local`); an ALB is reached through the AWS API.
#include <memory>

#include "config/pipeline.hpp"
#include "lb/balancer.hpp"
#include "ssh/fleet.hpp"

namespace hoist::deploy {

/// Owns the driver and whatever connects it.
struct LoadBalancerHandle {
    std::unique_ptr<ssh::Fleet> fleet;             ///< the LB host's connection (nginx, haproxy)
    std::unique_ptr<ssh::Connection> connection;   ///< the proxy the driver talks through
    std::unique_ptr<lb::LoadBalancer> driver;      ///< null for type: none
    lb::LoadBalancer* get() const { return driver.get(); }
};

/// Throws hoist::Error(usage) for a load balancer this build cannot drive.
LoadBalancerHandle make_load_balancer(const config::Pipeline& p, lb::Sleeper sleep, ssh::Warn warn);

}  // namespace hoist::deploy
