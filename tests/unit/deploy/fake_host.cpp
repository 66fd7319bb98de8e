#include "fake_host.hpp"

#include <cstdlib>

#include "util/strings.hpp"

namespace hoist::test {

void FakeHost::add_container(const std::string& name, int port, bool running) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_containers[name] = {port, running};
}

void FakeHost::drop_after(int calls) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_drop_after = m_calls + calls;
}

void FakeHost::drop_once_after(int calls) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_drop_once_at = m_calls + calls + 1;
}

void FakeHost::maybe_drop() {
    ++m_calls;
    if ((m_drop_after >= 0 && m_calls > m_drop_after) || m_calls == m_drop_once_at)
        throw ssh::Error(ssh::ErrorKind::disconnected, m_name + ":22: the host dropped the connection");
}

ssh::ExecResult FakeHost::exec(const std::string& line, const ssh::ExecOptions& o) {
    std::lock_guard<std::mutex> lock(m_mutex);
    maybe_drop();
    m_commands.push_back(line);
    if (o.input) m_inputs[line] = *o.input;
    ssh::ExecResult r;
    r.exit_code = 0;
    for (const auto& [needle, err] : failing)
        if (line.find(needle) != std::string::npos) {
            r.exit_code = 1;
            r.err = err;
            return r;
        }
    if (auto a = answers.find(line); a != answers.end()) {
        r.out = a->second;
        return r;
    }
    auto words = split(line, ' ');
    auto last = words.empty() ? std::string() : words.back();
    auto missing = [&](const std::string& name) {
        r.exit_code = 1;
        r.err = "Error: No such container: " + name;
        return r;
    };
    if (line.rfind("docker run ", 0) == 0) {
        // Read from the words, not with std::regex: hosts run on one thread each, and libstdc++'s
        // regex compiler fills a shared ctype cache without a lock (ThreadSanitizer reports it).
        std::string name;
        int port = 0;
        for (std::size_t i = 0; i + 1 < words.size(); ++i) {
            if (words[i] == "--name") name = words[i + 1];
            if (words[i] == "--publish") port = std::atoi(words[i + 1].c_str());  // "8080:80" reads 8080
        }
        for (auto& [n, c] : m_containers)
            if (c.running && c.port == port) {
                r.exit_code = 125;
                r.err = "port is already allocated";
                return r;
            }
        m_containers[name] = {port, true};
        if (name == unhealthy_after_run) m_probes_since_run = 0;
    } else if (line.rfind("docker stop ", 0) == 0) {
        if (!m_containers.count(last)) return missing(last);
        m_containers[last].running = false;
    } else if (line.rfind("docker start ", 0) == 0) {
        if (!m_containers.count(last)) return missing(last);
        m_containers[last].running = true;
    } else if (line.rfind("docker rm --force ", 0) == 0) {
        for (std::size_t i = 3; i < words.size(); ++i)  // every name, as docker removes each on its own
            if (!m_containers.erase(words[i])) missing(words[i]);
        if (r.exit_code != 0) return r;
    } else if (line.rfind("docker inspect ", 0) == 0) {
        if (!m_containers.count(last)) return missing(last);
        r.out = m_containers[last].running ? "running 0 0\n" : "exited 1 0\n";
    } else if (line.find("history.jsonl") != std::string::npos && line.find("cat >>") != std::string::npos) {
        m_files["history"] += "appended\n";
    }
    return r;
}

void FakeHost::upload(const std::string& path, std::string_view bytes, int mode) {
    std::lock_guard<std::mutex> lock(m_mutex);
    maybe_drop();
    if (!upload_error.empty()) throw ssh::Error(ssh::ErrorKind::sftp, m_name + ":22: upload " + path + ": " + upload_error);
    m_files[path] = std::string(bytes) + "|mode=" + std::to_string(mode);
}

ssh::HttpResponse FakeHost::http_get(int port, const std::string&, std::chrono::milliseconds) {
    std::lock_guard<std::mutex> lock(m_mutex);
    maybe_drop();
    ssh::HttpResponse r;
    for (const auto& [name, c] : m_containers) {
        if (!c.running || c.port != port) continue;
        bool bad = false;
        for (const auto& u : unhealthy) bad = bad || name.find(u) != std::string::npos;
        if (name == unhealthy_after_run && ++m_probes_since_run > healthy_probes) bad = true;
        r.status = bad ? 503 : 200;
        r.body = bad ? "not ready" : "ok";
        return r;
    }
    r.error = "connection refused";
    return r;
}

std::vector<std::string> FakeHost::commands() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_commands;
}

std::map<std::string, std::string> FakeHost::inputs() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_inputs;
}

std::map<std::string, std::string> FakeHost::files() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_files;
}

bool FakeHost::running(const std::string& name) const {
    std::lock_guard<std::mutex> lock(m_mutex);
    auto it = m_containers.find(name);
    return it != m_containers.end() && it->second.running;
}

void FakeBalancer::apply(const lb::Pool& pool) {
    if (refuse_from >= 0 && static_cast<int>(applied.size()) >= refuse_from)
        throw lb::Error("fake lb: the new configuration was refused", /*kept_previous=*/true);
    int n = static_cast<int>(applied.size());
    if (land_then_fail_from >= 0 && n > land_then_fail_from && lost_for_good)
        throw lb::Error("fake lb: connection refused");
    applied.push_back(pool);
    m_current = pool;
    if (n == land_then_fail_from) throw lb::Error("fake lb: the connection dropped after the change was sent");
}

void FakeBalancer::wait_drained(const std::vector<lb::Member>& removed, std::chrono::milliseconds limit) {
    drained.push_back(removed);
    drain_limits.push_back(limit);
}

std::string pool_text(const lb::Pool& pool) {
    std::string out;
    for (const auto& m : pool)
        out += (out.empty() ? "" : " ") + m.host + ":" + std::to_string(m.port) + (m.enabled ? "" : "(down)");
    return out;
}

}  // namespace hoist::test
