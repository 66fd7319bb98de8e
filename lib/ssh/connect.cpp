#include "ssh/connect.hpp"

#include "ssh/jump.hpp"
#include "ssh/live_connection.hpp"

namespace hoist::ssh {

Session establish(const Endpoint& ep, JumpTunnel* via, const ConnectOptions& o) {
    Deadline d = Deadline::in(o.connect_timeout);
    Socket sock = via ? via->open(ep.host, ep.port, d) : tcp_connect(ep.host, ep.port, d);
    Session s(std::move(sock), ep.label());
    try {
        prefer_known_types(s, ep.host, ep.port, o.host_keys);
        s.handshake(d);
        verify_host_key(s, ep.host, ep.port, o.host_keys, o.warn);
        AuthOptions a;
        a.user = ep.user;
        a.use_agent = ep.use_agent;
        a.identity_files = ep.identity_files;
        a.files_optional = ep.files_optional;
        a.passphrase = o.passphrase;
        authenticate(s, a, d);
    } catch (const Error& e) {
        s.mark_broken();  // no polite goodbye to a host we refused or that timed out
        if (e.kind() == ErrorKind::timeout)
            throw Error(ErrorKind::timeout, std::string(e.what()) + " (ssh.connect_timeout " +
                                                std::to_string(o.connect_timeout.count() / 1000.0).substr(0, 4) + " s)");
        throw;
    }
    return s;
}

Connector::Connector(ConnectOptions options) : m_options(std::move(options)) { init_library(); }

Connector::~Connector() = default;

std::shared_ptr<JumpTunnel> Connector::tunnel_for(const std::vector<Endpoint>& chain) {
    if (chain.empty()) return nullptr;
    std::lock_guard<std::mutex> lock(m_mutex);
    std::shared_ptr<JumpTunnel> parent;
    std::string key;
    for (const auto& hop : chain) {
        key += hop.label() + ">";
        auto& slot = m_tunnels[key];
        if (!slot || !slot->alive()) {
            try {
                slot = std::make_shared<JumpTunnel>(establish(hop, parent.get(), m_options), parent);
            } catch (const Error& e) {
                slot.reset();
                throw Error(e.kind(), std::string("jump host ") + e.what());
            }
        }
        parent = slot;
    }
    return parent;
}

std::unique_ptr<Connection> Connector::connect(const Target& t) {
    auto via = tunnel_for(t.jumps);
    Session s = establish(t.endpoint, via.get(), m_options);
    return std::make_unique<LiveConnection>(*this, t, std::move(s), std::move(via));
}

}  // namespace hoist::ssh
