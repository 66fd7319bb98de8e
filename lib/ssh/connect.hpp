#pragma once
/// Making real connections: where a host is (Target), how to trust and log in (ConnectOptions),
/// and the Connector that opens libssh2 sessions — directly or through a chain of jump hosts, whose
/// tunnels it shares between all targets behind the same chain.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ssh/auth.hpp"
#include "ssh/connection.hpp"
#include "ssh/host_key.hpp"

namespace hoist::ssh {

class JumpTunnel;

/// One SSH server to log in to: address, port, user and the keys to offer.
struct Endpoint {
    std::string host;
    int port = 22;
    std::string user;
    bool use_agent = true;
    std::vector<std::string> identity_files;  ///< expanded paths
    bool files_optional = false;              ///< the default key files: missing ones are not reported
    /// ssh_config's ProxyCommand with its tokens expanded: run instead of a TCP connect when this
    /// is the first hop (a later hop is reached through the tunnel before it, as with `ssh -J`).
    std::string proxy_command;
    /// "user@host:port"
    std::string label() const { return user + "@" + host + ":" + std::to_string(port); }
};

/// A host of the fleet: its name in the pipeline, where to connect, and the jump hosts in between
/// (outermost first).
struct Target {
    std::string name;
    Endpoint endpoint;
    std::vector<Endpoint> jumps;
};

struct ConnectOptions {
    HostKeyPolicy host_keys;
    std::chrono::milliseconds connect_timeout{10000};  ///< per hop: TCP connect, handshake, auth
    Secret passphrase;                                  ///< for encrypted key files
    Warn warn;                                          ///< accepted keys, checking off
};

/// Opens connections; thread-safe. Must outlive the connections it made.
class Connector {
public:
    explicit Connector(ConnectOptions options);
    ~Connector();
    /// Connects, verifies the host key (and every jump host's), authenticates. Throws Error.
    std::unique_ptr<Connection> connect(const Target& target);

    const ConnectOptions& options() const { return m_options; }

private:
    friend class LiveConnection;
    std::shared_ptr<JumpTunnel> tunnel_for(const std::vector<Endpoint>& chain);
    ConnectOptions m_options;
    std::mutex m_mutex;  ///< guards m_tunnels; held while a tunnel is being built (once per chain)
    std::map<std::string, std::shared_ptr<JumpTunnel>> m_tunnels;
};

/// Direct TCP to `endpoint`, through `via`, or through the endpoint's ProxyCommand; then handshake,
/// host key check, authentication. When a ProxyCommand's connection fails, the error ends with what
/// the program did and said ("...; ProxyCommand `CMD` exited with status 255: <stderr>").
Session establish(const Endpoint& endpoint, JumpTunnel* via, const ConnectOptions& options);

}  // namespace hoist::ssh
