// Faults real fleets see, injected into the test fleet: packet loss on a host's SSH path, a host
// partitioned before the deploy, the load balancer partitioned mid-rollout, sshd killed mid-rollout,
// dockerd gone, a container that turns unhealthy after it joined the pool. For each: the spec's exit
// code, failed requests (0 wherever hoist controls them), every host's version and the pool's members,
// asserted. (This kernel has no netem; loss is iptables' `statistic` match, which drops for real.)
#include <signal.h>

#include <fstream>
#include <thread>

#include "deploy_fixture.hpp"
#include "util/strings.hpp"

namespace hoist::dtest {

namespace {
std::string ns(const nlohmann::json& fleet, int host) { return fleet["hosts"][host]["netns"].get<std::string>(); }
}  // namespace

TEST_F(DeployTest, FaultPacketLossOnTheSshPathStillDeploysWithoutAFailedRequest) {
    pipeline("");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    std::string n = ns(m_fleet, 1);
    std::string rule = "-p tcp --sport 22 -m statistic --mode random --probability 0.1 -j DROP";
    ASSERT_EQ(in_netns(n, "iptables -A OUTPUT " + rule), 0);
    m_restore.push_back("ip netns exec " + n + " iptables -D OUTPUT " + rule);
    Load load(nginx_url(), "close", 2, 1, m_dir);
    auto r = hoist({"deploy", "--tag", "v2"});
    auto l = load.stop();
    EXPECT_EQ(r.exit_code, 0) << r.err;
    expect_no_failures(l, "10% loss on h2's SSH replies");
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v2") << h;
}

TEST_F(DeployTest, FaultHostPartitionedBeforeTheDeployChangesNothing) {
    pipeline("");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    auto before = pool();
    std::string n = ns(m_fleet, 1);
    ASSERT_EQ(in_netns(n, "ip link set eth0 down"), 0);
    m_restore.push_back("ip netns exec " + n + " ip link set eth0 up");
    auto t0 = std::chrono::steady_clock::now();
    auto r = hoist({"-o", "json", "deploy", "--tag", "v2"});
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find(m_hosts[1]), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("nothing was changed"), std::string::npos) << r.err;
    EXPECT_LT(secs, 20) << "within connect_timeout, not TCP's minutes";
    EXPECT_EQ(pool(), before) << "the load balancer was not touched";
    in_netns(n, "ip link set eth0 up");
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v1") << h;
    EXPECT_FALSE(lock_held());
}

