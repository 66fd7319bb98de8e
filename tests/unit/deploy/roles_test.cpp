// Roles besides web (spec section 6): what the file says, the role's pipeline, its plan (names,
// labels, nothing published, its own health check), the pre-flight moved before the web role's first
// swap, the version a unit goes back to, history entries per role.
#include <gtest/gtest.h>

#include "../test_support.hpp"
#include "deploy/history.hpp"
#include "deploy/plan.hpp"
#include "deploy/roles.hpp"
#include "deploy/state.hpp"
#include "util/error.hpp"

using namespace hoist;

namespace {

const char* kApp = R"(service: shop
image: registry.example.com/acme/shop
hosts: [10.0.1.11, 10.0.1.12]
container:
  port: 8080
  env: {APP_ENV: production, QUEUE: none}
  secret_env: [DATABASE_URL]
  stop_timeout: 10s
load_balancer: {type: nginx, host: 10.0.0.5, upstream: shop, config_path: /etc/nginx/conf.d/shop.conf}
release_command: [bin/migrate]
roles:
  worker:
    hosts: [10.0.1.12, 10.0.1.21]
    command: [bin/worker, --queue, default]
    container: {env: {QUEUE: default}}
    healthcheck: {command: [bin/worker-alive]}
    strategy: {max_unavailable: 50%}
    stop_timeout: 60s
  scheduler:
    hosts: [10.0.1.31]
)";

config::Pipeline load(const std::string& text) {
    auto r = test::load(text, {{"DATABASE_URL", "postgres://u:pw@db/x"}});
    EXPECT_TRUE(r.ok()) << test::messages(r);
    return r.pipeline;
}

std::string errors_of(const std::string& text) {
    auto r = test::load(text, {});
    return test::messages(r);
}

deploy::ObservedHost running(const std::string& version, const std::string& name) {
    deploy::ObservedContainer c;
    c.name = name;
    c.version = version;
    c.state = "running";
    c.image = "registry.example.com/acme/shop:" + version;
    c.created = "2026-12-04 09:00:00 +0000 UTC";
    c.role = "worker";
    return deploy::live_host({c}, nullptr);
}

}  // namespace

TEST(Roles, AreReadInFileOrderWithTheContainerMergedOverTheTopLevelOne) {
    auto p = load(kApp);
    ASSERT_EQ(p.roles.size(), 2u);
    const auto& w = p.roles[0];
    EXPECT_EQ(w.name, "worker");
    ASSERT_EQ(w.hosts.size(), 2u);
    EXPECT_EQ(w.hosts[1].address, "10.0.1.21");
    EXPECT_EQ(w.hosts[1].user, "root") << "ssh defaults apply to role hosts";
    EXPECT_EQ(w.container.env.at("QUEUE"), "default") << "the role's env wins";
    EXPECT_EQ(w.container.env.at("APP_ENV"), "production") << "deep-merged: the top-level env stays";
    EXPECT_EQ(w.container.secret_env, std::vector<std::string>{"DATABASE_URL"});
    EXPECT_EQ(w.container.command, (std::vector<std::string>{"bin/worker", "--queue", "default"}));
    EXPECT_EQ(w.container.stop_timeout, std::chrono::seconds(60));
    EXPECT_EQ(w.healthcheck.command, std::vector<std::string>{"bin/worker-alive"});
    EXPECT_EQ(w.max_unavailable.value, 50);
    EXPECT_TRUE(w.max_unavailable.percent);
    const auto& s = p.roles[1];
    EXPECT_EQ(s.name, "scheduler");
    EXPECT_TRUE(s.healthcheck.command.empty()) << "no probe: still running is the check";
    EXPECT_EQ(s.container.stop_timeout, std::chrono::seconds(10)) << "the top-level stop_timeout by default";
    EXPECT_EQ(s.max_unavailable.value, 1);
}

TEST(Roles, MistakesAreLocatedErrors) {
    const std::string head = "service: shop\nimage: r.example.com/shop\nhosts: [10.0.1.11]\n";
    EXPECT_NE(errors_of(head + "roles:\n  web:\n    hosts: [10.0.1.12]\n").find("'roles.web' is the top-level"),
              std::string::npos);
    EXPECT_NE(errors_of(head + "roles:\n  Worker_1:\n    hosts: [10.0.1.12]\n").find("role name 'Worker_1'"),
              std::string::npos);
    EXPECT_NE(errors_of(head + "roles:\n  release:\n    hosts: [10.0.1.12]\n").find("not 'release'"), std::string::npos);
    EXPECT_NE(errors_of(head + "roles:\n  worker:\n    command: [x]\n").find("hosts"), std::string::npos);
    EXPECT_NE(errors_of(head + "roles:\n  worker:\n    hosts: [10.0.1.12, 10.0.1.12]\n").find("listed twice in role worker"),
              std::string::npos);
    EXPECT_NE(errors_of(head + "roles:\n  worker:\n    hosts: [10.0.1.12]\n    strategy: {max_unavailable: 0}\n")
                  .find("roles.worker.strategy.max_unavailable"),
              std::string::npos);
    EXPECT_NE(errors_of(head + "roles:\n  worker:\n    hosts: [10.0.1.12]\n    replicas: 2\n").find("replicas"),
              std::string::npos);
    EXPECT_NE(errors_of(head + "roles:\n  worker:\n    hosts: [10.0.1.12]\n    command: []\n").find("empty list"),
              std::string::npos);
    auto located = errors_of(head + "roles:\n  worker:\n    hosts: [10.0.1.12]\n    stop_timeout: soon\n");
    EXPECT_NE(located.find(":7:"), std::string::npos) << "FILE:LINE:COL of the value: " << located;
}

