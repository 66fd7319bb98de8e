#pragma once
// Integration-test fixtures: a real CNCF registry (docker-registry) on 127.0.0.1 with a random
// port, open, htpasswd (Basic) or token auth (the fleet's token issuer), that can be stopped and
// restarted on the same port and storage; running the hoist binary; deterministic test images.
#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hoist::itest {

/// A temporary directory removed (recursively) at scope exit.
struct TempDir {
    std::string path;
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

/// A background process killed (SIGKILL, then reaped) at scope exit or by kill().
class Background {
public:
    Background() = default;
    Background(const std::vector<std::string>& argv, const std::string& log_file);
    ~Background() { kill(); }
    Background(Background&& o) noexcept : m_pid(o.m_pid) { o.m_pid = -1; }
    Background& operator=(Background&& o) noexcept;
    void kill();
    pid_t pid() const { return m_pid; }
    /// Whether the process has ended (reaps it then; kill() is a no-op afterwards).
    bool exited();

private:
    pid_t m_pid = -1;
};

enum class Auth { open, basic, token };

/// A docker-registry process. User "alice" / password "alice-secret" is allowed to push.
class LocalRegistry {
public:
    explicit LocalRegistry(Auth auth = Auth::open);
    /// host:port, e.g. 127.0.0.1:41234
    std::string host() const { return "127.0.0.1:" + std::to_string(m_port); }
    const std::string& storage() const { return m_storage; }
    /// The token issuer's endpoint (token auth only).
    std::string issuer_url() const { return "http://127.0.0.1:" + std::to_string(m_issuer_port) + "/token"; }
    void stop();
    /// Starts again on the same port and storage; waits until it answers.
    void start();
    static constexpr const char* user = "alice";
    static constexpr const char* password = "alice-secret";

private:
    /// Until `port` answers HTTP (true), `proc` exits (false) or 60 s pass (throws).
    bool wait_ready(int port, Background& proc, const std::string& log) const;
    void write_config();
    TempDir m_dir;
    Auth m_auth;
    int m_port = 0, m_issuer_port = 0;
    std::string m_auth_yaml;  ///< the registry config's auth section
    std::string m_storage, m_config;
    Background m_registry, m_issuer;
};

struct HoistRun {
    int exit_code = -1;
    std::string out, err;
    /// stdout parsed as JSON lines (when run with -o json).
    std::vector<nlohmann::json> events() const;
    /// The first event named `name`, or null.
    nlohmann::json event(const std::string& name) const;
};

/// Runs the hoist binary with `args` in `cwd`, with `env` added (XDG_CACHE_HOME should be set
/// by the caller to keep tests apart).
HoistRun run_hoist(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                   const std::string& cwd = "");

/// A deterministic docker-archive made by tests/bench/push/mkimage.py at `scale` (cached per
/// scale and seed for the test process).
std::string test_archive(double scale, int seed = 1);

/// `skopeo inspect --raw`'s digest: the digest of the manifest the registry serves for `ref`.
std::string skopeo_digest(const std::string& ref, const std::string& creds = "");

/// Free TCP port on 127.0.0.1.
int free_port();

}  // namespace hoist::itest
