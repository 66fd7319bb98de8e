// hoist converge on the fleet: a host that runs nothing (as an instance an Auto Scaling group just
// launched: no container, no history) gets the current release behind nginx while the others are
// left alone; with nothing to do it exits 0 quickly.
#include <chrono>
#include <filesystem>

#include "deploy_fixture.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace hoist::dtest {

namespace fs = std::filesystem;

namespace {
/// host -> result ("updated", "unchanged"...) of a summary's hosts.
std::map<std::string, std::string> host_results(const nlohmann::json& summary) {
    std::map<std::string, std::string> out;
    for (const auto& h : summary["hosts"]) out[h["host"].get<std::string>()] = h["result"].get<std::string>();
    return out;
}
}  // namespace

TEST_F(DeployTest, ConvergeGivesAHostThatRunsNothingTheCurrentRelease) {
    pipeline("");
    auto none = hoist({"converge"});
    EXPECT_EQ(none.exit_code, 2) << none.err;
    EXPECT_NE(none.err.find("no release to converge to"), std::string::npos) << none.err;
    auto v1 = hoist({"deploy", "--tag", "v1"});
    ASSERT_EQ(v1.exit_code, 0) << v1.err;
    auto v2 = hoist({"deploy", "--tag", "v2"});
    ASSERT_EQ(v2.exit_code, 0) << v2.err;
    // the third host is replaced by a fresh instance: nothing runs there, no history
    const auto& h3 = m_fleet["hosts"][2];
    run_process({"sh", "-c",
                 "docker -H " + h3["docker_host"].get<std::string>() +
                     " ps -aq --filter label=hoist.service | xargs -r docker -H " +
                     h3["docker_host"].get<std::string>() + " rm -f"});
    fs::remove_all(h3["home"].get<std::string>() + "/.hoist");
    auto r = hoist({"-o", "json", "converge"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("converge app to v2, the newest release in the hosts' history"), std::string::npos)
        << r.err;
    auto s = r.summary();
    ASSERT_TRUE(s.is_object()) << r.out;
    auto results = host_results(s);
    EXPECT_EQ(results[m_hosts[0]], "unchanged");
    EXPECT_EQ(results[m_hosts[1]], "unchanged");
    EXPECT_EQ(results[m_hosts[2]], "updated");
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v2") << h;
    EXPECT_EQ(served().size(), m_hosts.size());
    auto t0 = std::chrono::steady_clock::now();
    auto again = hoist({"converge"});
    auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.err.find("0 to change"), std::string::npos) << again.err;
    EXPECT_LT(ms, 10000) << "nothing to do should be quick";
    std::printf("[ measured ] hoist converge with nothing to do (3 hosts): %lld ms\n",
                static_cast<long long>(ms));
}


// A host left on another release (a deploy restricted with --hosts) is brought to the current one
// by converge, rolling behind nginx like a deploy: drained, swapped, health-checked, put back, with
// zero failed requests under load, and the hosts already current are not touched.
TEST_F(DeployTest, ConvergeUnderLoadBringsAHostOnAnotherReleaseWithZeroFailedRequests) {
    pipeline("");
    auto v1 = hoist({"deploy", "--tag", "v1"});
    ASSERT_EQ(v1.exit_code, 0) << v1.err;
    auto v2 = hoist({"deploy", "--tag", "v2", "--hosts", m_hosts[0] + "," + m_hosts[1]});
    ASSERT_EQ(v2.exit_code, 0) << v2.err;
    ASSERT_EQ(trim(served()[m_hosts[2]]), "v1");
    Load load(nginx_url(), "close", 2, 1, m_dir);
    auto r = hoist({"-o", "json", "converge"});
    auto l = load.stop();
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_no_failures(l, "hoist converge");
    auto s = r.summary();
    ASSERT_TRUE(s.is_object()) << r.out;
    auto results = host_results(s);
    EXPECT_EQ(results[m_hosts[0]], "unchanged");
    EXPECT_EQ(results[m_hosts[1]], "unchanged");
    EXPECT_EQ(results[m_hosts[2]], "updated");
    for (const auto& [h, v] : served()) EXPECT_EQ(trim(v), "v2") << h;
    EXPECT_EQ(pool().size(), m_hosts.size()) << "every host back in the pool";
}

}  // namespace hoist::dtest
