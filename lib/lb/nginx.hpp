#pragma once
/// nginx behind hoist: the one upstream file hoist owns, and the driver that rewrites it over SSH.
///
/// The file holds only `upstream NAME { server host:port [down]; ... }`. Hosts out of the pool are
/// marked `down` rather than removed, so the block is never empty and `nginx -t` never fails for
/// that reason. A change is one SSH round trip (`apply_command`): the new file is written next to
/// the old one, moved over it, tested with the pipeline's test command and reloaded; when the test
/// fails the previous file is put back, so a refused configuration never stays in force.
#include <optional>
#include <string>

#include "lb/balancer.hpp"
#include "remote/shell.hpp"
#include "ssh/connection.hpp"

namespace hoist::lb {

/// The whole file: a header comment and one `upstream NAME { ... }` block.
std::string render_nginx_upstream(const std::string& service, const std::string& upstream, const Pool& pool);

/// The servers of the upstream block in a file hoist wrote (host, port, down). nullopt when the
/// text has no `upstream NAME` block.
std::optional<Pool> parse_nginx_upstream(const std::string& text, const std::string& upstream);

/// The command that installs stdin as `path`, runs `test_command`, then `reload_command`; on a
/// failed test it restores the previous file and exits 3 with the test's output on stderr.
remote::Command nginx_apply_command(const std::string& path, const std::string& test_command,
                                    const std::string& reload_command);

/// The command that prints how many TCP connections the LB host has established to any of
/// `members` (`ss` filters on destination address and port): nginx's requests in flight to them,
/// since nginx opens an upstream connection per request unless upstream keepalive is configured.
/// nullopt when a member is not an IP address (ss cannot filter on names). Exits 127 without `ss`.
std::optional<remote::Command> nginx_connections_command(const std::vector<Member>& members);
/// The LB host's established connections to `members`, one line per connection: the peer
/// address:port as `ss` prints it (nullopt as above).
std::optional<remote::Command> nginx_connections_per_member_command(const std::vector<Member>& members);
/// How many of `ss`'s peer lines (`nginx_connections_per_member_command`'s output) go to `m`.
int connections_to(const std::string& ss_peers, const Member& m);

struct NginxSettings {
    std::string service;
    std::string upstream;
    std::string config_path;
    std::string test_command = "nginx -t";
    std::string reload_command = "nginx -s reload";
    std::chrono::milliseconds command_timeout{60000};
};

/// The driver: reads and writes the owned file on the LB host through `connection`.
class NginxBalancer : public LoadBalancer {
public:
    NginxBalancer(NginxSettings settings, ssh::Connection& connection, Sleeper sleep);
    std::string name() const override;
    std::optional<Pool> observe() override;
    void apply(const Pool& pool) override;
    /// nginx itself cannot say when a server has no requests left, so this watches the LB host's
    /// connections to the removed members (`wait_drained_each`'s looks, every 100 ms) and returns
    /// once each has none on two looks in a row, at most after `limit` (drain_time). Without
    /// `ss`, or for members named by host name, or when upstream keepalive keeps idle connections
    /// open, it waits the whole limit, as a plain sleep would.
    void wait_drained(const std::vector<Member>& removed, std::chrono::milliseconds limit) override;
    /// The same watch, member by member: one look counts the connections per member
    /// (`nginx_connections_per_member_command`), and a member with none on two looks in a row is
    /// told at once.
    void wait_drained_each(const std::vector<Member>& removed, std::chrono::milliseconds limit,
                           const std::function<void(const Member&)>& drained) override;
    /// nginx has no active health checks in the open-source build: returns at once.
    void wait_healthy(const std::vector<Member>& added, std::chrono::milliseconds limit) override;

private:
    NginxSettings m_settings;
    ssh::Connection& m_connection;
    Sleeper m_sleep;
};

}  // namespace hoist::lb
