// SFTP upload to a real sshd: mode, parent directories, atomic replacement.
#include <thread>

#include "fleet_fixture.hpp"
#include "ssh/crypto.hpp"

namespace hoist::ssh::itest {

namespace {

class Sftp : public FleetTest {
protected:
    void SetUp() override {
        FleetTest::SetUp();
        if (HasFatalFailure()) return;
        m_connector = std::make_unique<Connector>(options());
        m_conn = m_connector->connect(Target{f().hosts[0], endpoint(f().hosts[0]), {}});
        m_dir = ".hoist-itest/" + marker();
    }
    void TearDown() override {
        if (m_conn) m_conn->exec("rm -rf ~/" + m_dir, {});
        FleetTest::TearDown();
    }
    std::string run(const std::string& cmd) {
        auto r = m_conn->exec(cmd, {});
        EXPECT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
        return r.out;
    }
    std::unique_ptr<Connector> m_connector;
    std::unique_ptr<Connection> m_conn;
    std::string m_dir;
};

}  // namespace

TEST_F(Sftp, SecretFileIs0600AndParentsAre0700) {
    m_conn->upload("~/" + m_dir + "/web/env", "DATABASE_URL=postgres://x\n", 0600);
    EXPECT_EQ(run("stat -c %a ~/" + m_dir + "/web/env"), "600\n");
    EXPECT_EQ(run("stat -c %a ~/" + m_dir + "/web"), "700\n");
    EXPECT_EQ(run("cat ~/" + m_dir + "/web/env"), "DATABASE_URL=postgres://x\n");
    // no temporary file left beside it
    EXPECT_EQ(run("ls -A ~/" + m_dir + "/web"), "env\n");
}

TEST_F(Sftp, ModeIsExactDespiteUmaskAndReplacesTheOldFile) {
    m_conn->upload(m_dir + "/conf", "one\n", 0644);
    std::string inode1 = run("stat -c %i " + m_dir + "/conf");
    m_conn->upload(m_dir + "/conf", "two\n", 0640);
    EXPECT_EQ(run("stat -c %a " + m_dir + "/conf"), "640\n");
    EXPECT_EQ(run("cat " + m_dir + "/conf"), "two\n");
    EXPECT_NE(run("stat -c %i " + m_dir + "/conf"), inode1);  // renamed over, not rewritten in place
}

TEST_F(Sftp, ReadersSeeTheOldOrTheNewFileNeverAMix) {
    std::string a(4 << 20, 'a'), b(4 << 20, 'b');
    std::string path = m_dir + "/big";
    m_conn->upload(path, a, 0644);
    // a second connection reads the file in a loop while the first replaces it
    auto reader = m_connector->connect(Target{f().hosts[0], endpoint(f().hosts[0]), {}});
    ExecResult seen;
    std::thread t([&] {
        seen = reader->exec("for i in $(seq 1 60); do md5sum < " + path + "; done | sort | uniq -c", {});
    });
    for (int i = 0; i < 6; ++i) m_conn->upload(path, i % 2 ? a : b, 0644);
    t.join();
    auto md5 = [&](char c) {
        return run("head -c " + std::to_string(4 << 20) + " /dev/zero | tr '\\0' " + std::string(1, c) + " | md5sum");
    };
    std::string ma = md5('a'), mb = md5('b');
    std::istringstream lines(seen.out);
    int total = 0;
    for (std::string line; std::getline(lines, line);) {
        std::istringstream w(line);
        int n;
        std::string sum;
        w >> n >> sum;
        total += n;
        EXPECT_TRUE(ma.find(sum) == 0 || mb.find(sum) == 0) << "a reader saw a torn file: " << line;
    }
    EXPECT_EQ(total, 60);
}

TEST_F(Sftp, FailureNamesTheHostAndPathAndLeavesNothing) {
    try {
        m_conn->upload("/proc/hoist-cannot-write-here/x", "x", 0600);
        ADD_FAILURE() << "upload into /proc succeeded";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::sftp);
        EXPECT_NE(std::string(e.what()).find(f().hosts[0]), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("/proc/hoist-cannot-write-here/x"), std::string::npos) << e.what();
    }
    EXPECT_EQ(m_conn->exec("echo still-usable", {}).out, "still-usable\n");
}

}  // namespace hoist::ssh::itest
