#pragma once
/// ProxyCommand: a local program whose stdin and stdout are the connection to the SSH server
/// (`ssh -W %h:%p bastion`, `socat - TCP:%h:%p`, `aws ssm start-session ...`). libssh2 needs a
/// socket, so the program gets one end of a socket pair as its stdin and stdout and the session
/// runs on the other end, exactly as it runs on a TCP socket or on a jump tunnel's socket pair:
/// the handshake, the host key check against known_hosts and authentication do not change.
///
/// The program runs as OpenSSH runs it (`/bin/sh -c "exec COMMAND"`, hoist's environment), with
/// three differences that matter to a deploy tool:
/// - it gets a process group of its own, so the terminal's Ctrl-C reaches hoist only and the
///   connections stay up while hoist undoes a half-done deploy; hoist ends the group (TERM, then
///   KILL) when the connection closes;
/// - its stderr is kept (the last 4 KiB), so a failure says what the program said ("exited with
///   status 255: ssh: connect to host bastion port 22: Connection refused") instead of a bare
///   "banner exchange failed";
/// - the connect timeout covers it: a program that starts but never connects (an SSM session
///   that never opens) fails the handshake at `ssh.connect_timeout`.
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "ssh/socket.hpp"

namespace hoist::ssh {

/// What the tokens of a ProxyCommand stand for (ssh_config(5): %h %p %r %n %%).
struct ProxyTokens {
    std::string host;   ///< %h: the host name after HostName
    int port = 22;      ///< %p
    std::string user;   ///< %r: the remote user
    std::string alias;  ///< %n: the name as given, before HostName
};

/// The first token ssh_config(5) does not define for ProxyCommand ("%x", or "%" at the end), if any.
std::optional<std::string> unknown_proxy_token(const std::string& command);

/// The command with its tokens replaced (unknown ones are left as written; see unknown_proxy_token).
std::string expand_proxy_command(const std::string& command, const ProxyTokens& tokens);

/// A running ProxyCommand. Move-only; ending it (destructor) closes nothing but the process: the
/// session's socket is owned by the session.
class ProxyProcess {
public:
    /// Starts `/bin/sh -c "exec COMMAND"` with `child_end` as its stdin and stdout. Throws
    /// Error(connect) when it cannot be started.
    ProxyProcess(const std::string& command, Socket child_end);
    ProxyProcess(const ProxyProcess&) = delete;
    ProxyProcess& operator=(const ProxyProcess&) = delete;
    /// TERM to the process group, up to 1 s for it to go, then KILL; reaps the child.
    ~ProxyProcess();

    const std::string& command() const { return m_command; }
    /// Waits up to `grace` for the program to exit, then describes it for an error message:
    /// "ProxyCommand `CMD` exited with status 1: <its stderr>" or "... is still running; ...".
    /// Called after the connection failed, when its exit usually comes a moment later than the EOF.
    std::string describe(std::chrono::milliseconds grace);
    /// Exited (reaped) yet? Non-blocking.
    bool exited();

private:
    void read_stderr(int fd);
    std::string stderr_tail();

    std::string m_command;
    pid_t m_pid = -1;
    int m_status = 0;         ///< exit status; valid once m_exited
    int m_signal = 0;         ///< the signal that ended it, if one did
    bool m_exited = false;    ///< seen exited (with WNOWAIT: reaped only by the destructor)
    std::atomic<bool> m_stop{false};
    std::mutex m_mutex;       ///< guards m_stderr (written by the reader thread)
    std::string m_stderr;     ///< the last 4 KiB the program wrote to its stderr
    std::thread m_reader;     ///< reads stderr until EOF (the program and its children are gone)
};

/// A socket connected to the stdio of `command`, and the process behind it (to keep alive as long
/// as the session runs on the socket).
std::pair<Socket, std::unique_ptr<ProxyProcess>> start_proxy_command(const std::string& command);

}  // namespace hoist::ssh