TEST(Roles, ARolesPipelineHasItsHostsNoBalancerAndNoReleaseCommand) {
    auto p = load(kApp);
    auto w = config::role_pipeline(p, p.roles[0]);
    EXPECT_EQ(w.role, "worker");
    EXPECT_FALSE(w.is_web());
    EXPECT_EQ(w.container_prefix(), "shop-worker");
    EXPECT_EQ(p.container_prefix(), "shop");
    ASSERT_EQ(w.hosts.size(), 2u);
    EXPECT_EQ(w.all_hosts.size(), 2u);
    EXPECT_EQ(w.load_balancer.type, config::LoadBalancerType::none);
    EXPECT_EQ(w.strategy.type, config::StrategyType::rolling);
    EXPECT_TRUE(w.release_command.empty());
    EXPECT_TRUE(w.roles.empty());
}

TEST(Roles, AWorkerIsNamedAndLabelledByItsRolePublishesNothingAndIsProbedByExec) {
    auto p = load(kApp);
    auto w = config::role_pipeline(p, p.roles[0]);
    deploy::FleetState state;
    state.observed = true;
    state.hosts["10.0.1.12"] = running("v1", "shop-worker-v1");
    state.hosts["10.0.1.21"] = running("v1", "shop-worker-v1");
    auto plan = deploy::make_plan(w, "v2", state);
    EXPECT_EQ(plan.role, "worker");
    EXPECT_EQ(plan.new_port, 0);
    ASSERT_EQ(plan.batches.size(), 2u) << "50% of 2 hosts: two batches of one";
    ASSERT_EQ(plan.batches[0].size(), 1u);
    int runs = 0, healths = 0, stops = 0;
    for (const auto& s : plan.steps) {
        EXPECT_FALSE(s.on_lb) << "a role besides web is not behind the load balancer";
        EXPECT_NE(s.action, deploy::Action::release) << "the release command belongs to the web role";
        if (s.action == deploy::Action::run) {
            ++runs;
            EXPECT_EQ(s.commands().at(0).render(),
                      "docker run --detach --name shop-worker-v2 --restart unless-stopped --label hoist.service=shop "
                      "--label hoist.version=v2 --label hoist.role=worker --stop-timeout 60 --env APP_ENV=production "
                      "--env QUEUE=default --env-file .hoist/shop/shop-worker-v2.env "
                      "registry.example.com/acme/shop:v2 bin/worker --queue default");
        }
        if (s.action == deploy::Action::stop) {
            ++stops;
            EXPECT_EQ(s.commands().at(0).render(), "docker stop --time 60 shop-worker-v1") << "its own stop_timeout";
        }
        if (s.action == deploy::Action::health) {
            ++healths;
            EXPECT_NE(s.detail.find("'bin/worker-alive' in the container exits 0"), std::string::npos) << s.detail;
        }
        if (s.action == deploy::Action::verify) {
            EXPECT_EQ(s.detail.find("GET"), std::string::npos) << s.detail;
        }
    }
    EXPECT_EQ(runs, 2);
    EXPECT_EQ(stops, 2);
    EXPECT_EQ(healths, 2);
    // without a probe: still running after the deadline's first 5 s
    auto sched = config::role_pipeline(p, p.roles[1]);
    auto sp = deploy::make_plan(sched, "v2", deploy::FleetState{});
    bool saw = false;
    for (const auto& s : sp.steps)
        if (s.action == deploy::Action::health) {
            saw = true;
            EXPECT_EQ(s.detail, "still running, not restarted, 5s after the start");
        }
    EXPECT_TRUE(saw);
}

