#pragma once
/// The libssh2 implementation of Connection. One long-lived session per host; calls are serialised
/// by a mutex; a session found broken (dropped, or a command that had to be abandoned) is replaced
/// by a fresh one on the next call, so one bad moment does not poison the rest of a deploy.
/// Uploads go over SFTP; when a host's sshd refuses the SFTP subsystem, over an exec channel
/// (exec_upload.hpp), and SFTP is not asked for again on that session.
#include <memory>
#include <mutex>
#include <optional>

#include "ssh/connect.hpp"
#include "ssh/session.hpp"

namespace hoist::ssh {

class LiveConnection : public Connection {
public:
    LiveConnection(Connector& connector, Target target, Session session, std::shared_ptr<JumpTunnel> via);
    ~LiveConnection() override;

    const std::string& label() const override { return m_label; }
    ExecResult exec(const std::string& command_line, const ExecOptions& options) override;
    using Connection::exec;
    void upload(const std::string& path, std::string_view bytes, int mode) override;
    HttpResponse http_get(int port, const std::string& path, std::chrono::milliseconds timeout) override;
    std::string unix_socket_request(const std::string& socket_path, const std::string& request,
                                    std::chrono::milliseconds timeout) override;
    std::string unix_socket_stream(const std::string& socket_path, const std::string& head,
                                   const std::function<std::size_t(char*, std::size_t)>& body,
                                   std::chrono::milliseconds timeout) override;

private:
    /// The session, reconnected first when the last one broke.
    Session& session();
    Connector& m_connector;
    Target m_target;
    std::string m_label;
    std::mutex m_mutex;
    std::shared_ptr<JumpTunnel> m_via;  ///< declared before the session: destroyed after it
    std::optional<Session> m_session;
    bool m_sftp_refused = false;  ///< this session's server has no SFTP subsystem
};

}  // namespace hoist::ssh
