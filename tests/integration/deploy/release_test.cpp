// release_command (spec section 6) on the real fleet: run once per deploy, in the NEW image, with
// the web role's env and secrets, after every host's pre-flight and before the first swap; its
// output shown with secrets masked; a failure swaps nothing; rollbacks skip it.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include <csignal>
#include <cstdlib>
#include <thread>

#include "deploy_fixture.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace hoist::dtest {

namespace {

const char* kRelease =
    "container: { port: 8080, host_port: 8080, stop_timeout: 1s, env: { STAGE: prod }, secret_env: [DB_PASSWORD] }\n"
    "release_command: [\"/bin/busybox\", \"sh\", \"-c\", "
    "\"echo release of $(/bin/busybox cat /www/version) stage=$STAGE password=$DB_PASSWORD\"]\n";

}  // namespace

class ReleaseTest : public DeployTest {};

TEST_F(ReleaseTest, RunsOnceInTheNewImageBeforeTheFirstSwapWithSecretsMasked) {
    std::string path = pipeline(kRelease);
    // the fixture's container line is replaced by the one with env and secrets
    std::string text = read(path);
    auto first = text.find("container: { port: 8080, host_port: 8080, stop_timeout: 1s }\n");
    ASSERT_NE(first, std::string::npos);
    text.erase(first, std::string("container: { port: 8080, host_port: 8080, stop_timeout: 1s }\n").size());
    std::ofstream(path) << text;
    std::map<std::string, std::string> env{{"DB_PASSWORD", "s3cret-pw-42"}};
    auto v1 = hoist({"-o", "json", "deploy", "--tag", "v1"}, env);
    ASSERT_EQ(v1.exit_code, 0) << v1.err;
    ASSERT_EQ(events(v1, "release").size(), 1u) << v1.out;

    Load load(nginx_url(), "close", 2, 1, m_dir);
    auto v2 = hoist({"-o", "json", "deploy", "--tag", "v2"}, env);
    auto l = load.stop();
    ASSERT_EQ(v2.exit_code, 0) << v2.err;
    expect_no_failures(l, "deploy with a release command");
    auto rel = events(v2, "release");
    ASSERT_EQ(rel.size(), 1u) << "exactly once per deploy: " << v2.out;
    EXPECT_EQ(rel[0]["exit_code"], 0);
    EXPECT_EQ(rel[0]["host"], m_hosts[0]);
    auto lines = events(v2, "release_output");
    ASSERT_FALSE(lines.empty()) << v2.out;
    EXPECT_EQ(lines[0]["line"], "release of v2 stage=prod password=***") << "new image, web env, secret masked";
    EXPECT_EQ(v2.out.find("s3cret-pw-42"), std::string::npos);
    EXPECT_EQ(v2.err.find("s3cret-pw-42"), std::string::npos);
    EXPECT_NE(v2.err.find("release of v2"), std::string::npos) << "shown to a person too: " << v2.err;
    // before the first swap: the release ended before the first pool change and the first run
    std::string released = rel[0]["time"];
    for (const auto& ev : events(v2, "step")) {
        std::string action = ev.value("action", "");
        if (action == "drain" || action == "enable" || action == "run" || action == "stop") {
            EXPECT_LT(released, ev["time"].get<std::string>()) << action << " before the release ended: " << ev.dump();
        }
    }
    // the env file of the one-off container is gone
    for (const auto& h : m_fleet["hosts"]) {
        if (h["address"] != m_hosts[0]) continue;
        {
            std::string dir = h["home"].get<std::string>() + "/.hoist/app";
            std::error_code ec;
            for (const auto& e : std::filesystem::directory_iterator(dir, ec))
                EXPECT_EQ(e.path().filename().string().find("release"), std::string::npos) << e.path();
        }
    }
    for (const auto& [h, body] : served()) EXPECT_EQ(trim(body), "v2") << h;

    // a rollback does not run it
    auto back = hoist({"-o", "json", "rollback"}, env);
    ASSERT_EQ(back.exit_code, 0) << back.err;
    EXPECT_TRUE(events(back, "release").empty()) << back.out;
}

TEST_F(ReleaseTest, AFailingReleaseCommandSwapsNothing) {
    pipeline("");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    pipeline("release_command: [\"/bin/busybox\", \"sh\", \"-c\", \"echo migration 7 failed >&2; exit 3\"]\n");
    Load load(nginx_url(), "close", 2, 1, m_dir);
    auto r = hoist({"-o", "json", "deploy", "--tag", "v2"});
    auto l = load.stop();
    EXPECT_EQ(r.exit_code, 1) << r.err;
    expect_no_failures(l, "a failing release command", false);
    EXPECT_NE(r.err.find("the release command failed"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("exited with 3"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("migration 7 failed"), std::string::npos) << "its output is shown: " << r.err;
    for (const auto& ev : events(r, "step")) {
        std::string action = ev.value("action", "");
        EXPECT_TRUE(action != "run" && action != "stop" && action != "drain" && action != "enable") << "swapped after a failed release: " << ev.dump();
    }
    for (const auto& [h, body] : served()) EXPECT_EQ(trim(body), "v1") << h;
    EXPECT_EQ(pool().size(), m_hosts.size());
}

TEST_F(ReleaseTest, RunStartsAOneOffOfTheRunningReleaseAndCtrlCRemovesIt) {
    std::string path = pipeline(kRelease);
    std::string text = read(path);
    const std::string plain = "container: { port: 8080, host_port: 8080, stop_timeout: 1s }\n";
    text.erase(text.find(plain), plain.size());
    std::ofstream(path) << text;
    std::map<std::string, std::string> env{{"DB_PASSWORD", "s3cret-pw-42"}};
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}, env).exit_code, 0);
    auto r = hoist({"run", "--host", m_hosts[1], "--", "/bin/busybox", "sh", "-c",
                    "cat /www/version; echo; echo $STAGE $DB_PASSWORD; echo to-stderr >&2; exit 5"}, env);
    EXPECT_EQ(r.exit_code, 5) << "the command's exit code: " << r.err;
    EXPECT_EQ(r.out, "v1\nprod s3cret-pw-42\n") << "its stdout as it is, with the web env and secrets";
    EXPECT_NE(r.err.find("to-stderr"), std::string::npos) << r.err;
    auto docker = [&](const std::string& host, const std::string& args) {
        for (const auto& h : m_fleet["hosts"])
            if (h["address"] == host)
                return run_process({"sh", "-c", "docker -H " + h["docker_host"].get<std::string>() + " " + args}).out;
        return std::string();
    };
    EXPECT_EQ(trim(docker(m_hosts[1], "ps -aq --filter name=app-run-")), "") << "the one-off is removed";

    // Ctrl-C while it runs: hoist ends it and removes the container (exit 130)
    setenv("DB_PASSWORD", "s3cret-pw-42", 1);  // hoist_bg's child inherits the test's environment
    auto bg = hoist_bg({"run", "--", "/bin/busybox", "sleep", "120"}, "run");
    unsetenv("DB_PASSWORD");
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (trim(docker(m_hosts[0], "ps -q --filter name=app-run-")).empty() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_FALSE(trim(docker(m_hosts[0], "ps -q --filter name=app-run-")).empty()) << read(m_dir + "/run.err");
    bg->signal(SIGINT);
    EXPECT_EQ(bg->wait(std::chrono::seconds(30)), 130) << read(m_dir + "/run.err");
    EXPECT_EQ(trim(docker(m_hosts[0], "ps -aq --filter name=app-run-")), "") << "no one-off container outlives hoist";
}

}  // namespace hoist::dtest
