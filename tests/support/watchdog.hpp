#pragma once
// A per-test deadline for the test executables, so a hang explains itself instead of sitting
// until ctest's timeout kills a silent process.
//
// Every test gets a budget (HOIST_TEST_BUDGET_S, else the executable's default); a test that
// knows it is long calls hoist::testing::extend_budget(). Past the budget the watchdog thread:
//   1. prints "[ TIMEOUT ] Suite.Test after N s";
//   2. lists every descendant process (pid, state, what it waits in, command line);
//   3. sends SIGUSR1 to the Python descendants (tests/fleet's helpers register faulthandler on
//      it and write every thread's stack to $HOIST_STACKS_DIR/<pid>.txt) and prints those files;
//   4. prints `gdb -batch -ex 'thread apply all bt'` of this process and of the other
//      descendants (hoist itself among them);
//   5. kills the descendants and exits with 124, so the run goes on with the next test.
// The process becomes a child subreaper, so helpers started with setsid (fake-aws) stay
// descendants that step 2 finds and step 5 ends.
#include <chrono>

namespace hoist::testing {

/// Installs the listener and the watchdog thread; call from main() after InitGoogleTest.
void install_watchdog(std::chrono::seconds default_budget);

/// Gives the running test `budget` from now (for the few tests that are long by design).
void extend_budget(std::chrono::seconds budget);

}  // namespace hoist::testing
