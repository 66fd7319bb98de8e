// `hoist plan` output for a rolling and a blue/green pipeline, asserted exactly, plus the step
// structure the deploy engine executes.
#include "deploy/plan.hpp"

#include <gtest/gtest.h>

#include "../test_support.hpp"
#include "deploy/history.hpp"
#include "deploy/tag.hpp"
#include "lb/nginx.hpp"
#include "util/base64.hpp"
#include "util/error.hpp"

using namespace hoist;

namespace {

config::Pipeline pipeline(const std::string& text) {
    auto r = test::load(text, {{"DB", "postgres://u:pw@db/x"}});
    EXPECT_TRUE(r.ok()) << test::messages(r);
    return r.pipeline;
}

const char* kRolling = R"(service: web
image: registry.example.com/acme/web
hosts: [10.0.1.11, 10.0.1.12]
ssh: {user: deploy}
container:
  port: 8080
  host_port: 8080
  env: {APP_ENV: production}
  secret_env: [DATABASE_URL]
  stop_timeout: 10s
load_balancer:
  type: nginx
  host: 10.0.0.5
  upstream: web
  config_path: /etc/nginx/conf.d/hoist-web.conf
  drain_time: 2s
strategy:
  max_unavailable: 1
  pause: 5s
)";

const char* kBlueGreen = R"(service: shop
image: registry.example.com/acme/shop
hosts: [10.0.1.21, 10.0.1.22]
container: {port: 3000}
healthcheck: {path: /health, deadline: 30s}
load_balancer: {type: nginx, host: 10.0.0.5, upstream: shop, config_path: /etc/nginx/conf.d/hoist-shop.conf}
strategy:
  type: blue_green
  ports: {blue: 8081, green: 8082}
  keep_previous: false
)";

/// A host whose live container is `name` (running `version` on `port`).
deploy::ObservedHost live(const std::string& version, const std::string& name, const std::string& color, int port,
                          const std::string& image) {
    deploy::ObservedContainer c;
    c.name = name;
    c.version = version;
    c.color = color;
    c.state = "running";
    c.port = port;
    c.image = image;
    return deploy::live_host({c}, nullptr);
}

}  // namespace

