// A whole deploy with every SSH connection (the three hosts and the nginx host) made through an
// ssh_config ProxyCommand that relays through the fleet's bastion (`ssh -W %h:%p bastion`), as a
// fleet reached only through a bastion or SSM is deployed. The relay logs every target it is asked
// for, so the test knows the deploy really went through it, and none is left running afterwards.
// Host keys are still checked through the relay: a known_hosts that trusts another host's key for
// the first host stops the next deploy before anything changes.
#include <fstream>
#include <sstream>

#include "deploy_fixture.hpp"
#include "util/process.hpp"

namespace hoist::dtest {

TEST_F(DeployTest, DeployThroughAProxyCommandRelayOnTheBastion) {
    if (m_fleet["bastion"].is_null()) FAIL() << "the fleet has no bastion (brought up with --no-bastion?)";
    std::string fleet_config = m_dir + "/fleet_ssh_config";  // this test's own path: its relays are findable
    std::ofstream(fleet_config) << read(m_fleet["ssh"]["config"].get<std::string>());
    std::string subnet = m_hosts[0].substr(0, m_hosts[0].rfind('.'));
    std::ofstream(m_dir + "/ssh_config") << "Host " << subnet << ".*\n  ProxyCommand sh -c 'echo %h:%p >> " << m_dir
                                         << "/relayed; exec ssh -F " << fleet_config << " -W %h:%p bastion'\n";
    std::string path = pipeline("");
    std::string text = read(path);
    auto at = text.find("connect_timeout: 5s }");
    ASSERT_NE(at, std::string::npos) << text;
    text.replace(at, 21, "connect_timeout: 10s, config: " + m_dir + "/ssh_config }");
    std::ofstream(path) << text;

    auto r = hoist({"deploy", "--tag", "v1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v1") << h;
    auto r2 = hoist({"deploy", "--tag", "v2"});
    ASSERT_EQ(r2.exit_code, 0) << r2.err;
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v2") << h;

    std::string relayed = read(m_dir + "/relayed");
    for (const auto& h : m_hosts) EXPECT_NE(relayed.find(h + ":22\n"), std::string::npos) << h << " not relayed:\n" << relayed;
    std::string lb = m_fleet["lb"]["address"].get<std::string>();
    EXPECT_NE(relayed.find(lb + ":22\n"), std::string::npos) << "the nginx host not relayed:\n" << relayed;
    EXPECT_EQ(run_process({"pgrep", "-af", fleet_config}).out, "") << "relays left running after hoist exited";

    // the first host's known_hosts line replaced by the second host's key under the first's address
    std::string known = m_fleet["ssh"]["known_hosts"].get<std::string>(), forged;
    std::istringstream lines(read(known));
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(m_hosts[0] + " ", 0) == 0) continue;
        forged += line + "\n";
        if (line.rfind(m_hosts[1] + " ", 0) == 0) forged += m_hosts[0] + line.substr(m_hosts[1].size()) + "\n";
    }
    std::ofstream(m_dir + "/forged_known_hosts") << forged;
    text = read(path);
    text.replace(text.find("known_hosts: " + known), 13 + known.size(), "known_hosts: " + m_dir + "/forged_known_hosts");
    std::ofstream(path) << text;
    auto r3 = hoist({"deploy", "--tag", "v3"});
    EXPECT_EQ(r3.exit_code, 1) << r3.err;
    EXPECT_NE(r3.err.find(m_hosts[0]), std::string::npos) << r3.err;
    EXPECT_NE(r3.err.find(m_hosts[0] + ":22: HOST KEY CHANGED"), std::string::npos) << r3.err;
    EXPECT_NE(r3.err.find("nothing was changed"), std::string::npos) << r3.err;
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v2") << h << " changed by a deploy whose host key was refused";
    EXPECT_EQ(run_process({"pgrep", "-af", fleet_config}).out, "") << "relays left running after a refused host key";
}

}  // namespace hoist::dtest
