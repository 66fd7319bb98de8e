#include "fleet_fixture.hpp"
#include "../fleet_json.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace hoist::ssh::itest {

const FleetInfo& fleet() {
    static FleetInfo info;
    static std::string error;
    static bool loaded = false;
    if (!loaded) {
        loaded = true;
        const char* path = ::hoist::itest::fleet_json_path();
        if (!path || !*path) {
            error = "HOIST_FLEET_JSON is not set: these tests need the test fleet. Bring one up with "
                    "`tests/fleet/fleet up --name NAME` (as root) and export HOIST_FLEET_JSON=/tmp/hoist-fleet/NAME/fleet.json";
        } else {
            try {
                std::ifstream in(path);
                if (!in) throw std::runtime_error(std::string("cannot read ") + path);
                in >> info.json;
                auto& j = info.json;
                info.name = j.at("name");
                info.dir = j.at("dir");
                info.user = j.at("ssh").at("user");
                info.known_hosts = j.at("ssh").at("known_hosts");
                info.key_ed25519 = j.at("ssh").at("identity_files").at("ed25519");
                info.key_ecdsa = j.at("ssh").at("identity_files").at("ecdsa");
                info.key_rsa = j.at("ssh").at("identity_files").at("rsa");
                for (auto& h : j.at("hosts")) info.hosts.push_back(h.at("address"));
                if (j.contains("bastion") && !j["bastion"].is_null()) {
                    info.bastion = j["bastion"].at("address");
                    info.proxy_jump = j["bastion"].at("proxy_jump");
                    for (auto& h : j["bastion"].at("hosts")) info.bastion_hosts.push_back(h.at("address"));
                }
                if (info.hosts.size() < 3) throw std::runtime_error("the SSH tests need a fleet of at least 3 hosts");
            } catch (const std::exception& e) {
                error = std::string("HOIST_FLEET_JSON=") + path + ": " + e.what();
            }
        }
    }
    if (!error.empty()) ADD_FAILURE() << error;
    return info;
}

void FleetTest::SetUp() {
    const FleetInfo& info = fleet();
    if (info.hosts.empty()) FAIL() << "no test fleet (see above)";
    m_fleet = &info;
}

void FleetTest::TearDown() {
    for (auto& d : m_temp_dirs) std::filesystem::remove_all(d);
}

Endpoint FleetTest::endpoint(const std::string& address, const std::string& key) const {
    Endpoint ep;
    ep.host = address;
    ep.user = f().user;
    ep.use_agent = false;
    ep.identity_files = {key.empty() ? f().key_ed25519 : key};
    return ep;
}

ConnectOptions FleetTest::options(ssh::HostKeyChecking checking, const std::string& known_hosts) const {
    ConnectOptions o;
    o.host_keys.checking = checking;
    o.host_keys.known_hosts = known_hosts.empty() ? f().known_hosts : known_hosts;
    o.connect_timeout = std::chrono::seconds(8);  // generous: busy CI machines, sanitizer builds
    auto* self = const_cast<FleetTest*>(this);
    o.warn = [self](const std::string& w) { self->m_warnings.push_back(w); };
    return o;
}

std::string FleetTest::temp_dir() {
    static std::atomic<int> n{0};
    auto d = std::filesystem::temp_directory_path() /
             ("hoist-ssh-itest-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    std::filesystem::create_directories(d);
    m_temp_dirs.push_back(d.string());
    return d.string();
}

std::string sh(const std::string& script) {
    auto r = run_process({"/bin/sh", "-c", script});
    EXPECT_EQ(r.exit_code, 0) << script << "\n" << r.err;
    return r.out;
}

std::string marker() {
    static std::atomic<int> n{0};
    return "hoistmark" + std::to_string(::getpid()) + "x" + std::to_string(n++);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_file(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

}  // namespace hoist::ssh::itest
