#pragma once
/// What is running on the fleet before a deploy: hoist's containers on each host (from `docker ps`)
/// and the pool the load balancer has. Parsing is pure; `observe_fleet` does the looking.
///
/// The *live* container of a host is the one the load balancer sends it traffic to: the running
/// container published on the host's pool port. Without a load balancer (or a host hoist has not
/// put in the pool yet) it is the newest running container. Rollback returns each host to its live
/// container, so this is the one definition of "the previous version" on a host.
#include <map>
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
    std::vector<int> published = {};  ///< host ports it publishes (containers without hoist's labels)
    std::string role = "web";         ///< hoist.role (containers from before roles have none: web)
    bool running() const { return state == "running"; }
};

/// The version hoist gives a container it took over with `deploy --adopt` (renamed
/// `<service>-adopted`): it has no hoist.version label. A tag of that name is reserved.
inline constexpr const char* adopted_version = "adopted";

/// Parses `docker ps --all --format '{{json .}}'` (one object a line; podman's shape too).
/// Lines that are not hoist containers of some service are skipped.
/// `service` non-empty: only that service's containers (a listing of every container, e.g. the one
/// observe reads both hoist's containers and the unlabelled ones from).
std::vector<ObservedContainer> parse_container_list(const std::string& out, const std::string& service = {});
/// The containers of `list` of one role.
std::vector<ObservedContainer> of_role(std::vector<ObservedContainer> list, const std::string& role);

/// The containers of the same listing without a hoist.service label (any service), with the
/// host ports they publish (docker's "0.0.0.0:8080->80/tcp, ..." or podman's port objects).
std::vector<ObservedContainer> parse_unlabelled_containers(const std::string& out);

/// What is running on one host before the deploy.
struct ObservedHost {
    std::string version;    ///< tag of the live container, empty: none
    std::string container;  ///< its name
    std::string color;      ///< blue | green | empty
    int port = 0;           ///< the host port it publishes
    std::string image;
    std::vector<ObservedContainer> containers;  ///< every hoist container of the service
    /// Running containers without hoist's labels that publish a port this deploy publishes (the
    /// old deploy script's): the first deploy would collide with them. `--adopt` takes one over.
    std::vector<ObservedContainer> foreign;
    std::string adopt_from;  ///< taken over with --adopt: its name before hoist renames it
    /// registry.direct: the diff-ID list of each image the host holds (nullopt: not looked at)
    std::optional<std::vector<std::vector<std::string>>> layer_lists;
    std::vector<std::string> image_ids;  ///< registry.direct: "sha256:<hex>" of each image it holds
    std::string engine_socket;           ///< registry.direct: the Docker Engine's socket on the host, if known
    bool has(const std::string& name) const;
    const ObservedContainer* find(const std::string& name) const;
};

/// Picks the live container among `containers` for a host whose pool member (if any) is `member`.
ObservedHost live_host(std::vector<ObservedContainer> containers, const lb::Member* member);

/// `deploy --adopt`: on each host whose only foreign container is the one running there, it
/// becomes the live container (the previous version, renamed `<service>-adopted`). Hosts with
/// more than one, or beside a live hoist container, keep theirs in `foreign` (the plan refuses).
void adopt_foreign(std::map<std::string, ObservedHost>& hosts, const std::string& service);

}  // namespace hoist::deploy
