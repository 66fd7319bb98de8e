// ProxyCommand from ssh_config, on the fleet's bastion-only hosts (no route from this machine): the
// command runs here and the SSH session runs over its stdio through a relay on the bastion, with
// the host keys still checked against known_hosts; a failing command is named with its stderr.
#include <filesystem>
#include <sstream>

#include "deploy/connect.hpp"
#include "config/loader.hpp"
#include "fleet_fixture.hpp"
#include "ssh/fleet.hpp"
#include "ssh/targets.hpp"

namespace hoist::ssh::itest {

namespace {

class ProxyCommandTest : public FleetTest {
protected:
    void SetUp() override {
        FleetTest::SetUp();
        if (HasFatalFailure()) return;
        if (f().bastion.empty()) FAIL() << "the fleet has no bastion (brought up with --no-bastion?)";
        m_dir = temp_dir();
        // a copy of the fleet's ssh_config under a path of this test's own, so the relays this test
        // starts can be told apart from anyone else's by their command line
        m_fleet_config = m_dir + "/fleet_ssh_config";
        write_file(m_fleet_config, read_file(f().json["ssh"]["config"].get<std::string>()));
    }
    /// The inner subnet's hosts as an ssh_config pattern ("10.210.180.*").
    std::string inner_pattern() const {
        const auto& a = f().bastion_hosts[0];
        return a.substr(0, a.rfind('.')) + ".*";
    }
    /// Writes hoist.yml (hosts: the bastion-only hosts) and an ssh_config giving them `proxy_command`.
    std::string pipeline(const std::string& proxy_command, const std::string& known_hosts = "") {
        write_file(m_dir + "/ssh_config", "Host " + inner_pattern() + "\n  ProxyCommand " + proxy_command + "\n");
        std::string yml = "service: web\nimage: registry.example.com/acme/web\nhosts: [" + f().bastion_hosts[0] + ", " +
                          f().bastion_hosts[1] + "]\nssh:\n  user: " + f().user + "\n  identity_files: [" +
                          f().key_ed25519 + "]\n  known_hosts: " + (known_hosts.empty() ? f().known_hosts : known_hosts) +
                          "\n  config: " + m_dir + "/ssh_config\n  connect_timeout: 10s\n";
        write_file(m_dir + "/hoist.yml", yml);
        return m_dir + "/hoist.yml";
    }
    std::vector<Target> targets(const std::string& file) {
        config::LoadOptions o;
        o.file = file;
        auto loaded = config::load_pipeline(o);
        for (const auto& d : loaded.diagnostics.all()) ADD_FAILURE() << d.format();
        auto plan = make_targets(deploy::ssh_settings(loaded.pipeline));
        for (const auto& p : plan.problems) ADD_FAILURE() << p;
        return plan.targets;
    }
    /// Processes whose command line names this test's copy of the fleet config (the relays).
    std::string relays() const {
        auto r = run_process({"pgrep", "-af", m_fleet_config});
        return r.out;
    }
    ProcessResult hoist(const std::vector<std::string>& args) {
        std::vector<std::string> argv = {HOIST_BINARY};
        argv.insert(argv.end(), args.begin(), args.end());
        return run_process(argv);
    }
    std::string ssh_w() const { return "ssh -F " + m_fleet_config + " -W %h:%p bastion"; }
    std::string m_dir, m_fleet_config;
};

}  // namespace

TEST_F(ProxyCommandTest, SshDashWThroughTheBastionReachesHostsWithNoRouteFromHere) {
    auto t = targets(pipeline(ssh_w()));
    ASSERT_EQ(t.size(), 2u);
    EXPECT_EQ(t[0].endpoint.proxy_command, "ssh -F " + m_fleet_config + " -W " + f().bastion_hosts[0] + ":22 bastion");
    EXPECT_TRUE(t[0].jumps.empty());
    {
        Connector c(options());
        Fleet fleet(t, 4, [&](const Target& target) { return c.connect(target); });
        auto out = fleet.each<ExecResult>([](const std::string&, Connection& conn) { return conn.exec("hostname", {}); });
        for (std::size_t i = 0; i < out.size(); ++i) {
            ASSERT_TRUE(out[i].ok()) << out[i].error;
            EXPECT_EQ(out[i].value->out, f().name + "-bh" + std::to_string(i + 1) + "\n");
        }
        // bulk data both ways through the command's stdio
        ExecOptions o;
        o.input = std::string(3 << 20, 'z');
        auto r = fleet.connection(f().bastion_hosts[0]).exec("wc -c; head -c 2000000 /dev/zero", o);
        EXPECT_EQ(r.out.size(), std::to_string(3 << 20).size() + 1 + 2000000);
        EXPECT_NE(relays(), "") << "no ssh -W was running while connected";
    }
    // closing the connections ended the relays (their process groups)
    EXPECT_EQ(relays(), "");
}

TEST_F(ProxyCommandTest, SocatOnTheBastionAsTheRelay) {
    // the form from before `ssh -W`: a program on the bastion joins its stdio to the target
    auto t = targets(pipeline("ssh -F " + m_fleet_config + " bastion exec socat - TCP:%h:%p"));
    Connector c(options());
    auto conn = c.connect(t.at(1));
    EXPECT_EQ(conn->exec("hostname", {}).out, f().name + "-bh2\n");
    ExecOptions o;
    o.input = std::string(1 << 20, 'q');
    EXPECT_EQ(conn->exec("wc -c", o).out, std::to_string(1 << 20) + "\n");
}

TEST_F(ProxyCommandTest, HostKeysAreStillVerified) {
    // known_hosts with bh1's address carrying bh2's keys: what bh1 presents is not what we trust
    std::string kh = m_dir + "/known_hosts";
    std::string out;
    std::istringstream in(read_file(f().known_hosts));
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(f().bastion_hosts[0] + " ", 0) == 0) continue;
        if (line.rfind(f().bastion_hosts[1] + " ", 0) == 0) {
            out += line + "\n";
            out += f().bastion_hosts[0] + line.substr(f().bastion_hosts[1].size()) + "\n";
        } else {
            out += line + "\n";
        }
    }
    write_file(kh, out);
    auto t = targets(pipeline(ssh_w(), kh));
    Connector c(options(ssh::HostKeyChecking::strict, kh));
    try {
        c.connect(t.at(0));
        ADD_FAILURE() << "connected through a ProxyCommand to a host whose key is not the one trusted";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::host_key) << e.what();
        std::string m = e.what();
        EXPECT_EQ(m.rfind(f().user + "@" + f().bastion_hosts[0] + ":22: ", 0), 0u) << m;
        EXPECT_EQ(m.find("ProxyCommand"), std::string::npos) << "a host key refusal is not the relay's fault: " << m;
    }
    // the other host, whose key is right, connects through the same kind of relay
    EXPECT_EQ(c.connect(t.at(1))->exec("echo ok", {}).out, "ok\n");
}

