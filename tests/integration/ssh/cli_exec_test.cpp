// `hoist exec` end to end: the real binary, a pipeline file naming fleet hosts (one of them
// unreachable), output prefixed by host, per-host summary, exit status, JSON events.
#include <nlohmann/json.hpp>

#include "fleet_fixture.hpp"

namespace hoist::ssh::itest {

namespace {

class CliExec : public FleetTest {
protected:
    /// A generous connect timeout by default: a busy CI machine (or a sanitizer build) can take over
    /// a second per hop.
    std::string pipeline(const std::vector<std::string>& hosts, const std::string& extra = "",
                         const std::string& connect_timeout = "8s") {
        std::string dir = temp_dir();
        std::string yml = "service: web\nimage: registry.example.com/acme/web\nhosts:\n";
        for (const auto& h : hosts) yml += "  - " + h + "\n";
        yml += "ssh:\n  user: " + f().user + "\n  identity_files: [" + f().key_ed25519 + "]\n  known_hosts: " +
               f().known_hosts + "\n  connect_timeout: " + connect_timeout + "\n" + extra;
        write_file(dir + "/hoist.yml", yml);
        return dir + "/hoist.yml";
    }
    ProcessResult hoist(const std::vector<std::string>& args) {
        std::vector<std::string> argv = {HOIST_BINARY};
        argv.insert(argv.end(), args.begin(), args.end());
        return run_process(argv);
    }
};

}  // namespace

TEST_F(CliExec, PrefixedOutputSummaryAndExitZero) {
    auto r = hoist({"-f", pipeline({f().hosts[0], f().hosts[1]}), "--no-color", "exec", "--", "echo", "hi;", "hostname"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find(f().hosts[0] + " | hi\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(f().hosts[1] + " | " + f().name + "-h2\n"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("all 2 hosts succeeded"), std::string::npos) << r.err;
}

TEST_F(CliExec, AnyHostFailingMeansExitOne) {
    std::string base = f().hosts[0].substr(0, f().hosts[0].rfind('.'));
    auto r = hoist({"-f", pipeline({f().hosts[0], f().hosts[1], base + ".251"}, "", "2s"), "--no-color", "exec", "--",
                    "test $(hostname) != " + f().name + "-h2"});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find(f().hosts[0] + "  ok"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(f().hosts[1] + "  FAILED  exit 1"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(base + ".251  FAILED  " + base + ".251:22: connect timed out"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("2 of 3 hosts failed"), std::string::npos) << r.err;
}

TEST_F(CliExec, JsonEventsEndWithTheSummary) {
    auto r = hoist({"-f", pipeline({f().hosts[0], f().hosts[2]}), "-o", "json", "exec", "--timeout", "1s", "--",
                    "echo x; echo y >&2; sleep 5"});
    EXPECT_EQ(r.exit_code, 1);
    std::vector<nlohmann::json> events;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) events.push_back(nlohmann::json::parse(line));
    ASSERT_FALSE(events.empty());
    int outputs = 0;
    for (auto& e : events) {
        EXPECT_TRUE(e.contains("time"));
        if (e["event"] == "output") {
            ++outputs;
            EXPECT_EQ(e["line"], e["stream"] == "stdout" ? "x" : "y");
        }
    }
    EXPECT_EQ(outputs, 4);
    auto& s = events.back();
    EXPECT_EQ(s["event"], "summary");
    EXPECT_EQ(s["exit_code"], 1);
    ASSERT_EQ(s["hosts"].size(), 2u);
    EXPECT_EQ(s["hosts"][0]["timed_out"], true);
    EXPECT_EQ(s["hosts"][0]["result"], "failed");
}

TEST_F(CliExec, StdinAndRepeat) {
    std::string yml = pipeline({f().hosts[0]});
    auto r = run_process({HOIST_BINARY, "-f", yml, "--no-color", "exec", "--stdin", "--repeat", "3", "--", "wc -c"},
                         ProcessOptions{"", {}, std::string("12345"), true});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, f().hosts[0] + " | 5\n" + f().hosts[0] + " | 5\n" + f().hosts[0] + " | 5\n");
}

TEST_F(CliExec, ThroughTheBastionFromThePipeline) {
    if (f().bastion.empty()) FAIL() << "the fleet has no bastion";
    auto r = hoist({"-f", pipeline(f().bastion_hosts, "  proxy_jump: " + f().proxy_jump + "\n"), "--no-color", "exec",
                    "--", "hostname"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find(f().bastion_hosts[1] + " | " + f().name + "-bh2"), std::string::npos) << r.out;
}

TEST_F(CliExec, SshConfigFromThePipeline) {
    // the fleet's own ssh_config: Host h1 -> HostName, ProxyJump for bh*, User, IdentityFile
    std::string dir = temp_dir();
    write_file(dir + "/hoist.yml", "service: web\nimage: registry.example.com/acme/web\nhosts: [h1, bh1]\nssh:\n  config: " +
                                       f().json["ssh"]["config"].get<std::string>() + "\n  known_hosts: " + f().known_hosts +
                                       "\n  connect_timeout: 8s\n");
    auto r = hoist({"-f", dir + "/hoist.yml", "--no-color", "exec", "--", "hostname"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("h1 | " + f().name + "-h1\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("bh1 | " + f().name + "-bh1\n"), std::string::npos) << r.out;
}

}  // namespace hoist::ssh::itest
