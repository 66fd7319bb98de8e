// Faults of a host's resources that the fleet can inject for real: its image filesystem full
// (the fleet's --disk-mib gives each docker host a filesystem of its own, filled here with
// fallocate from inside the host's mount namespace), and latency on its SSH path (no netem in this
// kernel: the host's port 22 is redirected, inside its namespace, through fault_proxy.py --raw,
// which delivers every chunk 150 ms after it arrived, both ways). For each: the exit code, failed
// requests, every host's version and the pool, asserted.
#include <chrono>
#include <fstream>
#include <thread>

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "deploy_fixture.hpp"
#include "util/strings.hpp"

namespace hoist::dtest {

TEST_F(DeployTest, FaultFullImageDiskOnAHostStopsThePreflightAndChangesNothing) {
    const auto& h3 = m_fleet["hosts"][2];
    ASSERT_TRUE(h3.contains("disk_mib") && !h3["disk_mib"].is_null())
        << "the fleet must be up with --disk-mib (tests/run-all.sh brings it up so)";
    pipeline("");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    auto before = pool();
    std::string pid = trim(read(h3["docker_pid_file"].get<std::string>()));
    ASSERT_FALSE(pid.empty());
    std::string data = h3["docker_data_root"].get<std::string>();
    std::string filler = data + "/hoist-test-filler";
    // leave 100 MiB: a host whose disk is about to be full (hoist wants 256 MiB free before a pull)
    std::ofstream(m_dir + "/fill.sh") << "avail=$(df -Pk '" << data << "' | awk 'NR==2 {print $4}')\n"
                                      << "fallocate -l $(( (avail - 100 * 1024) * 1024 )) '" << filler << "'\n"
                                      << "df -Pk '" << data << "' | awk 'NR==2 {print $4}'\n";
    std::string enter = "nsenter -t " + pid + " -m ";
    m_restore.push_back(enter + "rm -f '" + filler + "'");
    ASSERT_EQ(std::system((enter + "sh " + m_dir + "/fill.sh > " + m_dir + "/free.txt").c_str()), 0);
    long free_kib = std::stol(trim(read(m_dir + "/free.txt")));
    ASSERT_LT(free_kib, 256 * 1024) << "the filler did not fill h3's image filesystem";

    Load load(nginx_url(), "close", 2, 1, m_dir);
    auto r = hoist({"deploy", "--tag", "v2"});
    auto l = load.stop();
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find(m_hosts[2]), std::string::npos) << "names the host: " << r.err;
    EXPECT_NE(r.err.find("MiB free for images and containers"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("nothing was changed"), std::string::npos) << r.err;
    expect_no_failures(l, "deploy refused by a full disk");
    EXPECT_EQ(pool(), before) << "the load balancer was not touched";
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v1") << h;
    EXPECT_FALSE(lock_held());

    // space freed: the same deploy goes through
    ASSERT_EQ(std::system((enter + "rm -f '" + filler + "'").c_str()), 0);
    auto again = hoist({"deploy", "--tag", "v2"});
    EXPECT_EQ(again.exit_code, 0) << again.err;
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v2") << h;
}

namespace {

/// Milliseconds from connecting to host:22 until the SSH banner's first bytes arrive.
long banner_ms(const std::string& host) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(22);
    ::inet_pton(AF_INET, host.c_str(), &a.sin_addr);
    auto t0 = std::chrono::steady_clock::now();
    long ms = -1;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
        char buf[64];
        if (::recv(fd, buf, sizeof buf, 0) > 0)
            ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    }
    ::close(fd);
    return ms;
}

}  // namespace

TEST_F(DeployTest, FaultLatencyOnAHostsSshPathStillDeploysWithoutAFailedRequest) {
    pipeline("");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    std::string n = m_fleet["hosts"][1]["netns"].get<std::string>();
    std::string addr = m_hosts[1];
    long plain = banner_ms(addr);
    ASSERT_GE(plain, 0) << "h2's sshd answers";
    Spawned proxy({"ip", "netns", "exec", n, "/usr/bin/python3", std::string(HOIST_SOURCE_DIR) + "/tests/fleet/lib/fault_proxy.py",
                   "--raw", "--listen", addr + ":2222", "--target", addr + ":22", "--latency-ms", "150"},
                  m_dir, m_dir + "/proxy.out", m_dir + "/proxy.err");
    std::string rule = "-p tcp -d " + addr + " --dport 22 -j REDIRECT --to-ports 2222";
    m_restore.push_back("ip netns exec " + n + " iptables -t nat -D PREROUTING " + rule);
    // the proxy listens before the redirect exists: a deploy never meets a closed port
    for (int i = 0; i < 100 && in_netns(n, "ss -Hltn | grep -q ':2222 '") != 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_EQ(in_netns(n, "iptables -t nat -A PREROUTING " + rule), 0);
    long slow = banner_ms(addr);
    ASSERT_GE(slow, 150) << "h2's SSH path is delayed (banner after " << slow << " ms, " << plain << " ms without)";

    Load load(nginx_url(), "close", 2, 1, m_dir);
    auto r = hoist({"-o", "json", "deploy", "--tag", "v2"});
    auto l = load.stop();
    EXPECT_EQ(r.exit_code, 0) << r.err;
    expect_no_failures(l, "150 ms each way on h2's SSH path");
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v2") << h;
    expect_pool_healthy();
}

}  // namespace hoist::dtest
