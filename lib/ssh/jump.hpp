#pragma once
/// Jump hosts (ProxyJump). A JumpTunnel owns an authenticated session to a bastion and one thread
/// that pumps bytes between local socket pairs and direct-tcpip channels of that session. Each
/// target behind the bastion gets a socket pair: its own libssh2 session runs on one end as if it
/// were a TCP socket, the tunnel moves the other end's bytes through the bastion. So the target's
/// SSH runs end to end (the bastion sees only ciphertext) and its host key is verified against
/// known_hosts like any other; one bastion session serves every target behind it; chains nest
/// (the second bastion's session runs on a socket pair of the first tunnel).
#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ssh/session.hpp"

namespace hoist::ssh {

class JumpTunnel {
public:
    /// Takes an authenticated session; `parent` is the tunnel that session runs through, if any
    /// (kept alive as long as this one).
    JumpTunnel(Session session, std::shared_ptr<JumpTunnel> parent);
    JumpTunnel(const JumpTunnel&) = delete;
    JumpTunnel& operator=(const JumpTunnel&) = delete;
    /// Stops the pump and closes every channel (targets still using it see EOF).
    ~JumpTunnel();

    /// A local socket connected, through the bastion, to host:port. Throws Error(channel) when the
    /// bastion refuses (e.g. AllowTcpForwarding no, or nothing listens) and Error(timeout).
    Socket open(const std::string& host, int port, const Deadline& deadline);
    /// False once the bastion connection failed; a new tunnel is needed then.
    bool alive() const { return !m_dead; }
    const std::string& label() const { return m_label; }

private:
    struct Forward;
    struct Request;
    void run();
    bool step_opens(std::vector<LIBSSH2_CHANNEL*>& closing, bool& progress);
    bool step_forward(Forward& f, bool& progress);
    void fail_all(const std::string& why);

    Session m_session;
    std::shared_ptr<JumpTunnel> m_parent;
    std::string m_label;
    int m_wake[2] = {-1, -1};
    std::mutex m_mutex;
    std::vector<std::shared_ptr<Request>> m_requests;  ///< guarded by m_mutex
    std::deque<std::shared_ptr<Request>> m_pending;    ///< pump thread only; the front is being opened
    std::vector<std::unique_ptr<Forward>> m_forwards;  ///< pump thread only
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_dead{false};  ///< set under m_mutex
    std::string m_dead_reason;        ///< guarded by m_mutex
    std::thread m_thread;
};

}  // namespace hoist::ssh
