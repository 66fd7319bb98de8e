#include "fixture.hpp"

#include <arpa/inet.h>
#include <spawn.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>

#include "oci/digest.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace hoist::itest {

namespace fs = std::filesystem;

TempDir::TempDir() {
    char tmpl[] = "/tmp/hoist-itest-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
}
TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
}

Background::Background(const std::vector<std::string>& argv, const std::string& log_file) {
    // posix_spawn, not fork + code in the child: the test binary has threads (the watchdog), and a
    // child of a threaded process must not allocate before exec. Under ThreadSanitizer such a child
    // hung before exec, which looked like a registry that never answered.
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, args[0], &fa, &attr, args.data(), environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
    m_pid = pid;
}

Background& Background::operator=(Background&& o) noexcept {
    kill();
    m_pid = o.m_pid;
    o.m_pid = -1;
    return *this;
}

bool Background::exited() {
    if (m_pid <= 0) return true;
    if (waitpid(m_pid, nullptr, WNOHANG) != m_pid) return false;
    m_pid = -1;
    return true;
}

void Background::kill() {
    if (m_pid <= 0) return;
    ::kill(m_pid, SIGKILL);
    waitpid(m_pid, nullptr, 0);
    m_pid = -1;
}

int free_port() {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    int port = ntohs(a.sin_port);
    close(s);
    return port;
}

LocalRegistry::LocalRegistry(Auth auth) : m_auth(auth) {
    m_port = free_port();
    m_storage = m_dir.path + "/storage";
    m_config = m_dir.path + "/registry.yml";
    if (auth == Auth::basic) {
        // bcrypt via the same python one-liner as the fleet (no apache2-utils needed)
        auto r = run_process({"/usr/bin/python3", "-W", "ignore", "-c",
                              "import crypt,sys;print('%s:%s' % (sys.argv[1], crypt.crypt(sys.argv[2], "
                              "crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1<<5))))",
                              user, password});
        if (r.exit_code != 0) throw std::runtime_error("htpasswd generation failed: " + r.err);
        std::ofstream(m_dir.path + "/htpasswd") << r.out;
        m_auth_yaml = "auth:\n  htpasswd:\n    realm: hoist-itest\n    path: " + m_dir.path + "/htpasswd\n";
    } else if (auth == Auth::token) {
        m_issuer_port = free_port();
        auto r = run_process({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                              m_dir.path + "/token.key", "-out", m_dir.path + "/token.crt", "-days", "2", "-subj",
                              "/CN=hoist-itest"});
        if (r.exit_code != 0) throw std::runtime_error("openssl failed: " + r.err);
        std::string users = m_dir.path + "/issuer-users";  // passwords never on a command line
        std::ofstream(users) << user << ":" << password << "\n";
        m_issuer = Background({"/usr/bin/python3", std::string(HOIST_SOURCE_DIR) + "/tests/fleet/lib/token_issuer.py",
                               "--listen", "127.0.0.1:" + std::to_string(m_issuer_port), "--key",
                               m_dir.path + "/token.key", "--cert", m_dir.path + "/token.crt", "--issuer",
                               "hoist-itest-issuer", "--service", "hoist-itest-registry", "--users-file", users},
                              m_dir.path + "/issuer.log");
        m_auth_yaml = "auth:\n  token:\n    realm: http://127.0.0.1:" + std::to_string(m_issuer_port) +
                      "/token\n    service: hoist-itest-registry\n    issuer: hoist-itest-issuer\n    rootcertbundle: " +
                      m_dir.path + "/token.crt\n";
        if (!wait_ready(m_issuer_port, m_issuer, m_dir.path + "/issuer.log"))
            throw std::runtime_error("the token issuer exited; see " + m_dir.path + "/issuer.log");
    }
    write_config();
    // A port from free_port() is free only when asked: until the registry binds it, any outgoing
    // connection of the machine may take it. Then the registry exits with "address already in use"
    // and another port is tried.
    for (int attempt = 1;; ++attempt) {
        m_registry = Background({"docker-registry", "serve", m_config}, m_dir.path + "/registry.log");
        if (wait_ready(m_port, m_registry, m_dir.path + "/registry.log")) return;
        std::ifstream in(m_dir.path + "/registry.log");
        std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (attempt == 3 || log.find("address already in use") == std::string::npos)
            throw std::runtime_error("docker-registry on port " + std::to_string(m_port) + " exited: " + log);
        m_port = free_port();
        write_config();
    }
}

void LocalRegistry::write_config() {
    std::ofstream c(m_config);
    c << "version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: "
      << m_storage << "\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:" << m_port
      << "\n  secret: hoist-itest-secret\n"
      << m_auth_yaml;
}

bool LocalRegistry::wait_ready(int port, Background& proc, const std::string& log) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
        if (proc.exited()) return false;
        auto r = run_process({"curl", "-s", "-m", "5", "-o", "/dev/null", "-w", "%{http_code}",
                              "http://127.0.0.1:" + std::to_string(port) + "/v2/"});
        if (r.out != "000" && !r.out.empty()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("nothing answers on port " + std::to_string(port) + " after 60 s; see " + log);
}

void LocalRegistry::start() {
    m_registry = Background({"docker-registry", "serve", m_config}, m_dir.path + "/registry.log");
    if (!wait_ready(m_port, m_registry, m_dir.path + "/registry.log"))
        throw std::runtime_error("docker-registry exited on restart; see " + m_dir.path + "/registry.log");
}

void LocalRegistry::stop() { m_registry.kill(); }

std::vector<nlohmann::json> HoistRun::events() const {
    std::vector<nlohmann::json> out;
    for (auto& line : split(this->out, '\n')) {
        if (trim(line).empty()) continue;
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_discarded()) out.push_back(j);
    }
    return out;
}

nlohmann::json HoistRun::event(const std::string& name) const {
    for (auto& e : events())
        if (e.value("event", "") == name) return e;
    return nullptr;
}

HoistRun run_hoist(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                   const std::string& cwd) {
    std::vector<std::string> argv{HOIST_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions o;
    o.env = env;
    if (!o.env.count("GITHUB_ACTIONS")) o.env["GITHUB_ACTIONS"] = "";  // the suite may run as a GitHub Actions step
    o.cwd = cwd;
    auto r = run_process(argv, o);
    return HoistRun{r.exit_code, r.out, r.err};
}

std::string test_archive(double scale, int seed) {
    static TempDir dir;
    std::string path = dir.path + "/image-" + std::to_string(scale) + "-" + std::to_string(seed) + ".tar";
    if (!fs::exists(path)) {
        auto r = run_process({"/usr/bin/python3", std::string(HOIST_SOURCE_DIR) + "/tests/bench/push/mkimage.py", path,
                              "--scale", std::to_string(scale), "--seed", std::to_string(seed)});
        if (r.exit_code != 0) throw std::runtime_error("mkimage.py failed: " + r.err);
    }
    return path;
}

std::string skopeo_digest(const std::string& ref, const std::string& creds) {
    std::vector<std::string> argv{"skopeo", "inspect", "--raw", "--tls-verify=false"};
    if (!creds.empty()) argv.push_back("--creds=" + creds);
    argv.push_back("docker://" + ref);
    auto r = run_process(argv);
    if (r.exit_code != 0) return "skopeo failed: " + r.err;
    return oci::sha256_of(r.out).str();
}

}  // namespace hoist::itest
