// `docker login` writes the password into the host's ~/.docker/config.json until `docker logout`.
// The pull that logs in must log out however it ends: also when hoist's timeout TERMs it
// mid-pull. Run here against a fake runtime that records its calls and hangs in `pull`.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "remote/docker.hpp"

namespace fs = std::filesystem;

namespace {
std::string slurp(const std::string& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}
}  // namespace

TEST(PullWithLogin, LogsOutAlsoWhenThePullIsKilled) {
    char tmpl[] = "/tmp/hoist-login-test-XXXXXX";
    std::string dir = ::mkdtemp(tmpl);
    std::string fake = dir + "/docker", log = dir + "/calls";
    {
        std::ofstream f(fake);
        f << "#!/bin/sh\necho \"$1\" >> " << log << "\n"
          << "case $1 in login) cat >/dev/null;; pull) sleep 30;; image) exit 1;; esac\n";
    }
    fs::permissions(fake, fs::perms(0755));
    auto cmd = hoist::remote::pull_with_login(fake, "reg.example", "u", "reg.example/app:v1", false);

    int in[2];
    ASSERT_EQ(::pipe(in), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        ::setpgid(0, 0);  // its own process group, as sshd gives a command
        ::dup2(in[0], 0);
        ::close(in[1]);
        std::vector<char*> argv;
        for (auto& a : cmd.argv) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execvp(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(in[0]);
    ASSERT_EQ(::write(in[1], "pw\n", 3), 3);
    ::close(in[1]);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (slurp(log).find("pull") == std::string::npos && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_NE(slurp(log).find("pull"), std::string::npos) << "the fake pull never started";
    ::kill(-pid, SIGTERM);  // what an exec timeout does: TERM to the command's process group
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_EQ(slurp(log), "login\npull\nlogout\n");
    fs::remove_all(dir);
}
