#include "ssh/exec_upload.hpp"

#include <algorithm>

#include "remote/files.hpp"
#include "ssh/exec.hpp"
#include "ssh/sftp.hpp"
#include "util/strings.hpp"

namespace hoist::ssh {

void exec_upload(Session& s, const std::string& path_in, std::string_view bytes, int mode, const Deadline& d) {
    std::string what = s.label() + ": upload " + path_in + " (no SFTP on this host: through a command)";
    // commands start in the login directory too, so SFTP's relative paths mean the same here
    std::string path = sftp_path(path_in);
    ExecOptions o;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(d.at - Clock::now());
    o.timeout = std::max(left, std::chrono::milliseconds(1));
    o.input = std::string(bytes);
    ExecResult r = run_command(s, remote::write_stdin_atomically(path, temp_path_beside(path), mode).render(), o);
    if (r.timed_out) throw Error(ErrorKind::timeout, what + ": timed out");
    if (!r.ok()) {
        std::string why = trim(r.err.empty() ? r.out : r.err);
        throw Error(ErrorKind::sftp, what + ": " + (why.empty() ? "exit " + std::to_string(r.exit_code) : why));
    }
}

}  // namespace hoist::ssh
