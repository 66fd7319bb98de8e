// Containers hoist did not start (the old deploy script's): found by the port they publish, in
// docker's and podman's listing shapes; refused by the plan unless taken over with --adopt, which
// makes one the previous version (renamed, stopped, kept); a rollback to it starts it again.
#include <gtest/gtest.h>

#include <algorithm>

#include "../test_support.hpp"
#include "deploy/plan.hpp"
#include "deploy/state.hpp"

using namespace hoist;
using namespace hoist::deploy;

namespace {

config::Pipeline pipeline(const std::string& strategy = "") {
    auto r = test::load("service: web\nimage: registry.example.com/acme/web\nhosts: [10.0.1.11, 10.0.1.12]\n"
                        "container: {port: 8080, host_port: 8080, stop_timeout: 5s}\n"
                        "load_balancer: {type: nginx, host: 10.0.0.5, upstream: web, config_path: /etc/nginx/w.conf}\n" +
                            strategy,
                        {});
    EXPECT_TRUE(r.ok()) << test::messages(r);
    return r.pipeline;
}

ObservedContainer foreign(const std::string& name, int port) {
    ObservedContainer c;
    c.name = name;
    c.state = "running";
    c.image = "acme/web:latest";
    c.published = {port};
    c.port = port;
    return c;
}

std::vector<std::string> rendered(const Plan& plan, const std::string& host) {
    std::vector<std::string> out;
    for (const auto& s : plan.steps)
        if (s.target == host)
            for (const auto& c : s.commands()) out.push_back(to_string(s.action) + ": " + c.render());
    return out;
}

}  // namespace

TEST(Unlabelled, DockerAndPodmanPortsOnlyContainersWithoutHoistLabels) {
    auto list = parse_unlabelled_containers(
        R"({"Names":"web","State":"running","Image":"acme/web:latest","Labels":"","Ports":"0.0.0.0:8080->80/tcp, :::8080->80/tcp, 9000/tcp, 127.0.0.1:7000-7001->7000-7001/udp","CreatedAt":"2026-12-01 10:00:00 +0000 UTC"})"
        "\n"
        R"({"Names":"web-v1","State":"running","Image":"x","Labels":"hoist.service=web,hoist.version=v1","Ports":"0.0.0.0:8080->8080/tcp"})"
        "\n"
        R"({"Names":["old"],"State":"exited","Image":"acme/old","Labels":{"maintainer":"me"},"Ports":[{"host_ip":"","container_port":80,"host_port":8081,"range":2,"protocol":"tcp"}]})"
        "\nnot json\n");
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].name, "web");
    EXPECT_TRUE(list[0].running());
    EXPECT_EQ(list[0].published, (std::vector<int>{8080, 7000, 7001}));
    EXPECT_EQ(list[1].name, "old");
    EXPECT_FALSE(list[1].running());
    EXPECT_EQ(list[1].published, (std::vector<int>{8081, 8082}));
}

TEST(Adopt, WithoutAdoptThePlanIsBlockedAndSaysWhatToDo) {
    auto p = pipeline();
    FleetState state;
    state.observed = true;
    state.hosts["10.0.1.11"].foreign = {foreign("web", 8080)};
    state.hosts["10.0.1.12"];
    auto plan = make_plan(p, "v2", state);
    ASSERT_EQ(plan.blockers.size(), 1u);
    EXPECT_EQ(plan.blockers[0], "10.0.1.11: container web (image acme/web:latest), not started by hoist, publishes "
                                "port 8080, which web's new container needs");
    std::string text = render_plan(plan, p);
    EXPECT_NE(text.find("Blocked: 10.0.1.11: container web"), std::string::npos) << text;
    EXPECT_NE(text.find("run `hoist deploy --adopt`"), std::string::npos) << text;
    EXPECT_EQ(plan_to_json(plan)["blockers"].size(), 1u);

    auto bg = make_plan(pipeline("strategy: {type: blue_green}\n"), "v2", state);
    EXPECT_NE(adoption_advice(bg).find("only with strategy rolling"), std::string::npos);
}

