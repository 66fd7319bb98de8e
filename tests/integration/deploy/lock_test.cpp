// The deploy lock on the real fleet: two deploys at once, a lock left by a killed deploy.
#include <signal.h>

#include <thread>

#include "deploy_fixture.hpp"

namespace hoist::dtest {

TEST_F(DeployTest, TwoDeploysAtOnceOneRunsTheOtherExits3) {
    pipeline("");
    auto a = hoist_bg({"deploy", "--tag", "v1"}, "a");
    auto b = hoist_bg({"deploy", "--tag", "v1"}, "b");
    int ca = a->wait(), cb = b->wait();
    std::vector<int> codes{ca, cb};
    std::sort(codes.begin(), codes.end());
    EXPECT_EQ(codes, (std::vector<int>{0, 3})) << read(m_dir + "/a.err") << read(m_dir + "/b.err");
    std::string loser = read(m_dir + (ca == 3 ? "/a.err" : "/b.err"));
    EXPECT_NE(loser.find("another deploy holds the lock"), std::string::npos) << loser;
    EXPECT_FALSE(lock_held());
}

TEST_F(DeployTest, LockOfAKilledDeployIsReportedAndReleasedThenTheFleetConverges) {
    pipeline("");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    auto bg = hoist_bg({"-o", "json", "deploy", "--tag", "v2"}, "killed");
    // mid-rollout: once the first change of the pool is in force (h1 drained), then a little later
    // (h1 draining or being swapped), rather than after a fixed time a loaded machine stretches
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (read(m_dir + "/killed.out").find("\"event\":\"pool\"") == std::string::npos &&
           std::chrono::steady_clock::now() < until && bg->wait(std::chrono::milliseconds(1)) < 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    bg->signal(SIGKILL);
    bg->wait();
    ASSERT_TRUE(lock_held());

    auto blocked = hoist({"deploy", "--tag", "v2"});
    EXPECT_EQ(blocked.exit_code, 3) << blocked.err;
    EXPECT_NE(blocked.err.find("deploy of v2 by"), std::string::npos) << "holder named: " << blocked.err;
    EXPECT_NE(blocked.err.find("stale"), std::string::npos) << "a gone process on this machine: " << blocked.err;
    auto st = hoist({"-o", "json", "lock", "status"});
    EXPECT_EQ(st.exit_code, 0);
    EXPECT_EQ(st.summary()["held"], true);

    ASSERT_EQ(hoist({"lock", "release"}).exit_code, 0);
    EXPECT_FALSE(lock_held());
    Load load(nginx_url(), "close", 2, 1, m_dir);
    auto r = hoist({"deploy", "--tag", "v2"});
    auto l = load.stop();
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_no_failures(l, "deploy after a killed one");
    auto now = served();
    ASSERT_EQ(now.size(), 3u);
    for (const auto& [h, v] : now) EXPECT_EQ(v, "v2") << h;
}

TEST_F(DeployTest, LockAcquiredByAPersonBlocksDeploysWithTheirMessage) {
    pipeline("");
    ASSERT_EQ(hoist({"lock", "acquire", "-m", "database migration"}).exit_code, 0);
    auto r = hoist({"deploy", "--tag", "v1", "--lock-wait", "1s"});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_NE(r.err.find("database migration"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("stale"), std::string::npos) << "a person's lock is never stale: " << r.err;
    ASSERT_EQ(hoist({"lock", "release"}).exit_code, 0);
    EXPECT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
}

}  // namespace hoist::dtest
