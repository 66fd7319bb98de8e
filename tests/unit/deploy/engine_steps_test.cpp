// The engine, one kind of step at a time (deploy/plan.hpp, namespace step): each test hands the
// engine a plan of a few steps made by hand and checks that it does what the step says, with the
// step's own parameters, on fake hosts behind a fake load balancer. The plans make_plan builds are
// tested in engine_test.cpp and, on the real fleet, in tests/integration/deploy.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <mutex>

#include "deploy/engine.hpp"
#include "engine_rig.hpp"
#include "remote/docker.hpp"

using namespace hoist;
using deploy::Action;
using deploy::Step;
using test::pool_text;
using test::Rig;
namespace step = deploy::step;
using std::chrono::milliseconds;

namespace {

/// A rig whose plan is `steps` on h1 (and the load balancer), nothing of make_plan's.
deploy::RolloutResult run_steps(Rig& rig, std::vector<Step> steps, Secret pull_auth = {}) {
    rig.plan = deploy::Plan{};
    rig.plan.service = "web";
    rig.plan.tag = "v9";
    rig.plan.image_ref = "r.example.com/web:v9";
    rig.plan.hosts = {"h1"};
    rig.plan.batches = {{"h1"}};
    rig.plan.new_port = 8080;
    rig.plan.initial_pool = rig.state.pool.value_or(lb::Pool{});
    rig.plan.steps = std::move(steps);
    rig.plan.pull_auth = std::move(pull_auth);
    return rig.execute(rig.out);
}

Step on_h1(Action a, step::Kind what, std::string failure = "") {
    return Step{a, "h1", false, 1, "a step on h1", std::move(what), std::move(failure)};
}

Step on_lb(Action a, step::Kind what) { return Step{a, "lb", true, 1, "a step on the lb", std::move(what)}; }

bool ran(const test::FakeHost& h, const std::string& line) {
    auto cmds = h.commands();
    return std::find(cmds.begin(), cmds.end(), line) != cmds.end();
}

}  // namespace

TEST(EngineStep, ExecRunsItsCommandsInOrderAndForgivesAMissingContainerOnlyWhenItSays) {
    remote::Command a{{"echo", "a"}}, rm{{"docker", "rm", "--force", "gone"}}, b{{"echo", "b"}};
    {
        Rig rig;
        rig.running("h1", "web-v1", "v1", 8080);
        auto r = run_steps(rig, {on_h1(Action::remove, step::Exec{{a, rm, b}, step::Input::none, true})});
        EXPECT_EQ(r.code, ExitCode::ok) << r.message;
        auto cmds = rig.hosts["h1"]->commands();
        auto at = [&](const std::string& l) { return std::find(cmds.begin(), cmds.end(), l) - cmds.begin(); };
        EXPECT_LT(at("echo a"), at("docker rm --force gone"));
        EXPECT_LT(at("docker rm --force gone"), at("echo b"));
    }
    {
        Rig rig;
        rig.running("h1", "web-v1", "v1", 8080);
        auto r = run_steps(rig, {on_h1(Action::check, step::Exec{{a, rm, b}}, "what the failure means")});
        EXPECT_EQ(r.code, ExitCode::rolled_back) << "nothing was changed: " << r.message;
        EXPECT_NE(r.message.find("what the failure means: Error: No such container: gone"), std::string::npos)
            << r.message;
        EXPECT_FALSE(ran(*rig.hosts["h1"], "echo b")) << "the first failing command ends the step";
    }
}

TEST(EngineStep, ExecGivesTheSecretOnStdinOnlyToTheStepThatSaysSo) {
    Rig rig;
    rig.running("h1", "web-v1", "v1", 8080);
    remote::Command with{{"docker", "pull", "with"}}, without{{"docker", "pull", "without"}};
    auto r = run_steps(rig,
                       {on_h1(Action::pull, step::Exec{{with}, step::Input::pull_auth}),
                        on_h1(Action::pull, step::Exec{{without}})},
                       Secret("{\"auths\":{\"x\":{}}}"));
    ASSERT_EQ(r.code, ExitCode::ok) << r.message;
    auto in = rig.hosts["h1"]->inputs();
    EXPECT_EQ(in["docker pull with"], "{\"auths\":{\"x\":{}}}");
    EXPECT_EQ(in.count("docker pull without"), 0u);
}

