#pragma once
/// Host key verification against known_hosts, under the pipeline's `ssh.host_key_checking`:
///   strict      unknown and changed keys are refused, with the fingerprint and the line to add;
///   accept-new  unknown keys are appended (see append_known_host), changed ones refused;
///   off         nothing is refused, and a warning says so on every connection.
/// Runs right after the key exchange, before authentication: nothing, not even a public key, is
/// sent to a host that failed it.
#include <functional>
#include <string>

#include "ssh/session.hpp"
#include "ssh/settings.hpp"

namespace hoist::ssh {

struct HostKeyPolicy {
    HostKeyChecking checking = HostKeyChecking::strict;
    std::string known_hosts;  ///< path, ~ already expanded
};

/// Called with human-readable warnings (accepted new keys, checking off).
using Warn = std::function<void(const std::string&)>;

/// Sets the host key algorithm preference from the key types known for host:port. Call before
/// Session::handshake.
void prefer_known_types(Session& session, const std::string& host, int port, const HostKeyPolicy& policy);

/// Verifies the key the server presented. Throws Error(host_key) with what to do when refused.
void verify_host_key(Session& session, const std::string& host, int port, const HostKeyPolicy& policy,
                     const Warn& warn);

}  // namespace hoist::ssh
