#pragma once
/// From the hosts and `ssh:` settings (ssh/settings.hpp; and ~/.ssh/config when `ssh.config` is set)
/// to connection targets. Precedence, like OpenSSH's command line over its config file: what the
/// pipeline writes explicitly (a host's user/port, ssh.user, ssh.port, ssh.identity_files,
/// ssh.proxy_jump) wins; ssh_config fills in the rest; then hoist's defaults (root, 22, agent then
/// ~/.ssh/id_ed25519, id_ecdsa, id_rsa).
#include <string>
#include <vector>

#include "ssh/connect.hpp"
#include "ssh/settings.hpp"

namespace hoist::ssh {

struct TargetPlan {
    std::vector<Target> targets;      ///< one per host of the settings, same order
    std::vector<std::string> problems;  ///< ssh_config lines hoist ignored, unreadable config
};

TargetPlan make_targets(const Settings& settings);

/// Host key policy, timeouts and the key passphrase (from $HOIST_SSH_KEY_PASSPHRASE).
ConnectOptions make_connect_options(const Settings& settings, Warn warn);

}  // namespace hoist::ssh
