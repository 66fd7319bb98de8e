#pragma once
/// One libssh2 session over one socket (TCP, or a socket pair pumped through a jump host), always
/// non-blocking. The RAII layer above error.hpp/wait.hpp: every call a session makes takes a deadline.
#include <memory>
#include <string>
#include <vector>

#include <libssh2.h>

#include "ssh/socket.hpp"
#include "ssh/wait.hpp"

namespace hoist::ssh {

class ProxyProcess;

class Session {
public:
    /// Takes the connected socket. `label` ("user@host:port") starts every error message.
    Session(Socket socket, std::string label);
    Session(Session&&) noexcept;
    Session& operator=(Session&&) noexcept;
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    /// Says goodbye when the connection is healthy (bounded to ~0.5 s), then frees.
    ~Session();

    /// The ProxyCommand this session's socket leads to: it lives as long as the session and is
    /// ended (its process group) after the socket is closed.
    void attach_proxy(std::unique_ptr<ProxyProcess> proxy);
    ProxyProcess* proxy() const { return m_proxy.get(); }

    LIBSSH2_SESSION* raw() const { return m_session; }
    int fd() const { return m_socket.fd(); }
    const std::string& label() const { return m_label; }

    /// Host key algorithms in order: the types already trusted for this host first, so the server
    /// presents a key we can verify rather than its own favourite (as OpenSSH does).
    void prefer_host_key_types(const std::vector<std::string>& trusted_types);
    /// Banner exchange, key exchange. Throws Error naming the host.
    void handshake(const Deadline& deadline);
    /// The server's host key as an SSH public key blob.
    std::string host_key_blob() const;

    /// Runs a libssh2 call until it stops returning EAGAIN (see wait.hpp); `what` names the step.
    template <class F>
    int call(const Deadline& deadline, const std::string& what, F&& f) {
        return retry(m_session, fd(), deadline, m_label + ": " + what, std::forward<F>(f));
    }
    /// Throws Error(kind_of(rc), "<label>: <what>: <libssh2 message>") when rc < 0.
    int check(int rc, const std::string& what) const;
    /// Waits for the socket (see wait_socket); `wake_ms` bounds one wait so callers can poll others.
    void wait(const Deadline& deadline, const std::string& what, int wake_ms = -1) const;

    /// Sends an SSH keepalive when one is due (every 5 s of silence); returns seconds to the next.
    int keepalive();
    /// The connection can no longer be trusted (timeout, drop): later frees will not wait on it.
    void mark_broken();
    bool broken() const { return m_broken; }

private:
    void close();
    std::unique_ptr<ProxyProcess> m_proxy;  ///< declared first: destroyed after the socket
    Socket m_socket;
    LIBSSH2_SESSION* m_session = nullptr;
    std::string m_label;
    bool m_broken = false;
};

/// Comma-separated host key algorithms for libssh2_session_method_pref: `trusted` key types first
/// (ssh-rsa expands to rsa-sha2-512,rsa-sha2-256,ssh-rsa), then every other supported one.
std::string host_key_preference(const std::vector<std::string>& trusted_types);

}  // namespace hoist::ssh
