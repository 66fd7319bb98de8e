#pragma once
/// The upload for hosts whose sshd offers no SFTP (hardened images remove `Subsystem sftp`): the
/// same atomic write as sftp.hpp (a temporary file beside the target, born with the final mode,
/// fsync, rename), done by a shell command on a plain exec channel with the bytes on its stdin.
/// The command line holds the path, the temporary name and the mode, never the content, so a
/// secret is no more visible in the host's process list than over SFTP.
#include <string>
#include <string_view>

#include "ssh/session.hpp"

namespace hoist::ssh {

/// Throws Error(sftp) naming the host and path when the command fails (its stderr says why),
/// Error(timeout) when it does not end by `deadline`.
void exec_upload(Session& session, const std::string& path, std::string_view bytes, int mode,
                 const Deadline& deadline);

}  // namespace hoist::ssh
