#pragma once
/// From the pipeline's hosts and `ssh:` settings (and ~/.ssh/config when `ssh.config` is set) to
/// connection targets. Precedence, like OpenSSH's command line over its config file: what the
/// pipeline writes explicitly (a host's user/port, ssh.user, ssh.port, ssh.identity_files,
/// ssh.proxy_jump) wins; ssh_config fills in the rest; then hoist's defaults (root, 22, agent then
/// ~/.ssh/id_ed25519, id_ecdsa, id_rsa).
#include <string>
#include <vector>

#include "config/pipeline.hpp"
#include "ssh/connect.hpp"

namespace hoist::ssh {

struct TargetPlan {
    std::vector<Target> targets;      ///< one per pipeline host, same order
    std::vector<std::string> problems;  ///< ssh_config lines hoist ignored, unreadable config
};

TargetPlan targets_from_pipeline(const config::Pipeline& pipeline);

/// Host key policy, timeouts and the key passphrase (from $HOIST_SSH_KEY_PASSPHRASE).
ConnectOptions connect_options_from_pipeline(const config::Pipeline& pipeline, Warn warn);

}  // namespace hoist::ssh