TEST(EngineStep, DiskCheckRefusesAHostWithLessThanItsMinimum) {
    const std::string df = remote::disk_free_kib("docker").render();
    for (int min : {1, 3}) {
        Rig rig;
        rig.running("h1", "web-v1", "v1", 8080);
        rig.hosts["h1"]->answers[df] = "2048\n";  // 2 MiB
        auto r = run_steps(rig, {on_h1(Action::disk, step::DiskCheck{remote::disk_free_kib("docker"), min})});
        if (min == 1) {
            EXPECT_EQ(r.code, ExitCode::ok) << r.message;
        } else {
            EXPECT_EQ(r.code, ExitCode::rolled_back);
            EXPECT_NE(r.message.find("only 2 MiB free for images and containers (at least 3 MiB needed)"),
                      std::string::npos)
                << r.message;
        }
    }
}

// A stop is where a host becomes changed: a failure after it restores the host; the same failure
// after an Exec alone leaves the host as it was, with nothing to restore.
TEST(EngineStep, StopMarksTheHostChangedSoThatTheUndoRestoresIt) {
    remote::Command bad{{"false-command"}};
    for (bool stop : {false, true}) {
        Rig rig;
        rig.running("h1", "web-v1", "v1", 8080);
        rig.hosts["h1"]->failing["false-command"] = "it failed";
        std::vector<Step> steps;
        if (stop) steps.push_back(on_h1(Action::stop, step::Stop{{remote::stop("docker", "web-v1", std::chrono::seconds(1))}}));
        steps.push_back(on_h1(Action::check, step::Exec{{bad}}));
        auto r = run_steps(rig, steps);
        EXPECT_EQ(r.code, ExitCode::rolled_back) << r.message;
        EXPECT_EQ(r.changed_anything, stop);
        EXPECT_EQ(ran(*rig.hosts["h1"], "docker start web-v1"), stop) << "restored only when it was stopped";
        EXPECT_TRUE(rig.hosts["h1"]->running("web-v1"));
    }
}

// Start starts the container it carries; Probe waits on the port it names (not the plan's), and a
// probe of a port nothing answers on fails naming the container the host's Start started.
TEST(EngineStep, StartAndProbeUseTheirOwnContainerAndPort) {
    for (int port : {9001, 9002}) {
        Rig rig;
        remote::ContainerSpec c;
        c.runtime = "docker";
        c.name = "web-probe";
        c.image = "r.example.com/web:v9";
        c.host_port = 9001;
        c.container_port = 80;
        auto r = run_steps(rig, {on_h1(Action::run, step::Start{remote::run(c), c}),
                                 on_h1(Action::health, step::Probe{"", port, rig.p.healthcheck})});
        EXPECT_TRUE(ran(*rig.hosts["h1"], remote::run(c).render())) << "the Start's own command";
        if (port == 9001) {
            EXPECT_EQ(r.code, ExitCode::ok) << r.message;
            EXPECT_TRUE(rig.hosts["h1"]->running("web-probe"));
            ASSERT_EQ(r.hosts.size(), 1u);
            EXPECT_EQ(r.hosts[0].container, "web-probe");
        } else {
            EXPECT_NE(r.code, ExitCode::ok);
            EXPECT_NE(r.message.find("web-probe"), std::string::npos) << r.message;
            EXPECT_FALSE(rig.hosts["h1"]->running("web-probe")) << "the undo removed what the Start started";
        }
    }
}

TEST(EngineStep, WriteEnvWritesItsPathWithMode0600FromHoistsEnvironment) {
    Rig rig("container: {port: 8080, host_port: 8080, secret_env: [DB_PASSWORD]}\n");
    rig.running("h1", "web-v1", "v1", 8080);
    rig.secrets["DB_PASSWORD"] = Secret("pw-123");
    auto r = run_steps(rig, {on_h1(Action::upload_env, step::WriteEnv{".hoist/web/somewhere.env"})});
    ASSERT_EQ(r.code, ExitCode::ok) << r.message;
    auto files = rig.hosts["h1"]->files();
    ASSERT_EQ(files.count(".hoist/web/somewhere.env"), 1u);
    EXPECT_NE(files[".hoist/web/somewhere.env"].find("DB_PASSWORD=pw-123"), std::string::npos);
    EXPECT_NE(files[".hoist/web/somewhere.env"].find("|mode=384"), std::string::npos) << "0600";
}

