#pragma once
/// Pure builders of the file commands hoist runs on hosts: its state directory, the deploy history
/// and the deploy lock. Paths are relative to the login user's home (where ssh starts). Shell
/// syntax that argv cannot express (redirections) goes through `sh -c SCRIPT sh ARGS...`, so every
/// path is still an argument quoted by `Command::render`, never spliced into the script.
#include <string>
#include <vector>

#include "remote/shell.hpp"

namespace hoist::remote {

/// Appends stdin to `path` (its directory created 0700 when missing).
Command append_stdin(const std::string& path);
/// Writes stdin to `path` atomically, for hosts whose sshd offers no SFTP (the upload's exec-channel
/// fallback): missing parents are made 0700, then `temp` (beside `path`, a name nobody else uses) is
/// created exclusively under the umask that gives it `mode` at once, filled from stdin, set to
/// exactly `mode`, fsynced and renamed over `path`. A failure removes `temp` (never a file it did not create) and exits non-zero. The bytes
/// travel on stdin only: the command line holds paths and the mode, never content (secrets).
Command write_stdin_atomically(const std::string& path, const std::string& temp, int mode);
/// Prints `path`; prints nothing (and succeeds) when it does not exist.
Command read_if_exists(const std::string& path);
/// Removes `path` if it exists (succeeds when it does not).
Command remove_file(const std::string& path);
Command remove_files(const std::vector<std::string>& paths);
/// Creates `<dir>/lock` atomically (mkdir) and writes stdin to `<dir>/lock/info.json`. Exit 0: taken;
/// exit 3: someone holds it (their info.json is printed on stdout); anything else: an error.
Command lock_acquire(const std::string& dir);
/// Prints "held" and then the lock's info.json when `<dir>/lock` exists; nothing when it does not.
Command lock_info(const std::string& dir);
/// Removes `<dir>/lock` when its info.json holds `id` (exit 0), or unconditionally when `id` is
/// empty (`hoist lock release`). Exit 3: the lock belongs to someone else (left alone); exit 0 too
/// when there was no lock.
Command lock_release(const std::string& dir, const std::string& id);

}  // namespace hoist::remote
