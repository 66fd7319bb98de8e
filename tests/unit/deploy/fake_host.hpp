#pragma once
// Fakes for unit tests of the deploy engine's logic (the integration tests prove it on the real
// fleet): a host that keeps a tiny model of its containers (run/stop/start/rm change which one
// answers HTTP), and a load balancer that records every pool it is given.
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lb/balancer.hpp"
#include "ssh/connection.hpp"
#include "ssh/error.hpp"

namespace hoist::test {

class FakeHost : public ssh::Connection {
public:
    explicit FakeHost(std::string name) : m_name(std::move(name)) {}
    const std::string& label() const override { return m_name; }
    ssh::ExecResult exec(const std::string& line, const ssh::ExecOptions& o) override;
    using Connection::exec;
    void upload(const std::string& path, std::string_view bytes, int mode) override;
    ssh::HttpResponse http_get(int port, const std::string& path, std::chrono::milliseconds timeout) override;
    std::string unix_socket_request(const std::string&, const std::string&, std::chrono::milliseconds) override {
        return "";
    }

    // --- the model
    /// A container that exists: name -> {running, port}.
    void add_container(const std::string& name, int port, bool running);
    /// Containers whose name contains one of these never answer 2xx.
    std::set<std::string> unhealthy;
    /// This container answers 2xx to its first `healthy_probes` GETs after it started, then 503.
    std::string unhealthy_after_run;
    int healthy_probes = 2;
    /// Every command (and upload, HTTP GET) throws ssh::Error(disconnected) from the n-th call on.
    void drop_after(int calls);
    /// Only the call after the next `calls` ones throws ssh::Error(disconnected): a connection that
    /// dropped once and was made again.
    void drop_once_after(int calls);
    /// A command containing a key exits 1 with the value on stderr (e.g. {"docker pull", "denied"}).
    std::map<std::string, std::string> failing;
    /// A command equal to a key exits 0 with the value on stdout (e.g. the free space a df prints).
    std::map<std::string, std::string> answers;
    /// Uploads throw ssh::Error(sftp) with this text when set (e.g. a host whose sshd refuses SFTP,
    /// as before hoist had its exec-channel fallback).
    std::string upload_error;

    // --- records
    std::vector<std::string> commands() const;
    /// What each command that read stdin was given, by command line.
    std::map<std::string, std::string> inputs() const;
    std::map<std::string, std::string> files() const;
    bool running(const std::string& name) const;

private:
    struct Ct {
        int port = 0;
        bool running = false;
    };
    void maybe_drop();
    std::string m_name;
    mutable std::mutex m_mutex;
    std::map<std::string, Ct> m_containers;
    std::vector<std::string> m_commands;
    std::map<std::string, std::string> m_inputs;
    std::map<std::string, std::string> m_files;
    int m_calls = 0, m_drop_after = -1, m_drop_once_at = -1;
    int m_probes_since_run = 0;
};

class FakeBalancer : public lb::LoadBalancer {
public:
    std::string name() const override { return "fake lb"; }
    std::optional<lb::Pool> observe() override { return m_current; }
    void apply(const lb::Pool& pool) override;
    void wait_drained(const std::vector<lb::Member>& removed, std::chrono::milliseconds limit) override;
    void wait_healthy(const std::vector<lb::Member>&, std::chrono::milliseconds limit) override {
        healthy_limits.push_back(limit);
    }
    std::vector<std::chrono::milliseconds> healthy_limits;  ///< the limit of each wait_healthy
    std::vector<lb::Pool> applied;
    std::vector<std::vector<lb::Member>> drained;
    std::vector<std::chrono::milliseconds> drain_limits;  ///< the limit of each wait_drained
    std::optional<lb::Pool> m_current;
    int refuse_from = -1;  ///< apply number (0-based) from which apply throws lb::Error
    /// apply number from which the change lands but apply throws as if the connection dropped
    /// (the caller cannot know it landed); with `lost_for_good` every later apply fails outright
    int land_then_fail_from = -1;
    bool lost_for_good = false;
};

/// "h1:8080 h2:8080(down)" for compact assertions.
std::string pool_text(const lb::Pool& pool);

}  // namespace hoist::test