TEST_F(DeployTest, FaultLoadBalancerPartitionedMidRolloutExits4AndTheNextDeployConverges) {
    pipeline("");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    std::string lbns = m_fleet["lb"]["netns"].get<std::string>();
    m_restore.push_back("ip netns exec " + lbns + " ip link set eth0 up");
    auto bg = hoist_bg({"-o", "json", "deploy", "--tag", "v2"}, "lbcut");
    // cut the LB once the rollout's first change is in force (h1 drained, being swapped): the
    // "pool" event comes when nginx has switched; a fixed sleep cut it before the first change on
    // a loaded machine, and the file alone shows the change while the reload is still under way
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (read(m_dir + "/lbcut.out").find("\"event\":\"pool\"") == std::string::npos &&
           std::chrono::steady_clock::now() < until && bg->wait(std::chrono::milliseconds(1)) < 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_EQ(pool().size(), 2u) << "the rollout never drained a host: " << read(m_dir + "/lbcut.err");
    ASSERT_EQ(in_netns(lbns, "ip link set eth0 down"), 0);
    int code = bg->wait();
    std::string err = read(m_dir + "/lbcut.err");
    EXPECT_EQ(code, 4) << err;
    EXPECT_NE(err.find(m_fleet["lb"]["address"].get<std::string>()), std::string::npos) << "names the LB: " << err;
    EXPECT_NE(err.find("a person must look"), std::string::npos) << err;
    ASSERT_EQ(in_netns(lbns, "ip link set eth0 up"), 0);
    EXPECT_FALSE(lock_held()) << "the lock is on h1, which stayed reachable";
    // after the partition heals, one deploy brings the whole fleet and the pool to one version
    Load load(nginx_url(), "close", 2, 1, m_dir);
    auto r = hoist({"deploy", "--tag", "v2"});
    auto l = load.stop();
    EXPECT_EQ(r.exit_code, 0) << r.err;
    expect_no_failures(l, "converging deploy");
    auto now = served();
    ASSERT_EQ(now.size(), 3u);
    for (const auto& [h, v] : now) EXPECT_EQ(v, "v2") << h;
}

TEST_F(DeployTest, FaultSshdKilledMidRolloutLeavesThatHostOutOfThePool) {
    pipeline("");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    Load load(nginx_url(), "close", 2, 1, m_dir);
    auto bg = hoist_bg({"-o", "json", "deploy", "--tag", "v2"}, "sshd");
    // during h2's batch: after the second change of the pool (h1 back, h2 out), not after a fixed
    // sleep that a loaded machine stretches
    auto pool_events = [&] {
        std::string out = read(m_dir + "/sshd.out");
        std::size_t n = 0;
        for (auto at = out.find("\"event\":\"pool\""); at != std::string::npos; at = out.find("\"event\":\"pool\"", at + 1)) ++n;
        return n;
    };
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (pool_events() < 2 && std::chrono::steady_clock::now() < until && bg->wait(std::chrono::milliseconds(1)) < 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_EQ(pool_events(), 2u) << read(m_dir + "/sshd.err");
    std::string n = ns(m_fleet, 2);
    m_restore.push_back(std::string(HOIST_SOURCE_DIR) + "/tests/fleet/fleet restart-sshd --name " +
                        m_fleet["name"].get<std::string>() + " h3 >/dev/null 2>&1");
    // every sshd of the host: the listener and the sessions hoist has open (a crash, not a restart)
    std::string kill_all = "for p in $(ip netns pids " + n + "); do [ \"$(cat /proc/$p/comm)\" = sshd ] && kill -KILL $p; done; true";
    ASSERT_EQ(std::system(kill_all.c_str()), 0);
    int code = bg->wait();
    auto l = load.stop();
    std::string err = read(m_dir + "/sshd.err");
    EXPECT_EQ(code, 4) << err;
    expect_no_failures(l, "sshd killed on h3");
    auto members = pool();
    for (const auto& m : members) EXPECT_EQ(m.find(m_hosts[2] + ":"), std::string::npos) << m;
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v1") << h;
    expect_pool_healthy();
}

TEST_F(DeployTest, FaultDockerdDownStopsThePreflight) {
    pipeline("");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    // a host whose docker socket does not answer: hide it for the deploy (dockerd itself keeps
    // running so the fleet is not disturbed)
    std::string sock = m_fleet["hosts"][1]["docker_socket"].get<std::string>();
    ASSERT_EQ(std::rename(sock.c_str(), (sock + ".away").c_str()), 0);
    m_restore.push_back("mv '" + sock + ".away' '" + sock + "'");
    auto r = hoist({"deploy", "--tag", "v2"});
    std::rename((sock + ".away").c_str(), sock.c_str());
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find(m_hosts[1]), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("nothing was changed"), std::string::npos) << r.err;
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v1") << h;
}

TEST_F(DeployTest, FaultContainerTurnsUnhealthyAfterJoiningThePool) {
    std::string path = pipeline("");
    std::string text = read(path);
    auto at = text.find("stop_timeout: 1s }");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, 18, "stop_timeout: 1s, env: { HEALTHY_FOR: \"2\" } }");  // app:degrades reads it
    std::ofstream(path) << text;
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    Load load(nginx_url(), "close", 2, 1, m_dir);
    // app:degrades passes its health check, joins the pool, and loses /healthz 2 s after start
    auto r = hoist({"deploy", "--tag", "degrades"});
    auto l = load.stop();
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("turned unhealthy after it passed its health check"), std::string::npos) << r.err;
    expect_no_failures(l, "degrading deploy");
    auto now = served();
    ASSERT_EQ(now.size(), 3u);
    for (const auto& [h, v] : now) EXPECT_EQ(v, "v1") << h;
}

}  // namespace hoist::dtest

namespace hoist::dtest {

TEST_F(DeployTest, FaultChangedHostKeyAbortsBeforeAnyCommandRunsThere) {
    std::string path = pipeline("");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    // a known_hosts where h2's address carries h3's keys: to hoist, h2 presents a changed key
    std::string kh = m_dir + "/known_hosts";
    std::string text;
    for (const auto& line : split(read(m_fleet["ssh"]["known_hosts"].get<std::string>()), '\n')) {
        if (starts_with(line, m_hosts[1] + " ")) continue;
        text += line + "\n";
        if (starts_with(line, m_hosts[2] + " ")) text += m_hosts[1] + line.substr(m_hosts[2].size()) + "\n";
    }
    std::ofstream(kh) << text;
    std::string yml = read(path);
    std::string from = m_fleet["ssh"]["known_hosts"].get<std::string>();
    yml.replace(yml.find(from), from.size(), kh);
    std::ofstream(path) << yml;
    std::string log = m_fleet["dir"].get<std::string>() + "/h2/sshd.log";
    auto logins = [&] {
        int n = 0;
        for (const auto& l : split(read(log), '\n')) n += l.find("Accepted publickey") != std::string::npos;
        return n;
    };
    int before = logins();
    ASSERT_GT(before, 0) << "sshd logs logins (the first deploy logged in): the check below can fail";
    auto r = hoist({"deploy", "--tag", "v2"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("HOST KEY CHANGED"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(m_hosts[1]), std::string::npos) << r.err;
    EXPECT_EQ(logins(), before) << "hoist never logged in to the host whose key changed";
    EXPECT_EQ(read(kh), text) << "the known_hosts file is untouched";
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v1") << h;
}

}  // namespace hoist::dtest