// Verify tries as often as the step says, pausing its check's interval in between.
TEST(EngineStep, VerifyTriesItsAttemptsOnItsPort) {
    for (int attempts : {2, 4}) {
        Rig rig;
        rig.running("h1", "web-v1", "v1", 8080);
        std::vector<milliseconds> sleeps;
        std::mutex m;
        rig.pacer = std::make_unique<deploy::Pacer>(
            [&](milliseconds d) {
                std::lock_guard<std::mutex> lock(m);
                sleeps.push_back(d);
                return true;
            },
            [] { return false; }, [](milliseconds) { return true; });
        auto check = rig.p.healthcheck;
        check.interval = milliseconds(77);
        auto r = run_steps(rig, {on_h1(Action::verify, step::Verify{9999, check, attempts})});
        EXPECT_NE(r.code, ExitCode::ok);
        EXPECT_NE(r.message.find("turned unhealthy"), std::string::npos) << r.message;
        EXPECT_EQ(std::count(sleeps.begin(), sleeps.end(), milliseconds(77)), attempts - 1);
    }
    Rig rig;
    rig.running("h1", "web-v1", "v1", 8080);
    auto r = run_steps(rig, {on_h1(Action::verify, step::Verify{8080, rig.p.healthcheck})});
    EXPECT_EQ(r.code, ExitCode::ok) << r.message;
}

TEST(EngineStep, ReleaseRunsItsCommandOnceAndSaysWhatAFailureMeans) {
    remote::ContainerSpec c;
    c.runtime = "docker";
    c.name = "web-release-v9";
    c.image = "r.example.com/web:v9";
    c.command = {"migrate"};
    const std::string line = remote::run_once(c).render();
    for (bool fails : {false, true}) {
        Rig rig;
        rig.running("h1", "web-v1", "v1", 8080);
        if (fails) rig.hosts["h1"]->failing[line] = "boom";
        auto r = run_steps(rig, {on_h1(Action::release, step::Release{remote::run_once(c), c}, "no container was swapped")});
        auto cmds = rig.hosts["h1"]->commands();
        EXPECT_EQ(std::count(cmds.begin(), cmds.end(), line), 1);
        if (!fails) {
            EXPECT_EQ(r.code, ExitCode::ok) << r.message;
        } else {
            EXPECT_EQ(r.code, ExitCode::rolled_back);
            EXPECT_NE(r.message.find("no container was swapped: it exited with 1"), std::string::npos) << r.message;
        }
    }
}

TEST(EngineStep, SendWithoutABuiltImageFailsBeforeAnythingIsSent) {
    Rig rig;
    rig.running("h1", "web-v1", "v1", 8080);
    auto r = run_steps(rig, {on_h1(Action::send, step::Send{remote::load_image("docker", "abc", "web:v9"), std::nullopt, ""})});
    EXPECT_EQ(r.code, ExitCode::rolled_back);
    EXPECT_NE(r.message.find("no image to send"), std::string::npos) << r.message;
    auto cmds = rig.hosts["h1"]->commands();
    EXPECT_TRUE(std::none_of(cmds.begin(), cmds.end(), [](const std::string& c) { return c.find("load") != std::string::npos; }))
        << "nothing was sent";
}

// A pool change writes its pool, then waits for the balancer's health checks as long as it says
// (an enable: the healthcheck's deadline; a drain: not at all).
TEST(EngineStep, PoolChangeWritesItsPoolAndWaitsAsLongAsItSays) {
    Rig rig;
    rig.running("h1", "web-v1", "v1", 8080);
    rig.running("h2", "web-v1", "v1", 8080);
    lb::Pool out = deploy::with_hosts(*rig.state.pool, {"h1"}, false);
    lb::Pool back = *rig.state.pool;
    auto r = run_steps(rig, {on_lb(Action::drain, step::PoolChange{out, "take h1 out", {}, milliseconds(0)}),
                             on_lb(Action::enable, step::PoolChange{back, "put h1 back", {}, milliseconds(777)})});
    ASSERT_EQ(r.code, ExitCode::ok) << r.message;
    ASSERT_EQ(rig.lb.applied.size(), 2u);
    EXPECT_EQ(pool_text(rig.lb.applied[0]), "h1:8080(down) h2:8080");
    EXPECT_EQ(pool_text(rig.lb.applied[1]), "h1:8080 h2:8080");
    ASSERT_EQ(rig.lb.healthy_limits.size(), 1u) << "only the enable waits";
    EXPECT_EQ(rig.lb.healthy_limits[0], milliseconds(777));
}

