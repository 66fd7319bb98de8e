#pragma once
/// What the ssh layer needs to reach a fleet, and nothing else of a pipeline: the hosts and the
/// `ssh:` settings, with paths already resolved against the pipeline's directory. lib/deploy builds
/// it from a config::Pipeline (deploy/connect.hpp); ssh never sees the pipeline.
#include <chrono>
#include <string>
#include <vector>

#include "ssh/ssh_config.hpp"

namespace hoist::ssh {

/// `ssh.host_key_checking`:
///   strict      unknown and changed keys are refused, with the fingerprint and the line to add;
///   accept-new  unknown keys are appended, changed ones refused;
///   off         nothing is refused, and a warning says so on every connection.
enum class HostKeyChecking { strict, accept_new, off };

struct HostSpec {
    std::string address;  ///< as the pipeline names it (also the Target's name)
    std::string user;
    int port = 22;
};

struct Settings {
    std::vector<HostSpec> hosts;
    std::string user = "root";  ///< ssh.user
    int port = 22;              ///< ssh.port
    /// ssh.user / ssh.port written in the file: they win over ssh_config like `ssh -l`/`-p` do
    bool user_written = false, port_written = false;
    std::vector<std::string> identity_files;  ///< as written; empty: agent, then the default key files
    std::vector<JumpSpec> proxy_jump;         ///< ssh.proxy_jump, outermost first (port 22 when not given)
    std::string config;                       ///< ssh_config path (resolved), empty: not used
    std::string known_hosts;                  ///< path, relative ones resolved (~ not yet expanded)
    HostKeyChecking checking = HostKeyChecking::strict;
    std::chrono::milliseconds connect_timeout{10000};
    int max_parallel = 64;
};

}  // namespace hoist::ssh
