#pragma once
/// Shell quoting, in one place. Every command run on a host is an argv rendered by `render`.
#include <string>
#include <vector>

namespace hoist::remote {

/// Quotes one word for a POSIX shell: left bare when it only has safe characters, else in single quotes.
std::string quote(const std::string& word);

/// A command to run on a host: an argv, rendered to one shell line. It never holds a secret:
/// secrets travel in files written with mode 0600 over SFTP, or on a command's stdin where a host
/// has no SFTP (see docker.hpp, env files; files.hpp, write_stdin_atomically).
struct Command {
    std::vector<std::string> argv;
    std::string render() const;
    bool operator==(const Command&) const = default;
};

/// Commands joined with " && ".
std::string render_all(const std::vector<Command>& commands);

}  // namespace hoist::remote
