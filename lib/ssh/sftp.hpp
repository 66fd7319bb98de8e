#pragma once
/// Atomic file upload over SFTP: write a temporary file beside the target (created with the final
/// mode, so a secret is never readable by others, not even for a moment), fsync, then
/// posix-rename@openssh.com over the target. A reader sees the old file or the new one, never half.
/// Hosts whose sshd offers no SFTP (hardened images remove `Subsystem sftp`) get the same upload
/// over an exec channel instead (exec_upload.hpp); LiveConnection decides which.
#include <string>
#include <string_view>

#include "ssh/session.hpp"

namespace hoist::ssh {

/// "~/x" and "x" are relative to the login directory (where SFTP and commands start); "/x" is absolute.
std::string sftp_path(const std::string& path);

/// A fresh temporary name beside `path` (same directory, so the rename is atomic):
/// "<dir>/.<name>.hoist-<12 random hex digits>".
std::string temp_path_beside(const std::string& path);

/// Uploads over SFTP. Returns false, having changed nothing on the host, when the server refuses
/// the SFTP subsystem; throws Error for any other failure.
bool sftp_upload(Session& session, const std::string& path, std::string_view bytes, int mode,
                 const Deadline& deadline);

}  // namespace hoist::ssh
