#include "ssh/targets.hpp"

#include <cstdlib>
#include <optional>

#include "ssh/proxy_command.hpp"
#include "ssh/ssh_config.hpp"

namespace hoist::ssh {

namespace {

struct Explicit {
    bool user = false, port = false;
};

Endpoint make_endpoint(const std::string& alias, std::string user, int port, Explicit given, const Settings& p,
                       const std::optional<SshConfig>& cfg, std::vector<JumpSpec>* config_jumps,
                       std::optional<std::string>* config_command) {
    Endpoint ep;
    ep.host = alias;
    ep.user = std::move(user);
    ep.port = port;
    std::vector<std::string> cfg_files;
    if (cfg) {
        SshConfigResult r = cfg->resolve(alias);
        ep.host = r.hostname;
        if (!given.user && r.user) ep.user = *r.user;
        if (!given.port && r.port) ep.port = *r.port;
        cfg_files = r.identity_files;
        if (config_jumps) *config_jumps = r.proxy_jump;
        if (config_command) *config_command = r.proxy_command;
    }
    if (!p.identity_files.empty()) {
        // written in the pipeline: exactly these keys (like IdentitiesOnly), predictable on CI
        ep.use_agent = false;
        for (const auto& f : p.identity_files) ep.identity_files.push_back(expand_identity_path(f, ep.host, ep.user));
    } else if (!cfg_files.empty()) {
        for (const auto& f : cfg_files) ep.identity_files.push_back(expand_identity_path(f, ep.host, ep.user));
    } else {
        for (const char* f : {"~/.ssh/id_ed25519", "~/.ssh/id_ecdsa", "~/.ssh/id_rsa"})
            ep.identity_files.push_back(expand_tilde(f));
        ep.files_optional = true;
    }
    return ep;
}

/// The ProxyCommand of an endpoint's own config block, its tokens filled in from the endpoint.
void set_proxy_command(Endpoint& ep, const std::optional<std::string>& command, const std::string& alias) {
    if (command) ep.proxy_command = expand_proxy_command(*command, {ep.host, ep.port, ep.user, alias});
}

}  // namespace

TargetPlan make_targets(const Settings& p) {
    TargetPlan plan;
    std::optional<SshConfig> cfg;
    if (!p.config.empty()) {
        cfg = SshConfig::load(p.config);
        plan.problems = cfg->problems();
    }
    for (const auto& h : p.hosts) {
        Target t;
        t.name = h.address;
        Explicit given{p.user_written || h.user != p.user, p.port_written || h.port != p.port};
        std::vector<JumpSpec> cfg_jumps;
        std::optional<std::string> cfg_command;
        t.endpoint = make_endpoint(h.address, h.user, h.port, given, p, cfg, &cfg_jumps, &cfg_command);
        std::vector<JumpSpec> chain;
        if (!p.proxy_jump.empty()) {
            // like `ssh -J`: the pipeline's chain replaces the host's ProxyJump and ProxyCommand
            chain = p.proxy_jump;
        } else {
            chain = cfg_jumps;  // ssh_config gives a ProxyJump or a ProxyCommand, never both
            set_proxy_command(t.endpoint, cfg_command, h.address);
        }
        for (const auto& j : chain) {
            // each hop is resolved through ssh_config too, as `ssh -J` does; the first hop's own
            // ProxyCommand is how it is reached (later hops go through the hop before them)
            Explicit hop_given{!j.user.empty(), j.port != 0 && j.port != 22};
            std::optional<std::string> hop_command;
            t.jumps.push_back(make_endpoint(j.host, j.user.empty() ? p.user : j.user, j.port ? j.port : 22,
                                            hop_given, p, cfg, nullptr, &hop_command));
            if (t.jumps.size() == 1) set_proxy_command(t.jumps.back(), hop_command, j.host);
        }
        plan.targets.push_back(std::move(t));
    }
    return plan;
}

ConnectOptions make_connect_options(const Settings& p, Warn warn) {
    ConnectOptions o;
    o.host_keys.checking = p.checking;
    o.host_keys.known_hosts = expand_tilde(p.known_hosts);
    o.connect_timeout = p.connect_timeout;
    if (const char* pass = std::getenv(passphrase_env)) o.passphrase = Secret(pass);
    o.warn = std::move(warn);
    return o;
}

}  // namespace hoist::ssh
