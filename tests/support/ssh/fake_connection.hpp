#pragma once
/// A Connection for unit tests of logic that works on hosts (deploy steps, health checks, load
/// balancer updates): it records every call and answers from a script. Like ninja's
/// FakeCommandRunner, it never pretends to prove that SSH works — the integration tests do that.
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "ssh/connection.hpp"
#include "ssh/error.hpp"

namespace hoist::ssh {

class FakeConnection : public Connection {
public:
    struct Upload {
        std::string path;
        std::string bytes;
        int mode = 0;
    };
    /// Answers an exec; return nullopt to fall through to the next rule.
    using ExecRule = std::function<std::optional<ExecResult>(const std::string& command_line)>;

    explicit FakeConnection(std::string label = "fake@host:22") : m_label(std::move(label)) {}

    const std::string& label() const override { return m_label; }
    ExecResult exec(const std::string& command_line, const ExecOptions& options) override;
    using Connection::exec;
    void upload(const std::string& path, std::string_view bytes, int mode) override;
    HttpResponse http_get(int port, const std::string& path, std::chrono::milliseconds timeout) override;
    std::string unix_socket_request(const std::string& socket_path, const std::string& request,
                                    std::chrono::milliseconds timeout) override;

    // --- scripting
    /// Commands containing `needle` answer with this result (first matching rule wins).
    void on_exec(const std::string& needle, ExecResult result);
    void on_exec(ExecRule rule);
    /// GETs of port+path answer in turn with these responses (the last one repeats).
    void on_http(int port, const std::string& path, std::vector<HttpResponse> responses);
    void on_socket(const std::string& socket_path, std::function<std::string(const std::string&)> answer);
    /// Every further call throws Error(kind) — a host that dropped off.
    void fail_with(ErrorKind kind, const std::string& message);

    // --- records
    std::vector<std::string> commands_ran() const;
    std::vector<std::string> inputs() const;  ///< stdin of each exec ("" when none), same order
    std::vector<Upload> uploads() const;
    std::vector<std::string> http_requests() const;  ///< "PORT PATH"
    std::vector<std::string> socket_requests() const;

private:
    void maybe_fail() const;
    std::string m_label;
    mutable std::mutex m_mutex;
    std::vector<ExecRule> m_rules;
    std::map<std::string, std::vector<HttpResponse>> m_http;
    std::map<std::string, std::function<std::string(const std::string&)>> m_sockets;
    std::optional<std::pair<ErrorKind, std::string>> m_failure;
    std::vector<std::string> m_commands, m_inputs, m_http_requests, m_socket_requests;
    std::vector<Upload> m_uploads;
};

}  // namespace hoist::ssh
