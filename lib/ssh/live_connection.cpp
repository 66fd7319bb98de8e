#include "ssh/live_connection.hpp"

#include "ssh/exec.hpp"
#include "ssh/exec_upload.hpp"
#include "ssh/jump.hpp"
#include "ssh/sftp.hpp"
#include "ssh/tunnel.hpp"

namespace hoist::ssh {

LiveConnection::LiveConnection(Connector& connector, Target target, Session session, std::shared_ptr<JumpTunnel> via)
    : m_connector(connector),
      m_target(std::move(target)),
      m_label(m_target.endpoint.label()),
      m_via(std::move(via)),
      m_session(std::move(session)) {}

LiveConnection::~LiveConnection() { m_session.reset(); }

Session& LiveConnection::session() {
    if (!m_session || m_session->broken()) {
        m_session.reset();
        m_via = m_connector.tunnel_for(m_target.jumps);
        m_session.emplace(establish(m_target.endpoint, m_via.get(), m_connector.options()));
        m_sftp_refused = false;  // a new connection asks again (the server may have changed)
    }
    return *m_session;
}

ExecResult LiveConnection::exec(const std::string& command_line, const ExecOptions& options) {
    std::lock_guard<std::mutex> lock(m_mutex);
    return run_command(session(), command_line, options);
}

void LiveConnection::upload(const std::string& path, std::string_view bytes, int mode) {
    std::lock_guard<std::mutex> lock(m_mutex);
    // generous: an upload is small config; a stall past this means the host is gone
    Deadline deadline = Deadline::in(std::chrono::minutes(2));
    Session& s = session();
    if (!m_sftp_refused) {
        if (sftp_upload(s, path, bytes, mode, deadline)) return;
        m_sftp_refused = true;  // asked once per connection, not once per file
    }
    exec_upload(s, path, bytes, mode, deadline);
}

HttpResponse LiveConnection::http_get(int port, const std::string& path, std::chrono::milliseconds timeout) {
    std::lock_guard<std::mutex> lock(m_mutex);
    return http_get_via_ssh(session(), port, path, timeout);
}

std::string LiveConnection::unix_socket_stream(const std::string& socket_path, const std::string& head,
                                               const std::function<std::size_t(char*, std::size_t)>& body,
                                               std::chrono::milliseconds timeout) {
    std::lock_guard<std::mutex> lock(m_mutex);
    return unix_socket_stream_via_ssh(session(), socket_path, head, body, timeout);
}

std::string LiveConnection::unix_socket_request(const std::string& socket_path, const std::string& request,
                                                std::chrono::milliseconds timeout) {
    std::lock_guard<std::mutex> lock(m_mutex);
    return unix_socket_request_via_ssh(session(), socket_path, request, timeout);
}

}  // namespace hoist::ssh
