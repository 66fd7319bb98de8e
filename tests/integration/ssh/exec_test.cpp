// Exec on a real sshd: status, separate streams, streaming, stdin, timeouts that kill.
#include <functional>
#include <thread>

#include "fleet_fixture.hpp"
#include "ssh/exec.hpp"

namespace hoist::ssh::itest {

namespace {

class Exec : public FleetTest {
protected:
    void SetUp() override {
        FleetTest::SetUp();
        if (HasFatalFailure()) return;
        m_connector = std::make_unique<Connector>(options());
        m_conn = m_connector->connect(Target{f().hosts[0], endpoint(f().hosts[0]), {}});
    }
    ExecResult run(const std::string& cmd, ExecOptions o = {}) { return m_conn->exec(cmd, o); }
    std::unique_ptr<Connector> m_connector;
    std::unique_ptr<Connection> m_conn;
};

}  // namespace

TEST_F(Exec, ExitStatusAndSeparateStreams) {
    auto r = run("echo out; echo err >&2; exit 7");
    EXPECT_EQ(r.exit_code, 7);
    EXPECT_EQ(r.out, "out\n");
    EXPECT_EQ(r.err, "err\n");
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(run("true").ok());
}

TEST_F(Exec, RemoteCommandIsQuotedOnce) {
    auto r = m_conn->exec(remote::Command{{"printf", "%s|", "it's", "a b", "$HOME"}}, {});
    EXPECT_EQ(r.out, "it's|a b|$HOME|");
}

TEST_F(Exec, LargeOutputOnBothStreams) {
    auto r = run("head -c 3000000 /dev/zero | tr '\\0' a; head -c 1000000 /dev/zero | tr '\\0' b >&2");
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out.size(), 3000000u);
    EXPECT_EQ(r.err.size(), 1000000u);
}

// The host decides how much it sends; the result keeps at most max_captured_output of each
// stream, while the streaming callback still sees every byte.
TEST_F(Exec, OutputKeptInTheResultIsCapped) {
    std::size_t streamed = 0;
    ExecOptions o;
    o.on_output = [&](Stream, std::string_view chunk) { streamed += chunk.size(); };
    auto r = run("head -c 20000000 /dev/zero", o);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out.size(), max_captured_output);
    EXPECT_TRUE(r.truncated);
    EXPECT_EQ(streamed, 20000000u);
    EXPECT_FALSE(run("echo small").truncated);
}

// libssh2 reports 0 when no exit status arrived. Here the command closes its output (sshd sends
// EOF) and then kills its sshd session process: no exit status, no channel close. That was a
// success; it is an unknown status now (or a dropped connection), never exit 0.
TEST_F(Exec, AChannelThatEndsWithoutAnExitStatusIsNotASuccess) {
    try {
        auto r = run("exec >/dev/null 2>&1 </dev/null; sleep 0.5; kill -9 $PPID");
        EXPECT_FALSE(r.ok()) << "exit " << r.exit_code;
        EXPECT_EQ(r.exit_code, -1);
    } catch (const Error& e) {
        SUCCEED() << "the drop was noticed as a disconnection: " << e.what();
    }
}

TEST_F(Exec, OutputIsStreamedAsItArrives) {
    auto start = std::chrono::steady_clock::now();
    std::chrono::milliseconds first{-1};
    ExecOptions o;
    o.on_output = [&](Stream, std::string_view) {
        if (first.count() < 0)
            first = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    };
    auto r = run("echo early; sleep 1.5; echo late", o);
    EXPECT_EQ(r.out, "early\nlate\n");
    EXPECT_GE(first.count(), 0);
    EXPECT_LT(first.count(), 1000) << "the first line came only at the end";
}

TEST_F(Exec, StdinIsFedThenClosed) {
    ExecOptions o;
    o.input = std::string(2 << 20, 'x') + "end";
    auto r = run("wc -c", o);
    EXPECT_EQ(r.out, std::to_string((2 << 20) + 3) + "\n");
    // no input: stdin is at EOF, so a command reading it does not hang
    ExecOptions t;
    t.timeout = std::chrono::seconds(5);
    auto r2 = run("cat; echo done", t);
    EXPECT_EQ(r2.out, "done\n");
    EXPECT_FALSE(r2.timed_out);
}

TEST_F(Exec, TimeoutKillsTheWholeProcessGroup) {
    std::string m = marker();
    // sleep lengths of this run only: the fleet's hosts share the machine's pid namespace, so a
    // plain "sleep 300" could be anybody's
    int n = 200000 + static_cast<int>(std::hash<std::string>{}(m) % 100000);
    std::string outer = "sleep " + std::to_string(n), inner = "sleep " + std::to_string(n + 1);
    ExecOptions o;
    o.timeout = std::chrono::milliseconds(1500);
    auto start = std::chrono::steady_clock::now();
    auto r = run("sh -c '" + inner + "; echo " + m + "' & " + outer + "; echo " + m, o);
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_TRUE(r.timed_out);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.exit_signal, "TERM");
    EXPECT_EQ(r.exit_code, 128 + 15);
    EXPECT_LT(took, std::chrono::milliseconds(4000));
    // nothing of it is left on the host (a process that got TERM may take a moment to be gone)
    std::string count = "ps -eo args | grep -cxE '" + outer + "|" + inner + "' || true", left;
    for (int i = 0; i < 20; ++i) {
        left = run(count).out;
        if (left == "0\n") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(left, "0\n") << run("ps -eo pid,pgid,stat,args | grep -E '" + outer + "|" + inner + "' | grep -v grep").out;
    // and the connection is still good
    EXPECT_EQ(run("echo again").out, "again\n");
}

TEST_F(Exec, TermIgnoredThenKill) {
    ExecOptions o;
    o.timeout = std::chrono::milliseconds(800);
    auto r = run("trap '' TERM; sleep 300", o);
    EXPECT_TRUE(r.timed_out);
    // the shell ignored TERM; sleep (same process group) died of it or of KILL
    EXPECT_FALSE(r.exit_signal.empty() && r.exit_code == 0);
    EXPECT_EQ(run("echo ok").out, "ok\n");
}

TEST_F(Exec, ExitSignalIsReported) {
    auto r = run("kill -USR1 $$");
    EXPECT_EQ(r.exit_signal, "USR1");
    EXPECT_EQ(r.exit_code, 128 + 10);
}

TEST_F(Exec, ManySequentialCommandsReuseTheSession) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 50; ++i) ASSERT_EQ(run("echo " + std::to_string(i)).out, std::to_string(i) + "\n");
    // TCP_NODELAY: without it each command pays delayed-ACK stalls (~40 ms each)
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

}  // namespace hoist::ssh::itest
