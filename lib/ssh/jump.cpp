#include "ssh/jump.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <optional>

namespace hoist::ssh {

namespace {
constexpr std::size_t buffer_cap = 256 * 1024;  // per direction per forward: bounded memory
}

struct JumpTunnel::Request {
    std::string host;
    int port = 0;
    Deadline deadline;
    Socket far_end;
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    std::string error;  ///< empty: success
    ErrorKind kind = ErrorKind::channel;
    bool abandoned = false;  ///< pump thread only: the caller was answered (timed out), the open goes on
    bool started = false;    ///< pump thread only: passed to libssh2 (from then on it must be driven to its end)
    void finish(std::string err, ErrorKind k = ErrorKind::channel) {
        std::lock_guard<std::mutex> lock(m);
        done = true;
        error = std::move(err);
        kind = k;
        cv.notify_all();
    }
};

struct JumpTunnel::Forward {
    LIBSSH2_CHANNEL* channel = nullptr;
    Socket local;
    std::string to_local, to_channel;
    bool local_eof = false, channel_eof = false, eof_sent = false, done = false;
};

JumpTunnel::JumpTunnel(Session session, std::shared_ptr<JumpTunnel> parent)
    : m_session(std::move(session)), m_parent(std::move(parent)), m_label(m_session.label()) {
    if (::pipe(m_wake) != 0) throw Error(ErrorKind::protocol, "pipe: " + std::string(std::strerror(errno)));
    make_nonblocking(m_wake[0]);
    make_nonblocking(m_wake[1]);
    m_thread = std::thread([this] { run(); });
}

JumpTunnel::~JumpTunnel() {
    m_stop = true;
    char c = 1;
    [[maybe_unused]] auto n = ::write(m_wake[1], &c, 1);
    m_thread.join();
    for (auto& f : m_forwards)
        if (f->channel) libssh2_channel_free(f->channel);  // best effort; the session is freed next
    m_forwards.clear();
    ::close(m_wake[0]);
    ::close(m_wake[1]);
}

Socket JumpTunnel::open(const std::string& host, int port, const Deadline& deadline) {
    std::string what = m_label + ": forwarding to " + host + ":" + std::to_string(port);
    auto [near_end, far_end] = socket_pair();
    auto req = std::make_shared<Request>();
    req->host = host;
    req->port = port;
    req->deadline = deadline;
    req->far_end = std::move(far_end);
    {
        // under the lock that fail_all takes: a request is either refused here or answered there
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_dead) throw Error(ErrorKind::disconnected, what + ": the jump host connection is gone: " + m_dead_reason);
        m_requests.push_back(req);
    }
    char c = 1;
    [[maybe_unused]] auto n = ::write(m_wake[1], &c, 1);
    std::unique_lock<std::mutex> lock(req->m);
    // the pump enforces the deadline; the extra second only guards against a stuck pump
    if (!req->cv.wait_until(lock, deadline.at == Clock::time_point::max() ? Clock::now() + std::chrono::hours(1)
                                                                         : deadline.at + std::chrono::seconds(1),
                            [&] { return req->done; }))
        throw Error(ErrorKind::timeout, what + " timed out");
    if (!req->error.empty()) throw Error(req->kind, what + ": " + req->error);
    return std::move(near_end);
}

void JumpTunnel::fail_all(const std::string& why) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_dead_reason = why;
    m_dead = true;
    for (auto& r : m_requests) r->finish(why, ErrorKind::disconnected);
    m_requests.clear();
    for (auto& r : m_pending)
        if (!r->abandoned) r->finish(why, ErrorKind::disconnected);
    m_pending.clear();
    for (auto& f : m_forwards) f->local.reset();  // targets see EOF at once
}

/// Drives the channel opens, one at a time. libssh2 keeps a single channel open in progress per
/// session: a call for another host:port while one is pending continues the first open and
/// returns the first's channel, which would hand one target's connection to another caller. So
/// only the front request is passed to libssh2 until it is answered; one whose caller's deadline
/// passed meanwhile is told so at once, and its channel, if it still comes, is closed. False when
/// the bastion session failed (fail_all was called).
bool JumpTunnel::step_opens(std::vector<LIBSSH2_CHANNEL*>& closing, bool& progress) {
    LIBSSH2_SESSION* s = m_session.raw();
    while (!m_pending.empty()) {
        auto r = m_pending.front();
        if (!r->started && r->deadline.passed()) {  // its turn came too late: no open is started for it
            r->finish("timed out waiting to open a channel through the jump host", ErrorKind::timeout);
            m_pending.pop_front();
            progress = true;
            continue;
        }
        r->started = true;
        LIBSSH2_CHANNEL* ch = libssh2_channel_direct_tcpip_ex(s, r->host.c_str(), r->port, "127.0.0.1", 0);
        if (ch) {
            if (r->abandoned) {
                closing.push_back(ch);
            } else {
                auto f = std::make_unique<Forward>();
                f->channel = ch;
                f->local = std::move(r->far_end);
                m_forwards.push_back(std::move(f));
                r->finish("");
            }
        } else if (int e = libssh2_session_last_errno(s); e != LIBSSH2_ERROR_EAGAIN) {
            std::string why = last_error(s);
            if (!r->abandoned) r->finish(why, kind_of(e));
            if (kind_of(e) == ErrorKind::disconnected) {
                m_pending.pop_front();
                fail_all("the jump host dropped the connection: " + why);
                return false;
            }
        } else {
            if (!r->abandoned && r->deadline.passed()) {
                r->finish("timed out opening a channel through the jump host", ErrorKind::timeout);
                r->abandoned = true;
                progress = true;
            } else if (r->abandoned && r->deadline.at != Clock::time_point::max() &&
                       Clock::now() > r->deadline.at + std::chrono::seconds(30)) {
                fail_all("the jump host did not answer a channel open in 30 s");
                return false;
            }
            break;
        }
        m_pending.pop_front();
        progress = true;
    }
    // the ones still waiting for their turn: answered when their callers' deadlines pass
    for (auto it = m_pending.size() > 1 ? m_pending.begin() + 1 : m_pending.end(); it != m_pending.end();) {
        if ((*it)->deadline.passed()) {
            (*it)->finish("timed out waiting to open a channel through the jump host", ErrorKind::timeout);
            it = m_pending.erase(it);
            progress = true;
        } else {
            ++it;
        }
    }
    return true;
}

