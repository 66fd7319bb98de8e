// The test watchdog (tests/support/watchdog.hpp) on a test that hangs on purpose: it must print
// the stacks (gdb for this process, faulthandler for the Python child), kill the child and exit
// 124 well before ctest's own timeout.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "util/process.hpp"

namespace hoist {
namespace {

TEST(Watchdog, AHungTestPrintsEveryStackAndEndsWith124) {
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    ASSERT_GT(n, 0);
    self[n] = '\0';
    ProcessOptions o;
    o.env = {{"HOIST_WATCHDOG_SELFTEST", "1"}, {"HOIST_TEST_BUDGET_S", "2"}};
    o.timeout = std::chrono::seconds(50);
    o.new_group = true;
    auto t0 = std::chrono::steady_clock::now();
    auto r = run_process({self, "--gtest_filter=WatchdogSelfTest.Hangs"}, o);
    auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_FALSE(r.timed_out) << r.out;
    EXPECT_EQ(r.exit_code, 124) << r.out << r.err;
    EXPECT_NE(r.out.find("[ TIMEOUT ] WatchdogSelfTest.Hangs after"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("waiting_for_godot"), std::string::npos) << "no Python stack:\n" << r.out;
    EXPECT_NE(r.out.find("TestBody () at"), std::string::npos) << "no gdb stack:\n" << r.out;
    EXPECT_NE(r.out.find("unit_main.cpp:"), std::string::npos) << "no source line in the gdb stack:\n" << r.out;
    EXPECT_LT(took, std::chrono::seconds(45));
    // The Python child is gone.
    EXPECT_NE(run_process({"pgrep", "-f", "def waiting_for_godot"}).exit_code, 0);
}

}  // namespace
}  // namespace hoist
