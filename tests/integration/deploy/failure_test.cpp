// Deploys that go wrong on the real fleet: an image that never gets healthy, one that exits at
// once, a host that drops off mid-rollout, SIGINT mid-rollout. Each ends with the spec's exit code,
// every host on one version, no failed request, the pool pointing only at healthy containers.
#include <signal.h>

#include <thread>

#include "deploy_fixture.hpp"

namespace hoist::dtest {

TEST_F(DeployTest, UnhealthyImageRollsBackWithoutAFailedRequest) {
    pipeline("");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    Load load(nginx_url(), "close", 2, 1, m_dir);
    auto r = hoist({"-o", "json", "deploy", "--tag", "unhealthy"});
    auto l = load.stop();
    EXPECT_EQ(r.exit_code, 1) << r.err;
    expect_no_failures(l, "unhealthy deploy");
    auto s = r.summary();
    EXPECT_EQ(s["result"], "rolled_back");
    EXPECT_NE(r.err.find("HTTP 404"), std::string::npos) << "the failing health answers are shown: " << r.err;
    auto now = served();
    ASSERT_EQ(now.size(), 3u);
    for (const auto& [h, v] : now) EXPECT_EQ(v, "v1") << h;
    expect_pool_healthy();
    EXPECT_FALSE(lock_held());
}

TEST_F(DeployTest, CrashingImageRollsBackFast) {
    pipeline("");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    Load load(nginx_url(), "close", 2, 1, m_dir);
    auto r = hoist({"deploy", "--tag", "crash"});
    auto l = load.stop();
    EXPECT_EQ(r.exit_code, 1) << r.err;
    expect_no_failures(l, "crashing deploy");
    EXPECT_NE(r.err.find("crashing on purpose"), std::string::npos) << "the container's logs are shown: " << r.err;
    // found dead by the health checker, not by running out the 10 s deadline (asserted by the reason
    // rather than by wall time, which a loaded machine stretches)
    EXPECT_NE(r.err.find("(exit code"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("not healthy within"), std::string::npos) << "waited for the deadline: " << r.err;
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v1") << h;
}

TEST_F(DeployTest, SigintMidRolloutPutsEverythingBackAndExits130) {
    pipeline("");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    Load load(nginx_url(), "close", 2, 1, m_dir);
    auto bg = hoist_bg({"deploy", "--tag", "v2"}, "sigint");
    // batch 1 is: drain (1.5 s), stop, run, health; interrupt during batch 2
    std::this_thread::sleep_for(std::chrono::milliseconds(4500));
    bg->signal(SIGINT);
    int code = bg->wait();
    auto l = load.stop();
    std::string err = read(m_dir + "/sigint.err");
    EXPECT_EQ(code, 130) << err;
    EXPECT_NE(err.find("interrupted"), std::string::npos) << err;
    expect_no_failures(l, "interrupted deploy");
    auto now = served();
    ASSERT_EQ(now.size(), 3u) << "every host back in the pool";
    for (const auto& [h, v] : now) EXPECT_EQ(v, "v1") << h;
    expect_pool_healthy();
    EXPECT_FALSE(lock_held()) << "the lock is released";
}

TEST_F(DeployTest, HostLostMidRolloutIsLeftOutOfThePool) {
    pipeline("");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    std::string netns = m_fleet["hosts"][2]["netns"].get<std::string>();
    m_restore.push_back("ip netns exec " + netns + " ip link set eth0 up");
    auto bg = hoist_bg({"-o", "json", "deploy", "--tag", "v2"}, "lost");
    // a batch takes ~3.5 s (drain 1.5 s, stop 1 s, run, health); take h3 off the network while h2 is rolled
    std::this_thread::sleep_for(std::chrono::milliseconds(5500));
    ASSERT_EQ(in_netns(netns, "ip link set eth0 down"), 0);
    int code = bg->wait();
    std::string err = read(m_dir + "/lost.err");
    EXPECT_EQ(code, 4) << err;
    auto members = pool();
    for (const auto& m : members)
        EXPECT_EQ(m.find(m_hosts[2] + ":"), std::string::npos) << "the lost host is out of the pool: " << m;
    ASSERT_EQ(members.size(), 2u) << err;
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v1") << h << " was rolled back";
    expect_pool_healthy();
    EXPECT_NE(err.find(m_hosts[2]), std::string::npos) << "the message names the lost host: " << err;
}

}  // namespace hoist::dtest
