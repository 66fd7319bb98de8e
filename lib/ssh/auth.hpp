#pragma once
/// Public key authentication: ssh-agent identities (libssh2's agent API), then key files (ed25519,
/// ecdsa, RSA signed with rsa-sha2-256/512, which OpenSSH >= 8.8 requires; encrypted keys with a
/// passphrase). On failure the error lists every key tried and what happened to it.
#include <optional>
#include <string>
#include <vector>

#include "ssh/session.hpp"
#include "util/secret.hpp"

namespace hoist::ssh {

struct AuthOptions {
    std::string user;
    bool use_agent = true;                    ///< try the identities of $SSH_AUTH_SOCK first
    std::vector<std::string> identity_files;  ///< tried in order, paths expanded
    bool files_optional = false;              ///< default files: a missing one is not worth mentioning
    Secret passphrase;                        ///< for encrypted key files; empty: none
};

/// The environment variable holding the passphrase of encrypted key files.
/// (The pipeline will name its own variable; until then this one is read.)
inline constexpr const char* passphrase_env = "HOIST_SSH_KEY_PASSPHRASE";

/// Authenticates or throws Error(auth) listing what was tried, e.g.
/// "deploy@10.0.1.11:22: authentication failed; tried: agent ssh-ed25519 'me@laptop' (refused),
///  /root/.ssh/id_rsa (encrypted: set HOIST_SSH_KEY_PASSPHRASE)".
void authenticate(Session& session, const AuthOptions& options, const Deadline& deadline);

}  // namespace hoist::ssh
