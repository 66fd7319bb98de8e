#pragma once
/// A Connection to this machine, for `load_balancer.host: local`: commands run through `sh -c` in
/// the user's home (as a login over SSH would), files are written atomically under it, HTTP and
/// unix-socket requests go to 127.0.0.1 and local sockets directly. Same contract as LiveConnection.
#include "ssh/connection.hpp"

namespace hoist::ssh {

class LocalConnection : public Connection {
public:
    LocalConnection();
    const std::string& label() const override { return m_label; }
    ExecResult exec(const std::string& command_line, const ExecOptions& options) override;
    using Connection::exec;
    void upload(const std::string& path, std::string_view bytes, int mode) override;
    HttpResponse http_get(int port, const std::string& path, std::chrono::milliseconds timeout) override;
    std::string unix_socket_request(const std::string& socket_path, const std::string& request,
                                    std::chrono::milliseconds timeout) override;

private:
    std::string m_label = "local";
    std::string m_home;
};

}  // namespace hoist::ssh
