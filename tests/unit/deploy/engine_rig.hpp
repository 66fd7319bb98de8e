#pragma once
// The deploy engine on fake hosts (FakeHost) behind a fake load balancer, for unit tests of its
// logic: a two-host pipeline (h1, h2) behind nginx, what runs where, and a pacer that can stand in
// for SIGINT after a number of sleeps.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <memory>

#include "../test_support.hpp"
#include "deploy/engine.hpp"
#include "fake_host.hpp"

namespace hoist::test {

struct Rig {
    config::Pipeline p;
    std::map<std::string, FakeHost*> hosts;
    std::unique_ptr<ssh::Fleet> fleet;
    FakeBalancer lb;
    deploy::FleetState state;
    std::atomic<int> sleeps{0};
    int stop_after_sleeps = -1;  ///< simulate SIGINT after this many sleeps
    std::unique_ptr<deploy::Pacer> pacer;
    std::map<std::string, Secret> secrets;  ///< container.secret_env values for run()
    std::FILE* sink = std::tmpfile();
    report::Output out{report::OutputOptions{}, sink, sink};

    explicit Rig(const std::string& extra = "", const std::string& host_list = "[h1, h2]") {
        std::string container = extra.find("container:") == std::string::npos
                                    ? "container: {port: 8080, host_port: 8080, stop_timeout: 1s}\n"
                                    : "";
        auto r = test::load("service: web\nimage: r.example.com/web\nhosts: " + host_list + "\n" + container +
                            "healthcheck: {interval: 10ms, deadline: 150ms}\n"
                            "load_balancer: {type: nginx, host: lb, upstream: web, config_path: /x.conf, drain_time: 1s}\n" +
                            extra);
        EXPECT_TRUE(r.ok()) << test::messages(r);
        p = r.pipeline;
        std::vector<ssh::Target> targets;
        for (const auto& h : p.hosts) targets.push_back(ssh::Target{h.address, {}, {}});
        fleet = std::make_unique<ssh::Fleet>(targets, 8, [this](const ssh::Target& t) {
            auto c = std::make_unique<FakeHost>(t.name);
            hosts[t.name] = c.get();
            return c;
        });
        for (const auto& h : p.hosts) fleet->connection(h.address);  // create the fakes now
        pacer = std::make_unique<deploy::Pacer>(
            [this](std::chrono::milliseconds) { return !(stop_after_sleeps >= 0 && ++sleeps > stop_after_sleeps); },
            [this] { return stop_after_sleeps >= 0 && sleeps > stop_after_sleeps; },
            [](std::chrono::milliseconds) { return true; });
        state.observed = true;
    }
    ~Rig() { std::fclose(sink); }

    /// Host `h` runs `name` (version `v`) on `port`, and the load balancer routes to it.
    void running(const std::string& h, const std::string& name, const std::string& v, int port,
                 const std::string& color = "") {
        hosts[h]->add_container(name, port, true);
        deploy::ObservedContainer c{name, v, color, "running", "r.example.com/web:" + v, port, "t"};
        state.hosts[h] = deploy::live_host({c}, nullptr);
        if (!state.pool) state.pool = lb::Pool{};
        state.pool->push_back({h, port, true, ""});
        lb.m_current = state.pool;
        if (!color.empty()) state.active_color = color;
    }

    deploy::Plan plan;  ///< the last run's

    deploy::RolloutResult run(const std::string& tag) { return run(tag, out); }
    /// With the events written to `o` (e.g. JSON lines to read back).
    deploy::RolloutResult run(const std::string& tag, report::Output& o) {
        plan = deploy::make_plan(p, tag, state);
        return execute(o);
    }
    /// Runs `plan` as it is (a test may have changed its steps).
    deploy::RolloutResult execute(report::Output& o) {
        deploy::EngineEnv env{*fleet, &lb, o, *pacer, secrets, "id", "test@here", "deploy"};
        return deploy::execute(p, plan, state, env);
    }
};

}  // namespace hoist::test
