// main() of hoist_integration_tests: GoogleTest with the per-test watchdog
// (tests/support/watchdog.hpp). Most integration tests take 5-60 s on the fleet; the few that
// are longer by design call hoist::testing::extend_budget().
#include <gtest/gtest.h>

#include "watchdog.hpp"

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    hoist::testing::install_watchdog(std::chrono::seconds(150));
    return RUN_ALL_TESTS();
}
