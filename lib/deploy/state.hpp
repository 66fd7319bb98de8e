#pragma once
/// What is running on the fleet before a deploy: hoist's containers on each host (from `docker ps`)
/// and the pool the load balancer has. Parsing is pure; `observe_fleet` does the looking.
///
/// The *live* container of a host is the one the load balancer sends it traffic to: the running
/// container published on the host's pool port. Without a load balancer (or a host hoist has not
/// put in the pool yet) it is the newest running container. Rollback returns each host to its live
/// container, so this is the one definition of "the previous version" on a host.
#include <optional>
#include <string>
#include <vector>

#include "lb/balancer.hpp"

namespace hoist::deploy {

/// One hoist container of the service on a host.
struct ObservedContainer {
    std::string name;
    std::string version;  ///< hoist.version
    std::string color;    ///< hoist.color, empty for rolling containers
    std::string state;    ///< running, exited, created, restarting, ...
    std::string image;
    int port = 0;         ///< hoist.port: the host port it publishes
    std::string created;  ///< sortable creation time as the runtime prints it
    bool running() const { return state == "running"; }
};

/// Parses `docker ps --all --format '{{json .}}'` (one object a line; podman's shape too).
/// Lines that are not hoist containers of some service are skipped.
std::vector<ObservedContainer> parse_container_list(const std::string& out);

/// What is running on one host before the deploy.
struct ObservedHost {
    std::string version;    ///< tag of the live container, empty: none
    std::string container;  ///< its name
    std::string color;      ///< blue | green | empty
    int port = 0;           ///< the host port it publishes
    std::string image;
    std::vector<ObservedContainer> containers;  ///< every hoist container of the service
    bool has(const std::string& name) const;
    const ObservedContainer* find(const std::string& name) const;
};

/// Picks the live container among `containers` for a host whose pool member (if any) is `member`.
ObservedHost live_host(std::vector<ObservedContainer> containers, const lb::Member* member);

}  // namespace hoist::deploy
