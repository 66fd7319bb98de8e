#include "util/harden.hpp"

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "util/secret.hpp"

// In a child, so the test process itself stays dumpable for debuggers.
TEST(Harden, NoCoreDumpsAndNotDumpable) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        struct rlimit lots {RLIM_INFINITY, RLIM_INFINITY};
        setrlimit(RLIMIT_CORE, &lots);  // may fail without privileges; the check below is what counts
        hoist::harden_process();
        struct rlimit now {};
        getrlimit(RLIMIT_CORE, &now);
        int code = (now.rlim_cur == 0 ? 0 : 1) | (now.rlim_max == 0 ? 0 : 2) | (prctl(PR_GET_DUMPABLE) == 0 ? 0 : 4);
        _exit(code);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "1: soft core limit, 2: hard core limit, 4: still dumpable";
}

TEST(Secret, MovedFromAndReassignedSecretsLeaveNoBytes) {
    hoist::Secret a(std::string("hunter2"));  // short: in the string's own buffer
    const char* buf = a.reveal().data();
    hoist::Secret b(std::move(a));
    EXPECT_EQ(b.reveal(), "hunter2");
    EXPECT_TRUE(a.reveal().empty());
    EXPECT_TRUE(std::all_of(buf, buf + 7, [](char c) { return c == '\0'; })) << std::string(buf, 7);
    hoist::Secret c(std::string("swordfish"));
    const char* cbuf = c.reveal().data();
    c = hoist::Secret(std::string("x"));
    EXPECT_EQ(c.reveal(), "x");
    EXPECT_TRUE(std::all_of(cbuf + 1, cbuf + 9, [](char ch) { return ch == '\0'; }));
}
