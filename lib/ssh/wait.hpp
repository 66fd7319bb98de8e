#pragma once
/// The one place where the SSH layer waits. libssh2 runs non-blocking; every call that returns
/// LIBSSH2_ERROR_EAGAIN goes through `retry`, which polls the socket in the direction libssh2 is
/// blocked on until the deadline. So every connect, handshake, auth, read and write has a deadline
/// and none can hang (the failure Kamal users report most: a deploy stuck forever on one host).
#include <chrono>
#include <string>

#include <libssh2.h>

#include "ssh/error.hpp"

namespace hoist::ssh {

using Clock = std::chrono::steady_clock;

/// A point in time by which an operation must be done.
struct Deadline {
    Clock::time_point at = Clock::time_point::max();

    static Deadline in(std::chrono::milliseconds d) { return {Clock::now() + d}; }
    static Deadline never() { return {}; }
    bool passed() const { return Clock::now() >= at; }
    /// Milliseconds left for poll(2): -1 for never, at least 0, at most `cap` when cap >= 0.
    int poll_ms(int cap = -1) const;
    /// The earlier of two deadlines.
    Deadline min(const Deadline& o) const { return at < o.at ? *this : o; }
};

/// Waits until `fd` is ready for what `session` is blocked on (read and/or write), or `wake_ms`
/// elapsed. Throws Error(timeout, "<what> timed out") once `deadline` has passed.
void wait_socket(LIBSSH2_SESSION* session, int fd, const Deadline& deadline, const std::string& what,
                 int wake_ms = -1);

/// Calls `f` until it returns something other than LIBSSH2_ERROR_EAGAIN, waiting on the socket in
/// between; returns that value.
template <class F>
auto retry(LIBSSH2_SESSION* session, int fd, const Deadline& deadline, const std::string& what, F&& f) {
    for (;;) {
        auto rc = f();
        if (rc != LIBSSH2_ERROR_EAGAIN) return rc;
        wait_socket(session, fd, deadline, what);
    }
}

/// Same for libssh2 calls that return a pointer and signal EAGAIN through the session's last error.
template <class F>
auto retry_ptr(LIBSSH2_SESSION* session, int fd, const Deadline& deadline, const std::string& what, F&& f) {
    for (;;) {
        auto* p = f();
        if (p) return p;
        if (libssh2_session_last_errno(session) != LIBSSH2_ERROR_EAGAIN)
            throw Error(kind_of(libssh2_session_last_errno(session)), what + ": " + last_error(session));
        wait_socket(session, fd, deadline, what);
    }
}

}  // namespace hoist::ssh
