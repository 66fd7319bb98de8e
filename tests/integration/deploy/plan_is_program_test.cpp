// The plan is the program (issue 22), on the real fleet: `hoist plan` looks at the hosts and prints
// the plan that `hoist deploy` then runs, and the deploy's step events are the plan's steps, each
// named by its id. For a rolling deploy, a blue/green deploy, a rollback and a deploy that fails and
// is undone.
#include "deploy_fixture.hpp"
#include "util/strings.hpp"

namespace hoist::dtest {

namespace {

/// The plan a run printed (its first "plan" event: the web role's).
nlohmann::json plan_of(const HoistRun& r) {
    auto p = events(r, "plan");
    return p.empty() ? nlohmann::json() : p.front();
}

struct Executed {
    std::vector<int> steps;  ///< ids of the plan's steps that ran, in the order their events came
    std::vector<int> undo;   ///< ids of its undo steps that ran
};

/// Checks that every step event of `run` executes a step of `plan` (same action, same target) and
/// says which ran.
Executed executed(const HoistRun& run, const nlohmann::json& plan) {
    std::vector<nlohmann::json> all = plan["steps"];
    const std::size_t n = all.size();
    for (const auto& u : plan["undo"]) all.push_back(u);
    Executed out;
    for (const auto& ev : events(run, "step")) {
        EXPECT_TRUE(ev.contains("step")) << "a step the plan does not list: " << ev.dump();
        if (!ev.contains("step")) continue;
        int id = ev["step"];
        EXPECT_TRUE(id >= 0 && static_cast<std::size_t>(id) < all.size()) << ev.dump();
        if (id < 0 || static_cast<std::size_t>(id) >= all.size()) continue;
        const auto& s = all[id];
        EXPECT_EQ(ev["action"], s["action"]) << ev.dump() << " executes " << s.dump();
        EXPECT_EQ(ev["host"], s["load_balancer"].get<bool>() ? "lb" : s["target"].get<std::string>())
            << ev.dump() << " executes " << s.dump();
        bool undo = static_cast<std::size_t>(id) >= n;
        EXPECT_EQ(ev.value("undo", false), undo) << ev.dump();
        (undo ? out.undo : out.steps).push_back(id);
    }
    return out;
}

/// Every step of `plan` ran exactly once, and nothing of the way back.
void expect_every_step_ran_once(const Executed& e, const nlohmann::json& plan, const std::string& what) {
    std::vector<int> ran = e.steps, every;
    std::sort(ran.begin(), ran.end());
    for (std::size_t i = 0; i < plan["steps"].size(); ++i) every.push_back(static_cast<int>(i));
    EXPECT_EQ(ran, every) << what << ": the planned steps, each once";
    EXPECT_TRUE(e.undo.empty()) << what;
}

/// `hoist plan` printed the plan the deploy ran: the same steps (commands, targets, batches, words)
/// and the same way back.
void expect_same_plan(const nlohmann::json& planned, const nlohmann::json& ran, const std::string& what) {
    ASSERT_TRUE(planned.is_object()) << what;
    ASSERT_TRUE(ran.is_object()) << what;
    EXPECT_EQ(planned["observed"], true) << what << ": plan looks at the fleet by default";
    EXPECT_EQ(ran["observed"], true) << what;
    EXPECT_EQ(planned["now"], ran["now"]) << what;
    EXPECT_EQ(planned["steps"], ran["steps"]) << what << ": what plan printed is what the deploy ran";
    EXPECT_EQ(planned["undo"], ran["undo"]) << what;
    EXPECT_FALSE(planned["steps"].empty()) << what;
}

}  // namespace

TEST_F(DeployTest, PlanIsWhatARollingDeployAndItsRollbackRun) {
    pipeline("");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);

