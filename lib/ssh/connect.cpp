#include "ssh/connect.hpp"

#include "ssh/jump.hpp"
#include "ssh/live_connection.hpp"
#include "ssh/proxy_command.hpp"

#include <tuple>

namespace hoist::ssh {

Session establish(const Endpoint& ep, JumpTunnel* via, const ConnectOptions& o) {
    Deadline d = Deadline::in(o.connect_timeout);
    Socket sock;
    std::unique_ptr<ProxyProcess> proxy;
    if (via) sock = via->open(ep.host, ep.port, d);
    else if (!ep.proxy_command.empty()) std::tie(sock, proxy) = start_proxy_command(ep.proxy_command);
    else sock = tcp_connect(ep.host, ep.port, d);
    Session s(std::move(sock), ep.label());
    if (proxy) s.attach_proxy(std::move(proxy));
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
        std::string message = e.what();
        ErrorKind kind = e.kind();
        if (kind == ErrorKind::timeout)
            message += " (ssh.connect_timeout " + std::to_string(o.connect_timeout.count() / 1000.0).substr(0, 4) + " s)";
        if (ProxyProcess* p = s.proxy(); p && kind != ErrorKind::host_key && kind != ErrorKind::auth) {
            // The program's own words say why ("Connection refused", "TargetNotConnected") where
            // libssh2 only saw the stream end. Asked before the socket is shut down below, which
            // would end the program for reasons of our own; a timeout does not wait for it.
            message += "; " + p->describe(kind == ErrorKind::timeout ? std::chrono::milliseconds(0)
                                                                      : std::chrono::milliseconds(1000));
            if (p->exited()) kind = ErrorKind::connect;
        }
        s.mark_broken();  // no polite goodbye to a host we refused or that timed out
        throw Error(kind, message);
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
        key += hop.label() + (hop.proxy_command.empty() ? "" : " via `" + hop.proxy_command + "`") + ">";
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
