#include "deploy/connect.hpp"

namespace hoist::deploy {

namespace {
ssh::HostKeyChecking checking(config::HostKeyChecking c) {
    switch (c) {
        case config::HostKeyChecking::strict: return ssh::HostKeyChecking::strict;
        case config::HostKeyChecking::accept_new: return ssh::HostKeyChecking::accept_new;
        case config::HostKeyChecking::off: return ssh::HostKeyChecking::off;
    }
    return ssh::HostKeyChecking::strict;
}

/// A path the file wrote relative to itself (not absolute, not ~/...).
std::string beside(const config::Pipeline& p, const std::string& path) {
    if (path.empty() || path[0] == '/' || path[0] == '~') return path;
    return p.directory + "/" + path;
}
}  // namespace

ssh::Settings ssh_settings(const config::Pipeline& p) {
    ssh::Settings s;
    for (const auto& h : p.hosts) s.hosts.push_back({h.address, h.user, h.port});
    s.user = p.ssh.user;
    s.port = p.ssh.port;
    s.user_written = p.where("ssh.user").known();
    s.port_written = p.where("ssh.port").known();
    s.identity_files = p.ssh.identity_files;
    for (const auto& j : p.ssh.proxy_jump) s.proxy_jump.push_back({j.user, j.address, j.port});
    s.config = beside(p, p.ssh.config);
    s.known_hosts = beside(p, p.ssh.known_hosts);
    s.checking = checking(p.ssh.host_key_checking);
    s.connect_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(p.ssh.connect_timeout);
    s.max_parallel = p.ssh.max_parallel;
    return s;
}

std::unique_ptr<ssh::Fleet> connect_fleet(const config::Pipeline& p, ssh::Warn warn) {
    return ssh::Fleet::connect(ssh_settings(p), std::move(warn));
}

}  // namespace hoist::deploy
