#include "deploy_fixture.hpp"
#include "../fleet_json.hpp"

#include <spawn.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "util/process.hpp"
#include "util/strings.hpp"

namespace hoist::dtest {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<json> events(const HoistRun& r, const std::string& name) {
    std::vector<json> out;
    for (const auto& line : split(r.out, '\n')) {
        auto ev = json::parse(line, nullptr, false);
        if (ev.is_object() && ev.value("event", "") == name) out.push_back(ev);
    }
    return out;
}

json HoistRun::summary() const {
    auto lines = split(out, '\n');
    for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
        auto j = json::parse(trim(*it), nullptr, false);
        if (!j.is_discarded() && j.is_object()) return j;
    }
    return nullptr;
}

Spawned::Spawned(const std::vector<std::string>& argv, const std::string& cwd, const std::string& out_file,
                 const std::string& err_file) {
    // posix_spawn: nothing of ours runs in the child of this threaded process (see registry/fixture.cpp)
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, args[0], &fa, &attr, args.data(), environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    if (rc == 0) m_pid = pid;
    else m_status = 127 << 8;  // as a shell says "not found": wait() returns 127
}

Spawned::~Spawned() {
    if (m_pid > 0 && m_status < 0) {
        ::kill(m_pid, SIGKILL);
        waitpid(m_pid, nullptr, 0);
    }
}

void Spawned::signal(int sig) {
    if (m_pid > 0 && m_status < 0) ::kill(m_pid, sig);
}