TEST(EngineStep, ConfirmFailsWhenTheBalancerServesAnotherPool) {
    for (bool other : {false, true}) {
        Rig rig;
        rig.running("h1", "web-v1", "v1", 8080);
        if (other) rig.lb.m_current = lb::Pool{{"h1", 9999, true, ""}};
        auto r = run_steps(rig, {on_lb(Action::confirm, step::Confirm{})});
        if (!other) {
            EXPECT_EQ(r.code, ExitCode::ok) << r.message;
        } else {
            EXPECT_NE(r.code, ExitCode::ok);
            EXPECT_NE(r.message.find("does not serve the new pool"), std::string::npos) << r.message;
        }
    }
}

// A wait is bounded by its limit: on the load balancer, the drain of what left the pool; on hoist,
// a pause.
TEST(EngineStep, WaitWaitsItsLimit) {
    Rig rig;
    rig.running("h1", "web-v1", "v1", 8080);
    std::vector<milliseconds> sleeps;
    rig.pacer = std::make_unique<deploy::Pacer>(
        [&](milliseconds d) {
            sleeps.push_back(d);
            return true;
        },
        [] { return false; }, [](milliseconds) { return true; });
    auto r = run_steps(rig, {Step{Action::wait, "", false, 1, "a pause", step::Wait{milliseconds(321)}},
                             on_lb(Action::wait, step::Wait{milliseconds(654)})});
    ASSERT_EQ(r.code, ExitCode::ok) << r.message;
    EXPECT_EQ(std::count(sleeps.begin(), sleeps.end(), milliseconds(321)), 1);
    ASSERT_EQ(rig.lb.drain_limits.size(), 1u);
    EXPECT_EQ(rig.lb.drain_limits[0], milliseconds(654));
}

// A record step is the history line after the rest, whatever its place in the list.
TEST(EngineStep, RecordAppendsTheHistoryAfterTheRest) {
    Rig rig;
    rig.running("h1", "web-v1", "v1", 8080);
    auto r = run_steps(rig, {Step{Action::record, "h1", false, 0, "history", step::Record{}},
                             on_h1(Action::check, step::Exec{{remote::Command{{"echo", "x"}}}})});
    ASSERT_EQ(r.code, ExitCode::ok) << r.message;
    auto cmds = rig.hosts["h1"]->commands();
    ASSERT_FALSE(cmds.empty());
    EXPECT_EQ(cmds.front(), "echo x");
    EXPECT_EQ(rig.hosts["h1"]->files().count("history"), 1u);
}

// A step in the wrong place (a host's kind on the load balancer, or the reverse) is refused, not
// guessed at.
TEST(EngineStep, AStepOfTheWrongPlaceIsRefused) {
    {
        Rig rig;
        rig.running("h1", "web-v1", "v1", 8080);
        auto r = run_steps(rig, {on_lb(Action::check, step::Exec{{remote::Command{{"echo", "x"}}}})});
        EXPECT_NE(r.code, ExitCode::ok);
        EXPECT_NE(r.message.find("not a step for the load balancer"), std::string::npos) << r.message;
    }
    {
        Rig rig;
        rig.running("h1", "web-v1", "v1", 8080);
        auto r = run_steps(rig, {on_h1(Action::enable, step::PoolChange{*rig.state.pool, "x", {}, milliseconds(0)})});
        EXPECT_NE(r.code, ExitCode::ok);
        EXPECT_NE(r.message.find("not a step for a host"), std::string::npos) << r.message;
        EXPECT_TRUE(rig.lb.applied.empty());
    }
}
