// ProxyCommand: token expansion, and the program itself run for real (sh, no network): its stdio is
// the socket, its stderr explains failures, its process group ends with the connection, and a
// connection through a program that never speaks SSH fails by the connect deadline, naming it.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ssh/connect.hpp"
#include "ssh/proxy_command.hpp"

using namespace hoist::ssh;
using namespace std::chrono_literals;

namespace {

/// Reads from a non-blocking socket until `n` bytes or EOF, at most 5 s.
std::string read_some(int fd, std::size_t n) {
    std::string out;
    auto until = std::chrono::steady_clock::now() + 5s;
    while (out.size() < n && std::chrono::steady_clock::now() < until) {
        pollfd p{fd, POLLIN, 0};
        ::poll(&p, 1, 100);
        char buf[256];
        ssize_t got = ::recv(fd, buf, sizeof buf, 0);
        if (got == 0) break;
        if (got > 0) out.append(buf, static_cast<std::size_t>(got));
    }
    return out;
}

/// One line from the socket (without the newline).
std::string read_line(int fd) {
    std::string out;
    while (out.empty() || out.back() != '\n') {
        std::string got = read_some(fd, 1);
        if (got.empty()) break;
        out += got;
    }
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

/// Processes of the group that are still running (zombies do not count: a killed child whose parent
/// died too waits for whoever reaps orphans here, which is not ours to hurry).
int live_in_group(pid_t pgid) {
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator("/proc")) {
        std::string name = e.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;  // not a process
        std::ifstream in(e.path() / "stat");
        std::string stat((std::istreambuf_iterator<char>(in)), {});
        auto close = stat.rfind(')');
        if (close == std::string::npos) continue;
        std::istringstream rest(stat.substr(close + 2));
        char state = 0;
        long ppid = 0, pgrp = 0;
        rest >> state >> ppid >> pgrp;
        if (pgrp == pgid && state != 'Z' && state != 'X') ++n;
    }
    return n;
}

Endpoint endpoint_via(const std::string& command) {
    Endpoint ep;
    ep.host = "10.255.255.1";
    ep.port = 22;
    ep.user = "deploy";
    ep.use_agent = false;
    ep.proxy_command = command;
    return ep;
}

}  // namespace

TEST(ProxyCommand, TokensExpandAsSshConfigSays) {
    ProxyTokens t{"web1.internal", 2200, "deploy", "web1"};
    EXPECT_EQ(expand_proxy_command("ssh -W %h:%p -l %r bastion # %n 100%%", t),
              "ssh -W web1.internal:2200 -l deploy bastion # web1 100%");
    EXPECT_EQ(expand_proxy_command("nc %h %p", {"10.0.0.1", 22, "u", "a"}), "nc 10.0.0.1 22");
    EXPECT_EQ(unknown_proxy_token("nc %h %p %r %n %%"), std::nullopt);
    EXPECT_EQ(unknown_proxy_token("nc %h %C"), "%C");
    EXPECT_EQ(unknown_proxy_token("nc %h 5%"), "%");
}

TEST(ProxyCommand, StdioIsTheSocketAndStderrIsKept) {
    // run as `exec COMMAND` like ssh does, so shell code goes through `sh -c`, as in an ssh_config
    const std::string cmd = "sh -c 'read line; echo \"got $line\"; echo no route to i-0abc >&2; exit 3'";
    auto [sock, proc] = start_proxy_command(cmd);
    ASSERT_EQ(::send(sock.fd(), "ping\n", 5, MSG_NOSIGNAL), 5);
    EXPECT_EQ(read_some(sock.fd(), 9), "got ping\n");
    EXPECT_EQ(proc->describe(5s), "ProxyCommand `" + cmd + "` exited with status 3: no route to i-0abc");
    EXPECT_TRUE(proc->exited());
}

TEST(ProxyCommand, HoistsOwnFileDescriptorsAreNotInherited) {
    // only 0, 1, 2 in the child: an inherited socket of another session would keep it open after close
    auto [sock, proc] = start_proxy_command("ls /proc/self/fd >&2");
    // 0 1 2, and the directory ls reads
    EXPECT_EQ(proc->describe(5s), "ProxyCommand `ls /proc/self/fd >&2` exited with status 0: 0\n1\n2\n3");
}

