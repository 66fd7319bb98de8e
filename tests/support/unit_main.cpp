// main() of hoist_tests: GoogleTest with the per-test watchdog (tests/support/watchdog.hpp).
// Unit tests are fast; a minute is a hang.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

#include "watchdog.hpp"

namespace {
/// Only with HOIST_WATCHDOG_SELFTEST=1 (set by Watchdog.* in tests/unit/util): a test that hangs
/// with a Python child, for the watchdog to catch. Never registered in a normal run.
class HangsOnPurpose : public ::testing::Test {
public:
    void TestBody() override {
        if (fork() == 0) {
            execlp("python3", "python3", "-c",
                   "import faulthandler, os, signal, time\n"
                   "f = open(os.path.join(os.environ['HOIST_STACKS_DIR'], '%d.txt' % os.getpid()), 'w')\n"
                   "faulthandler.register(signal.SIGUSR1, file=f, all_threads=True)\n"
                   "def waiting_for_godot():\n    time.sleep(600)\n"
                   "waiting_for_godot()\n",
                   static_cast<char*>(nullptr));
            _exit(127);
        }
        std::this_thread::sleep_for(std::chrono::minutes(10));
    }
};
}  // namespace

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    if (const char* s = std::getenv("HOIST_WATCHDOG_SELFTEST"); s && std::string(s) == "1")
        ::testing::RegisterTest("WatchdogSelfTest", "Hangs", nullptr, nullptr, __FILE__, __LINE__,
                                []() -> ::testing::Test* { return new HangsOnPurpose; });
    hoist::testing::install_watchdog(std::chrono::seconds(60));
    return RUN_ALL_TESTS();
}
