#pragma once
/// A move-only file descriptor, and the TCP connect every SSH session starts with.
#include <string>
#include <utility>

#include "ssh/wait.hpp"

namespace hoist::ssh {

/// Owns one file descriptor; closes it on destruction.
class Socket {
public:
    Socket() = default;
    explicit Socket(int fd) : m_fd(fd) {}
    Socket(Socket&& o) noexcept : m_fd(std::exchange(o.m_fd, -1)) {}
    Socket& operator=(Socket&& o) noexcept;
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    ~Socket() { reset(); }

    int fd() const { return m_fd; }
    explicit operator bool() const { return m_fd >= 0; }
    void reset();
    /// shutdown(2) both directions: pending and future I/O fail at once instead of blocking.
    void shutdown();

private:
    int m_fd = -1;
};

/// Connects to host:port (any address getaddrinfo returns, in order) with a non-blocking socket,
/// TCP_NODELAY (each command otherwise pays delayed-ACK stalls), TCP keepalives and a 12 s
/// TCP_USER_TIMEOUT (a host that vanishes, idle or mid-command, is noticed in about 12-17 s). Throws Error(connect|timeout) naming the host.
Socket tcp_connect(const std::string& host, int port, const Deadline& deadline);

/// Sets O_NONBLOCK and FD_CLOEXEC.
void make_nonblocking(int fd);

/// A connected pair of local stream sockets, both non-blocking: the transport of a session that
/// runs through a jump host (one end is the session's socket, the other is pumped to a channel).
std::pair<Socket, Socket> socket_pair();

/// libssh2_init once per process, and SIGPIPE ignored (a peer closing mid-write must be an error
/// value, not the death of hoist).
void init_library();

}  // namespace hoist::ssh
