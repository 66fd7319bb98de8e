// ssh_config resolution compared with OpenSSH itself: for each config and host name, `ssh -G -F`
// is the oracle for hostname, user, port, identityfile, proxyjump and proxycommand.
#include <gtest/gtest.h>

#include <pwd.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "ssh/ssh_config.hpp"
#include "util/process.hpp"

namespace hoist::ssh {

namespace {

struct Case {
    const char* name;
    const char* config;
    std::vector<std::string> hosts;
};

const Case cases[] = {
    {"patterns_first_match",
     "Host web-*\n  User deploy\n  Port 2201\nHost web-1? db\n  User second\n  HostName %h.example.net\n"
     "Host *\n  User fallback\n  Port 22\n",
     {"web-1", "web-10", "web-x", "db", "DB", "other"}},
    {"negation",
     "Host 10.0.1.* !10.0.1.9\n  User inner\n  ProxyJump ec2-user@bastion:2222\nHost 10.0.1.9\n  User special\n"
     "Host !10.* *\n  User outside\n",
     {"10.0.1.5", "10.0.1.9", "10.0.2.1", "192.168.1.1"}},
    {"question_mark_and_case",
     "Host h?\n  HostName host-%h\nHost H*\n  User upper\nHost *\n  IdentityFile ~/.ssh/k_all\n",
     {"h1", "h12", "H1", "hx"}},
    {"identity_accumulates_proxyjump_first",
     "Host a*\n  IdentityFile /k/one\n  ProxyJump j1,ssh://u2@j2:2022\nHost *b\n  IdentityFile /k/two\n"
     "  ProxyJump none\n  Port 7022\nHost *\n  IdentityFile %d/.ssh/three\n",
     {"ab", "a", "xb", "zz"}},
    {"global_before_host_equals_and_quotes",
     "User top\nHost=q1 q2\n  HostName \"10.9.8.7\"\n  Port=2022\nHost q2\n  HostName ignored\n",
     {"q1", "q2", "q3"}},
    {"percent_h_and_percent",
     "Host *.lan\n  HostName %h.%%.internal\nHost x\n  HostName %h\n",
     {"a.lan", "x", "y"}},
    {"proxycommand_and_proxyjump_precedence",
     "Host cmd-first\n  ProxyCommand nc %h %p\nHost jump-first\n  ProxyJump j1\nHost cmd-none\n  ProxyCommand none\n"
     "Host jump-none\n  ProxyJump none\nHost q\n  ProxyCommand   \"nc\" %h    %p  # c  \n"
     "Host *\n  ProxyJump j2\n  ProxyCommand late %h\n",
     {"cmd-first", "jump-first", "cmd-none", "jump-none", "q", "other"}},
};

std::map<std::string, std::vector<std::string>> ssh_g(const std::string& config, const std::string& host) {
    auto r = run_process({"ssh", "-G", "-F", config, host});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, std::vector<std::string>> out;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
        auto sp = line.find(' ');
        if (sp != std::string::npos) out[line.substr(0, sp)].push_back(line.substr(sp + 1));
    }
    return out;
}

std::string local_user() { return ::getpwuid(::getuid())->pw_name; }

}  // namespace

TEST(SshConfigOracle, MatchesSshDashG) {
    ASSERT_EQ(run_process({"ssh", "-V"}).exit_code, 0) << "OpenSSH client (ssh) is needed for this test";
    auto path = std::filesystem::temp_directory_path() / ("hoist-oracle-" + std::to_string(::getpid()));
    int compared = 0;
    for (const auto& c : cases) {
        { std::ofstream(path) << c.config; }
        auto cfg = SshConfig::parse(c.config);
        ASSERT_TRUE(cfg.problems().empty()) << c.name;
        for (const auto& host : c.hosts) {
            SCOPED_TRACE(std::string(c.name) + " / " + host);
            auto g = ssh_g(path.string(), host);
            auto r = cfg.resolve(host);
            EXPECT_EQ(r.hostname, g["hostname"].at(0));
            EXPECT_EQ(r.user.value_or(local_user()), g["user"].at(0));
            EXPECT_EQ(std::to_string(r.port.value_or(22)), g["port"].at(0));
            if (!r.identity_files.empty()) {
                EXPECT_EQ(r.identity_files, g["identityfile"]);
            }
            std::string jumps;
            for (const auto& j : r.proxy_jump) jumps += (jumps.empty() ? "" : ",") + to_string(j);
            EXPECT_EQ(jumps, g.count("proxyjump") ? g["proxyjump"].at(0) : "");
            EXPECT_EQ(r.proxy_command.value_or(""), g.count("proxycommand") ? g["proxycommand"].at(0) : "");
            ++compared;
        }
    }
    std::filesystem::remove(path);
    EXPECT_EQ(compared, 30);
}

}  // namespace hoist::ssh
