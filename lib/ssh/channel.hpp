#pragma once
/// RAII for libssh2 channels: a session channel (exec), a direct-tcpip channel (a TCP port on the
/// host, as seen from the host) and a direct-streamlocal channel (a unix socket on the host).
#include <string>
#include <string_view>
#include <utility>

#include "ssh/session.hpp"

namespace hoist::ssh {

class Channel {
public:
    Channel(Session& session, LIBSSH2_CHANNEL* channel) : m_session(&session), m_channel(channel) {}
    Channel(Channel&& o) noexcept
        : m_session(o.m_session), m_channel(std::exchange(o.m_channel, nullptr)) {}
    Channel& operator=(Channel&&) = delete;
    Channel(const Channel&) = delete;
    /// Frees the channel, waiting at most ~0.5 s for the close to be sent.
    ~Channel();

    LIBSSH2_CHANNEL* raw() const { return m_channel; }
    Session& session() const { return *m_session; }

    /// Writes everything, waiting for window space until the deadline.
    void write_all(std::string_view data, const Deadline& deadline, const std::string& what);
    /// Reads until the peer's EOF (or the deadline: Error(timeout)); at most `limit` bytes kept.
    std::string read_to_eof(const Deadline& deadline, const std::string& what, std::size_t limit = 64 << 20);
    void send_eof(const Deadline& deadline);

private:
    Session* m_session;
    LIBSSH2_CHANNEL* m_channel;
};

/// A "session" channel, ready for exec.
Channel open_session_channel(Session& session, const Deadline& deadline);
/// A channel to host:port as seen from the SSH server (direct-tcpip: local port forwarding).
Channel open_direct_tcpip(Session& session, const std::string& host, int port, const Deadline& deadline);
/// A channel to a unix socket on the SSH server (direct-streamlocal@openssh.com).
Channel open_direct_streamlocal(Session& session, const std::string& path, const Deadline& deadline);

}  // namespace hoist::ssh
