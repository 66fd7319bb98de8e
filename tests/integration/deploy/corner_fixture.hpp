#pragma once
// What the tests of the contract's corners share (hooks, logs, container settings, pruning,
// rollback --to, the pre-flight, plan): the deploy fixture plus looks at the hosts' runtimes and a
// snapshot of everything a deploy could change. Deploys that are not about zero downtime take two
// hosts at once (max_unavailable: 2).
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include "deploy_fixture.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace hoist::dtest {

namespace corner {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

inline const char* kTwoAtOnce = "strategy: { type: rolling, max_unavailable: 2 }\n";

inline std::string shell(const std::string& script) {
    return run_process({"sh", "-c", script}).out;
}

/// Waits until `pred` holds, polling every 50 ms, at most `limit`.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit) {
    auto end = Clock::now() + limit;
    while (Clock::now() < end) {
        if (pred()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return pred();
}

}  // namespace corner

class CornerTest : public DeployTest {
  protected:
    std::string docker_host(std::size_t i) const {
        return m_fleet["hosts"][i]["docker_host"].get<std::string>();
    }
    /// `docker -H <host i> ARGS` (ARGS as shell words), its stdout.
    std::string docker(std::size_t i, const std::string& args) const {
        return corner::shell("docker -H " + docker_host(i) + " " + args + " 2>/dev/null");
    }
    /// name:state of every container of the service on host i.
    std::set<std::string> containers(std::size_t i) const {
        auto out = docker(i, "ps -a --filter label=hoist.service=app --format '{{.Names}}:{{.State}}'");
        std::set<std::string> s;
        for (const auto& l : split(trim(out), '\n'))
            if (!trim(l).empty()) s.insert(trim(l));
        return s;
    }
    /// Tags of the app repository on host i.
    std::set<std::string> tags(std::size_t i) const {
        auto out = docker(i, "images --format '{{.Tag}}' " + m_image);
        std::set<std::string> s;
        for (const auto& l : split(trim(out), '\n'))
            if (!trim(l).empty() && trim(l) != "<none>") s.insert(trim(l));
        return s;
    }
    std::string home(std::size_t i) const { return m_fleet["hosts"][i]["home"].get<std::string>(); }
    /// Everything a deploy could change, as text: per host the containers (id, name, state, image,
    /// labels), images, volumes and the files under the login user's home; on the LB nginx's
    /// upstream file and its worker processes (a reload replaces them) and HAProxy's servers
    /// (address, port, admin state, weight).
    std::string snapshot() const {
        std::string s;
        for (std::size_t i = 0; i < m_hosts.size(); ++i) {
            s += "== " + m_hosts[i] + " containers\n" +
                 docker(i,
                        "ps -a --no-trunc --format '{{.ID}} {{.Names}} {{.State}} {{.Image}} {{.Labels}}' | "
                        "sort");
            s += "== images\n" +
                 docker(i, "images --no-trunc --format '{{.Repository}}:{{.Tag}} {{.ID}}' | sort");
            s += "== volumes\n" + docker(i, "volume ls -q | sort");
            // files with size and mtime; directories by name (a lock taken and released shows as a
            // new mtime of ~/.hoist/app, which is no change)
            s += "== home\n" +
                 corner::shell("cd '" + home(i) +
                               "' && { find . -type d; find . ! -type d -printf '%p %y %s %T@\\n'; } | sort");
        }
        const auto& n = m_fleet["lb"]["nginx"];
        s += "== nginx upstream file\n" + read(n["config_path_local"].get<std::string>());
        s += "== nginx workers\n" +
             corner::shell("pgrep -P \"$(cat '" + n["pid_file"].get<std::string>() + "')\" | sort");
        s += "== haproxy servers\n";
        for (const auto& line :
             split(haproxy("show servers state " + m_fleet["lb"]["haproxy"]["backend"].get<std::string>()),
                   '\n')) {
            auto w = split(trim(line), ' ');
            // name, address, admin state, weight, port: what hoist sets (the operational state
            // follows HAProxy's own health checks)
            if (w.size() >= 19) s += w[3] + " " + w[4] + " " + w[6] + " " + w[7] + " " + w[18] + "\n";
        }
        return s;
    }
    /// `extra` with two hosts at once; `container` replaces the fixture's container line.
    std::string corner_pipeline(const std::string& extra, const std::string& container = "") {
        std::string path = pipeline(std::string(corner::kTwoAtOnce) + extra);
        if (container.empty()) return path;
        std::string text = read(path);
        const std::string line = "container: { port: 8080, host_port: 8080, stop_timeout: 1s }\n";
        auto at = text.find(line);
        EXPECT_NE(at, std::string::npos) << text;
        if (at != std::string::npos) text.replace(at, line.size(), container);
        std::ofstream(path) << text;
        return path;
    }
    void expect_every_host_serves(const std::string& version, const std::string& why) {
        auto s = served();
        EXPECT_EQ(s.size(), m_hosts.size()) << why << ": every host in the pool";
        for (const auto& [h, v] : s) EXPECT_EQ(v, version) << why << ": " << h;
    }
};

}  // namespace hoist::dtest