int Spawned::wait(std::chrono::milliseconds limit) {
    if (m_status >= 0) return WIFEXITED(m_status) ? WEXITSTATUS(m_status) : 128 + WTERMSIG(m_status);
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        int st = 0;
        pid_t r = waitpid(m_pid, &st, WNOHANG);
        if (r == m_pid) {
            m_status = st;
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
}

Load::Load(const std::string& url, const std::string& mode, int slow, int slow_seconds, const std::string& dir) {
    static int n = 0;
    m_file = dir + "/load-" + std::to_string(++n) + ".json";
    m_err = m_file + ".err";
    std::vector<std::string> argv{std::string(HOIST_SOURCE_DIR) + "/tests/fleet/loadgen", url, "-c", "4", "--mode", mode};
    if (slow) {
        argv.insert(argv.end(), {"--slow", std::to_string(slow), "--slow-path", "/cgi-bin/slow?" + std::to_string(slow_seconds)});
    }
    m_proc = std::make_unique<Spawned>(argv, dir, m_file, m_err);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // warm: workers running before the deploy
}

json Load::stop() {
    if (!m_proc) return nullptr;
    m_proc->signal(SIGTERM);
    m_proc->wait(std::chrono::seconds(30));
    m_proc.reset();
    std::ifstream in(m_file);
    std::stringstream ss;
    ss << in.rdbuf();
    auto j = json::parse(trim(ss.str()), nullptr, false);
    return j.is_discarded() ? json(nullptr) : j;
}

Load::~Load() { stop(); }

void expect_no_failures(const json& load, const std::string& what, bool slow_done) {
    ASSERT_TRUE(load.is_object()) << what << ": the load generator printed no result";
    EXPECT_GT(load["requests"].get<long>(), 100) << what << ": " << load.dump();
    EXPECT_EQ(load["non2xx"].get<long>(), 0) << what << ": " << load.dump();
    EXPECT_EQ(load["socket_errors"].get<long>(), 0) << what << ": " << load.dump();
    if (slow_done) {
        EXPECT_GT(load["slow"]["requests"].get<long>(), 0) << what << ": no slow request completed: " << load.dump();
    }
}

namespace {

std::string sh(const std::string& script) {
    auto r = run_process({"sh", "-c", script});
    return r.out;
}

}  // namespace

void DeployTest::SetUp() {
    const char* path = ::hoist::itest::fleet_json_path();
    if (!path || !*path)
        FAIL() << "HOIST_FLEET_JSON is not set: the deploy tests need the test fleet (docker hosts, registry, nginx). "
                  "Bring one up with `tests/fleet/fleet up` (as root) and export HOIST_FLEET_JSON=<fleet dir>/fleet.json "
                  "(tests/run-all.sh does both).";
    std::ifstream in(path);
    m_fleet = json::parse(in, nullptr, false);
    ASSERT_FALSE(m_fleet.is_discarded()) << path;
    ASSERT_TRUE(m_fleet["docker"].get<bool>()) << "the deploy tests need a fleet with dockerd on the hosts";
    ASSERT_FALSE(m_fleet["lb"].is_null()) << "the deploy tests need the fleet's load balancer host";
    for (const auto& h : m_fleet["hosts"]) m_hosts.push_back(h["address"].get<std::string>());
    m_image = m_fleet["images"]["repository"].get<std::string>();
    char tmpl[] = "/tmp/hoist-dtest-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    m_dir = tmpl;
    // A clean slate: no hoist containers, no state on the hosts, the fleet's own upstream file.
    for (const auto& h : m_fleet["hosts"]) {
        std::string dh = h["docker_host"].get<std::string>();
        sh("ids=$(docker -H " + dh + " ps -aq --filter label=hoist.service); [ -z \"$ids\" ] || docker -H " + dh +
           " rm -f $ids >/dev/null 2>&1");
        fs::remove_all(h["home"].get<std::string>() + "/.hoist");
    }
    std::string file = m_fleet["lb"]["nginx"]["config_path_local"].get<std::string>();
    std::string text = "upstream app {\n";
    for (const auto& h : m_hosts) text += "    server " + h + ":8080;\n";
    text += "}\n";
    std::ofstream(file) << text;
    sh("ssh -F " + m_fleet["ssh"]["config"].get<std::string>() + " lb nginx -s reload");
    std::string backend = m_fleet["lb"]["haproxy"]["backend"].get<std::string>();
    std::string reset;
    for (const auto& h : m_hosts) {
        std::string base = "hoist-" + h;
        for (auto& c : base)
            if (c == '.') c = '-';
        reset += "set server " + backend + "/" + base + " addr " + h + " port 8080;set server " + backend + "/" + base +
                 " state ready;set server " + backend + "/" + base + "-blue state maint;set server " + backend + "/" +
                 base + "-green state maint;";
    }
    haproxy(reset);
}

void DeployTest::TearDown() {
    for (const auto& c : m_restore) sh(c);
    if (!m_dir.empty() && !HasFailure()) fs::remove_all(m_dir);
    else if (!m_dir.empty()) std::fprintf(stderr, "kept %s for inspection\n", m_dir.c_str());
}

std::string DeployTest::pipeline(const std::string& extra, const std::string& name) {
    const auto& s = m_fleet["ssh"];
    std::string hosts = join(m_hosts, ", ");
    std::string text = "service: app\nimage: " + m_image + "\nregistry: { insecure: true }\nhosts: [" + hosts +
                       "]\nssh: { user: " + s["user"].get<std::string>() + ", identity_files: [" +
                       s["identity_file"].get<std::string>() + "], known_hosts: " + s["known_hosts"].get<std::string>() +
                       ", host_key_checking: strict, connect_timeout: 5s }\n"
                       "container: { port: 8080, host_port: 8080, stop_timeout: 1s }\n"
                       "healthcheck: { path: /healthz, interval: 200ms, deadline: 10s }\n"
                       "load_balancer: { type: nginx, host: " + m_fleet["lb"]["address"].get<std::string>() +
                       ", upstream: app, config_path: " + m_fleet["lb"]["nginx"]["config_path"].get<std::string>() +
                       ", drain_time: 1500ms }\n" + extra;
    std::string path = m_dir + "/" + name;
    std::ofstream(path) << text;
    return path;
}

std::string DeployTest::haproxy_pipeline(const std::string& extra) {
    std::string path = pipeline(extra);
    std::string text = read(path);
    auto at = text.find("load_balancer:");
    auto end = text.find('\n', at);
    const auto& h = m_fleet["lb"]["haproxy"];
    text.replace(at, end - at, "load_balancer: { type: haproxy, host: " + m_fleet["lb"]["address"].get<std::string>() +
                                   ", socket: " + h["socket"].get<std::string>() + ", backend: " +
                                   h["backend"].get<std::string>() + ", drain_time: 3s }");
    std::ofstream(path) << text;
    return path;
}

std::string DeployTest::haproxy(const std::string& command) const {
    auto r = run_process({"socat", "-", "UNIX-CONNECT:" + m_fleet["lb"]["haproxy"]["socket"].get<std::string>()},
                         [&] {
                             ProcessOptions o;
                             o.input = command + "\n";
                             return o;
                         }());
    return r.out;
}

std::vector<std::string> DeployTest::haproxy_pool() const {
    std::vector<std::string> out;
    std::string backend = m_fleet["lb"]["haproxy"]["backend"].get<std::string>();
    for (const auto& line : split(haproxy("show servers state " + backend), '\n')) {
        auto w = split(trim(line), ' ');
        // be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state ... srv_port (19th)
        if (w.size() < 19 || w[1] != backend) continue;
        if (w[6] == "0") out.push_back(w[4] + ":" + w[18]);
    }
    return out;
}

std::string DeployTest::haproxy_url() const { return m_fleet["lb"]["haproxy"]["url"].get<std::string>(); }

HoistRun DeployTest::hoist(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
    std::vector<std::string> argv{HOIST_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions o;
    o.cwd = m_dir;
    o.env = env;
    o.env["NO_COLOR"] = "1";
    auto r = run_process(argv, o);
    return {r.exit_code, r.out, r.err};
}

std::unique_ptr<Spawned> DeployTest::hoist_bg(const std::vector<std::string>& args, const std::string& tag) {
    std::vector<std::string> argv{HOIST_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    return std::make_unique<Spawned>(argv, m_dir, m_dir + "/" + tag + ".out", m_dir + "/" + tag + ".err");
}

std::string DeployTest::read(const std::string& path) const {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string DeployTest::get(const std::string& host, int port, const std::string& path) const {
    auto r = run_process({"curl", "-s", "-m", "3", "-f", "http://" + host + ":" + std::to_string(port) + path});
    return r.exit_code == 0 ? trim(r.out) : "";
}

std::vector<std::string> DeployTest::pool() const {
    std::string text = read(m_fleet["lb"]["nginx"]["config_path_local"].get<std::string>());
    std::vector<std::string> out;
    std::regex line(R"(server\s+([0-9.]+:[0-9]+)\s*(down)?\s*;)");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), line); it != std::sregex_iterator(); ++it)
        if (!(*it)[2].matched) out.push_back((*it)[1]);
    return out;
}

std::map<std::string, std::string> DeployTest::served() const {
    std::map<std::string, std::string> out;
    for (const auto& member : pool()) {
        auto colon = member.find(':');
        out[member.substr(0, colon)] = get(member.substr(0, colon), std::stoi(member.substr(colon + 1)), "/version");
    }
    return out;
}

void DeployTest::expect_pool_healthy() const {
    for (const auto& member : pool()) {
        auto colon = member.find(':');
        EXPECT_EQ(get(member.substr(0, colon), std::stoi(member.substr(colon + 1)), "/healthz"), "ok")
            << "nginx routes to " << member << ", which does not answer healthy";
    }
}

bool DeployTest::lock_held() const {
    return fs::exists(m_fleet["hosts"][0]["home"].get<std::string>() + "/.hoist/app/lock");
}

int DeployTest::in_netns(const std::string& netns, const std::string& command) const {
    return run_process({"ip", "netns", "exec", netns, "sh", "-c", command}).exit_code;
}

std::string DeployTest::nginx_url() const { return m_fleet["lb"]["nginx"]["url"].get<std::string>(); }

}  // namespace hoist::dtest
