// HTTP to a port on the host and a unix socket on the host, carried through the SSH connection.
// The servers run inside the host's network namespace, listening on 127.0.0.1 only: the controller
// has no other way to reach them.
#include <thread>

#include "fleet_fixture.hpp"

namespace hoist::ssh::itest {

namespace {

class Tunnel : public FleetTest {
protected:
    void SetUp() override {
        FleetTest::SetUp();
        if (HasFatalFailure()) return;
        m_connector = std::make_unique<Connector>(options());
        m_conn = m_connector->connect(Target{f().hosts[0], endpoint(f().hosts[0]), {}});
        m_mark = marker();
        m_port = 18000 + ::getpid() % 10000;
        m_dir = "/tmp/" + m_mark;
    }
    void TearDown() override {
        if (m_conn) m_conn->exec("pkill -f " + m_mark + "; rm -rf " + m_dir, {});
        FleetTest::TearDown();
    }
    std::unique_ptr<Connector> m_connector;
    std::unique_ptr<Connection> m_conn;
    std::string m_mark, m_dir;
    int m_port = 0;
};

}  // namespace

TEST_F(Tunnel, HttpGetToALoopbackPortOnTheHost) {
    // busybox httpd daemonizes (closing its fds), so the exec returns at once
    auto r = m_conn->exec("mkdir -p " + m_dir + "/cgi-bin && printf 'healthy\\n' > " + m_dir + "/healthz && " +
                              "printf '#!/bin/sh\\nprintf \"Status: 503 Busy\\\\r\\\\nContent-Type: text/plain\\\\r\\\\n\\\\r\\\\nno\\\\n\"\\n' > " +
                              m_dir + "/cgi-bin/down && chmod +x " + m_dir + "/cgi-bin/down && " +
                              "busybox httpd -p 127.0.0.1:" + std::to_string(m_port) + " -h " + m_dir + " && sleep 0.2",
                          {});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto ok = m_conn->http_get(m_port, "/healthz", std::chrono::seconds(3));
    ASSERT_TRUE(ok.ok()) << ok.error;
    EXPECT_EQ(ok.status, 200);
    EXPECT_EQ(ok.body, "healthy\n");
    auto missing = m_conn->http_get(m_port, "/nope", std::chrono::seconds(3));
    EXPECT_EQ(missing.status, 404);
    auto down = m_conn->http_get(m_port, "/cgi-bin/down", std::chrono::seconds(3));
    EXPECT_EQ(down.status, 503) << down.error;
    EXPECT_EQ(down.body, "no\n");
    // many checks in a row over the one session
    for (int i = 0; i < 20; ++i) ASSERT_EQ(m_conn->http_get(m_port, "/healthz", std::chrono::seconds(3)).status, 200);
    // the port is not reachable from the controller itself
    auto direct = run_process({"curl", "-s", "-m", "1", "http://" + f().hosts[0] + ":" + std::to_string(m_port) + "/healthz"});
    EXPECT_NE(direct.exit_code, 0);
}

TEST_F(Tunnel, RefusedPortIsAResponseWithAnErrorNotAnException) {
    auto r = m_conn->http_get(m_port + 1, "/healthz", std::chrono::seconds(3));
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.error.find("connection refused on the host"), std::string::npos) << r.error;
    EXPECT_EQ(m_conn->exec("echo fine", {}).out, "fine\n");
}

TEST_F(Tunnel, SlowServerTimesOut) {
    // accepts and never answers
    auto r = m_conn->exec("(socat TCP-LISTEN:" + std::to_string(m_port + 2) + ",bind=127.0.0.1,reuseaddr SYSTEM:'sleep 30 # " +
                              m_mark + "' </dev/null >/dev/null 2>&1 &) ; sleep 0.3",
                          {});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto start = std::chrono::steady_clock::now();
    auto h = m_conn->http_get(m_port + 2, "/", std::chrono::milliseconds(1000));
    EXPECT_EQ(h.status, 0);
    EXPECT_NE(h.error.find("timed out"), std::string::npos) << h.error;
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2500));
    EXPECT_EQ(m_conn->exec("echo fine", {}).out, "fine\n");
}

TEST_F(Tunnel, UnixSocketOnTheHost) {
    std::string sock = m_dir + "/admin.sock";
    // a one-shot server that answers one line and closes, like HAProxy's admin socket
    auto r = m_conn->exec("mkdir -p " + m_dir + " && (socat UNIX-LISTEN:" + sock + " SYSTEM:'read l; echo \"you said: $l\"; : " +
                              m_mark + "' </dev/null >/dev/null 2>&1 &) ; for i in $(seq 50); do [ -S " + sock +
                              " ] && break; sleep 0.05; done",
                          {});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(m_conn->unix_socket_request(sock, "show stat\n", std::chrono::seconds(3)), "you said: show stat\n");
    EXPECT_THROW(m_conn->unix_socket_request(m_dir + "/absent.sock", "x\n", std::chrono::seconds(3)), Error);
}

}  // namespace hoist::ssh::itest
