// Hosts that drop off mid-command are reported without stalling the others: one host's sshd
// session processes are killed (the TCP connection is reset), another's are frozen with SIGSTOP
// (a host that vanished from the network: no FIN, no RST, nothing) and only the timeout helps.
#include <signal.h>

#include <dirent.h>

#include <sstream>
#include <thread>

#include "fleet_fixture.hpp"
#include "ssh/fleet.hpp"

namespace hoist::ssh::itest {

namespace {

std::string proc_cmdline(int pid) {
    // read_file goes through rdbuf(), so a process that exits mid-read gives "" instead of the
    // exception a plain istreambuf_iterator read lets out (read() fails with ESRCH)
    std::string s = read_file("/proc/" + std::to_string(pid) + "/cmdline");
    for (auto& c : s)
        if (c == '\0') c = ' ';
    return s;
}

int parent_of(int pid) {
    std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    auto close = stat.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream rest(stat.substr(close + 2));
    char state;
    int ppid = 0;
    rest >> state >> ppid;
    return ppid;
}

/// The sshd processes serving the session whose command line contains `mark` (the per-connection
/// "sshd: user@notty" and its privileged parent), found by walking up from the command.
std::vector<int> session_sshd_pids(const std::string& mark) {
    std::vector<int> out;
    DIR* d = ::opendir("/proc");
    while (dirent* e = d ? ::readdir(d) : nullptr) {
        int pid = std::atoi(e->d_name);
        if (pid <= 0 || proc_cmdline(pid).find(mark) == std::string::npos) continue;
        if (proc_cmdline(pid).find("sshd") != std::string::npos) continue;
        for (int p = parent_of(pid); p > 1; p = parent_of(p)) {
            std::string cmd = proc_cmdline(p);
            // stop below the listener ("sshd: /usr/sbin/sshd -D -f ... [listener] ..."): only this session dies
            if (cmd.find("sshd:") == std::string::npos || cmd.find("[listener]") != std::string::npos ||
                cmd.find(" -D") != std::string::npos)
                break;
            out.push_back(p);
        }
        if (!out.empty()) break;
    }
    if (d) ::closedir(d);
    return out;
}

std::vector<int> wait_for_session(const std::string& mark) {
    for (int i = 0; i < 100; ++i) {
        auto pids = session_sshd_pids(mark);
        if (!pids.empty()) return pids;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return {};
}

}  // namespace

class Drop : public FleetTest {};

TEST_F(Drop, KilledAndFrozenHostsAreReportedWithoutStallingTheOthers) {
    std::vector<Target> targets;
    for (int i = 0; i < 3; ++i) targets.push_back(Target{f().hosts[i], endpoint(f().hosts[i]), {}});
    Connector connector(options());
    Fleet fleet(targets, 8, [&](const Target& t) { return connector.connect(t); });
    std::string kill_mark = marker(), stop_mark = marker();
    std::vector<int> stopped;
    std::thread saboteur([&] {
        auto killed = wait_for_session(kill_mark);
        EXPECT_FALSE(killed.empty()) << "did not find the sshd session of " << f().hosts[1];
        for (int p : killed) ::kill(p, SIGKILL);
        stopped = wait_for_session(stop_mark);
        EXPECT_FALSE(stopped.empty()) << "did not find the sshd session of " << f().hosts[2];
        for (int p : stopped) ::kill(p, SIGSTOP);
    });
    auto start = std::chrono::steady_clock::now();
    auto out = fleet.each<ExecResult>([&](const std::string& host, Connection& c) {
        ExecOptions o;
        o.timeout = std::chrono::seconds(4);
        std::string m = host == f().hosts[1] ? kill_mark : host == f().hosts[2] ? stop_mark : marker();
        return c.exec("echo started; sleep 2; echo done # " + m, o);
    });
    auto took = std::chrono::steady_clock::now() - start;
    saboteur.join();
    for (int p : stopped) {
        ::kill(p, SIGCONT);
        ::kill(p, SIGKILL);
    }
    ASSERT_EQ(out.size(), 3u);
    // the healthy host finished normally
    ASSERT_TRUE(out[0].ok()) << out[0].error;
    EXPECT_EQ(out[0].value->out, "started\ndone\n");
    EXPECT_LT(out[0].duration, std::chrono::milliseconds(3500));
    // the killed one is an error (the connection dropped), reported at once
    EXPECT_FALSE(out[1].ok());
    EXPECT_EQ(out[1].kind, ErrorKind::disconnected) << out[1].error;
    EXPECT_NE(out[1].error.find(f().hosts[1]), std::string::npos) << out[1].error;
    EXPECT_LT(out[1].duration, std::chrono::milliseconds(2000));
    // the frozen one: timed out (4 s + the TERM/KILL grace), never hangs
    if (out[2].ok()) {
        EXPECT_TRUE(out[2].value->timed_out);
    } else {
        EXPECT_EQ(out[2].kind, ErrorKind::timeout) << out[2].error;
    }
    EXPECT_LT(took, std::chrono::seconds(9));
    // after the drop the fleet reconnects the killed host on the next call
    auto again = fleet.each<ExecResult>([](const std::string&, Connection& c) { return c.exec("echo back", {}); },
                                        {f().hosts[1]});
    ASSERT_TRUE(again[0].ok()) << again[0].error;
    EXPECT_EQ(again[0].value->out, "back\n");
}

TEST_F(Drop, UnreachableHostFailsWithinConnectTimeout) {
    // an address in the fleet's subnet that nobody holds: SYNs go unanswered
    std::string base = f().hosts[0].substr(0, f().hosts[0].rfind('.'));
    auto o = options();
    o.connect_timeout = std::chrono::milliseconds(1500);
    Connector connector(o);
    auto start = std::chrono::steady_clock::now();
    try {
        connector.connect(Target{base + ".250", endpoint(base + ".250"), {}});
        ADD_FAILURE() << "connected to nothing";
    } catch (const Error& e) {
        EXPECT_TRUE(e.kind() == ErrorKind::timeout || e.kind() == ErrorKind::connect) << e.what();
        EXPECT_NE(std::string(e.what()).find(base + ".250:22"), std::string::npos) << e.what();
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(3500));
}

}  // namespace hoist::ssh::itest
