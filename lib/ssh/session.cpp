#include "ssh/session.hpp"

#include <algorithm>

#include "ssh/proxy_command.hpp"

namespace hoist::ssh {

std::string host_key_preference(const std::vector<std::string>& trusted) {
    static const std::vector<std::string> all = {
        "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"};
    std::vector<std::string> order;
    auto add = [&](const std::string& m) {
        if (std::find(order.begin(), order.end(), m) == order.end()) order.push_back(m);
    };
    for (const auto& t : trusted) {
        if (t == "ssh-rsa") {
            // an RSA host key is signed with SHA-2 by every OpenSSH since 7.2
            add("rsa-sha2-512");
            add("rsa-sha2-256");
            add("ssh-rsa");
        } else if (std::find(all.begin(), all.end(), t) != all.end()) {
            add(t);
        }
    }
    for (const auto& m : all) add(m);
    std::string out;
    for (const auto& m : order) out += (out.empty() ? "" : ",") + m;
    return out;
}

Session::Session(Socket socket, std::string label) : m_socket(std::move(socket)), m_label(std::move(label)) {
    init_library();
    m_session = libssh2_session_init();
    if (!m_session) throw Error(ErrorKind::protocol, m_label + ": cannot create an SSH session");
    libssh2_session_set_blocking(m_session, 0);
    // SSH keepalives keep NAT and firewalls from dropping an idle session between deploy steps.
    libssh2_keepalive_config(m_session, 1, 5);
}

Session::Session(Session&& o) noexcept
    : m_proxy(std::move(o.m_proxy)),
      m_socket(std::move(o.m_socket)),
      m_session(std::exchange(o.m_session, nullptr)),
      m_label(std::move(o.m_label)),
      m_broken(o.m_broken) {}

Session& Session::operator=(Session&& o) noexcept {
    if (this != &o) {
        close();
        m_proxy = std::move(o.m_proxy);
        m_socket = std::move(o.m_socket);
        m_session = std::exchange(o.m_session, nullptr);
        m_label = std::move(o.m_label);
        m_broken = o.m_broken;
    }
    return *this;
}

Session::~Session() { close(); }

void Session::attach_proxy(std::unique_ptr<ProxyProcess> proxy) { m_proxy = std::move(proxy); }

void Session::close() {
    if (!m_session) {
        m_proxy.reset();
        return;
    }
    if (!m_broken) {
        Deadline d = Deadline::in(std::chrono::milliseconds(500));
        try {
            call(d, "disconnect", [&] { return libssh2_session_disconnect(m_session, "hoist done"); });
        } catch (const Error&) {
            m_broken = true;
        }
    }
    // A dead peer must not make freeing wait: with the socket shut down every send fails at once.
    if (m_broken) m_socket.shutdown();
    Deadline d = Deadline::in(std::chrono::milliseconds(500));
    // With the socket shut down every send fails at once, so this ends; should libssh2 still answer
    // EAGAIN after 5 s, the session is left unfreed (a leak at the end of a connection) rather
    // than hoist waiting without end.
    Deadline give_up = Deadline::in(std::chrono::seconds(5));
    while (libssh2_session_free(m_session) == LIBSSH2_ERROR_EAGAIN) {
        if (give_up.passed()) break;
        if (d.passed()) {
            m_socket.shutdown();
            d = Deadline::in(std::chrono::milliseconds(500));
        }
        try {
            wait_socket(m_session, fd(), d, "free", 50);
        } catch (const Error&) {
            m_socket.shutdown();
        }
    }
    m_session = nullptr;
    m_socket.reset();
    m_proxy.reset();  // after the socket: the program sees EOF first, then its group is ended
}

void Session::prefer_host_key_types(const std::vector<std::string>& trusted) {
    std::string pref = host_key_preference(trusted);
    check(libssh2_session_method_pref(m_session, LIBSSH2_METHOD_HOSTKEY, pref.c_str()), "host key preference");
}

void Session::handshake(const Deadline& deadline) {
    int rc = call(deadline, "SSH handshake", [&] { return libssh2_session_handshake(m_session, fd()); });
    check(rc, "SSH handshake");
}

std::string Session::host_key_blob() const {
    size_t len = 0;
    int type = 0;
    const char* key = libssh2_session_hostkey(m_session, &len, &type);
    if (!key) throw Error(ErrorKind::protocol, m_label + ": the server sent no host key");
    return std::string(key, len);
}

int Session::check(int rc, const std::string& what) const {
    if (rc >= 0) return rc;
    throw Error(kind_of(rc), m_label + ": " + what + ": " + last_error(m_session));
}

void Session::wait(const Deadline& deadline, const std::string& what, int wake_ms) const {
    wait_socket(m_session, fd(), deadline, m_label + ": " + what, wake_ms);
}

int Session::keepalive() {
    int next = 5;
    int rc = libssh2_keepalive_send(m_session, &next);
    if (rc < 0 && rc != LIBSSH2_ERROR_EAGAIN) check(rc, "keepalive");
    return next;
}

void Session::mark_broken() {
    m_broken = true;
    m_socket.shutdown();
}

}  // namespace hoist::ssh
