#include "ssh/fake_connection.hpp"

namespace hoist::ssh {

void FakeConnection::maybe_fail() const {
    if (m_failure) throw Error(m_failure->first, m_label + ": " + m_failure->second);
}

ExecResult FakeConnection::exec(const std::string& command_line, const ExecOptions& options) {
    std::vector<ExecRule> rules;
    std::string streamed;
    if (options.input_source) {  // recorded like `input`: what the command would have read
        char b[65536];
        while (std::size_t n = options.input_source(b, sizeof b)) streamed.append(b, n);
    }
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        maybe_fail();
        m_commands.push_back(command_line);
        m_inputs.push_back(options.input_source ? streamed : options.input.value_or(""));
        rules = m_rules;
    }
    ExecResult r;
    r.exit_code = 0;
    for (const auto& rule : rules)
        if (auto answer = rule(command_line)) {
            r = *answer;
            break;
        }
    if (options.on_output) {
        if (!r.out.empty()) options.on_output(Stream::out, r.out);
        if (!r.err.empty()) options.on_output(Stream::err, r.err);
    }
    return r;
}

void FakeConnection::upload(const std::string& path, std::string_view bytes, int mode) {
    std::lock_guard<std::mutex> lock(m_mutex);
    maybe_fail();
    m_uploads.push_back({path, std::string(bytes), mode});
}

HttpResponse FakeConnection::http_get(int port, const std::string& path, std::chrono::milliseconds) {
    std::lock_guard<std::mutex> lock(m_mutex);
    maybe_fail();
    std::string key = std::to_string(port) + " " + path;
    m_http_requests.push_back(key);
    auto it = m_http.find(key);
    if (it == m_http.end() || it->second.empty()) {
        HttpResponse r;
        r.error = "127.0.0.1:" + std::to_string(port) + ": connection refused on the host (fake)";
        return r;
    }
    HttpResponse r = it->second.front();
    if (it->second.size() > 1) it->second.erase(it->second.begin());
    return r;
}

std::string FakeConnection::unix_socket_request(const std::string& socket_path, const std::string& request,
                                                std::chrono::milliseconds) {
    std::lock_guard<std::mutex> lock(m_mutex);
    maybe_fail();
    m_socket_requests.push_back(socket_path + " " + request);
    auto it = m_sockets.find(socket_path);
    if (it == m_sockets.end()) throw Error(ErrorKind::channel, m_label + ": no unix socket " + socket_path + " (fake)");
    return it->second(request);
}

void FakeConnection::on_exec(const std::string& needle, ExecResult result) {
    on_exec([needle, result](const std::string& cmd) -> std::optional<ExecResult> {
        if (cmd.find(needle) == std::string::npos) return std::nullopt;
        return result;
    });
}

void FakeConnection::on_exec(ExecRule rule) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_rules.push_back(std::move(rule));
}

void FakeConnection::on_http(int port, const std::string& path, std::vector<HttpResponse> responses) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_http[std::to_string(port) + " " + path] = std::move(responses);
}

void FakeConnection::on_socket(const std::string& path, std::function<std::string(const std::string&)> answer) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_sockets[path] = std::move(answer);
}

void FakeConnection::fail_with(ErrorKind kind, const std::string& message) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_failure = std::make_pair(kind, message);
}

std::vector<std::string> FakeConnection::commands_ran() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_commands;
}
std::vector<std::string> FakeConnection::inputs() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_inputs;
}
std::vector<FakeConnection::Upload> FakeConnection::uploads() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_uploads;
}
std::vector<std::string> FakeConnection::http_requests() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_http_requests;
}
std::vector<std::string> FakeConnection::socket_requests() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_socket_requests;
}

}  // namespace hoist::ssh
