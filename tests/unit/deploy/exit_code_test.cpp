// Which of the spec's exit codes a failed deploy earns (section 3): 1 when every host serves what it
// served before ("nothing was changed" when no host or pool change was made at all), 4 only when
// the fleet really is split or unknown. Each test is one way the engine reaches its conclusion;
// those that stay exit 4 (a host that cannot be restored, a load balancer lost, on_failure: halt
// after a change) are in engine_test.cpp.
#include <gtest/gtest.h>

#include "engine_rig.hpp"

using namespace hoist;
using test::pool_text;
using test::Rig;

namespace {

const std::string refused = "starting SFTP: Unable to request SFTP subsystem (libssh2 -21)";

bool ran(test::FakeHost* h, const std::string& prefix) {
    for (const auto& c : h->commands())
        if (c.rfind(prefix, 0) == 0) return true;
    return false;
}

void expect_nothing_changed(const deploy::RolloutResult& r) {
    EXPECT_EQ(r.code, ExitCode::rolled_back) << r.message;
    EXPECT_NE(r.message.find("nothing was changed"), std::string::npos) << r.message;
    EXPECT_EQ(r.message.find("a person must look"), std::string::npos) << r.message;
    EXPECT_FALSE(r.changed_anything);
}

}  // namespace

// Issue 17: a first deploy to a host whose sshd has no SFTP subsystem (before the exec fallback)
// failed its upload and said exit 4, "could not be brought back to one version", although no host
// had been changed.
TEST(ExitCode, FirstDeployWhoseUploadFailsBeforeAnyChangeIsExit1) {
    Rig rig("container: {port: 8080, host_port: 8080, secret_env: [DB_URL]}\n");
    for (const auto& h : {"h1", "h2"}) rig.state.hosts[h] = deploy::live_host({}, nullptr);  // nothing runs yet
    rig.secrets = {{"DB_URL", Secret("postgres://x")}};
    rig.hosts["h1"]->upload_error = refused;
    auto r = rig.run("v1");
    expect_nothing_changed(r);
    EXPECT_NE(r.message.find("Unable to request SFTP subsystem"), std::string::npos) << r.message;
    EXPECT_FALSE(ran(rig.hosts["h1"], "docker run")) << "the run comes after the env file";
    EXPECT_FALSE(ran(rig.hosts["h2"], "docker run")) << "h2's batch never started";
    for (const auto& h : r.hosts) EXPECT_EQ(h.result, deploy::HostResult::unchanged) << h.host;
}

TEST(ExitCode, HostUnreachableDuringThePreflightIsExit1) {
    Rig rig;
    rig.running("h1", "web-v1", "v1", 8080);
    rig.running("h2", "web-v1", "v1", 8080);
    rig.hosts["h2"]->drop_after(1);  // `docker version` answers, then the connection is gone
    auto r = rig.run("v2");
    expect_nothing_changed(r);
    EXPECT_NE(r.message.find("h2"), std::string::npos) << r.message;
    EXPECT_TRUE(rig.lb.applied.empty()) << "the pool was never touched";
    EXPECT_FALSE(ran(rig.hosts["h1"], "docker stop"));
}

TEST(ExitCode, HaltWithNothingChangedIsExit1) {
    Rig rig("strategy: {on_failure: halt}\n");
    rig.running("h1", "web-v1", "v1", 8080);
    rig.running("h2", "web-v1", "v1", 8080);
    rig.hosts["h2"]->failing["pull"] = "manifest for r.example.com/web:v2 not found";
    auto r = rig.run("v2");
    expect_nothing_changed(r);
    EXPECT_NE(r.message.find("manifest for r.example.com/web:v2 not found"), std::string::npos) << r.message;
    EXPECT_TRUE(rig.lb.applied.empty());
    EXPECT_TRUE(rig.hosts["h1"]->running("web-v1"));
}

