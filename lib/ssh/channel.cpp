#include "ssh/channel.hpp"

namespace hoist::ssh {

Channel::~Channel() {
    if (!m_channel) return;
    Deadline d = Deadline::in(std::chrono::milliseconds(500));
    Deadline give_up = Deadline::in(std::chrono::seconds(5));  // then leak it rather than hang
    while (libssh2_channel_free(m_channel) == LIBSSH2_ERROR_EAGAIN) {
        if (give_up.passed()) {
            m_session->mark_broken();
            break;
        }
        if (m_session->broken() || d.passed()) {
            // Cannot say goodbye in time: the session is no longer usable for anything else.
            m_session->mark_broken();
            d = Deadline::in(std::chrono::milliseconds(500));
        }
        try {
            m_session->wait(d, "closing a channel", 50);
        } catch (const Error&) {
            m_session->mark_broken();
        }
    }
}

void Channel::write_all(std::string_view data, const Deadline& deadline, const std::string& what) {
    while (!data.empty()) {
        ssize_t n = libssh2_channel_write(m_channel, data.data(), data.size());
        if (n == LIBSSH2_ERROR_EAGAIN) {
            m_session->wait(deadline, what);
            continue;
        }
        m_session->check(static_cast<int>(n), what);
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

std::string Channel::read_to_eof(const Deadline& deadline, const std::string& what, std::size_t limit) {
    std::string out;
    char buf[32768];
    for (;;) {
        ssize_t n = libssh2_channel_read(m_channel, buf, sizeof buf);
        if (n > 0) {
            if (out.size() < limit) out.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) m_session->check(static_cast<int>(n), what);
        if (libssh2_channel_eof(m_channel)) return out;
        m_session->wait(deadline, what);
    }
}

void Channel::send_eof(const Deadline& deadline) {
    int rc = m_session->call(deadline, "sending EOF", [&] { return libssh2_channel_send_eof(m_channel); });
    m_session->check(rc, "sending EOF");
}

namespace {

/// libssh2 keeps one channel open in progress per session, whatever its kind and arguments: an
/// open abandoned at its deadline would be continued by the next open call, which would get the
/// abandoned one's channel (to another port or socket). So a session whose open timed out is not
/// used again.
template <class F>
Channel open_channel(Session& s, const Deadline& d, const std::string& what, F&& open) {
    try {
        return Channel(s, retry_ptr(s.raw(), s.fd(), d, what, std::forward<F>(open)));
    } catch (const Error& e) {
        if (e.kind() == ErrorKind::timeout) s.mark_broken();
        throw;
    }
}

}  // namespace

Channel open_session_channel(Session& s, const Deadline& d) {
    return open_channel(s, d, s.label() + ": opening a session channel",
                        [&] { return libssh2_channel_open_session(s.raw()); });
}

Channel open_direct_tcpip(Session& s, const std::string& host, int port, const Deadline& d) {
    return open_channel(s, d, s.label() + ": forwarding to " + host + ":" + std::to_string(port) + " on the host", [&] {
        return libssh2_channel_direct_tcpip_ex(s.raw(), host.c_str(), port, "127.0.0.1", 0);
    });
}

Channel open_direct_streamlocal(Session& s, const std::string& path, const Deadline& d) {
    return open_channel(s, d, s.label() + ": connecting to unix socket " + path + " on the host", [&] {
        return libssh2_channel_direct_streamlocal_ex(s.raw(), path.c_str(), "127.0.0.1", 0);
    });
}

}  // namespace hoist::ssh