TEST(Plan, RollingOutputExact) {
    auto p = pipeline(kRolling);
    deploy::FleetState state;
    state.observed = true;
    state.hosts["10.0.1.11"] = live("v1", "web-v1", "", 8080, "registry.example.com/acme/web:v1");
    state.hosts["10.0.1.12"] = live("v1", "web-v1", "", 8080, "registry.example.com/acme/web:v1");
    auto plan = deploy::make_plan(p, "v2", state);
    EXPECT_EQ(deploy::render_plan(plan, p), R"(Plan: deploy web v2 to 2 hosts, rolling in 2 batches of up to 1, behind nginx
Image: registry.example.com/acme/web:v2
Now (looked at, read-only):
  10.0.1.11  web-v1 (v1) on port 8080, in the pool
  10.0.1.12  web-v1 (v1) on port 8080, in the pool

Pre-flight, every host in parallel (nothing changes yet):
  10.0.1.11      disk    the container runtime answers, with at least 256 MiB free where it keeps images and containers; the previous image registry.example.com/acme/web:v1 is still there for a rollback (docker ps names the running container's image by that tag)
                         $ sh -c 'd=$("$1" info --format "$2") || exit 3; df -Pk "$d" | awk '\''NR==2 {print $4}'\''' sh docker '{{.DockerRootDir}}'
  10.0.1.11      pull    pull the new image (the previous one stays for rollback)
                         $ docker pull --quiet registry.example.com/acme/web:v2
  10.0.1.12      disk    the container runtime answers, with at least 256 MiB free where it keeps images and containers; the previous image registry.example.com/acme/web:v1 is still there for a rollback (docker ps names the running container's image by that tag)
                         $ sh -c 'd=$("$1" info --format "$2") || exit 3; df -Pk "$d" | awk '\''NR==2 {print $4}'\''' sh docker '{{.DockerRootDir}}'
  10.0.1.12      pull    pull the new image (the previous one stays for rollback)
                         $ docker pull --quiet registry.example.com/acme/web:v2

Batch 1/2: 10.0.1.11
  10.0.0.5 (lb)  drain   take 10.0.1.11 out of the pool; upstream web: 10.0.1.11:8080 (down), 10.0.1.12:8080
                         $ sh -c '<nginx apply script>' sh /etc/nginx/conf.d/hoist-web.conf 'nginx -t' 'nginx -s reload'  (the new upstream file on stdin; the previous file is put back if the test refuses it)
  10.0.0.5 (lb)  wait    until no request is in flight to what left the pool, at most 2s; each host is stopped as soon as its own requests are done
  10.0.1.11      stop    stop web-v1 (kept for rollback until the deploy ends)
                         $ docker stop --time 10 web-v1
  10.0.1.11      env     write .hoist/web/web-v2.env (mode 0600): DATABASE_URL=***
  10.0.1.11      run     start web-v2 on port 8080
                         $ docker run --detach --name web-v2 --restart unless-stopped --label hoist.service=web --label hoist.version=v2 --label hoist.role=web --label hoist.port=8080 --publish 8080:8080 --stop-timeout 10 --env APP_ENV=production --env-file .hoist/web/web-v2.env registry.example.com/acme/web:v2
  10.0.1.11      health  GET http://127.0.0.1:8080/healthz through the SSH connection until 2 consecutive 200-399 answers, every 1s, within 1m
  10.0.0.5 (lb)  enable  put 10.0.1.11 back; upstream web: 10.0.1.11:8080, 10.0.1.12:8080
                         $ sh -c '<nginx apply script>' sh /etc/nginx/conf.d/hoist-web.conf 'nginx -t' 'nginx -s reload'  (the new upstream file on stdin; the previous file is put back if the test refuses it)
  hoist          wait    5s before the next batch

Batch 2/2: 10.0.1.12
  10.0.1.11      verify  still healthy: GET http://127.0.0.1:8080/healthz (one good answer in 3 tries)
  10.0.0.5 (lb)  drain   take 10.0.1.12 out of the pool; upstream web: 10.0.1.11:8080, 10.0.1.12:8080 (down)
                         $ sh -c '<nginx apply script>' sh /etc/nginx/conf.d/hoist-web.conf 'nginx -t' 'nginx -s reload'  (the new upstream file on stdin; the previous file is put back if the test refuses it)
  10.0.0.5 (lb)  wait    until no request is in flight to what left the pool, at most 2s; each host is stopped as soon as its own requests are done
  10.0.1.12      stop    stop web-v1 (kept for rollback until the deploy ends)
                         $ docker stop --time 10 web-v1
  10.0.1.12      env     write .hoist/web/web-v2.env (mode 0600): DATABASE_URL=***
  10.0.1.12      run     start web-v2 on port 8080
                         $ docker run --detach --name web-v2 --restart unless-stopped --label hoist.service=web --label hoist.version=v2 --label hoist.role=web --label hoist.port=8080 --publish 8080:8080 --stop-timeout 10 --env APP_ENV=production --env-file .hoist/web/web-v2.env registry.example.com/acme/web:v2
  10.0.1.12      health  GET http://127.0.0.1:8080/healthz through the SSH connection until 2 consecutive 200-399 answers, every 1s, within 1m
  10.0.0.5 (lb)  enable  put 10.0.1.12 back; upstream web: 10.0.1.11:8080, 10.0.1.12:8080
                         $ sh -c '<nginx apply script>' sh /etc/nginx/conf.d/hoist-web.conf 'nginx -t' 'nginx -s reload'  (the new upstream file on stdin; the previous file is put back if the test refuses it)
  10.0.1.11      verify  still healthy at the end: GET http://127.0.0.1:8080/healthz (one good answer in 3 tries)

Finally:
  10.0.1.11      record  append the result to .hoist/web/history.jsonl
  10.0.1.12      record  append the result to .hoist/web/history.jsonl

If a step fails or a stop is asked, the way back (only the steps of what was changed):
  10.0.0.5 (lb)  enable  put back the hosts taken out of the pool but not changed yet, if any
  10.0.0.5 (lb)  drain   take 10.0.1.12 out again, those of them back in the pool [batch 2]
  10.0.0.5 (lb)  wait    until no request is in flight to what left the pool, at most 2s [batch 2]
  10.0.1.12      restore remove web-v2, start web-v1 again and health-check it [batch 2]
  10.0.0.5 (lb)  enable  put 10.0.1.12 back on the previous version [batch 2]
  10.0.0.5 (lb)  drain   take 10.0.1.11 out again, those of them back in the pool [batch 1]
  10.0.0.5 (lb)  wait    until no request is in flight to what left the pool, at most 2s [batch 1]
  10.0.1.11      restore remove web-v2, start web-v1 again and health-check it [batch 1]
  10.0.0.5 (lb)  enable  put 10.0.1.11 back on the previous version [batch 1]
  10.0.0.5 (lb)  drain   take out any host whose state hoist cannot vouch for, if any
)");
}

TEST(Plan, BlueGreenOutputExact) {
    auto p = pipeline(kBlueGreen);
    deploy::FleetState state;
    state.observed = true;
    state.active_color = "blue";
    state.hosts["10.0.1.21"] = live("v1", "shop-blue", "blue", 8081, "registry.example.com/acme/shop:v1");
    state.hosts["10.0.1.22"] = live("v1", "shop-blue", "blue", 8081, "registry.example.com/acme/shop:v1");
    auto plan = deploy::make_plan(p, "v2", state);
    EXPECT_EQ(plan.new_color, "green");
    EXPECT_EQ(deploy::render_plan(plan, p), R"(Plan: deploy shop v2 to 2 hosts, blue_green (starting green), behind nginx
Image: registry.example.com/acme/shop:v2
Now (looked at, read-only):
  10.0.1.21  shop-blue (v1) on port 8081, in the pool
  10.0.1.22  shop-blue (v1) on port 8081, in the pool

Pre-flight, every host in parallel (nothing changes yet):
  10.0.1.21      disk    the container runtime answers, with at least 256 MiB free where it keeps images and containers; the previous image registry.example.com/acme/shop:v1 is still there for a rollback (docker ps names the running container's image by that tag)
                         $ sh -c 'd=$("$1" info --format "$2") || exit 3; df -Pk "$d" | awk '\''NR==2 {print $4}'\''' sh docker '{{.DockerRootDir}}'
  10.0.1.21      pull    pull the new image (the previous one stays for rollback)
                         $ docker pull --quiet registry.example.com/acme/shop:v2
  10.0.1.22      disk    the container runtime answers, with at least 256 MiB free where it keeps images and containers; the previous image registry.example.com/acme/shop:v1 is still there for a rollback (docker ps names the running container's image by that tag)
                         $ sh -c 'd=$("$1" info --format "$2") || exit 3; df -Pk "$d" | awk '\''NR==2 {print $4}'\''' sh docker '{{.DockerRootDir}}'
  10.0.1.22      pull    pull the new image (the previous one stays for rollback)
                         $ docker pull --quiet registry.example.com/acme/shop:v2

Switch (hosts in parallel until the pool switches):
  10.0.1.21      remove  remove an old shop-green if one is left
                         $ docker rm --force shop-green
  10.0.1.21      run     start shop-green on port 8082
                         $ docker run --detach --name shop-green --restart unless-stopped --label hoist.service=shop --label hoist.version=v2 --label hoist.role=web --label hoist.color=green --label hoist.port=8082 --publish 8082:3000 --stop-timeout 30 registry.example.com/acme/shop:v2
  10.0.1.21      health  GET http://127.0.0.1:8082/health through the SSH connection until 2 consecutive 200-399 answers, every 1s, within 30s
  10.0.1.22      remove  remove an old shop-green if one is left
                         $ docker rm --force shop-green
  10.0.1.22      run     start shop-green on port 8082
                         $ docker run --detach --name shop-green --restart unless-stopped --label hoist.service=shop --label hoist.version=v2 --label hoist.role=web --label hoist.color=green --label hoist.port=8082 --publish 8082:3000 --stop-timeout 30 registry.example.com/acme/shop:v2
  10.0.1.22      health  GET http://127.0.0.1:8082/health through the SSH connection until 2 consecutive 200-399 answers, every 1s, within 30s
  10.0.0.5 (lb)  switch  switch every host to green at once; upstream shop: 10.0.1.21:8082, 10.0.1.22:8082
                         $ sh -c '<nginx apply script>' sh /etc/nginx/conf.d/hoist-shop.conf 'nginx -t' 'nginx -s reload'  (the new upstream file on stdin; the previous file is put back if the test refuses it)
  10.0.0.5 (lb)  confirm the load balancer serves green
  10.0.0.5 (lb)  wait    until no request is in flight to what left the pool, at most 5s
  10.0.1.21      stop    stop shop-blue
                         $ docker stop --time 30 shop-blue
  10.0.1.22      stop    stop shop-blue
                         $ docker stop --time 30 shop-blue

Finally:
  10.0.1.21      record  append the result to .hoist/shop/history.jsonl
  10.0.1.22      record  append the result to .hoist/shop/history.jsonl

If a step fails or a stop is asked, the way back (only the steps of what was changed):
  10.0.0.5 (lb)  switch  switch back to the previous colour, if it had switched
  10.0.1.21      remove  remove shop-green, if it was started
  10.0.1.22      remove  remove shop-green, if it was started
  10.0.0.5 (lb)  drain   take out any host whose state hoist cannot vouch for, if any
)");
}

TEST(Plan, SecretsNeverAppear) {
    auto p = pipeline(kRolling);
    auto plan = deploy::make_plan(p, "v2", {});
    std::string text = deploy::render_plan(plan, p) + deploy::plan_to_json(plan).dump();
    EXPECT_EQ(text.find("postgres://"), std::string::npos);
    EXPECT_NE(text.find("DATABASE_URL=***"), std::string::npos);
}

namespace {
/// The hosts each change of the pool leaves down, in order ("" for none).
std::vector<std::string> pool_changes(const hoist::deploy::Plan& plan) {
    std::vector<std::string> changes;
    for (const auto& s : plan.steps) {
        if (s.action != hoist::deploy::Action::drain && s.action != hoist::deploy::Action::enable) continue;
        std::string down;
        for (const auto& srv : s.pool())
            if (!srv.enabled) down += srv.host;
        changes.push_back(down);
    }
    return changes;
}
}  // namespace

TEST(Plan, RollingBatchesFollowMaxUnavailable) {
    auto p = pipeline(R"(service: web
image: r.example.com/web
hosts: [h1, h2, h3, h4, h5]
load_balancer: {type: nginx, host: lb, upstream: web, config_path: /x.conf}
strategy: {max_unavailable: 40%}
)");
    auto plan = deploy::make_plan(p, "t", {});
    ASSERT_EQ(plan.batches.size(), 3u);
    EXPECT_EQ(plan.batches[0], (std::vector<std::string>{"h1", "h2"}));
    EXPECT_EQ(plan.batches[2], (std::vector<std::string>{"h5"}));
    // Every change of the pool leaves exactly one batch down (the first takes batch 1 out; then
    // each puts its batch back and takes the next out in the same change), the last none.
    auto changes = pool_changes(plan);
    EXPECT_EQ(changes, (std::vector<std::string>{"h1h2", "h3h4", "h5", ""}));
}

TEST(Plan, RollingWithAPauseChangesThePoolTwicePerBatch) {
    auto p = pipeline(R"(service: web
image: r.example.com/web
hosts: [h1, h2, h3]
load_balancer: {type: nginx, host: lb, upstream: web, config_path: /x.conf}
strategy: {max_unavailable: 1, pause: 2s}
)");
    auto plan = deploy::make_plan(p, "t", {});
    auto changes = pool_changes(plan);
    EXPECT_EQ(changes, (std::vector<std::string>{"h1", "", "h2", "", "h3", ""}));
}

TEST(Plan, SingleHostRollingWarnsAboutDowntime) {
    auto p = pipeline(R"(service: web
image: r.example.com/web
hosts: [h1]
load_balancer: {type: nginx, host: lb, upstream: web, config_path: /x.conf}
)");
    auto plan = deploy::make_plan(p, "t", {});
    ASSERT_FALSE(plan.notes.empty());
    EXPECT_NE(plan.notes.back().find("consider strategy blue_green"), std::string::npos);
}

TEST(Plan, FirstBlueGreenDeployStartsBlue) {
    auto p = pipeline(kBlueGreen);
    deploy::FleetState state;
    state.observed = true;
    auto plan = deploy::make_plan(p, "v1", state);
    EXPECT_EQ(plan.new_color, "blue");
    for (const auto& s : plan.steps) EXPECT_NE(s.action, deploy::Action::stop);  // nothing to stop yet
}

// A tag names the container and its env file: `hoist rollback --to ../../../../srv/app/` wrote the
// secret env file elsewhere. Every way a tag comes in is checked against the pipeline's rule.
TEST(Plan, TagsThatAreNotTagsAreRefusedWhereverTheyComeFrom) {
    auto p = pipeline(kRolling);
    deploy::FleetState state;
    state.observed = true;
    for (std::string bad : {"../../../../srv/app/", "a/b", "..", "-x", ""}) {
        try {
            deploy::make_plan(p, bad, state);
            ADD_FAILURE() << "planned tag '" << bad << "'";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ExitCode::usage);
            EXPECT_NE(std::string(e.what()).find("a tag must be 1-128 characters"), std::string::npos) << e.what();
        }
    }
    EXPECT_THROW(deploy::resolve_tag(p, "../x"), Error);
    EXPECT_EQ(deploy::resolve_tag(p, "v2"), "v2");

    auto history = deploy::parse_history(
        R"({"event":"deploy","tag":"v2","previous_tag":"../../../../srv/app/","result":"updated"})" "\n");
    try {
        deploy::previous_tag(history, "v2", "deploy@10.0.1.11");
        ADD_FAILURE() << "took a previous tag from the history unchecked";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("the history on deploy@10.0.1.11 records a previous tag '../../../../srv/app/'"),
                  std::string::npos) << e.what();
    }
    auto good = deploy::parse_history(R"({"event":"deploy","tag":"v2","previous_tag":"v1","result":"updated"})" "\n");
    EXPECT_EQ(deploy::previous_tag(good, "v2", "h"), "v1");

    std::map<std::string, deploy::ObservedContainer> targets;
    for (const char* h : {"10.0.1.11", "10.0.1.12"}) {
        deploy::ObservedContainer c;
        c.name = "web-blue";
        c.version = "../../etc";
        c.color = "blue";
        c.port = 8081;
        targets[h] = c;
    }
    EXPECT_THROW(deploy::make_switch_back_plan(p, state, targets), Error);
}

// Once the tag of the running version is gone from a host, `ps` shows the container's image as its
// ID, which exists for as long as the container does: the pre-flight checks the tag a rollback
// runs (<image>:<version>) instead, so that a missing one is found.
TEST(Plan, PreflightChecksTheTagARollbackRunsNotTheContainersImage) {
    auto p = pipeline(kRolling);
    deploy::FleetState state;
    state.observed = true;
    state.hosts["10.0.1.11"] = live("v1", "web-v1", "", 8080, "sha256:f40b09ef75f2c9edce5674a343a264841e133622a2fa9bfbaa2212f6f4895815");
    state.hosts["10.0.1.12"] = live("v1", "web-v1", "", 8080, "registry.example.com/acme/web:v1");
    auto plan = deploy::make_plan(p, "v2", state);
    int checks = 0;
    for (const auto& s : plan.steps)
        if (s.action == deploy::Action::check && s.detail.find("previous image") != std::string::npos) {
            ++checks;
            ASSERT_EQ(s.commands().size(), 1u);
            EXPECT_EQ(s.commands()[0].argv.back(), "registry.example.com/acme/web:v1") << s.target;
            EXPECT_EQ(s.target, "10.0.1.11");
        }
    EXPECT_EQ(checks, 1) << "docker ps showed 10.0.1.12's image by the tag: no second look";
    for (const auto& s : plan.steps)
        if (s.target == "10.0.1.12" && s.action == deploy::Action::disk) {
            EXPECT_NE(s.detail.find("the previous image registry.example.com/acme/web:v1 is still there"), std::string::npos);
        }
}

TEST(Plan, HostsPullWithThePushCredentialsOnStdinOnly) {
    auto p = pipeline(kRolling);
    deploy::FleetState state;
    registry::Credentials c;
    c.username = "ci";
    c.password = Secret("s3cr3t-pw");
    c.source = "credHelpers (docker-credential-ecr-login)";
    auto plan = deploy::make_plan(p, "v2", state, {.pull_credentials = &c});
    EXPECT_EQ(plan.pull_auth.reveal(),
              R"({"auths":{"registry.example.com":{"auth":")" + hoist::base64_encode("ci:s3cr3t-pw") + R"("}}})");
    int pulls = 0;
    for (const auto& s : plan.steps) {
        if (s.action != deploy::Action::pull) continue;
        ++pulls;
        EXPECT_EQ(s.detail, "pull the new image with the credentials of credHelpers (docker-credential-ecr-login) "
                            "(user ci), given on stdin to this pull only and removed from the host afterwards");
        for (const auto& cmd : s.commands()) EXPECT_EQ(cmd.render().find("s3cr3t"), std::string::npos) << cmd.render();
    }
    EXPECT_EQ(pulls, 2);
    std::string shown = deploy::render_plan(plan, p) + deploy::plan_to_json(plan).dump();
    EXPECT_EQ(shown.find("s3cr3t-pw"), std::string::npos);
    EXPECT_EQ(shown.find(hoist::base64_encode("ci:s3cr3t-pw")), std::string::npos);

    // anonymous: a plain pull, nothing on stdin
    registry::Credentials none;
    auto anon = deploy::make_plan(p, "v2", state, {.pull_credentials = &none});
    EXPECT_TRUE(anon.pull_auth.empty());
    // no explicit credentials: the pipeline's own
    auto q = p;
    q.registry.username = "u";
    q.registry.password = Secret("pw");
    auto own = deploy::make_plan(q, "v2", state);
    EXPECT_EQ(own.pull_auth.reveal(),
              R"({"auths":{"registry.example.com":{"auth":")" + hoist::base64_encode("u:pw") + R"("}}})");
}

TEST(Plan, ReleaseCommandRunsOnceAfterEveryPreflightAndBeforeAnySwap) {
    auto p = pipeline(std::string(kRolling) + "release_command: [bin/migrate, --all]\n");
    deploy::FleetState state;
    state.observed = true;
    state.hosts["10.0.1.11"] = live("v1", "web-v1", "", 8080, "registry.example.com/acme/web:v1");
    state.hosts["10.0.1.12"] = live("v1", "web-v1", "", 8080, "registry.example.com/acme/web:v1");
    auto plan = deploy::make_plan(p, "v2", state);
    std::size_t release = plan.steps.size(), last_preflight = 0, first_change = plan.steps.size();
    int releases = 0;
    for (std::size_t i = 0; i < plan.steps.size(); ++i) {
        const auto& s = plan.steps[i];
        if (s.action == deploy::Action::release) {
            ++releases;
            release = i;
            EXPECT_EQ(s.target, "10.0.1.11");
            EXPECT_EQ(s.commands().at(0).render(),
                      "docker run --rm --name web-release-v2 --label hoist.release=web --env APP_ENV=production "
                      "--env-file .hoist/web/web-release-v2.env registry.example.com/acme/web:v2 bin/migrate --all");
        } else if (s.batch == 0 && s.action != deploy::Action::record) {
            last_preflight = i;
        } else if (s.batch > 0 && first_change == plan.steps.size()) {
            first_change = i;
        }
    }
    EXPECT_EQ(releases, 1);
    EXPECT_GT(release, last_preflight);
    EXPECT_LT(release, first_change);
    EXPECT_NE(deploy::render_plan(plan, p).find("Release command, once"), std::string::npos);
    // a rollback skips it
    auto rb = deploy::make_plan(p, "v1", state, {.pull_if_missing = true});
    for (const auto& s : rb.steps) EXPECT_NE(s.action, deploy::Action::release);
}

TEST(Plan, OneBatchIsSaidInTheSingular) {
    // without a load balancer every host may change at once
    auto p = pipeline("service: web\nimage: registry.example.com/acme/web\nhosts: [10.0.1.11, 10.0.1.12]\n"
                      "container: {port: 8080}\nstrategy: {type: rolling, max_unavailable: 100%}\n");
    auto plan = deploy::make_plan(p, "v2", deploy::FleetState{});
    auto out = deploy::render_plan(plan, p);
    EXPECT_NE(out.find("rolling in 1 batch of 2,"), std::string::npos) << out;
}

// A pool change's commands in the plan are the driver's own (lb/nginx.hpp), the command nginx's
// driver runs when the engine applies the pool: there is no second, printed-only version.
TEST(Plan, ANginxPoolChangeCarriesTheCommandTheDriverRuns) {
    auto p = test::load(
                 "service: web\nimage: r.example.com/web\nhosts: [h1, h2]\n"
                 "load_balancer: {type: nginx, host: lb, upstream: web, config_path: /etc/x.conf, "
                 "test_command: 'nginx -t -q', reload_command: 'nginx -s reload'}\n")
                 .pipeline;
    auto plan = deploy::make_plan(p, "v2", deploy::FleetState{});
    int pool_steps = 0;
    for (const auto& s : plan.steps) {
        if (s.action != deploy::Action::drain && s.action != deploy::Action::enable) continue;
        ++pool_steps;
        ASSERT_EQ(s.commands().size(), 1u);
        EXPECT_EQ(s.commands()[0], lb::nginx_apply_command("/etc/x.conf", "nginx -t -q", "nginx -s reload"));
    }
    EXPECT_GT(pool_steps, 0);
}
