// secret_env values from hoist's environment and the env file they reach hosts in: one reading and
// one format for web, roles, accessories and `hoist run`.
#include "deploy/secrets.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include "util/error.hpp"

using namespace hoist;

TEST(Secrets, AreReadOnceCheckedAndWrittenOneALine) {
    setenv("HOIST_T_A", "alpha", 1);
    setenv("HOIST_T_B", "b=c d", 1);
    auto v = deploy::secret_values({"HOIST_T_B", "HOIST_T_A"}, "container.secret_env");
    EXPECT_EQ(deploy::secret_env_file({"HOIST_T_B", "HOIST_T_A"}, v), "HOIST_T_B=b=c d\nHOIST_T_A=alpha\n");
    unsetenv("HOIST_T_A");
    try {
        deploy::secret_values({"HOIST_T_A", "HOIST_T_B", "HOIST_T_C"}, "roles.worker.container.secret_env");
        FAIL() << "missing variables were accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::usage);
        EXPECT_EQ(std::string(e.what()), "roles.worker.container.secret_env names HOIST_T_A, HOIST_T_C, which are not "
                                         "set in hoist's environment; nothing was done");
    }
    setenv("HOIST_T_A", "two\nlines", 1);
    try {
        deploy::secret_values({"HOIST_T_A"}, "accessories.redis.secret_env");
        FAIL() << "a newline was accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("HOIST_T_A holds a newline"), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).find("two"), std::string::npos) << "the value is never in a message";
    }
    unsetenv("HOIST_T_A");
    unsetenv("HOIST_T_B");
}
