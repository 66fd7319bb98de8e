// The HAProxy driver's pure parts: parsing the runtime API's answers and the socket commands that
// turn a backend into a pool. The driver runs against the fleet's real HAProxy in
// tests/integration/deploy/haproxy_test.cpp.
#include "lb/haproxy.hpp"

#include <gtest/gtest.h>

using namespace hoist::lb;

namespace {

const char* kState = R"(1
# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
3 app 1 hoist-10-0-1-11 10.0.1.11 2 0 1 1 253 15 3 3 6 0 0 0 - 8080 - 0 0 - - 0
3 app 2 hoist-10-0-1-11-blue 10.0.1.11 0 1 1 1 253 15 3 3 6 0 0 0 - 8081 - 0 0 - - 0
3 app 3 hoist-10-0-1-11-green 10.0.1.11 0 1 1 1 253 15 3 3 6 0 0 0 - 8082 - 0 0 - - 0
3 app 4 hoist-10-0-1-12 10.0.1.12 2 0 1 1 255 15 3 3 6 0 0 0 - 8080 - 0 0 - - 0
4 other 1 x 10.9.9.9 2 0 1 1 255 15 3 3 6 0 0 0 - 80 - 0 0 - - 0
)";

}  // namespace

TEST(Haproxy, ServerNames) {
    EXPECT_EQ(haproxy_server_name("10.0.1.11"), "hoist-10-0-1-11");
    EXPECT_EQ(haproxy_server_name("fd00::1"), "hoist-fd00--1");
}

TEST(Haproxy, ParsesServersStateByColumnName) {
    auto s = parse_servers_state(kState, "app");
    ASSERT_EQ(s.size(), 4u);
    EXPECT_EQ(s[1].name, "hoist-10-0-1-11-blue");
    EXPECT_EQ(s[1].port, 8081);
    EXPECT_FALSE(s[1].ready());
    EXPECT_EQ(s[0].op_state, 2);
    EXPECT_TRUE(s[0].ready());
}

TEST(Haproxy, CurrentSessionsFromShowStat) {
    auto m = parse_current_sessions("# pxname,svname,qcur,qmax,scur,smax\napp,FRONTEND,,,3,4\n"
                                    "app,hoist-10-0-1-11,0,0,2,5\napp,BACKEND,0,0,2,5\nother,x,0,0,9,9\n",
                                    "app");
    EXPECT_EQ(m.size(), 1u);
    EXPECT_EQ(m["hoist-10-0-1-11"], 2);
}

TEST(Haproxy, RollingDrainsAndReadiesTheHostsServer) {
    auto s = parse_servers_state(kState, "app");
    EXPECT_EQ(haproxy_commands("app", s, {{"10.0.1.11", 8080, false, ""}, {"10.0.1.12", 8080, true, ""}}),
              (std::vector<std::string>{"set server app/hoist-10-0-1-11 state drain"}));
    s[0].admin_state = 8;  // drained
    EXPECT_EQ(haproxy_commands("app", s, {{"10.0.1.11", 8080, true, ""}}),
              (std::vector<std::string>{"set server app/hoist-10-0-1-11 state ready"}));
    s[0].admin_state = 0;
    EXPECT_TRUE(haproxy_commands("app", s, {{"10.0.1.11", 8080, true, ""}}).empty()) << "nothing to change";
}

TEST(Haproxy, BlueGreenSwitchesColourServersByStateInOneBatch) {
    auto s = parse_servers_state(kState, "app");
    EXPECT_EQ(haproxy_commands("app", s, {{"10.0.1.11", 8082, true, ""}}),
              (std::vector<std::string>{"set server app/hoist-10-0-1-11 state drain",
                                        "set server app/hoist-10-0-1-11-green state ready"}));
}

TEST(Haproxy, WithoutColourServersTheHostServerIsRepointed) {
    auto s = parse_servers_state(kState, "app");
    EXPECT_EQ(haproxy_commands("app", s, {{"10.0.1.12", 8082, true, ""}}),
              (std::vector<std::string>{"set server app/hoist-10-0-1-12 addr 10.0.1.12 port 8082"}));
}

TEST(Haproxy, AHostWithoutAServerIsAClearError) {
    auto s = parse_servers_state(kState, "app");
    try {
        haproxy_commands("app", s, {{"10.0.1.13", 8080, true, ""}});
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("no server hoist-10-0-1-13 for 10.0.1.13"), std::string::npos) << e.what();
    }
}

// Found by the balancer_state fuzz target: only the scur column was checked against the row's
// length, so a row shorter than the pxname or svname column read past its end.
TEST(Haproxy, ShortStatRowsAreSkipped) {
    std::string csv = "# scur,x,y,z,svname,pxname\n1\n3,a,b,c,srv\n2,a,b,c,srv1,web\n";
    auto s = parse_current_sessions(csv, "web");
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s["srv1"], 2);
}
