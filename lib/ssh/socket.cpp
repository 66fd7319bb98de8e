#include "ssh/socket.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <mutex>

namespace hoist::ssh {

Socket& Socket::operator=(Socket&& o) noexcept {
    if (this != &o) {
        reset();
        m_fd = std::exchange(o.m_fd, -1);
    }
    return *this;
}

void Socket::reset() {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
}

void Socket::shutdown() {
    if (m_fd >= 0) ::shutdown(m_fd, SHUT_RDWR);
}

void make_nonblocking(int fd) {
    int flags = ::fcntl(fd, F_GETFL, 0);
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
}

namespace {

void tune(int fd) {
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    // A host that vanishes (power, partition) must be noticed in seconds, not after TCP's ~15 min
    // of retransmissions: idle sessions probe after 5 s (3 probes 2 s apart), and data that stays
    // unacknowledged for 12 s (SSH keepalives every 5 s make sure there is some) ends the connection.
    int idle = 5, interval = 2, count = 3;
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
    unsigned int user_timeout_ms = 12000;
    ::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout_ms, sizeof user_timeout_ms);
}

}  // namespace

Socket tcp_connect(const std::string& host, int port, const Deadline& deadline) {
    std::string where = host + ":" + std::to_string(port);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    // getaddrinfo cannot be given a deadline; for the IP addresses of a fleet it does not block.
    int gai = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
    if (gai != 0) throw Error(ErrorKind::connect, where + ": cannot resolve host: " + ::gai_strerror(gai));
    std::string last = "no address";
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
        Socket s(::socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol));
        if (!s) {
            last = std::strerror(errno);
            continue;
        }
        make_nonblocking(s.fd());
        tune(s.fd());
        int rc = ::connect(s.fd(), ai->ai_addr, ai->ai_addrlen);
        if (rc != 0 && errno != EINPROGRESS) {
            last = std::strerror(errno);
            continue;
        }
        if (rc != 0) {
            pollfd p{s.fd(), POLLOUT, 0};
            int pr;
            do pr = ::poll(&p, 1, deadline.poll_ms());
            while (pr < 0 && errno == EINTR);
            if (pr == 0) {
                ::freeaddrinfo(res);
                throw Error(ErrorKind::timeout, where + ": connect timed out");
            }
            int err = 0;
            socklen_t len = sizeof err;
            ::getsockopt(s.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
            if (err != 0) {
                last = std::strerror(err);
                continue;
            }
        }
        ::freeaddrinfo(res);
        return s;
    }
    ::freeaddrinfo(res);
    throw Error(ErrorKind::connect, where + ": cannot connect: " + last);
}

std::pair<Socket, Socket> socket_pair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0)
        throw Error(ErrorKind::connect, std::string("socketpair: ") + std::strerror(errno));
    make_nonblocking(fds[0]);
    make_nonblocking(fds[1]);
    return {Socket(fds[0]), Socket(fds[1])};
}

void init_library() {
    static std::once_flag once;
    std::call_once(once, [] {
        ::signal(SIGPIPE, SIG_IGN);
        if (libssh2_init(0) != 0) throw Error(ErrorKind::protocol, "libssh2_init failed");
    });
}

}  // namespace hoist::ssh