/// Moves bytes of one forward both ways; false when the bastion session failed.
bool JumpTunnel::step_forward(Forward& f, bool& progress) {
    char buf[32768];
    // channel -> local
    while (!f.channel_eof && f.to_local.size() < buffer_cap) {
        ssize_t n = libssh2_channel_read(f.channel, buf, sizeof buf);
        if (n > 0) {
            f.to_local.append(buf, static_cast<std::size_t>(n));
            progress = true;
        } else if (n == LIBSSH2_ERROR_EAGAIN || n == 0) {
            if (libssh2_channel_eof(f.channel)) f.channel_eof = true;
            break;
        } else {
            return false;
        }
    }
    if (!f.to_local.empty()) {
        ssize_t n = ::send(f.local.fd(), f.to_local.data(), f.to_local.size(), MSG_NOSIGNAL);
        if (n > 0) {
            f.to_local.erase(0, static_cast<std::size_t>(n));
            progress = true;
        } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            f.done = true;  // the target session went away
        }
    }
    if (f.channel_eof && f.to_local.empty()) f.done = true;
    // local -> channel
    while (!f.local_eof && f.to_channel.size() < buffer_cap) {
        ssize_t n = ::recv(f.local.fd(), buf, sizeof buf, 0);
        if (n > 0) {
            f.to_channel.append(buf, static_cast<std::size_t>(n));
            progress = true;
        } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
            f.local_eof = true;
        } else {
            break;
        }
    }
    while (!f.to_channel.empty()) {
        ssize_t n = libssh2_channel_write(f.channel, f.to_channel.data(), f.to_channel.size());
        if (n > 0) {
            f.to_channel.erase(0, static_cast<std::size_t>(n));
            progress = true;
        } else if (n == LIBSSH2_ERROR_EAGAIN) {
            break;
        } else {
            f.done = true;  // the channel was closed by the far side
            break;
        }
    }
    if (f.local_eof && f.to_channel.empty()) f.done = true;
    return true;
}

void JumpTunnel::run() {
    LIBSSH2_SESSION* s = m_session.raw();
    std::vector<LIBSSH2_CHANNEL*> closing;
    while (!m_stop) {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            for (auto& r : m_requests) m_pending.push_back(r);
            m_requests.clear();
        }
        bool progress = false;
        if (!step_opens(closing, progress)) return;
        for (auto& f : m_forwards) {
            if (!step_forward(*f, progress)) {
                fail_all("the jump host connection failed: " + last_error(s));
                return;
            }
        }
        for (auto it = m_forwards.begin(); it != m_forwards.end();) {
            if (!(*it)->done) {
                ++it;
                continue;
            }
            closing.push_back((*it)->channel);
            it = m_forwards.erase(it);
            progress = true;
        }
        for (auto it = closing.begin(); it != closing.end();)
            it = libssh2_channel_free(*it) == LIBSSH2_ERROR_EAGAIN ? it + 1 : closing.erase(it);
        if (progress) continue;
        int next = 15;
        if (libssh2_keepalive_send(s, &next) < 0 && libssh2_session_last_errno(s) != LIBSSH2_ERROR_EAGAIN) {
            fail_all("keepalive to the jump host failed: " + last_error(s));
            return;
        }
        std::vector<pollfd> fds;
        short dir = 0;
        int bd = libssh2_session_block_directions(s);
        dir |= POLLIN;
        if (bd & LIBSSH2_SESSION_BLOCK_OUTBOUND) dir |= POLLOUT;
        fds.push_back({m_session.fd(), dir, 0});
        fds.push_back({m_wake[0], POLLIN, 0});
        for (auto& f : m_forwards) {
            short ev = 0;
            if (!f->local_eof && f->to_channel.size() < buffer_cap) ev |= POLLIN;
            if (!f->to_local.empty()) ev |= POLLOUT;
            fds.push_back({f->local.fd(), ev, 0});
        }
        int timeout = m_pending.empty() && closing.empty() ? 1000 : 20;
        ::poll(fds.data(), fds.size(), timeout);
        if (fds[1].revents & POLLIN) {
            char drain[64];
            while (::read(m_wake[0], drain, sizeof drain) > 0) {
            }
        }
    }
    for (auto& c : closing) libssh2_channel_free(c);
}

}  // namespace hoist::ssh