TEST_F(ProxyCommandTest, HoistExecThroughIt) {
    auto r = hoist({"-f", pipeline(ssh_w()), "--no-color", "exec", "--", "hostname"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find(f().bastion_hosts[0] + " | " + f().name + "-bh1\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(f().bastion_hosts[1] + " | " + f().name + "-bh2\n"), std::string::npos) << r.out;
    EXPECT_EQ(relays(), "") << "hoist exited and left its ProxyCommands running";
}

TEST_F(ProxyCommandTest, AFailingCommandIsNamedWithItsExitStatusAndStderr) {
    auto r = hoist({"-f", pipeline("sh -c \"echo 'TargetNotConnected: %h is not connected' >&2; exit 1\""), "--no-color",
                    "exec", "--", "hostname"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    std::string want = "ProxyCommand `sh -c \"echo 'TargetNotConnected: " + f().bastion_hosts[0] +
                       " is not connected' >&2; exit 1\"` exited with status 1: TargetNotConnected: " +
                       f().bastion_hosts[0] + " is not connected";
    EXPECT_NE(r.err.find(want), std::string::npos) << r.err;
}

TEST_F(ProxyCommandTest, ARelayThatCannotReachTheTargetSaysWhy) {
    // nothing listens on port 2 of the target: ssh -W fails on the bastion and says so (all it
    // says at the fleet config's LogLevel ERROR), and hoist passes that on with ssh's status
    auto r = hoist({"-f", pipeline("ssh -F " + m_fleet_config + " -W %h:2 bastion"), "--no-color", "exec", "--",
                    "hostname"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find(f().user + "@" + f().bastion_hosts[0] + ":22: SSH handshake: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("; ProxyCommand `ssh -F " + m_fleet_config + " -W " + f().bastion_hosts[0] +
                         ":2 bastion` exited with status 255: stdio forwarding failed"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(relays(), "");
}

}  // namespace hoist::ssh::itest
