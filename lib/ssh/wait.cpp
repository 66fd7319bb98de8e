#include "ssh/wait.hpp"

#include <poll.h>

#include <cerrno>
#include <cstring>

namespace hoist::ssh {

int Deadline::poll_ms(int cap) const {
    if (at == Clock::time_point::max()) return cap;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(at - Clock::now()).count();
    if (left < 0) left = 0;
    // round up so that a deadline 0.4 ms away does not turn into a busy loop of poll(0)
    if (at > Clock::now() && left == 0) left = 1;
    if (cap >= 0 && left > cap) left = cap;
    return static_cast<int>(left);
}

void wait_socket(LIBSSH2_SESSION* session, int fd, const Deadline& deadline, const std::string& what,
                 int wake_ms) {
    if (deadline.passed()) throw Error(ErrorKind::timeout, what + " timed out");
    pollfd p{};
    p.fd = fd;
    int dir = session ? libssh2_session_block_directions(session) : 0;
    if (dir & LIBSSH2_SESSION_BLOCK_INBOUND) p.events |= POLLIN;
    if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND) p.events |= POLLOUT;
    // libssh2 sometimes returns EAGAIN without recording a direction (a channel without data):
    // waiting for input is then what makes progress possible.
    if (p.events == 0) p.events = POLLIN;
    int rc = ::poll(&p, 1, deadline.poll_ms(wake_ms));
    if (rc < 0 && errno != EINTR)
        throw Error(ErrorKind::disconnected, what + ": poll: " + std::strerror(errno));
    if (rc == 0 && deadline.passed()) throw Error(ErrorKind::timeout, what + " timed out");
}

}  // namespace hoist::ssh
