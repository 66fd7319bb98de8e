// The deploy lock's failures that are not "another deploy holds it" (exit 3): a lock the host cannot
// read or remove fails the command with exit 1; it never says exit 4, which is for a split fleet.
#include "deploy/lock.hpp"

#include <gtest/gtest.h>

#include "ssh/fake_connection.hpp"
#include "util/error.hpp"

using namespace hoist;

namespace {

ssh::ExecResult failed(const std::string& err) {
    ssh::ExecResult r;
    r.exit_code = 1;
    r.err = err;
    return r;
}

}  // namespace

TEST(Lock, ALockThatCannotBeRemovedIsExit1) {
    ssh::FakeConnection c;
    c.on_exec("rm -rf", failed("rm: cannot remove '.hoist/web/lock/info.json': Permission denied"));
    deploy::Lock lock(c, ".hoist/web", "h1");
    try {
        lock.release("");
        ADD_FAILURE() << "release succeeded";
    } catch (const hoist::Error& e) {
        EXPECT_EQ(e.code(), ExitCode::rolled_back) << e.what();
        EXPECT_NE(std::string(e.what()).find("h1: cannot remove .hoist/web/lock: rm: cannot remove"), std::string::npos)
            << e.what();
    }
}

TEST(Lock, ALockThatCannotBeReadIsExit1) {
    ssh::FakeConnection c;
    c.on_exec("echo held", failed("sh: 1: cannot open .hoist/web/lock/info.json: Permission denied"));
    deploy::Lock lock(c, ".hoist/web", "h1");
    try {
        lock.status();
        ADD_FAILURE() << "status succeeded";
    } catch (const hoist::Error& e) {
        EXPECT_EQ(e.code(), ExitCode::rolled_back) << e.what();
        EXPECT_NE(std::string(e.what()).find("h1: cannot read .hoist/web/lock"), std::string::npos) << e.what();
    }
}
