// Exit codes on the real fleet for failures that change nothing, or whose change hoist undoes:
// exit 1 ("nothing was changed" when no host was changed), never exit 4, which says a person must
// look at a fleet left on two versions. Each failure is real: an env file path that is a directory
// (so the upload fails, on the host, the way a host without SFTP once failed it), a history file the
// login user cannot read.
#include <filesystem>
#include <fstream>

#include "deploy_fixture.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace hoist::dtest {

namespace {

/// Adds one secret_env value to the pipeline at `path` (so each deploy uploads an env file);
/// returns hoist's environment for it.
std::map<std::string, std::string> with_secret(const std::string& path) {
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    text.replace(text.find("stop_timeout: 1s }"), 18, "stop_timeout: 1s, secret_env: [DB_PASSWORD] }");
    std::ofstream(path) << text;
    return {{"DB_PASSWORD", "exit-code-test-value"}};
}

/// Makes `<home>/.hoist/app/<name>` a directory owned by the login user: no file can be renamed
/// over it, so the upload of that env file fails on the host.
void block_env_file(const nlohmann::json& host, const std::string& name) {
    std::string home = host["home"].get<std::string>();
    std::filesystem::create_directories(home + "/.hoist/app/" + name);
    auto r = run_process({"chown", "-R", "--reference=" + home, home + "/.hoist"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
}

/// hoist's containers on a host (names), running or not.
std::string containers(const nlohmann::json& host) {
    return trim(run_process({"docker", "-H", host["docker_host"].get<std::string>(), "ps", "-a", "--format",
                             "{{.Names}}", "--filter", "label=hoist.service"})
                    .out);
}

}  // namespace

TEST_F(DeployTest, FirstDeployWhoseUploadFailsBeforeAnyChangeIsExit1NothingWasChanged) {
    auto env = with_secret(pipeline(""));
    block_env_file(m_fleet["hosts"][0], "app-v1.env");
    auto r = hoist({"deploy", "--tag", "v1"}, env);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("nothing was changed"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("a person must look"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(m_hosts[0]), std::string::npos) << "names the host: " << r.err;
    EXPECT_NE(r.err.find("app-v1.env"), std::string::npos) << "names the file: " << r.err;
    for (const auto& h : m_fleet["hosts"]) EXPECT_EQ(containers(h), "") << h["name"] << " was changed";
    EXPECT_FALSE(lock_held());
    // the cause gone, the same deploy goes through
    std::filesystem::remove_all(m_fleet["hosts"][0]["home"].get<std::string>() + "/.hoist/app/app-v1.env");
    auto again = hoist({"deploy", "--tag", "v1"}, env);
    EXPECT_EQ(again.exit_code, 0) << again.err;
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v1") << h;
}

// h1's previous container is stopped before its env file is written; the upload fails, the undo
// starts it again and sees it healthy: every host serves v1, exit 1 (it was exit 4 while any SSH-
// level failure left a host "unknown" even after it was restored).
TEST_F(DeployTest, UploadThatFailsAfterTheStopIsRolledBackExit1) {
    auto env = with_secret(pipeline(""));
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}, env).exit_code, 0);
    auto before = pool();
    block_env_file(m_fleet["hosts"][0], "app-v2.env");
    Load load(nginx_url(), "close", 2, 1, m_dir);
    auto r = hoist({"deploy", "--tag", "v2"}, env);
    auto l = load.stop();
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("rolled back"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("a person must look"), std::string::npos) << r.err;
    expect_no_failures(l, "upload failed after the stop");
    EXPECT_EQ(pool(), before);
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v1") << h;
    expect_pool_healthy();
    EXPECT_FALSE(lock_held());
}

// Reading the history failed with an SSH-layer error that reached main's catch-all: exit 4,
// "internal error", before anything had been touched.
TEST_F(DeployTest, RollbackThatCannotReadTheHistoryIsExit1NothingWasChanged) {
    pipeline("");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    ASSERT_EQ(hoist({"deploy", "--tag", "v2"}).exit_code, 0);
    auto before = pool();
    std::string history = m_fleet["hosts"][0]["home"].get<std::string>() + "/.hoist/app/history.jsonl";
    ASSERT_TRUE(std::filesystem::exists(history));
    m_restore.push_back("chmod 600 '" + history + "'");
    std::filesystem::permissions(history, std::filesystem::perms::none);
    auto r = hoist({"rollback"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("nothing was changed"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("history"), std::string::npos) << "says what could not be read: " << r.err;
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
    EXPECT_EQ(pool(), before);
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v2") << h;
    EXPECT_FALSE(lock_held());
}

}  // namespace hoist::dtest
