// A deploy on a real terminal (script(1)'s pseudo-terminal): the live per-host table is drawn and
// redrawn in place with colour; the same deploy piped has plain timestamped lines, no escape code.
#include "deploy_fixture.hpp"
#include "remote/shell.hpp"
#include "util/process.hpp"

namespace hoist::dtest {

TEST_F(DeployTest, LiveHostTableOnATerminalPlainLinesWhenPiped) {
    pipeline("");
    std::string cmd = remote::quote(HOIST_BINARY) + " deploy --tag v1";
    ProcessOptions o;
    o.cwd = m_dir;
    o.env = {{"GITHUB_ACTIONS", ""}, {"NO_COLOR", ""}, {"TERM", "xterm-256color"}};
    auto tty = run_process({"script", "-qfec", cmd, "/dev/null"}, o);
    ASSERT_EQ(tty.exit_code, 0) << tty.out;
    for (const auto& h : m_hosts)
        EXPECT_NE(tty.out.find("\033[1m" + h), std::string::npos) << "a table line for " << h << ":\n" << tty.out;
    EXPECT_NE(tty.out.find("\033[32mupdated to v1"), std::string::npos) << tty.out;
    EXPECT_NE(tty.out.find("health: GET"), std::string::npos) << "the step in progress is shown: " << tty.out;
    EXPECT_NE(tty.out.find("\r\033["), std::string::npos) << "redrawn in place: " << tty.out;

    auto piped = hoist({"deploy", "--tag", "v2"});
    ASSERT_EQ(piped.exit_code, 0) << piped.err;
    EXPECT_EQ(piped.err.find('\033'), std::string::npos) << piped.err;
    EXPECT_EQ(piped.out.find('\033'), std::string::npos) << piped.out;
    EXPECT_NE(piped.err.find("Z 10.210."), std::string::npos) << "timestamped lines: " << piped.err;
}

}  // namespace hoist::dtest