    auto plan = hoist({"-o", "json", "plan", "--tag", "v2"});
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    auto p = plan_of(plan);
    ASSERT_TRUE(p.is_object()) << plan.out;
    for (const auto& h : p["now"]) EXPECT_EQ(h["runs"], "app-v1 (v1) on port 8080") << "the observed fleet: " << h.dump();
    auto deploy = hoist({"-o", "json", "deploy", "--tag", "v2"});
    ASSERT_EQ(deploy.exit_code, 0) << deploy.err;
    expect_same_plan(p, plan_of(deploy), "rolling v1 -> v2");
    expect_every_step_ran_once(executed(deploy, plan_of(deploy)), plan_of(deploy), "rolling v1 -> v2");

    // A rollback plans from its own look at the fleet (the previous image on each host) and runs it.
    auto back = hoist({"-o", "json", "rollback"});
    ASSERT_EQ(back.exit_code, 0) << back.err;
    auto bp = plan_of(back);
    ASSERT_TRUE(bp.is_object()) << back.out;
    EXPECT_EQ(bp["tag"], "v1");
    expect_every_step_ran_once(executed(back, bp), bp, "rollback to v1");
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v1") << h;
}

TEST_F(DeployTest, PlanIsWhatABlueGreenDeployRuns) {
    pipeline("strategy: { type: blue_green, ports: { blue: 8081, green: 8082 }, keep_previous: true }\n");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    auto plan = hoist({"-o", "json", "plan", "--tag", "v2"});
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    auto deploy = hoist({"-o", "json", "deploy", "--tag", "v2"});
    ASSERT_EQ(deploy.exit_code, 0) << deploy.err;
    expect_same_plan(plan_of(plan), plan_of(deploy), "blue/green v1 -> v2");
    EXPECT_EQ(plan_of(plan)["steps"].back()["action"], "record");
    expect_every_step_ran_once(executed(deploy, plan_of(deploy)), plan_of(deploy), "blue/green v1 -> v2");
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v2") << h;
}

// A deploy that fails: the steps before the failure are the plan's, in its order, and the way back
// is the plan's undo (printed by `hoist plan` too), only for what was changed: the host that never
// got healthy is restored and put back, and nothing is left out of the pool.
TEST_F(DeployTest, PlanShowsTheWayBackThatAFailedDeployRuns) {
    pipeline("");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    auto plan = hoist({"-o", "json", "plan", "--tag", "unhealthy"});
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    auto human = hoist({"plan", "--tag", "unhealthy"});
    EXPECT_NE(human.out.find("If a step fails or a stop is asked, the way back"), std::string::npos) << human.out;
    auto deploy = hoist({"-o", "json", "deploy", "--tag", "unhealthy"});
    ASSERT_EQ(deploy.exit_code, 1) << deploy.err;
    auto ran = plan_of(deploy);
    expect_same_plan(plan_of(plan), ran, "a deploy that fails");
    auto e = executed(deploy, ran);
    ASSERT_FALSE(e.undo.empty()) << deploy.out;
    EXPECT_TRUE(std::is_sorted(e.undo.begin(), e.undo.end())) << "the way back in the planned order";
    // the first batch's host was changed (a run) and is the one restored
    std::set<std::string> started, restored;
    std::vector<nlohmann::json> all = ran["steps"];
    for (const auto& u : ran["undo"]) all.push_back(u);
    for (int id : e.steps)
        if (all[id]["action"] == "run") started.insert(all[id]["target"].get<std::string>());
    for (int id : e.undo)
        if (all[id]["action"] == "restore") restored.insert(all[id]["target"].get<std::string>());
    EXPECT_FALSE(started.empty());
    EXPECT_EQ(restored, started) << "every host changed, and only those, is restored";
    for (const auto& ev : events(deploy, "step")) {
        if (ev.value("undo", false)) {
            EXPECT_TRUE(ev.value("ok", false)) << ev.dump();
        }
    }
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v1") << h;
    EXPECT_EQ(pool().size(), m_hosts.size());
}

}  // namespace hoist::dtest
