// Uploads to a real sshd without the SFTP subsystem (removed from the host's sshd_config for the
// test): they go through a command on an exec channel with the guarantees of the SFTP path (mode
// exact from birth, parents 0700, atomic replacement, nothing left behind), and SFTP is asked for
// once per connection, not once per file (the host's sshd.log counts the refusals).
#include <memory>

#include "../no_sftp.hpp"
#include "fleet_fixture.hpp"

namespace hoist::ssh::itest {

namespace {

class NoSftpUpload : public FleetTest {
protected:
    void SetUp() override {
        FleetTest::SetUp();
        if (HasFatalFailure()) return;
        m_no_sftp = std::make_unique<hoist::itest::NoSftp>(f().dir, f().name, "h1");
        ASSERT_TRUE(m_no_sftp->ok()) << "h1's sshd still offers SFTP";
        m_connector = std::make_unique<Connector>(options());
        m_conn = m_connector->connect(Target{f().hosts[0], endpoint(f().hosts[0]), {}});
        m_dir = ".hoist-itest/" + marker();
    }
    void TearDown() override {
        if (m_conn) m_conn->exec("rm -rf ~/" + m_dir, {});
        m_conn.reset();
        m_connector.reset();
        m_no_sftp.reset();  // SFTP back, sshd restarted
        FleetTest::TearDown();
    }
    std::string run(const std::string& cmd) {
        auto r = m_conn->exec(cmd, {});
        EXPECT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
        return r.out;
    }
    std::unique_ptr<hoist::itest::NoSftp> m_no_sftp;
    std::unique_ptr<Connector> m_connector;
    std::unique_ptr<Connection> m_conn;
    std::string m_dir;
};

}  // namespace

TEST_F(NoSftpUpload, SecretFileIs0600ParentsAre0700AndSftpIsAskedForOnce) {
    m_conn->upload("~/" + m_dir + "/web/env", "DATABASE_URL=postgres://x\n", 0600);
    EXPECT_EQ(m_no_sftp->refusals(), 1) << "the upload asked for SFTP and was refused (it did not use SFTP)";
    EXPECT_EQ(run("stat -c %a ~/" + m_dir + "/web/env"), "600\n");
    EXPECT_EQ(run("stat -c %a ~/" + m_dir + "/web"), "700\n");
    EXPECT_EQ(run("cat ~/" + m_dir + "/web/env"), "DATABASE_URL=postgres://x\n");
    EXPECT_EQ(run("ls -A ~/" + m_dir + "/web"), "env\n") << "no temporary file left beside it";
    m_conn->upload(m_dir + "/web/other", "B=2\n", 0600);
    m_conn->upload(m_dir + "/web/third", "C=3\n", 0600);
    EXPECT_EQ(m_no_sftp->refusals(), 1) << "SFTP is not asked for again on the same connection";
    EXPECT_EQ(run("cat " + m_dir + "/web/other " + m_dir + "/web/third"), "B=2\nC=3\n");
}

TEST_F(NoSftpUpload, ModeIsExactDespiteUmaskAndReplacesTheOldFile) {
    m_conn->upload(m_dir + "/conf", "one\n", 0644);
    EXPECT_EQ(run("stat -c %a " + m_dir + "/conf"), "644\n");
    std::string inode1 = run("stat -c %i " + m_dir + "/conf");
    m_conn->upload(m_dir + "/conf", "two\n", 0640);
    EXPECT_EQ(run("stat -c %a " + m_dir + "/conf"), "640\n");
    EXPECT_EQ(run("cat " + m_dir + "/conf"), "two\n");
    EXPECT_NE(run("stat -c %i " + m_dir + "/conf"), inode1) << "renamed over, not rewritten in place";
    m_conn->upload(m_dir + "/tool", "#!/bin/sh\necho hi\n", 0750);
    EXPECT_EQ(run("stat -c %a " + m_dir + "/tool"), "750\n") << "execute bits, which no umask gives";
    EXPECT_EQ(run("ls -A " + m_dir), "conf\ntool\n");
}

TEST_F(NoSftpUpload, LargeContentArrivesWhole) {
    std::string big;
    for (int i = 0; big.size() < (3 << 20); ++i) big += "line " + std::to_string(i) + "\n";
    m_conn->upload(m_dir + "/big", big, 0600);
    EXPECT_EQ(run("wc -c < " + m_dir + "/big"), std::to_string(big.size()) + "\n");
    EXPECT_EQ(run("tail -n 1 " + m_dir + "/big"), big.substr(big.rfind('\n', big.size() - 2) + 1));
}

TEST_F(NoSftpUpload, FailureNamesTheHostAndPathAndLeavesTheConnectionUsable) {
    try {
        m_conn->upload("/proc/hoist-cannot-write-here/x", "x", 0600);
        ADD_FAILURE() << "upload into /proc succeeded";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::sftp);
        std::string what = e.what();
        EXPECT_NE(what.find(f().hosts[0]), std::string::npos) << what;
        EXPECT_NE(what.find("/proc/hoist-cannot-write-here/x"), std::string::npos) << what;
        EXPECT_NE(what.find("no SFTP"), std::string::npos) << what;
        EXPECT_NE(what.find("cannot create directory"), std::string::npos) << "the host's own words: " << what;
    }
    run("mkdir -p " + m_dir + "/adir");
    EXPECT_THROW(m_conn->upload(m_dir + "/adir", "x", 0600), Error) << "a directory is not replaced by a file";
    EXPECT_EQ(run("ls -A " + m_dir + "/adir"), "") << "nothing was put inside it";
    EXPECT_EQ(m_conn->exec("echo still-usable", {}).out, "still-usable\n");
}

}  // namespace hoist::ssh::itest