TEST(Roles, ObservingARoleSeesOnlyItsOwnContainers) {
    auto list = deploy::parse_container_list(
        R"({"Names":"shop-v1","State":"running","Image":"r/shop:v1","CreatedAt":"2026-12-04 09:00:00 +0000 UTC","Labels":"hoist.service=shop,hoist.version=v1,hoist.port=8080"})"
        "\n"
        R"({"Names":"shop-worker-v1","State":"running","Image":"r/shop:v1","CreatedAt":"2026-12-04 09:00:01 +0000 UTC","Labels":"hoist.service=shop,hoist.version=v1,hoist.role=worker"})"
        "\n");
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].role, "web") << "a container from before roles is web's";
    auto web = deploy::of_role(list, "web");
    ASSERT_EQ(web.size(), 1u);
    EXPECT_EQ(web[0].name, "shop-v1");
    auto worker = deploy::of_role(list, "worker");
    ASSERT_EQ(worker.size(), 1u);
    EXPECT_EQ(worker[0].name, "shop-worker-v1");
    EXPECT_EQ(worker[0].port, 0);
}

TEST(Roles, EveryRolesPreflightRunsBeforeTheReleaseCommandAndTheFirstSwap) {
    auto p = load(kApp);
    deploy::FleetState none;
    auto web = deploy::make_plan(p, "v2", none);
    auto w = config::role_pipeline(p, p.roles[0]);
    auto worker = deploy::make_plan(w, "v2", none);
    std::size_t worker_steps = worker.steps.size();
    deploy::move_preflight(worker, web);
    for (const auto& s : worker.steps)
        if (s.action != deploy::Action::record) {
            EXPECT_NE(s.batch, 0) << "left in the role's plan: " << s.detail;
        }
    EXPECT_LT(worker.steps.size(), worker_steps);
    std::size_t release = 0, last_21 = 0, first_swap = web.steps.size();
    for (std::size_t i = 0; i < web.steps.size(); ++i) {
        const auto& s = web.steps[i];
        if (s.action == deploy::Action::release) release = i;
        if (s.target == "10.0.1.21") last_21 = i;
        if ((s.on_lb || s.action == deploy::Action::stop || s.action == deploy::Action::run) && first_swap == web.steps.size())
            first_swap = i;
    }
    EXPECT_GT(last_21, 0u) << "the worker-only host's pull is in the web plan's pre-flight";
    // 10.0.1.12 has web and the worker: one pull, one runtime and disk check there
    int pulls_12 = 0, disks_12 = 0, pulls_21 = 0;
    for (const auto& s : web.steps) {
        pulls_12 += s.target == "10.0.1.12" && s.action == deploy::Action::pull;
        disks_12 += s.target == "10.0.1.12" && s.action == deploy::Action::disk;
        pulls_21 += s.target == "10.0.1.21" && s.action == deploy::Action::pull;
    }
    EXPECT_EQ(pulls_12, 1);
    EXPECT_EQ(disks_12, 1);
    EXPECT_EQ(pulls_21, 1);
    EXPECT_LT(last_21, release);
    EXPECT_LT(release, first_swap);
}

TEST(Roles, AUnitGoesBackToThePreviousVersionMostChangedHostsRan) {
    deploy::RolloutResult r;
    deploy::HostReport a, b, c;
    a.host = "a", a.result = deploy::HostResult::updated, a.previous_version = "v1";
    b.host = "b", b.result = deploy::HostResult::updated, b.previous_version = "v1";
    c.host = "c", c.result = deploy::HostResult::unchanged, c.previous_version = "v0";
    r.hosts = {a, b, c};
    EXPECT_EQ(deploy::version_before(r), "v1");
    r.hosts[1].previous_version = "";
    EXPECT_EQ(deploy::version_before(r), "") << "a host that ran nothing before: there is nothing to go back to";
}

TEST(Roles, RolesOnTheCommandLineMustBeThePipelines) {
    auto p = load(kApp);
    EXPECT_NO_THROW(deploy::check_roles(p, {"web", "worker"}));
    try {
        deploy::check_roles(p, {"workers"});
        FAIL() << "an unknown role was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::usage);
        EXPECT_NE(std::string(e.what()).find("its roles: web, worker, scheduler"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(deploy::role_selected({}, "worker"));
    EXPECT_FALSE(deploy::role_selected({"web"}, "worker"));
}

TEST(Roles, HistoryEntriesOfOtherRolesDoNotDecideTheWebRolesPreviousVersion) {
    auto entries = deploy::parse_history(
        R"({"time":"t1","event":"deploy","tag":"v2","previous_tag":"v1","result":"updated"})"
        "\n"
        R"({"time":"t2","event":"deploy","tag":"v2","previous_tag":"v0","result":"updated","role":"worker"})"
        "\n");
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[1].role, "worker");
    EXPECT_EQ(entries[1].to_json()["role"], "worker");
    EXPECT_FALSE(entries[0].to_json().contains("role"));
    EXPECT_EQ(deploy::previous_tag(entries, "v2", "h"), "v1");
}
