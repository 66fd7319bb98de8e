// Deploys behind the fleet's real HAProxy, driven through its admin socket over SSH: zero failed
// requests rolling (with no reload: the same HAProxy process, sessions drained by `show stat`) and
// blue/green (colour servers switched by state in one batch), and a failed deploy rolled back.
#include <fstream>

#include "deploy_fixture.hpp"
#include "util/strings.hpp"

namespace hoist::dtest {

namespace {
std::string haproxy_pid(const nlohmann::json& fleet) {
    std::string cfg = fleet["lb"]["haproxy"]["config_local"].get<std::string>();
    std::ifstream in(cfg.substr(0, cfg.rfind('/')) + "/haproxy.pid");
    std::string pid;
    in >> pid;
    return pid;
}
}  // namespace

TEST_F(DeployTest, HaproxyRollingDeployUnderLoadWithoutAReload) {
    haproxy_pipeline("");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    std::string pid = haproxy_pid(m_fleet);
    ASSERT_FALSE(pid.empty());
    Load load(haproxy_url(), "close", 2, 1, m_dir);
    auto r = hoist({"-o", "json", "deploy", "--tag", "v2"});
    auto l = load.stop();
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_no_failures(l, "haproxy rolling");
    EXPECT_EQ(haproxy_pid(m_fleet), pid) << "no reload or restart of HAProxy";
    EXPECT_NE(haproxy("show info").find("Pid: " + pid), std::string::npos);
    auto members = haproxy_pool();
    ASSERT_EQ(members.size(), 3u);
    for (const auto& m : members) {
        EXPECT_NE(m.find(":8080"), std::string::npos) << m;
        EXPECT_EQ(get(m.substr(0, m.find(':')), 8080, "/version"), "v2") << m;
    }
}

TEST_F(DeployTest, HaproxyBlueGreenSwitchUnderLoad) {
    haproxy_pipeline("strategy: { type: blue_green, ports: { blue: 8081, green: 8082 } }\n");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    for (const auto& m : haproxy_pool()) EXPECT_NE(m.find(":8081"), std::string::npos) << m;
    Load load(haproxy_url(), "close", 2, 1, m_dir);
    auto r = hoist({"deploy", "--tag", "v2"});
    auto l = load.stop();
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_no_failures(l, "haproxy blue/green");
    EXPECT_GT(l["versions"].value("v2", 0), 0);
    auto members = haproxy_pool();
    ASSERT_EQ(members.size(), 3u);
    for (const auto& m : members) EXPECT_NE(m.find(":8082"), std::string::npos) << m;
    auto rb = hoist({"rollback"});
    ASSERT_EQ(rb.exit_code, 0) << rb.err;
    for (const auto& m : haproxy_pool()) EXPECT_NE(m.find(":8081"), std::string::npos) << m;
}

TEST_F(DeployTest, HaproxyUnhealthyDeployRollsBack) {
    haproxy_pipeline("");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    Load load(haproxy_url(), "close", 2, 1, m_dir);
    auto r = hoist({"deploy", "--tag", "unhealthy"});
    auto l = load.stop();
    EXPECT_EQ(r.exit_code, 1) << r.err;
    expect_no_failures(l, "haproxy unhealthy deploy");
    auto members = haproxy_pool();
    EXPECT_EQ(members.size(), 3u);
    for (const auto& m : members) EXPECT_EQ(get(m.substr(0, m.find(':')), 8080, "/version"), "v1") << m;
}

}  // namespace hoist::dtest