// The host was changed (its container stopped), then an SSH failure made its state unknown; the
// undo reaches it again and sees the previous version healthy: every host serves it, exit 1.
TEST(ExitCode, AHostRestoredAfterAnSshFailureIsExit1) {
    Rig rig("container: {port: 8080, host_port: 8080, stop_timeout: 1s, secret_env: [DB_URL]}\n");
    rig.running("h1", "web-v1", "v1", 8080);
    rig.running("h2", "web-v1", "v1", 8080);
    rig.secrets = {{"DB_URL", Secret("postgres://x")}};
    rig.hosts["h1"]->upload_error = refused;  // after the stop: rolling uploads just before the run
    auto r = rig.run("v2");
    EXPECT_EQ(r.code, ExitCode::rolled_back) << r.message;
    EXPECT_NE(r.message.find("rolled back"), std::string::npos) << r.message;
    EXPECT_TRUE(r.changed_anything);
    EXPECT_TRUE(rig.hosts["h1"]->running("web-v1"));
    EXPECT_EQ(pool_text(*rig.lb.m_current), "h1:8080 h2:8080");
    EXPECT_EQ(r.hosts[0].result, deploy::HostResult::rolled_back);
}

TEST(ExitCode, AConnectionThatDroppedOnceMidSwapIsRestoredAndExit1) {
    Rig rig;
    rig.running("h1", "web-v1", "v1", 8080);
    rig.running("h2", "web-v1", "v1", 8080);
    // pre-flight on h1 is 2 calls (runtime and disk, pull; docker ps showed the previous image by
    // its tag); the 3rd, the stop, drops
    rig.hosts["h1"]->drop_once_after(2);
    auto r = rig.run("v2");
    EXPECT_EQ(r.code, ExitCode::rolled_back) << r.message;
    EXPECT_TRUE(rig.hosts["h1"]->running("web-v1"));
    EXPECT_EQ(pool_text(*rig.lb.m_current), "h1:8080 h2:8080");
}

TEST(ExitCode, BlueGreenHostThatDroppedOnceBeforeTheSwitchIsExit1) {
    Rig rig("strategy: {type: blue_green, ports: {blue: 8081, green: 8082}}\n");
    rig.running("h1", "web-blue", "v1", 8081, "blue");
    rig.running("h2", "web-blue", "v1", 8081, "blue");
    // runtime and disk, pull, remove a leftover green, run green; the health probe drops
    rig.hosts["h1"]->drop_once_after(4);
    auto r = rig.run("v2");
    EXPECT_EQ(r.code, ExitCode::rolled_back) << r.message;
    EXPECT_TRUE(rig.lb.applied.empty()) << "the pool never left blue";
    for (auto* h : {rig.hosts["h1"], rig.hosts["h2"]}) {
        EXPECT_TRUE(h->running("web-blue")) << h->label();
        EXPECT_FALSE(h->running("web-green")) << h->label();
    }
}

// After the switch the previous colour takes no traffic; failing to stop it used to undo the
// deploy, switching the pool back to containers already stopped on other hosts, and call that
// "rolled back" (exit 1) while h1 then served nothing.
TEST(ExitCode, BlueGreenOldColourThatCannotBeStoppedAfterTheSwitchIsAWarning) {
    Rig rig("strategy: {type: blue_green, keep_previous: false, ports: {blue: 8081, green: 8082}}\n");
    rig.running("h1", "web-blue", "v1", 8081, "blue");
    rig.running("h2", "web-blue", "v1", 8081, "blue");
    rig.hosts["h2"]->failing["docker stop"] = "Error response from daemon: cannot stop container web-blue";
    auto r = rig.run("v2");
    EXPECT_EQ(r.code, ExitCode::ok) << r.message;
    EXPECT_EQ(pool_text(*rig.lb.m_current), "h1:8082 h2:8082");
    EXPECT_TRUE(rig.hosts["h1"]->running("web-green"));
    EXPECT_TRUE(rig.hosts["h2"]->running("web-green"));
    EXPECT_FALSE(rig.hosts["h1"]->running("web-blue"));
    EXPECT_TRUE(rig.hosts["h2"]->running("web-blue")) << "left running, outside the pool";
    for (const auto& h : r.hosts) EXPECT_EQ(h.result, deploy::HostResult::updated) << h.host;
}
