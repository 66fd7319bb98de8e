#pragma once
/// HAProxy behind hoist, driven through its runtime API (the admin socket on the LB host, reached
/// over SSH with direct-streamlocal) — no reload, ever: a rolling deploy changes server states.
///
/// Servers are named `hoist-<host address with dots as dashes>` (the spec); for blue/green the
/// backend may also hold `hoist-<address>-blue` and `-green` (on the colour ports, usually declared
/// `disabled`), and then a switch is a change of states in one batch of socket commands. Without
/// colour servers the host's one server is re-pointed (`set server ... addr A port P`), also in one
/// batch. A member taken out of the pool goes to `drain` (no new requests, in-flight ones finish);
/// `wait_drained` watches `show stat`'s current sessions; `wait_healthy` waits for HAProxy's own
/// check (`show servers state`: operational state running) of the members put in.
#include <map>
#include <string>
#include <vector>

#include "lb/balancer.hpp"
#include "ssh/connection.hpp"

namespace hoist::lb {

/// "hoist-10-0-1-11" for 10.0.1.11 (IPv6 colons become dashes too).
std::string haproxy_server_name(const std::string& address);

/// One server of the backend as `show servers state` prints it.
struct HaproxyServer {
    std::string name;
    std::string address;
    int port = 0;
    int op_state = 0;     ///< 0 stopped, 1 starting, 2 running, 3 stopping
    int admin_state = 0;  ///< bit flags; 0 = ready (no maintenance, no drain)
    bool ready() const { return admin_state == 0; }
};

/// Parses `show servers state <backend>` (format 1, columns named by its `#` header line).
std::vector<HaproxyServer> parse_servers_state(const std::string& text, const std::string& backend);
/// `show stat` CSV: current sessions (scur) per server of `backend`.
std::map<std::string, int> parse_current_sessions(const std::string& csv, const std::string& backend);

/// The socket commands that turn `servers` into `pool` (empty when nothing changes).
std::vector<std::string> haproxy_commands(const std::string& backend, const std::vector<HaproxyServer>& servers,
                                          const Pool& pool);

struct HaproxySettings {
    std::string backend;
    std::string socket;  ///< path of the admin socket on the LB host
    std::chrono::milliseconds timeout{10000};
};

class HaproxyBalancer : public LoadBalancer {
public:
    HaproxyBalancer(HaproxySettings settings, ssh::Connection& connection, Sleeper sleep);
    std::string name() const override;
    std::optional<Pool> observe() override;
    void apply(const Pool& pool) override;
    void wait_drained(const std::vector<Member>& removed, std::chrono::milliseconds limit) override;
    void wait_healthy(const std::vector<Member>& added, std::chrono::milliseconds limit) override;

private:
    std::string request(const std::string& command);
    std::vector<HaproxyServer> servers();
    /// The server that carries `m` in `servers` ("" when none does).
    std::string server_for(const std::vector<HaproxyServer>& servers, const Member& m) const;
    HaproxySettings m_settings;
    ssh::Connection& m_connection;
    Sleeper m_sleep;
};

}  // namespace hoist::lb
