#pragma once
/// Atomic file upload over SFTP: write a temporary file beside the target (created with the final
/// mode, so a secret is never readable by others, not even for a moment), fsync, then
/// posix-rename@openssh.com over the target. A reader sees the old file or the new one, never half.
#include <string>
#include <string_view>

#include "ssh/session.hpp"

namespace hoist::ssh {

/// "~/x" and "x" are relative to the login directory (where SFTP starts); "/x" is absolute.
std::string sftp_path(const std::string& path);

void sftp_upload(Session& session, const std::string& path, std::string_view bytes, int mode,
                 const Deadline& deadline);

}  // namespace hoist::ssh
