#pragma once
/// Health checks of a new container, through the SSH connection to its host.
///
/// Each probe is an HTTP GET to 127.0.0.1:<port><path> made from the host itself (a direct-tcpip
/// channel), so the check needs no curl on the host and no network path from the controller to
/// the app port. A container that has exited or restarts is found by asking the runtime after a
/// failed probe, so an image that crashes at once fails in about a second, not at the deadline.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "config/pipeline.hpp"
#include "lb/balancer.hpp"
#include "ssh/connection.hpp"

namespace hoist::deploy {

struct HealthTarget {
    std::string runtime = "docker";
    std::string container;  ///< asked about after a failed probe; empty: do not ask
    int port = 0;
};

struct HealthResult {
    bool healthy = false;
    bool interrupted = false;
    int probes = 0;
    std::string reason;               ///< why not healthy, one sentence
    std::vector<std::string> recent;  ///< the last few probe results, oldest first ("HTTP 503: ...")
    std::chrono::milliseconds duration{0};
};

/// Probes until `healthy_threshold` consecutive answers in the expected range, or the deadline, or
/// the container is found dead, or `sleep` reports an interrupt. ssh::Error (host gone) propagates.
/// A target without a port (a role besides web, spec section 6) is probed by `settings.command` run
/// in the container (healthy on exit 0), or without one is healthy when it still runs, never
/// restarted, `running_watch(settings)` after the start.
HealthResult wait_until_healthy(ssh::Connection& connection, const HealthTarget& target,
                                const config::HealthcheckSettings& settings, const lb::Sleeper& sleep);

/// How long a role without an exec probe is watched before it counts as healthy: the deadline's
/// first 5 s.
config::Duration running_watch(const config::HealthcheckSettings& settings);

/// "HTTP 200", "HTTP 503: <first line of the body>", "no answer: connection refused".
std::string describe_probe(const ssh::HttpResponse& r);

}  // namespace hoist::deploy
