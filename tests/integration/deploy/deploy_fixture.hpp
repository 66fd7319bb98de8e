#pragma once
// What the deploy integration tests share: the test fleet (from $HOIST_FLEET_JSON; its real sshd,
// dockerd, registry and nginx), a clean slate per test (no hoist containers, no ~/.hoist, the
// fleet's upstream file), pipelines written for the fleet, the hoist binary run in the foreground
// or the background (to signal or kill it), the load generator, and independent checks of what
// each host serves and what nginx routes to. Without HOIST_FLEET_JSON every test FAILS.
#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hoist::dtest {

struct HoistRun {
    int exit_code = -1;
    std::string out, err;
    /// The last JSON line of stdout (the summary with -o json), or null.
    nlohmann::json summary() const;
};

/// The events named `name` of a run with -o json, in order.
std::vector<nlohmann::json> events(const HoistRun& r, const std::string& name);

/// hoist (or any program) started in the background with its output in files.
class Spawned {
public:
    Spawned(const std::vector<std::string>& argv, const std::string& cwd, const std::string& out_file,
            const std::string& err_file);
    ~Spawned();
    void signal(int sig);
    /// Waits for the exit; -1 when it did not end within `limit`.
    int wait(std::chrono::milliseconds limit = std::chrono::minutes(3));
    pid_t pid() const { return m_pid; }

private:
    pid_t m_pid = -1;
    int m_status = -1;
};

/// tests/fleet/loadgen through nginx until stop().
class Load {
public:
    /// mode: close | keepalive; slow: requests kept in flight on /cgi-bin/slow?S
    Load(const std::string& url, const std::string& mode, int slow, int slow_seconds, const std::string& dir);
    nlohmann::json stop();
    ~Load();

private:
    std::string m_file, m_err;
    std::unique_ptr<Spawned> m_proc;
};

class DeployTest : public ::testing::Test {
protected:
    void SetUp() override;
    void TearDown() override;

    /// Writes <dir>/<name> for the fleet: the three docker hosts behind the LB's nginx, plus
    /// `extra` YAML appended (strategy, healthcheck overrides...). Returns its path.
    std::string pipeline(const std::string& extra, const std::string& name = "hoist.yml");
    /// Same, behind the fleet's HAProxy (runtime API over SSH) instead of nginx.
    std::string haproxy_pipeline(const std::string& extra);
    /// The fleet HAProxy's answer to a runtime API command (through socat, from this machine).
    std::string haproxy(const std::string& command) const;
    /// Enabled "host:port" servers of the HAProxy backend.
    std::vector<std::string> haproxy_pool() const;
    std::string haproxy_url() const;
    /// Runs hoist in the test's directory and waits.
    HoistRun hoist(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {});
    /// Starts hoist in the background.
    std::unique_ptr<Spawned> hoist_bg(const std::vector<std::string>& args, const std::string& tag);
    std::string read(const std::string& path) const;

    /// GET http://<host>:<port><path> from this machine; "" on failure.
    std::string get(const std::string& host, int port, const std::string& path) const;
    /// Enabled "host:port" members of the upstream file as nginx has it.
    std::vector<std::string> pool() const;
    /// What every host serves on the port nginx routes to it (host -> body of /version).
    std::map<std::string, std::string> served() const;
    /// Every enabled pool member answers /healthz with 200.
    void expect_pool_healthy() const;
    /// The lock directory on the first host exists.
    bool lock_held() const;
    /// Runs a command in a fleet node's network namespace (e.g. to take a link down).
    int in_netns(const std::string& netns, const std::string& command) const;
    std::string nginx_url() const;

    nlohmann::json m_fleet;
    std::vector<std::string> m_hosts;
    std::string m_dir, m_image;
    std::vector<std::string> m_restore;  ///< shell commands TearDown runs (links to bring back up)
};

/// Zero failed requests: no non-2xx and no socket errors (and slow requests completed, when the
/// run was long enough for them: `slow_done`).
void expect_no_failures(const nlohmann::json& load, const std::string& what, bool slow_done = true);

}  // namespace hoist::dtest
