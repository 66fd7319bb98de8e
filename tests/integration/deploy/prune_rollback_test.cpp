// Pruning and `rollback --to` on the real fleet. After each deploy a host keeps the live version
// and the previous one (containers and image tags); older ones are removed. `rollback --to` an
// older version pulls its image again and runs it; an unknown tag fails in the pre-flight with
// nothing changed.
#include "corner_fixture.hpp"

namespace hoist::dtest {

TEST_F(CornerTest, DeploysPruneOlderVersionsAndRollbackToPullsAnOlderOneBack) {
    // v3: the v2 image under a third tag (it serves "v2"; only v1 serves "v1")
    auto copy = run_process({"skopeo", "copy", "--src-tls-verify=false", "--dest-tls-verify=false",
                             "docker://" + m_image + ":v2", "docker://" + m_image + ":v3"});
    ASSERT_EQ(copy.exit_code, 0) << copy.err;
    corner_pipeline("");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    ASSERT_EQ(hoist({"deploy", "--tag", "v2"}).exit_code, 0);
    for (std::size_t i = 0; i < m_hosts.size(); ++i) {
        EXPECT_EQ(containers(i), (std::set<std::string>{"app-v1:exited", "app-v2:running"})) << m_hosts[i];
        EXPECT_EQ(tags(i), (std::set<std::string>{"v1", "v2"})) << m_hosts[i];
    }
    auto r3 = hoist({"deploy", "--tag", "v3"});
    ASSERT_EQ(r3.exit_code, 0) << r3.err;
    for (std::size_t i = 0; i < m_hosts.size(); ++i) {
        EXPECT_EQ(containers(i), (std::set<std::string>{"app-v2:exited", "app-v3:running"}))
            << "app-v1 pruned on " << m_hosts[i];
        EXPECT_EQ(tags(i), (std::set<std::string>{"v2", "v3"})) << "image v1 pruned on " << m_hosts[i];
    }

    auto rb = hoist({"-o", "json", "rollback", "--to", "v1"});
    ASSERT_EQ(rb.exit_code, 0) << rb.err;
    EXPECT_EQ(rb.summary()["tag"], "v1");
    EXPECT_EQ(rb.summary()["previous_tag"], "v3");
    expect_every_host_serves("v1", "rollback --to v1");
    for (std::size_t i = 0; i < m_hosts.size(); ++i) {
        EXPECT_EQ(containers(i), (std::set<std::string>{"app-v3:exited", "app-v1:running"})) << m_hosts[i];
        EXPECT_EQ(tags(i), (std::set<std::string>{"v1", "v3"})) << m_hosts[i];
        std::string hist = read(home(i) + "/.hoist/app/history.jsonl");
        EXPECT_NE(hist.find("\"event\":\"rollback\""), std::string::npos) << hist;
    }

    auto bad = hoist({"rollback", "--to", "no-such-tag"});
    EXPECT_EQ(bad.exit_code, 1) << bad.err;
    EXPECT_NE(bad.err.find("no-such-tag"), std::string::npos) << bad.err;
    EXPECT_NE(bad.err.find("nothing was changed"), std::string::npos) << bad.err;
    for (std::size_t i = 0; i < m_hosts.size(); ++i)
        EXPECT_EQ(containers(i), (std::set<std::string>{"app-v3:exited", "app-v1:running"})) << m_hosts[i];
    expect_every_host_serves("v1", "after a rollback to an unknown tag");
}

}  // namespace hoist::dtest
