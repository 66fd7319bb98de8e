// The deploy engine's logic on fake hosts and a fake load balancer: the order of pool changes and
// container operations, and what undo does for each kind of failure. The same paths run against the
// real fleet in tests/integration/deploy.
#include "deploy/engine.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <thread>

#include "../test_support.hpp"
#include "engine_rig.hpp"
#include "fake_host.hpp"

using namespace hoist;
using test::FakeBalancer;
using test::FakeHost;
using test::pool_text;
using test::Rig;

namespace {

bool has(const std::vector<std::string>& cmds, const std::string& needle) {
    for (const auto& c : cmds)
        if (c.find(needle) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST(Engine, RollingDrainsSwapsAndReturnsEachHostInTurn) {
    Rig rig;
    rig.running("h1", "web-v1", "v1", 8080);
    rig.running("h2", "web-v1", "v1", 8080);
    auto r = rig.run("v2");
    EXPECT_EQ(r.code, ExitCode::ok) << r.message;
    // h1 back and h2 out in one change (no pause between the batches)
    ASSERT_EQ(rig.lb.applied.size(), 3u);
    EXPECT_EQ(pool_text(rig.lb.applied[0]), "h1:8080(down) h2:8080");
    EXPECT_EQ(pool_text(rig.lb.applied[1]), "h1:8080 h2:8080(down)");
    EXPECT_EQ(pool_text(rig.lb.applied[2]), "h1:8080 h2:8080");
    ASSERT_EQ(rig.lb.drained.size(), 2u);
    EXPECT_EQ(rig.lb.drained[0].at(0).host, "h1");  // drained what left the pool
    for (auto* h : {rig.hosts["h1"], rig.hosts["h2"]}) {
        EXPECT_TRUE(h->running("web-v2"));
        EXPECT_FALSE(h->running("web-v1"));
        auto cmds = h->commands();
        auto stop = std::find_if(cmds.begin(), cmds.end(), [](auto& c) { return c.rfind("docker stop", 0) == 0; });
        auto run = std::find_if(cmds.begin(), cmds.end(), [](auto& c) { return c.rfind("docker run", 0) == 0; });
        EXPECT_LT(stop, run) << "the old container stops before the new one takes the port";
        EXPECT_FALSE(has(cmds, "docker rm --force web-v1")) << "the previous container is kept for rollback";
        EXPECT_EQ(h->files().count("history"), 1u);
    }
    for (const auto& h : r.hosts) {
        EXPECT_EQ(h.result, deploy::HostResult::updated);
        EXPECT_EQ(h.version, "v2");
        EXPECT_EQ(h.previous_version, "v1");
    }
}

TEST(Engine, FailureInTheSecondBatchRestoresBothHostsInReverse) {
    Rig rig;
    rig.running("h1", "web-v1", "v1", 8080);
    rig.running("h2", "web-v1", "v1", 8080);
    rig.hosts["h2"]->unhealthy.insert("web-v2");
    auto r = rig.run("v2");
    EXPECT_EQ(r.code, ExitCode::rolled_back) << r.message;
    EXPECT_EQ(r.result, deploy::Outcome::rolled_back);
    for (auto* h : {rig.hosts["h1"], rig.hosts["h2"]}) {
        EXPECT_TRUE(h->running("web-v1")) << h->label();
        EXPECT_FALSE(h->running("web-v2")) << h->label();
    }
    // h1 drained; h1 back as h2 leaves; h2 fails; back: h2 restored (already out) and put back, h1
    // drained, restored, back
    std::vector<std::string> seen;
    for (const auto& pool : rig.lb.applied) seen.push_back(pool_text(pool));
    EXPECT_EQ(seen, (std::vector<std::string>{"h1:8080(down) h2:8080", "h1:8080 h2:8080(down)", "h1:8080 h2:8080",
                                              "h1:8080(down) h2:8080", "h1:8080 h2:8080"}));
    EXPECT_EQ(pool_text(r.pool), "h1:8080 h2:8080");
    for (const auto& h : r.hosts) EXPECT_EQ(h.result, deploy::HostResult::rolled_back) << h.host;
    EXPECT_NE(r.hosts[1].error.find("not healthy"), std::string::npos) << r.hosts[1].error;
    EXPECT_FALSE(r.hosts[1].health.empty());
}

TEST(Engine, HaltStopsWhereItIsWithOnlyHealthyContainersInThePool) {
    Rig rig("strategy: {on_failure: halt}\n");
    rig.running("h1", "web-v1", "v1", 8080);
    rig.running("h2", "web-v1", "v1", 8080);
    rig.hosts["h2"]->unhealthy.insert("web-v2");
    auto r = rig.run("v2");
    EXPECT_EQ(r.code, ExitCode::inconsistent);
    EXPECT_TRUE(rig.hosts["h1"]->running("web-v2"));
    EXPECT_EQ(pool_text(r.pool), "h1:8080 h2:8080(down)");
    EXPECT_NE(r.message.find("a person must look"), std::string::npos) << r.message;
}

TEST(Engine, HostThatDropsIsLeftOutAndTheRestRollsBack) {
    Rig rig;
    rig.running("h1", "web-v1", "v1", 8080);
    rig.running("h2", "web-v1", "v1", 8080);
    rig.hosts["h2"]->drop_after(4);  // pre-flight passes, then the host is gone
    auto r = rig.run("v2");
    EXPECT_EQ(r.code, ExitCode::inconsistent) << r.message;
    EXPECT_TRUE(rig.hosts["h1"]->running("web-v1"));
    EXPECT_EQ(pool_text(r.pool), "h1:8080 h2:8080(down)");
    EXPECT_EQ(r.hosts[1].result, deploy::HostResult::failed);
    EXPECT_NE(r.message.find("h2"), std::string::npos) << r.message;
}

TEST(Engine, InterruptDuringTheFirstDrainPutsTheHostBackUntouched) {
    Rig rig;
    rig.running("h1", "web-v1", "v1", 8080);
    rig.running("h2", "web-v1", "v1", 8080);
    rig.stop_after_sleeps = 0;  // the first drain wait is interrupted
    rig.lb.applied.clear();
    // nginx's drain is a sleep: emulate by making the fake balancer sleep through the pacer
    struct SleepyLb : FakeBalancer {
        deploy::Pacer* pacer = nullptr;
        void wait_drained(const std::vector<lb::Member>& m, std::chrono::milliseconds d) override {
            FakeBalancer::wait_drained(m, d);
            pacer->sleep(d);
        }
    };
    SleepyLb lb;
    lb.pacer = rig.pacer.get();
    lb.m_current = rig.lb.m_current;
    auto plan = deploy::make_plan(rig.p, "v2", rig.state);
    deploy::EngineEnv env{*rig.fleet, &lb, rig.out, *rig.pacer, {}, "id", "t", "deploy"};
    auto r = deploy::execute(rig.p, plan, rig.state, env);
    EXPECT_EQ(r.code, ExitCode::interrupted) << r.message;
    EXPECT_TRUE(r.interrupted);
    EXPECT_TRUE(rig.hosts["h1"]->running("web-v1"));
    EXPECT_FALSE(has(rig.hosts["h1"]->commands(), "docker stop")) << "nothing started after the signal";
    EXPECT_EQ(pool_text(r.pool), "h1:8080 h2:8080");
}

TEST(Engine, BlueGreenFailureBeforeTheSwitchNeverTouchesThePool) {
    Rig rig("strategy: {type: blue_green, ports: {blue: 8081, green: 8082}}\n");
    rig.running("h1", "web-blue", "v1", 8081, "blue");
    rig.running("h2", "web-blue", "v1", 8081, "blue");
    rig.hosts["h1"]->unhealthy.insert("web-green");
    auto r = rig.run("v2");
    EXPECT_EQ(r.code, ExitCode::rolled_back) << r.message;
    EXPECT_TRUE(rig.lb.applied.empty()) << pool_text(rig.lb.applied.front());
    for (auto* h : {rig.hosts["h1"], rig.hosts["h2"]}) {
        EXPECT_TRUE(h->running("web-blue"));
        EXPECT_FALSE(h->running("web-green")) << "the new colour is removed";
    }
}

TEST(Engine, BlueGreenSwitchRefusedByTheLoadBalancerLeavesTheOldColourServing) {
    Rig rig("strategy: {type: blue_green, ports: {blue: 8081, green: 8082}}\n");
    rig.running("h1", "web-blue", "v1", 8081, "blue");
    rig.running("h2", "web-blue", "v1", 8081, "blue");
    rig.lb.refuse_from = 0;
    auto r = rig.run("v2");
    EXPECT_EQ(r.code, ExitCode::rolled_back) << r.message;
    EXPECT_NE(r.message.find("refused"), std::string::npos) << r.message;
    EXPECT_EQ(pool_text(*rig.lb.m_current), "h1:8081 h2:8081");
    EXPECT_FALSE(rig.hosts["h2"]->running("web-green"));
}

TEST(Engine, AChangeThatFailedMidwayIsWrittenBackOnUndo) {
    Rig rig;
    rig.running("h1", "web-v1", "v1", 8080);
    rig.running("h2", "web-v1", "v1", 8080);
    rig.lb.land_then_fail_from = 0;  // h1 taken out, but hoist hears only an error
    auto r = rig.run("v2");
    EXPECT_EQ(r.code, ExitCode::rolled_back) << r.message;
    ASSERT_EQ(rig.lb.applied.size(), 2u) << "the pool hoist vouches for is written once more";
    EXPECT_EQ(pool_text(*rig.lb.m_current), "h1:8080 h2:8080");
}

TEST(Engine, ALoadBalancerLostAfterAChangeFailedMidwayIsExit4) {
    Rig rig;
    rig.running("h1", "web-v1", "v1", 8080);
    rig.running("h2", "web-v1", "v1", 8080);
    rig.lb.land_then_fail_from = 0;
    rig.lb.lost_for_good = true;
    auto r = rig.run("v2");
    EXPECT_EQ(r.code, ExitCode::inconsistent) << r.message;
    EXPECT_NE(r.message.find("the load balancer could not be put back"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("a person must look"), std::string::npos) << r.message;
    for (auto* h : {rig.hosts["h1"], rig.hosts["h2"]}) EXPECT_TRUE(h->running("web-v1")) << h->label();
}

// A deploy killed after h1's swap and before its return leaves h1 on the tag but out of the pool;
// the next deploy of that tag puts it back (after a health check) instead of leaving it out.
TEST(Engine, AHostAlreadyOnTheTagButOutOfThePoolIsPutBack) {
    Rig rig;
    rig.running("h1", "web-v2", "v2", 8080);
    rig.running("h2", "web-v1", "v1", 8080);
    (*rig.state.pool)[0].enabled = false;
    rig.lb.m_current = rig.state.pool;
    auto r = rig.run("v2");
    EXPECT_EQ(r.code, ExitCode::ok) << r.message;
    ASSERT_FALSE(rig.lb.applied.empty());
    EXPECT_EQ(pool_text(rig.lb.applied[0]), "h1:8080 h2:8080") << "h1 back first";
    EXPECT_EQ(pool_text(*rig.lb.m_current), "h1:8080 h2:8080");
    EXPECT_TRUE(rig.hosts["h2"]->running("web-v2"));
}

TEST(Engine, EveryHostOnTheTagButOneOutOfThePoolIsOnlyPutBack) {
    Rig rig;
    rig.running("h1", "web-v2", "v2", 8080);
    rig.running("h2", "web-v2", "v2", 8080);
    (*rig.state.pool)[1].enabled = false;
    rig.lb.m_current = rig.state.pool;
    auto r = rig.run("v2");
    EXPECT_EQ(r.code, ExitCode::ok) << r.message;
    ASSERT_EQ(rig.lb.applied.size(), 1u);
    EXPECT_EQ(pool_text(rig.lb.applied[0]), "h1:8080 h2:8080");
}

TEST(Engine, AHostOnTheTagThatDoesNotAnswerStaysOut) {
    Rig rig;
    rig.running("h1", "web-v2", "v2", 8080);
    rig.running("h2", "web-v2", "v2", 8080);
    rig.hosts["h2"]->unhealthy.insert("web-v2");
    (*rig.state.pool)[1].enabled = false;
    rig.lb.m_current = rig.state.pool;
    auto r = rig.run("v2");
    EXPECT_NE(r.code, ExitCode::ok) << r.message;
    EXPECT_EQ(pool_text(*rig.lb.m_current), "h1:8080 h2:8080(down)");
}

TEST(Engine, SecretEnvIsUploadedWithMode0600AndNeverInACommand) {
    Rig rig("container: {port: 8080, host_port: 8080, secret_env: [DB_URL]}\n");
    auto plan = deploy::make_plan(rig.p, "v1", rig.state);
    deploy::EngineEnv env{*rig.fleet, &rig.lb, rig.out, *rig.pacer, {{"DB_URL", Secret("postgres://s3cret")}}, "id",
                          "t", "deploy"};
    auto r = deploy::execute(rig.p, plan, rig.state, env);
    ASSERT_EQ(r.code, ExitCode::ok) << r.message;
    auto files = rig.hosts["h1"]->files();
    ASSERT_EQ(files.count(".hoist/web/web-v1.env"), 1u);
    EXPECT_EQ(files[".hoist/web/web-v1.env"], "DB_URL=postgres://s3cret\n|mode=384");
    for (const auto& c : rig.hosts["h1"]->commands()) EXPECT_EQ(c.find("s3cret"), std::string::npos) << c;
    EXPECT_EQ(r.hosts[0].to_json().dump().find("s3cret"), std::string::npos);
}

TEST(Engine, AHostThatTurnsBadAfterJoiningThePoolStopsTheDeploy) {
    Rig rig;
    rig.running("h1", "web-v1", "v1", 8080);
    rig.running("h2", "web-v1", "v1", 8080);
    // web-v2 answers while h1's own health check runs, then degrades before batch 2 starts
    auto plan = deploy::make_plan(rig.p, "v2", rig.state);
    int verify = 0;
    for (const auto& s : plan.steps) verify += s.action == deploy::Action::verify;
    ASSERT_EQ(verify, 2) << "h1 is re-checked before h2 leaves the pool, and at the end";
    // make h1's new container bad once it is healthy: mark unhealthy after its health step by a
    // rule on the fake (the model answers 503 for names in `unhealthy`)
    rig.hosts["h1"]->unhealthy_after_run = "web-v2";
    deploy::EngineEnv env{*rig.fleet, &rig.lb, rig.out, *rig.pacer, {}, "id", "t", "deploy"};
    auto r = deploy::execute(rig.p, plan, rig.state, env);
    EXPECT_EQ(r.code, ExitCode::rolled_back) << r.message;
    EXPECT_NE(r.message.find("turned unhealthy after it passed its health check"), std::string::npos) << r.message;
    EXPECT_TRUE(rig.hosts["h1"]->running("web-v1"));
    EXPECT_FALSE(rig.hosts["h2"]->running("web-v2")) << "h2 was never changed";
    EXPECT_EQ(pool_text(r.pool), "h1:8080 h2:8080");
}

// A removed container's secret env file (a 0600 file of secret values) used to stay on the host
// forever; it goes with the container now.
TEST(Engine, PruningRemovesTheEnvFilesOfRemovedContainers) {
    Rig rig;
    for (const char* h : {"h1", "h2"}) {
        rig.running(h, "web-v1", "v1", 8080);
        rig.hosts[h]->add_container("web-v0", 8080, false);
        deploy::ObservedContainer old{"web-v0", "v0", "", "exited", "r.example.com/web:v0", 8080, "s"};
        deploy::ObservedContainer live{"web-v1", "v1", "", "running", "r.example.com/web:v1", 8080, "t"};
        rig.state.hosts[h] = deploy::live_host({old, live}, nullptr);
    }
    auto r = rig.run("v2");
    EXPECT_EQ(r.code, ExitCode::ok) << r.message;
    for (auto* h : {rig.hosts["h1"], rig.hosts["h2"]}) {
        auto cmds = h->commands();
        EXPECT_TRUE(has(cmds, "docker rm --force web-v0")) << h->label();
        EXPECT_TRUE(has(cmds, "rm -f -- .hoist/web/web-v0.env")) << h->label();
        EXPECT_FALSE(has(cmds, "rm -f -- .hoist/web/web-v1.env")) << "the rollback container keeps its env file";
    }
}

// A step says what its failure means (Step::failure); the engine does not work it out from the
// command's words.
TEST(Engine, AMissingPreviousImageStopsThePreflightSayingWhy) {
    Rig rig;
    rig.running("h1", "web-v1", "v1", 8080);
    rig.running("h2", "web-v1", "v1", 8080);
    rig.hosts["h2"]->failing["docker image inspect"] = "Error: No such image: r.example.com/web:v1";
    // with the tag gone, docker ps names the container's image by its ID
    rig.state.hosts["h2"].image = "sha256:f40b09ef75f2c9edce5674a343a264841e133622a2fa9bfbaa2212f6f4895815";
    auto r = rig.run("v2");
    EXPECT_EQ(r.code, ExitCode::rolled_back) << r.message;
    EXPECT_NE(r.message.find("h2: check: the image of the running version is missing, so a rollback would need "
                             "the registry: Error: No such image"),
              std::string::npos)
        << r.message;
    EXPECT_TRUE(rig.lb.applied.empty()) << "the pre-flight comes before any pool change";
    EXPECT_FALSE(r.changed_anything);
}

TEST(Engine, PoolStepsCarryTheirReasonApartFromTheDetail) {
    Rig rig;
    rig.running("h1", "web-v1", "v1", 8080);
    rig.running("h2", "web-v1", "v1", 8080);
    auto plan = deploy::make_plan(rig.p, "v2", rig.state);
    int pool_steps = 0;
    for (const auto& s : plan.steps) {
        if (s.action != deploy::Action::drain && s.action != deploy::Action::enable) continue;
        ++pool_steps;
        auto* change = s.as<deploy::step::PoolChange>();
        ASSERT_TRUE(change) << s.detail;
        EXPECT_FALSE(change->why.empty());
        EXPECT_EQ(s.detail.rfind(change->why + "; upstream web: ", 0), 0u) << s.detail;
    }
    EXPECT_GE(pool_steps, 3);
}

// The tail of a deploy: per changed host one call per kind (containers, their env files), then
// the history line, in the same pass over the fleet.
TEST(Engine, PruningRemovesOldContainersInOneCallAndRecordsHistoryInTheSamePass) {
    Rig rig;
    for (const char* h : {"h1", "h2"}) {
        rig.running(h, "web-v1", "v1", 8080);
        rig.hosts[h]->add_container("web-v0", 8080, false);
        rig.hosts[h]->add_container("web-old", 8080, false);
        deploy::ObservedContainer a{"web-v0", "v0", "", "exited", "r.example.com/web:v0", 8080, "s"};
        deploy::ObservedContainer b{"web-old", "old", "", "exited", "r.example.com/web:old", 8080, "r"};
        deploy::ObservedContainer live{"web-v1", "v1", "", "running", "r.example.com/web:v1", 8080, "t"};
        rig.state.hosts[h] = deploy::live_host({a, b, live}, nullptr);
    }
    auto r = rig.run("v2");
    EXPECT_EQ(r.code, ExitCode::ok) << r.message;
    for (auto* h : {rig.hosts["h1"], rig.hosts["h2"]}) {
        auto cmds = h->commands();
        EXPECT_TRUE(has(cmds, "docker rm --force web-v0 web-old")) << h->label();
        EXPECT_TRUE(has(cmds, "rm -f -- .hoist/web/web-v0.env .hoist/web/web-old.env")) << h->label();
        EXPECT_FALSE(h->running("web-v0") || h->running("web-old"));
        EXPECT_TRUE(h->running("web-v2"));
        EXPECT_EQ(h->files().count("history"), 1u);
        EXPECT_EQ(h->files()["history"], "appended\n") << "one history line per host, not two";
        // the history line comes after the prune, on the same pass
        auto rm = std::find_if(cmds.begin(), cmds.end(), [](const std::string& c) { return c.rfind("docker rm --force web-v0", 0) == 0; });
        auto hist = std::find_if(cmds.begin(), cmds.end(), [](const std::string& c) { return c.find("history.jsonl") != std::string::npos; });
        EXPECT_LT(rm - cmds.begin(), hist - cmds.begin());
    }
}

// Rolling: a batch's hosts do not wait for each other's drain. h2 still has a request in flight
// when h1 has none; h1 is stopped and swapped while h2 drains.
TEST(Engine, EachHostOfABatchIsStoppedAsSoonAsItsOwnRequestsAreDone) {
    Rig rig("strategy: {type: rolling, max_unavailable: 2}\n", "[h1, h2, h3]");
    rig.running("h1", "web-v1", "v1", 8080);
    rig.running("h2", "web-v1", "v1", 8080);
    rig.running("h3", "web-v1", "v1", 8080);
    struct SlowForH2 : FakeBalancer {
        FakeHost* h1 = nullptr;
        FakeHost* h2 = nullptr;
        bool h1_swapped_while_h2_drained = false;
        bool h2_stopped_early = false;
        void wait_drained_each(const std::vector<lb::Member>& removed, std::chrono::milliseconds limit,
                               const std::function<void(const lb::Member&)>& drained) override {
            FakeBalancer::wait_drained(removed, limit);
            if (removed.size() != 2) {  // the second batch (h3): nothing to hold back
                for (const auto& m : removed) drained(m);
                return;
            }
            for (const auto& m : removed)
                if (m.host == "h1") drained(m);
            auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
            while (!has(h1->commands(), "docker run") && std::chrono::steady_clock::now() < end)
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
            h1_swapped_while_h2_drained = has(h1->commands(), "docker run");
            h2_stopped_early = has(h2->commands(), "docker stop");
            for (const auto& m : removed)
                if (m.host != "h1") drained(m);
        }
    };
    SlowForH2 lb;
    lb.m_current = rig.lb.m_current;
    lb.h1 = rig.hosts["h1"];
    lb.h2 = rig.hosts["h2"];
    auto plan = deploy::make_plan(rig.p, "v2", rig.state);
    ASSERT_EQ(plan.batches.size(), 2u);
    ASSERT_EQ(plan.batches[0], (std::vector<std::string>{"h1", "h2"}));
    deploy::EngineEnv env{*rig.fleet, &lb, rig.out, *rig.pacer, {}, "id", "t", "deploy"};
    auto r = deploy::execute(rig.p, plan, rig.state, env);
    EXPECT_EQ(r.code, ExitCode::ok) << r.message;
    EXPECT_TRUE(lb.h1_swapped_while_h2_drained) << "h1 waited for h2's request";
    EXPECT_FALSE(lb.h2_stopped_early) << "h2 was stopped with a request in flight";
    EXPECT_TRUE(rig.hosts["h1"]->running("web-v2"));
    EXPECT_TRUE(rig.hosts["h2"]->running("web-v2"));
    EXPECT_TRUE(rig.hosts["h3"]->running("web-v2"));
    EXPECT_EQ(pool_text(r.pool), "h1:8080 h2:8080 h3:8080");
}

namespace {
/// The `step` events `out` received (JSON lines written to `f`).
std::vector<nlohmann::json> step_events(std::FILE* f) {
    std::fflush(f);
    std::rewind(f);
    std::vector<nlohmann::json> out;
    char line[1 << 16];
    while (std::fgets(line, sizeof line, f)) {
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_object() && j.value("event", "") == "step") out.push_back(j);
    }
    return out;
}
}  // namespace

// The plan is the program: every step the engine runs names the plan step it executes ("step": its
// id in plan_to_json), as that step's action on that step's target. A deploy that succeeds runs
// every planned step once; one that fails runs a prefix of them and then only steps of the planned
// way back (Plan::undo), marked "undo": first the batch that failed, then the one before.
TEST(Engine, EveryStepEventNamesThePlanStepItRunsAndTheUndoRunsThePlannedWayBack) {
    for (bool fail : {false, true}) {
        SCOPED_TRACE(fail ? "h2 never gets healthy" : "a deploy that succeeds");
        Rig rig;
        rig.running("h1", "web-v1", "v1", 8080);
        rig.running("h2", "web-v1", "v1", 8080);
        if (fail) rig.hosts["h2"]->unhealthy.insert("web-v2");
        std::FILE* f = std::tmpfile();
        report::OutputOptions o;
        o.format = report::Format::json;
        report::Output json{o, f, rig.sink};
        auto r = rig.run("v2", json);
        EXPECT_EQ(r.code, fail ? ExitCode::rolled_back : ExitCode::ok) << r.message;
        auto planned = deploy::plan_to_json(rig.plan);
        std::vector<nlohmann::json> all = planned["steps"];
        const std::size_t n = all.size();
        for (const auto& u : planned["undo"]) all.push_back(u);
        ASSERT_GT(planned["undo"].size(), 0u);
        std::vector<int> ran, undone;
        for (const auto& ev : step_events(f)) {
            ASSERT_TRUE(ev.contains("step")) << "a step the plan does not list: " << ev.dump();
            int id = ev["step"];
            ASSERT_GE(id, 0);
            ASSERT_LT(static_cast<std::size_t>(id), all.size()) << ev.dump();
            const auto& s = all[id];
            EXPECT_EQ(ev["action"], s["action"]) << ev.dump() << " runs " << s.dump();
            EXPECT_EQ(ev["host"], s["load_balancer"].get<bool>() ? "lb" : s["target"].get<std::string>()) << ev.dump();
            bool is_undo = static_cast<std::size_t>(id) >= n;
            EXPECT_EQ(ev.value("undo", false), is_undo) << ev.dump();
            (is_undo ? undone : ran).push_back(id);
        }
        std::fclose(f);
        if (!fail) {
            std::vector<int> every(n);
            for (std::size_t i = 0; i < n; ++i) every[i] = static_cast<int>(i);
            std::sort(ran.begin(), ran.end());
            EXPECT_EQ(ran, every) << "every planned step ran once";
            EXPECT_TRUE(undone.empty());
            continue;
        }
        EXPECT_TRUE(std::is_sorted(undone.begin(), undone.end())) << "the way back in the planned order";
        std::vector<std::string> back;
        for (int id : undone) back.push_back(all[id]["action"].get<std::string>() + " " + all[id]["target"].get<std::string>() +
                                             " " + std::to_string(all[id]["batch"].get<int>()));
        // h2 failed out of the pool: restored and put back; then h1 out again, drained, restored, back
        EXPECT_EQ(back, (std::vector<std::string>{"restore h2 2", "enable lb 2", "drain lb 1", "wait lb 1", "restore h1 1",
                                                  "enable lb 1"}));
    }
}

// The engine takes what a step needs from the step, not from the pipeline: a wait's bound is the
// step's limit, and a command reads a secret on stdin only when its step says which.
TEST(Engine, AStepsParametersAreTheStepsNotThePipelines) {
    Rig rig("strategy: {type: rolling, max_unavailable: 1, pause: 0s}\n");
    rig.running("h1", "web-v1", "v1", 8080);
    rig.running("h2", "web-v1", "v1", 8080);
    rig.plan = deploy::make_plan(rig.p, "v2", rig.state);
    rig.plan.pull_auth = Secret("{\"auths\":{}}");
    int waits = 0;
    for (auto& s : rig.plan.steps) {
        if (s.action == deploy::Action::wait && s.on_lb) {
            auto* wait = std::get_if<deploy::step::Wait>(&s.what);
            ASSERT_TRUE(wait);
            EXPECT_EQ(wait->limit, rig.p.load_balancer.drain_time) << "planned from drain_time";
            wait->limit = std::chrono::milliseconds(1234);
            ++waits;
        }
        if (s.action == deploy::Action::pull && s.target == "h2") std::get<deploy::step::Exec>(s.what).input = deploy::step::Input::pull_auth;
    }
    ASSERT_EQ(waits, 2);
    auto r = rig.execute(rig.out);
    ASSERT_EQ(r.code, ExitCode::ok) << r.message;
    ASSERT_EQ(rig.lb.drain_limits.size(), 2u);
    for (auto l : rig.lb.drain_limits) EXPECT_EQ(l.count(), 1234) << "the step's limit, not drain_time";
    auto pulls_reading = [&](const std::string& h) {
        std::map<std::string, std::string> out;
        for (const auto& [cmd, input] : rig.hosts[h]->inputs())
            if (cmd.find(" pull ") != std::string::npos) out[cmd] = input;
        return out;
    };
    EXPECT_TRUE(pulls_reading("h1").empty()) << "h1's pull step reads nothing";
    auto in = pulls_reading("h2");
    ASSERT_EQ(in.size(), 1u);
    EXPECT_EQ(in.begin()->second, "{\"auths\":{}}");
    for (const auto& [cmd, input] : rig.hosts["h2"]->inputs())
        EXPECT_EQ(input.find("auths"), cmd.find(" pull ") != std::string::npos ? 2u : std::string::npos) << cmd;
}
