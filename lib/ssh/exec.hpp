#pragma once
/// Running one command on a session channel: stdout and stderr apart, streamed as they arrive,
/// stdin fed from memory, and a timeout that always ends it.
///
/// On timeout the command's process group is signalled through the channel (sshd delivers a
/// "signal" request with killpg, and every no-pty command is its own process group, so children
/// die too): TERM, then KILL after 2 s. A host that does not even answer that within 1 s more is
/// considered gone: the session is marked broken and the result says timed_out.
#include <string>

#include "ssh/connection.hpp"
#include "ssh/session.hpp"

namespace hoist::ssh {

/// How much of each stream the result keeps (`on_output` still sees everything): the host decides
/// how much it sends, and `hoist logs -f` may run for hours.
constexpr std::size_t max_captured_output = 16 << 20;

/// Throws Error(disconnected) when the connection drops mid-command. A channel that ends without
/// closing cleanly has an unknown status (exit_code -1), never a success.
ExecResult run_command(Session& session, const std::string& command_line, const ExecOptions& options);

/// Signal number of an SSH signal name ("TERM" -> 15), 0 when unknown.
int signal_number(const std::string& name);

}  // namespace hoist::ssh
