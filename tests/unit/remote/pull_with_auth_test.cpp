// A pull with registry credentials reads them (a config.json document) from stdin into a private
// directory that only that pull reads, and removes it however the pull ends: also when hoist's
// timeout TERMs it mid-pull. Run here against a fake runtime that records what it was given.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
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

class PullWithAuth : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/hoist-pull-auth-test-XXXXXX";
        m_dir = ::mkdtemp(tmpl);
        m_log = m_dir + "/calls";
    }
    void TearDown() override { fs::remove_all(m_dir); }

    /// A fake runtime at <dir>/<name>: logs "<verb> <where the credentials are>", copies the
    /// document it was given and the directory's mode, then runs `pull_body`.
    std::string fake(const std::string& name, const std::string& pull_body, const std::string& image_exit) {
        std::string path = m_dir + "/" + name;
        std::ofstream f(path);
        f << "#!/bin/sh\n"
          << "auth=\"$DOCKER_CONFIG/config.json\"; [ \"$3\" = --authfile ] && auth=\"$4\"\n"
          << "echo \"$1 $auth\" >> " << m_log << "\n"
          << "case $1 in\n"
          << "  pull) cp \"$auth\" " << m_dir << "/seen; stat -c %a \"$(dirname \"$auth\")\" > " << m_dir
          << "/mode; " << pull_body << ";;\n"
          << "  image) exit " << image_exit << ";;\n"
          << "esac\n";
        f.close();
        fs::permissions(path, fs::perms(0755));
        return path;
    }
    /// Runs `cmd` with `input` on stdin in its own process group; `kill_when_pulling` TERMs the group
    /// once the fake pull started. Returns the exit status.
    int run(const hoist::remote::Command& cmd, const std::string& input, bool kill_when_pulling) {
        int in[2];
        EXPECT_EQ(::pipe(in), 0);
        pid_t pid = ::fork();
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
        EXPECT_EQ(::write(in[1], input.data(), input.size()), static_cast<ssize_t>(input.size()));
        ::close(in[1]);
        if (kill_when_pulling) {
            auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
            while (!fs::exists(m_dir + "/mode") && std::chrono::steady_clock::now() < deadline)
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            EXPECT_TRUE(fs::exists(m_dir + "/mode")) << "the fake pull never started";
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            ::kill(-pid, SIGTERM);  // what an exec timeout does: TERM to the command's process group
        }
        int status = 0;
        EXPECT_EQ(::waitpid(pid, &status, 0), pid);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    /// The credentials path the fake was given (second word of its log line for `verb`).
    std::string where(const std::string& verb) {
        std::istringstream lines(slurp(m_log));
        for (std::string l; std::getline(lines, l);)
            if (l.rfind(verb + " ", 0) == 0) return l.substr(verb.size() + 1);
        return "";
    }

    std::string m_dir, m_log;
    const std::string m_doc = R"({"auths":{"reg.example":{"auth":"dTpwdw=="}}})";
};

}  // namespace

TEST_F(PullWithAuth, DockerReadsAPrivateCopyThatIsGoneAfterwards) {
    auto cmd = hoist::remote::pull_with_auth(fake("docker", "true", "1"), "reg.example/app:v1", false);
    for (const auto& a : cmd.argv) EXPECT_EQ(a.find("dTpwdw"), std::string::npos) << "credentials in argv: " << a;
    EXPECT_EQ(run(cmd, m_doc, false), 0);
    EXPECT_EQ(slurp(m_dir + "/seen"), m_doc);
    EXPECT_EQ(slurp(m_dir + "/mode"), "700\n");
    std::string path = where("pull");
    ASSERT_NE(path, "");
    EXPECT_EQ(path.rfind("/dev/shm/hoist-pull.", 0), 0u) << "not in RAM: " << path;
    EXPECT_FALSE(fs::exists(fs::path(path).parent_path())) << path << " left behind";
}

TEST_F(PullWithAuth, RemovedAlsoWhenThePullIsKilled) {
    auto cmd = hoist::remote::pull_with_auth(fake("docker", "sleep 30", "1"), "reg.example/app:v1", false);
    int status = run(cmd, m_doc, true);
    EXPECT_NE(status, 0);
    std::string path = where("pull");
    ASSERT_NE(path, "");
    EXPECT_FALSE(fs::exists(fs::path(path).parent_path())) << path << " left behind by a TERMed pull";
}

TEST_F(PullWithAuth, PodmanGetsItAsAnAuthFile) {
    auto cmd = hoist::remote::pull_with_auth(fake("podman", "true", "1"), "reg.example/app:v1", false);
    EXPECT_EQ(run(cmd, m_doc, false), 0);
    EXPECT_EQ(slurp(m_dir + "/seen"), m_doc);
    std::string path = where("pull");
    EXPECT_EQ(fs::path(path).filename(), "config.json") << path;
    EXPECT_FALSE(fs::exists(fs::path(path).parent_path())) << path;
}

TEST_F(PullWithAuth, IfMissingSkipsThePullOfAnImageThatIsThere) {
    auto cmd = hoist::remote::pull_with_auth(fake("docker", "true", "0"), "reg.example/app:v1", true);
    EXPECT_EQ(run(cmd, m_doc, false), 0);
    EXPECT_EQ(where("pull"), "");
    EXPECT_NE(where("image"), "");
    // and pulls one that is not
    auto missing = hoist::remote::pull_with_auth(fake("docker2", "true", "1"), "reg.example/app:v1", true);
    EXPECT_EQ(run(missing, m_doc, false), 0);
    EXPECT_EQ(slurp(m_dir + "/seen"), m_doc);
    EXPECT_FALSE(fs::exists(fs::path(where("pull")).parent_path()));
}

TEST_F(PullWithAuth, AFailedPullFailsAndCleansUp) {
    auto cmd = hoist::remote::pull_with_auth(fake("docker", "echo denied >&2; exit 1", "1"), "reg.example/app:v1", false);
    EXPECT_EQ(run(cmd, m_doc, false), 1);
    EXPECT_FALSE(fs::exists(fs::path(where("pull")).parent_path()));
}