TEST(Adopt, TakenOverItIsThePreviousVersionRenamedStoppedAndKept) {
    auto p = pipeline();
    FleetState state;
    state.observed = true;
    state.hosts["10.0.1.11"].foreign = {foreign("web", 8080)};
    state.hosts["10.0.1.12"].foreign = {foreign("a", 8080), foreign("b", 8080)};  // which one? refused
    adopt_foreign(state.hosts, "web");
    const auto& h = state.hosts["10.0.1.11"];
    EXPECT_EQ(h.adopt_from, "web");
    EXPECT_EQ(h.container, "web-adopted");
    EXPECT_EQ(h.version, "adopted");
    EXPECT_EQ(h.port, 8080);
    EXPECT_TRUE(h.foreign.empty());
    EXPECT_EQ(state.hosts["10.0.1.12"].foreign.size(), 2u);
    EXPECT_EQ(make_plan(p, "v2", state).blockers.size(), 2u);  // each named, the host stays blocked

    state.hosts["10.0.1.12"].foreign.clear();
    auto plan = make_plan(p, "v2", state);
    EXPECT_TRUE(plan.blockers.empty());
    auto cmds = rendered(plan, "10.0.1.11");
    EXPECT_NE(std::find(cmds.begin(), cmds.end(), "stop: docker rename web web-adopted"), cmds.end());
    EXPECT_NE(std::find(cmds.begin(), cmds.end(), "stop: docker stop --time 5 web-adopted"), cmds.end());
    EXPECT_NE(std::find(cmds.begin(), cmds.end(), "check: docker image inspect --format '{{.Id}}' acme/web:latest"),
              cmds.end());
    ASSERT_FALSE(plan.notes.empty());
    EXPECT_EQ(plan.notes[0], "10.0.1.11: takes over web (not started by hoist; --adopt) as the previous version: "
                             "renamed web-adopted, drained, stopped and kept for a rollback; the next successful "
                             "deploy removes it");
    // the pool goes on routing to it until the host is drained
    EXPECT_TRUE(plan.initial_pool[0].enabled);
}

TEST(Adopt, RollingBackToItStartsItAgainWithoutAPull) {
    auto p = pipeline();
    FleetState state;
    state.observed = true;
    ObservedContainer adopted = foreign("web-adopted", 8080);
    adopted.state = "exited";
    adopted.version = "adopted";
    ObservedContainer v2;
    v2.name = "web-v2";
    v2.version = "v2";
    v2.state = "running";
    v2.port = 8080;
    v2.image = "registry.example.com/acme/web:v2";
    state.hosts["10.0.1.11"] = live_host({adopted, v2}, nullptr);
    state.hosts["10.0.1.12"] = live_host({adopted, v2}, nullptr);
    auto plan = make_plan(p, "adopted", state, {.pull_if_missing = true});
    std::vector<Action> actions;
    for (const auto& s : plan.steps)
        if (s.target == "10.0.1.11") actions.push_back(s.action);
    EXPECT_EQ(std::count(actions.begin(), actions.end(), Action::pull), 0);
    EXPECT_EQ(std::count(actions.begin(), actions.end(), Action::remove), 0);
    auto cmds = rendered(plan, "10.0.1.11");
    EXPECT_NE(std::find(cmds.begin(), cmds.end(), "check: docker inspect --format '{{.State.Status}} {{.State.ExitCode}} "
                                                  "{{.RestartCount}}' web-adopted"),
              cmds.end());
    EXPECT_NE(std::find(cmds.begin(), cmds.end(), "stop: docker stop --time 5 web-v2"), cmds.end());
    EXPECT_NE(std::find(cmds.begin(), cmds.end(), "run: docker start web-adopted"), cmds.end());
    for (const auto& s : plan.steps)
        if (s.action == Action::run) {
            ASSERT_TRUE(s.as<deploy::step::Start>());
            EXPECT_TRUE(s.as<deploy::step::Start>()->container.existing);
            EXPECT_EQ(s.as<deploy::step::Start>()->container.name, "web-adopted");
        }
}

// Rolled back to, the adopted container is the running version again: the next deploy's pre-flight
// checks its own image for a rollback, not a tag <image>:adopted that never existed (found by
// AdoptTest on the fleet).
TEST(Adopt, RunningAgainAfterARollbackItsOwnImageIsTheRollbackImage) {
    auto p = pipeline();
    FleetState state;
    state.observed = true;
    ObservedContainer adopted = foreign("web-adopted", 8080);
    adopted.version = adopted_version;
    state.hosts["10.0.1.11"] = live_host({adopted}, nullptr);
    state.hosts["10.0.1.12"] = live_host({adopted}, nullptr);
    auto plan = make_plan(p, "v3", state);
    auto cmds = rendered(plan, "10.0.1.11");
    EXPECT_NE(std::find(cmds.begin(), cmds.end(), "check: docker image inspect --format '{{.Id}}' acme/web:latest"),
              cmds.end());
    for (const auto& c : cmds) EXPECT_EQ(c.find("web:adopted"), std::string::npos) << c;
}