TEST(ProxyCommand, TheWholeProcessGroupEndsWithTheConnection) {
    pid_t pgid = -1;
    {
        // a shell that leaves a child behind, both ignoring TERM (ignored signals are inherited)
        auto [sock, proc] = start_proxy_command("sh -c 'trap \"\" TERM; sleep 60 & echo $$; wait'");
        pgid = std::stoi(read_line(sock.fd()));
        EXPECT_EQ(live_in_group(pgid), 2) << "the shell and its sleep";
        EXPECT_EQ(proc->describe(0ms), "ProxyCommand `sh -c 'trap \"\" TERM; sleep 60 & echo $$; wait'` is still running "
                                       "(nothing on its stderr)");
        auto t0 = std::chrono::steady_clock::now();
        proc.reset();
        EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s) << "TERM ignored: KILL after 1 s";
    }
    EXPECT_EQ(live_in_group(pgid), 0) << "the background sleep of the ProxyCommand survived";
}

TEST(ProxyCommand, TerminalSignalsDoNotReachIt) {
    auto [sock, proc] = start_proxy_command("sh -c 'echo $$; exec sleep 60'");
    pid_t child = std::stoi(read_line(sock.fd()));
    EXPECT_EQ(::getpgid(child), child) << "a process group of its own";
    EXPECT_NE(::getpgid(child), ::getpgrp());
}

TEST(ProxyCommand, AFailingCommandFailsTheConnectWithItsStatusAndStderr) {
    ConnectOptions o;
    o.connect_timeout = 5000ms;
    o.host_keys.known_hosts = "/nonexistent/known_hosts";
    auto t0 = std::chrono::steady_clock::now();
    try {
        establish(endpoint_via("sh -c 'echo ssh: connect to host bastion port 22: Connection refused >&2; exit 255'"),
                  nullptr, o);
        FAIL() << "connected through a command that exited";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::connect) << e.what();
        std::string m = e.what();
        EXPECT_EQ(m.rfind("deploy@10.255.255.1:22: ", 0), 0u) << m;
        EXPECT_NE(m.find("; ProxyCommand `sh -c 'echo ssh: connect to host bastion port 22: Connection refused >&2; "
                         "exit 255'` exited with status 255: ssh: connect to host bastion port 22: Connection refused"),
                  std::string::npos)
            << m;
    }
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
}

TEST(ProxyCommand, ACommandThatNeverConnectsTimesOutAtTheConnectTimeout) {
    ConnectOptions o;
    o.connect_timeout = 600ms;
    o.host_keys.known_hosts = "/nonexistent/known_hosts";
    auto t0 = std::chrono::steady_clock::now();
    try {
        establish(endpoint_via("sh -c 'echo Starting session with SessionId: s-1 >&2; exec sleep 30'"), nullptr, o);
        FAIL() << "connected through sleep";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::timeout) << e.what();
        std::string m = e.what();
        EXPECT_NE(m.find("(ssh.connect_timeout 0.60 s); ProxyCommand `sh -c 'echo Starting session with SessionId: s-1 "
                         ">&2; exec sleep 30'` is still running: Starting session with SessionId: s-1"),
                  std::string::npos)
            << m;
    }
    auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_GE(took, 600ms);
    EXPECT_LT(took, 3s) << "the sleep was not ended with the connection";
}

TEST(ProxyCommand, AProgramThatIsNotThereSaysSo) {
    ConnectOptions o;
    o.connect_timeout = 5000ms;
    try {
        establish(endpoint_via("hoist-no-such-program --target i-0abc"), nullptr, o);
        FAIL();
    } catch (const Error& e) {
        std::string m = e.what();
        EXPECT_EQ(e.kind(), ErrorKind::connect) << m;
        EXPECT_NE(m.find("exited with status 127: "), std::string::npos) << m;
        EXPECT_NE(m.find("hoist-no-such-program: not found"), std::string::npos) << m;
    }
}
