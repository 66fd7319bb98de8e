#pragma once
/// The one interface the deploy engine uses for every load balancer (nginx, haproxy, alb).
///
/// The engine thinks in pools: for each host of the pipeline, the port the load balancer should
/// send it traffic on and whether it should get traffic at all. A driver makes the load balancer
/// match a pool (`apply`), reads back what it has (`observe`), and waits for the two things that
/// take time on real load balancers: in-flight requests to leave a member that was taken out
/// (`wait_drained`), and the load balancer's own health checks to accept a member that was put in
/// (`wait_healthy`). How a driver realises a pool is its business: nginx rewrites the upstream file
/// and reloads; HAProxy changes server states through its admin socket; an ALB registers and
/// deregisters targets, or switches a listener between two target groups (blue/green).
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "util/error.hpp"

namespace hoist::lb {

/// One host of the pool.
struct Member {
    std::string host;        ///< the pipeline's host address
    int port = 0;            ///< where the app answers on that host (host_port, or a colour's port)
    bool enabled = true;     ///< false: kept known to the load balancer but given no new requests
    std::string instance_id; ///< EC2 instance id when known (ALB instance targets); empty otherwise
    bool operator==(const Member& o) const { return host == o.host && port == o.port && enabled == o.enabled; }
};

using Pool = std::vector<Member>;

/// "10.0.1.11:8080, 10.0.1.12:8080 (down)" for plans and logs.
std::string describe(const Pool& pool);

/// The members of `after` that take traffic there but did not in `before` (new or moved port).
std::vector<Member> added_members(const Pool& before, const Pool& after);
/// The members of `before` that took traffic there and do not in `after` (gone, disabled or moved).
std::vector<Member> removed_members(const Pool& before, const Pool& after);

/// A load balancer could not be changed or read. The message says which and why.
class Error : public hoist::Failure {
public:
    explicit Error(const std::string& message) : hoist::Failure(message) {}
    /// `kept_previous`: the change was refused and the previous configuration is known to be in
    /// force (e.g. `nginx -t` refused the file and the old one was put back). Otherwise a failed
    /// change may or may not have landed.
    Error(const std::string& message, bool kept_previous) : hoist::Failure(message), m_kept(kept_previous) {}
    bool kept_previous() const { return m_kept; }

private:
    bool m_kept = false;
};

class LoadBalancer {
public:
    virtual ~LoadBalancer() = default;
    /// "nginx on 10.0.0.5 (upstream web)" for messages.
    virtual std::string name() const = 0;
    /// The pool as the load balancer has it now; nullopt when hoist has not configured it yet.
    virtual std::optional<Pool> observe() = 0;
    /// Makes the load balancer route new requests to exactly the enabled members of `pool`.
    /// Returns once new requests follow the pool. Throws lb::Error, leaving the previous
    /// configuration in force when the new one was refused.
    virtual void apply(const Pool& pool) = 0;
    /// Waits until `removed` have no requests in flight, at most `limit` (nginx cannot tell, so it
    /// waits the whole `limit`).
    virtual void wait_drained(const std::vector<Member>& removed, std::chrono::milliseconds limit) = 0;
    /// `wait_drained`, telling each member as soon as it alone has nothing in flight
    /// (`drained(member)`, called from the waiting thread), so that a rollout can stop a host
    /// while another of its batch still finishes a slow request. Every member is told exactly
    /// once, at the latest when `limit` passes or the wait is interrupted. Drivers that can only
    /// tell the whole set (this default) tell every member when `wait_drained` returns.
    virtual void wait_drained_each(const std::vector<Member>& removed, std::chrono::milliseconds limit,
                                   const std::function<void(const Member&)>& drained) {
        wait_drained(removed, limit);
        for (const auto& m : removed) drained(m);
    }
    /// Waits until the load balancer's own health checks pass for `added`, at most `limit`.
    /// Throws lb::Error when they do not. Drivers without health checks return at once.
    virtual void wait_healthy(const std::vector<Member>& added, std::chrono::milliseconds limit) = 0;
};

/// Sleeps for a duration unless interrupted; returns false when interrupted. The engine passes one
/// that wakes on SIGINT/SIGTERM, unit tests one that records instead of sleeping.
using Sleeper = std::function<bool(std::chrono::milliseconds)>;

}  // namespace hoist::lb
