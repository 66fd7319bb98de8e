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

Endpoint make_endpoint(const std::string& alias, std::string user, int port, Explicit given, const config::Pipeline& p,
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
    if (!p.ssh.identity_files.empty()) {
        // written in the pipeline: exactly these keys (like IdentitiesOnly), predictable on CI
        ep.use_agent = false;
        for (const auto& f : p.ssh.identity_files) ep.identity_files.push_back(expand_identity_path(f, ep.host, ep.user));
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

TargetPlan targets_from_pipeline(const config::Pipeline& p) {
    TargetPlan plan;
    std::optional<SshConfig> cfg;
    if (!p.ssh.config.empty()) {
        std::string path = p.ssh.config;
        if (path[0] != '/' && path[0] != '~') path = p.directory + "/" + path;
        cfg = SshConfig::load(path);
        plan.problems = cfg->problems();
    }
    bool ssh_user_written = p.where("ssh.user").known();
    bool ssh_port_written = p.where("ssh.port").known();
    for (const auto& h : p.hosts) {
        Target t;
        t.name = h.address;
        Explicit given{ssh_user_written || h.user != p.ssh.user, ssh_port_written || h.port != p.ssh.port};
        std::vector<JumpSpec> cfg_jumps;
        std::optional<std::string> cfg_command;
        t.endpoint = make_endpoint(h.address, h.user, h.port, given, p, cfg, &cfg_jumps, &cfg_command);
        std::vector<JumpSpec> chain;
        if (!p.ssh.proxy_jump.empty()) {
            // like `ssh -J`: the pipeline's chain replaces the host's ProxyJump and ProxyCommand
            for (const auto& j : p.ssh.proxy_jump) chain.push_back({j.user, j.address, j.port});
        } else {
            chain = cfg_jumps;  // ssh_config gives a ProxyJump or a ProxyCommand, never both
            set_proxy_command(t.endpoint, cfg_command, h.address);
        }
        for (const auto& j : chain) {
            // each hop is resolved through ssh_config too, as `ssh -J` does; the first hop's own
            // ProxyCommand is how it is reached (later hops go through the hop before them)
            Explicit hop_given{!j.user.empty(), j.port != 0 && j.port != 22};
            std::optional<std::string> hop_command;
            t.jumps.push_back(make_endpoint(j.host, j.user.empty() ? p.ssh.user : j.user, j.port ? j.port : 22,
                                            hop_given, p, cfg, nullptr, &hop_command));
            if (t.jumps.size() == 1) set_proxy_command(t.jumps.back(), hop_command, j.host);
        }
        plan.targets.push_back(std::move(t));
    }
    return plan;
}

ConnectOptions connect_options_from_pipeline(const config::Pipeline& p, Warn warn) {
    ConnectOptions o;
    o.host_keys.checking = p.ssh.host_key_checking;
    std::string kh = p.ssh.known_hosts;
    if (!kh.empty() && kh[0] != '/' && kh[0] != '~') kh = p.directory + "/" + kh;
    o.host_keys.known_hosts = expand_tilde(kh);
    o.connect_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(p.ssh.connect_timeout);
    if (const char* pass = std::getenv(passphrase_env)) o.passphrase = Secret(pass);
    o.warn = std::move(warn);
    return o;
}

}  // namespace hoist::ssh
