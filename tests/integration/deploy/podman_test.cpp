// container.runtime: podman on a real podman host of the fleet (`fleet up --podman 1`: a root
// podman service in the host's namespaces; the login shell's podman client reaches it through
// CONTAINER_HOST, as docker's reaches dockerd through DOCKER_HOST). hoist runs the same commands as
// for docker, with `podman` in front, and must read podman's answers (its `ps` JSON differs).
#include <algorithm>
#include <fstream>
#include <set>

#include "deploy_fixture.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace hoist::dtest {

class PodmanTest : public DeployTest {
  protected:
    void SetUp() override {
        DeployTest::SetUp();
        if (HasFatalFailure()) return;
        ASSERT_TRUE(m_fleet.contains("podman_hosts") && !m_fleet["podman_hosts"].empty())
            << "the podman tests need a fleet with a podman host: tests/fleet/fleet up --podman 1 ... "
               "(tests/run-all.sh brings its fleets up so)";
        m_host = m_fleet["podman_hosts"][0];
        m_addr = m_host["address"].get<std::string>();
        podman("ps -aq --filter label=hoist.service | xargs -r podman rm -f >/dev/null");
        std::filesystem::remove_all(m_host["home"].get<std::string>() + "/.hoist");
    }
    /// `podman ARGS` against the host's podman service (shell words), its stdout.
    std::string podman(const std::string& args) const {
        ProcessOptions o;
        o.env["CONTAINER_HOST"] = m_host["container_host"].get<std::string>();
        return run_process({"sh", "-c", "podman " + args + " 2>/dev/null"}, o).out;
    }
    /// name:running|exited of the service's containers (podman's {{.State}} in a template is
    /// its status text, "Up 2 seconds ago": the JSON has the state word).
    std::set<std::string> containers() const {
        std::set<std::string> s;
        auto list = nlohmann::json::parse(podman("ps -a --filter label=hoist.service=app --format json"),
                                          nullptr, false);
        if (!list.is_array()) return {"unreadable podman ps"};
        for (const auto& c : list)
            s.insert(c["Names"][0].get<std::string>() + ":" + c["State"].get<std::string>());
        return s;
    }
    std::string pipeline_for_podman() {
        const auto& s = m_fleet["ssh"];
        std::string text = "service: app\nimage: " + m_image + "\nregistry: { insecure: true }\nhosts: [" +
                           m_addr + "]\nssh: { user: " + s["user"].get<std::string>() +
                           ", identity_files: [" + s["identity_file"].get<std::string>() +
                           "], known_hosts: " + s["known_hosts"].get<std::string>() +
                           ", host_key_checking: strict, connect_timeout: 5s }\n"
                           "container: { port: 8080, host_port: 8080, stop_timeout: 1s, runtime: podman,\n"
                           "             env: { GREETING: from-hoist } }\n"
                           "healthcheck: { path: /healthz, interval: 200ms, deadline: 20s }\n"
                           "load_balancer: { type: none }\n";
        std::string path = m_dir + "/hoist.yml";
        std::ofstream(path) << text;
        return path;
    }

    nlohmann::json m_host;
    std::string m_addr;
};

// Deploy, deploy again (the previous container kept, stopped), status, rollback: all on podman.
TEST_F(PodmanTest, DeploysUpdatesAndRollsBackOnAPodmanHost) {
    pipeline_for_podman();
    auto r1 = hoist({"-o", "json", "deploy", "--tag", "v1"});
    ASSERT_EQ(r1.exit_code, 0) << r1.err;
    EXPECT_EQ(get(m_addr, 8080, "/version"), "v1");
    EXPECT_EQ(containers(), (std::set<std::string>{"app-v1:running"}));

    auto r2 = hoist({"-o", "json", "deploy", "--tag", "v2"});
    ASSERT_EQ(r2.exit_code, 0) << r2.err;
    auto s = r2.summary();
    EXPECT_EQ(s["previous_tag"], "v1") << "hoist read podman's container list: " << s.dump();
    ASSERT_EQ(s["hosts"].size(), 1u);
    EXPECT_EQ(s["hosts"][0]["result"], "updated");
    EXPECT_EQ(get(m_addr, 8080, "/version"), "v2");
    EXPECT_EQ(containers(), (std::set<std::string>{"app-v1:exited", "app-v2:running"}));
    auto env =
        nlohmann::json::parse(podman("inspect app-v2 --format '{{json .Config.Env}}'"), nullptr, false);
    ASSERT_TRUE(env.is_array()) << podman("inspect app-v2");
    EXPECT_NE(std::find(env.begin(), env.end(), "GREETING=from-hoist"), env.end()) << env.dump();
    EXPECT_NE(podman("inspect app-v2 --format '{{index .Config.Labels \"hoist.version\"}}'").find("v2"),
              std::string::npos);

    auto again = hoist({"-o", "json", "deploy", "--tag", "v2"});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(again.summary()["hosts"][0]["result"], "unchanged") << "the running version is seen on podman";

    auto st = hoist({"-o", "json", "status"});
    EXPECT_EQ(st.exit_code, 0) << st.err;
    EXPECT_NE(st.out.find("\"app-v2\""), std::string::npos) << st.out;

    auto rb = hoist({"-o", "json", "rollback"});
    ASSERT_EQ(rb.exit_code, 0) << rb.err;
    EXPECT_EQ(rb.summary()["tag"], "v1");
    EXPECT_EQ(get(m_addr, 8080, "/version"), "v1");
    EXPECT_EQ(containers(), (std::set<std::string>{"app-v1:running", "app-v2:exited"}));
    podman("ps -aq --filter label=hoist.service | xargs -r podman rm -f >/dev/null");
}

}  // namespace hoist::dtest
