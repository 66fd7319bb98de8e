// Hosts reachable only through the fleet's bastion (their subnet is unreachable from here).
#include <poll.h>
#include <unistd.h>

#include <thread>

#include "fleet_fixture.hpp"
#include "ssh/fleet.hpp"
#include "ssh/jump.hpp"
#include "ssh/connect.hpp"
#include "ssh/ssh_config.hpp"

namespace hoist::ssh::itest {

namespace {

class Jump : public FleetTest {
protected:
    void SetUp() override {
        FleetTest::SetUp();
        if (HasFatalFailure()) return;
        if (f().bastion.empty()) FAIL() << "the fleet has no bastion (brought up with --no-bastion?)";
    }
    Target behind(const std::string& address) {
        auto j = parse_jump(f().proxy_jump);
        Endpoint hop = endpoint(j->host);
        hop.user = j->user;
        hop.port = j->port ? j->port : 22;
        return Target{address, endpoint(address), {hop}};
    }
    std::string lines_without(const std::string& address) {
        std::string out;
        std::istringstream in(read_file(f().known_hosts));
        for (std::string line; std::getline(in, line);)
            if (line.rfind(address + " ", 0) != 0) out += line + "\n";
        return out;
    }
};

}  // namespace

TEST_F(Jump, NotReachableDirectly) {
    auto o = options();
    o.connect_timeout = std::chrono::seconds(2);
    Connector c(o);
    EXPECT_THROW(c.connect(Target{f().bastion_hosts[0], endpoint(f().bastion_hosts[0]), {}}), Error);
}

TEST_F(Jump, ThroughTheBastionSharingOneTunnel) {
    Connector c(options());
    std::vector<Target> targets;
    for (auto& h : f().bastion_hosts) targets.push_back(behind(h));
    Fleet fleet(targets, 4, [&](const Target& t) { return c.connect(t); });
    for (int round = 0; round < 2; ++round) {
        auto out = fleet.each<ExecResult>([](const std::string&, Connection& conn) { return conn.exec("hostname", {}); });
        for (std::size_t i = 0; i < out.size(); ++i) {
            ASSERT_TRUE(out[i].ok()) << out[i].error;
            EXPECT_EQ(out[i].value->out, f().name + "-bh" + std::to_string(i + 1) + "\n");
        }
    }
    // bulk data both ways through the tunnel
    ExecOptions o;
    o.input = std::string(3 << 20, 'z');
    auto r = fleet.connection(f().bastion_hosts[0]).exec("wc -c; head -c 2000000 /dev/zero", o);
    EXPECT_EQ(r.out.size(), std::to_string(3 << 20).size() + 1 + 2000000);
}

TEST_F(Jump, ConcurrentOpensThroughOneTunnelReachTheirOwnTargets) {
    // libssh2 keeps one channel open in progress per session: the tunnel must not start a second
    // (to another address) before the first is answered, or it hands the first's channel to the
    // second caller. Many connects at once to alternating targets, each checked by host key and
    // hostname; the stall on the bastion's answer is what lets them overlap.
    Connector c(options());
    std::vector<Target> targets;
    for (int i = 0; i < 24; ++i) targets.push_back(behind(f().bastion_hosts[static_cast<std::size_t>(i % 2)]));
    std::vector<std::string> got(targets.size());
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < targets.size(); ++i)
        threads.emplace_back([&, i] {
            try {
                got[i] = c.connect(targets[i])->exec("hostname", {}).out;
            } catch (const Error& e) {
                got[i] = e.what();
            }
        });
    for (auto& t : threads) t.join();
    for (std::size_t i = 0; i < targets.size(); ++i)
        EXPECT_EQ(got[i], f().name + "-bh" + std::to_string(i % 2 + 1) + "\n") << "connect " << i;
}

TEST_F(Jump, AnOpenWhoseDeadlinePassedBeforeItsTurnIsNotStarted) {
    // A request whose caller's deadline has passed when it reaches the front of the queue is
    // answered without an open on the bastion (which would be driven to its end and thrown away);
    // the tunnel goes on serving the next caller, to the right target.
    auto j = parse_jump(f().proxy_jump);
    Endpoint hop = endpoint(j->host);
    hop.user = j->user;
    hop.port = j->port ? j->port : 22;
    JumpTunnel tunnel(establish(hop, nullptr, options()), nullptr);
    try {
        tunnel.open(f().bastion_hosts[0], 22, Deadline::in(std::chrono::milliseconds(0)));
        ADD_FAILURE() << "an open with a passed deadline succeeded";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::timeout) << e.what();
        EXPECT_NE(std::string(e.what()).find("timed out waiting to open"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(tunnel.alive());
    Socket s = tunnel.open(f().bastion_hosts[1], 22, Deadline::in(std::chrono::seconds(10)));
    std::string banner;
    pollfd p{s.fd(), POLLIN, 0};
    for (auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
         banner.find('\n') == std::string::npos && std::chrono::steady_clock::now() < until;) {
        if (poll(&p, 1, 200) <= 0) continue;
        char buf[256];
        auto n = ::read(s.fd(), buf, sizeof buf);
        if (n <= 0) break;
        banner.append(buf, static_cast<std::size_t>(n));
    }
    EXPECT_EQ(banner.rfind("SSH-2.0-", 0), 0u) << "the target's sshd answers through the tunnel: " << banner;
}

TEST_F(Jump, BastionHostKeyIsVerified) {
    std::string kh = temp_dir() + "/known_hosts";
    write_file(kh, lines_without(f().bastion));
    Connector c(options(ssh::HostKeyChecking::strict, kh));
    try {
        c.connect(behind(f().bastion_hosts[0]));
        ADD_FAILURE() << "connected through an untrusted bastion";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::host_key);
        std::string m = e.what();
        EXPECT_EQ(m.rfind("jump host ", 0), 0u) << m;
        EXPECT_NE(m.find("@" + f().bastion + ":22: host key not trusted"), std::string::npos) << m;
    }
}

TEST_F(Jump, TargetHostKeyIsVerifiedEndToEnd) {
    std::string kh = temp_dir() + "/known_hosts";
    write_file(kh, lines_without(f().bastion_hosts[0]));
    Connector c(options(ssh::HostKeyChecking::strict, kh));
    try {
        c.connect(behind(f().bastion_hosts[0]));
        ADD_FAILURE() << "connected to a target with an untrusted key";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::host_key);
        EXPECT_NE(std::string(e.what()).find("@" + f().bastion_hosts[0] + ":22: host key not trusted"), std::string::npos)
            << e.what();
    }
    // the other target behind the same bastion is fine
    auto conn = c.connect(behind(f().bastion_hosts[1]));
    EXPECT_EQ(conn->exec("echo ok", {}).out, "ok\n");
}

TEST_F(Jump, ChainOfTwoJumps) {
    // bastion -> bastion again (from inside, by its own address) -> target: nested tunnels, every
    // hop's host key checked against known_hosts
    Target t = behind(f().bastion_hosts[0]);
    t.jumps.push_back(t.jumps[0]);
    Connector c(options());
    auto conn = c.connect(t);
    EXPECT_EQ(conn->exec("hostname", {}).out, f().name + "-bh1\n");
    ExecOptions o;
    o.input = std::string(1 << 20, 'q');
    EXPECT_EQ(conn->exec("wc -c", o).out, std::to_string(1 << 20) + "\n");
}

}  // namespace hoist::ssh::itest
