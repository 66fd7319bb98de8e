// Zero-downtime deploys on the real fleet: nginx with `proxy_next_upstream off` in front of three
// hosts with their own dockerd, slow requests in flight, a new connection per request. Every
// failed request counts. Keep-alive clients run beside them and are asserted too: nginx's reload
// closes idle keep-alive connections (a client without retries sees that), so those resets are
// allowed up to one per connection and reload, and nothing else is (expect_keepalive).
#include <algorithm>
#include <fstream>

#include "deploy_fixture.hpp"
#include "util/strings.hpp"

namespace hoist::dtest {

namespace {

/// How many times the deploy changed the load balancer's pool (one nginx reload each).
int pool_changes(const HoistRun& r) {
    int n = 0;
    for (const auto& line : split(r.out, '\n')) {
        auto ev = nlohmann::json::parse(line, nullptr, false);
        if (ev.is_object() && ev.value("event", "") == "step" && ev.value("host", "") == "lb" &&
            (ev.value("action", "") == "drain" || ev.value("action", "") == "enable" || ev.value("action", "") == "switch"))
            ++n;
    }
    return n;
}

/// Keep-alive clients (no retries) during a deploy: every request answered 2xx, and the only
/// failures allowed are the ones nginx's reload makes by design: a reused connection that was idle
/// when the old worker closed it, reset before any byte of its answer. Each reload closes each of
/// the load generator's connections at most once, so there are at most connections x reloads of
/// them; anything else (a refused or timed-out connection, a cut answer, a 502) fails the test.
void expect_keepalive(const nlohmann::json& ka, const std::string& what, int reloads) {
    ASSERT_TRUE(ka.is_object()) << what << ": the keep-alive load generator printed no result";
    long reused = ka["errors"]["reused_conn_closed"].get<long>();
    std::printf("[ keep-alive ] %s: %ld requests, %ld non-2xx, %ld socket errors (%ld reused connections closed by "
                "%d reloads)\n",
                what.c_str(), ka["requests"].get<long>(), ka["non2xx"].get<long>(), ka["socket_errors"].get<long>(),
                reused, reloads);
    ::testing::Test::RecordProperty(what + "_keepalive_socket_errors", std::to_string(ka["socket_errors"].get<long>()));
    EXPECT_GT(ka["requests"].get<long>(), 100) << what << ": " << ka.dump();
    EXPECT_EQ(ka["non2xx"].get<long>(), 0) << what << ": " << ka.dump();
    EXPECT_EQ(ka["socket_errors"].get<long>() - reused, 0)
        << what << ": keep-alive errors other than a reload closing an idle connection: " << ka.dump();
    EXPECT_LE(reused, static_cast<long>(ka["concurrency"].get<int>()) * reloads)
        << what << ": more closed keep-alive connections than reloads can explain: " << ka.dump();
}

}  // namespace

TEST_F(DeployTest, RollingDeployUnderLoadFailsNoRequest) {
    pipeline("");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v1") << h;

    Load close(nginx_url(), "close", 2, 1, m_dir);
    Load keepalive(nginx_url(), "keepalive", 0, 1, m_dir);
    auto r = hoist({"-o", "json", "deploy", "--tag", "v2"});
    auto load = close.stop();
    auto ka = keepalive.stop();
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_no_failures(load, "rolling v1 -> v2");
    EXPECT_GT(load["versions"].value("v2", 0), 0) << load.dump();
    expect_keepalive(ka, "rolling", pool_changes(r));

    auto s = r.summary();
    EXPECT_EQ(s["event"], "summary");
    EXPECT_EQ(s["result"], "succeeded");
    EXPECT_EQ(s["tag"], "v2");
    EXPECT_EQ(s["previous_tag"], "v1");
    EXPECT_EQ(s["strategy"], "rolling");
    ASSERT_EQ(s["hosts"].size(), 3u);
    for (const auto& h : s["hosts"]) {
        EXPECT_EQ(h["result"], "updated");
        EXPECT_EQ(h["version"], "v2");
    }
    auto now = served();
    ASSERT_EQ(now.size(), 3u) << "every host back in the pool";
    for (const auto& [h, v] : now) EXPECT_EQ(v, "v2") << h;
    EXPECT_FALSE(lock_held());
    // the previous version stays on every host (stopped), so a rollback needs no registry
    auto st = hoist({"-o", "json", "status"});
    EXPECT_EQ(st.exit_code, 0) << st.err;
    auto summary = st.summary();  // a range-for over a temporary's member would dangle
    for (const auto& h : summary["hosts"]) {
        bool kept = false;
        for (const auto& c : h["containers"]) kept = kept || (c["name"] == "app-v1" && c["state"] == "exited");
        EXPECT_TRUE(kept) << h.dump();
    }
}

TEST_F(DeployTest, BlueGreenSwitchUnderLoadFailsNoRequestAndRollsBackInstantly) {
    pipeline("strategy: { type: blue_green, ports: { blue: 8081, green: 8082 }, keep_previous: true }\n");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    EXPECT_EQ(pool().size(), 3u);
    for (const auto& m : pool()) EXPECT_NE(m.find(":8081"), std::string::npos) << "first colour is blue: " << m;

    Load close(nginx_url(), "close", 2, 1, m_dir);
    Load keepalive(nginx_url(), "keepalive", 0, 1, m_dir);
    auto r = hoist({"-o", "json", "deploy", "--tag", "v2"});
    auto load = close.stop();
    auto ka = keepalive.stop();
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_no_failures(load, "blue/green v1 -> v2");
    expect_keepalive(ka, "blue_green", pool_changes(r));
    auto s = r.summary();
    EXPECT_EQ(s["color"], "green");
    ASSERT_TRUE(s.contains("switch_ms"));
    std::printf("[ blue/green ] last green healthy -> nginx reloaded: %ld ms\n", s["switch_ms"].get<long>());
    RecordProperty("switch_ms", std::to_string(s["switch_ms"].get<long>()));
    for (const auto& m : pool()) EXPECT_NE(m.find(":8082"), std::string::npos) << m;
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v2") << h;
    for (const auto& h : m_hosts) EXPECT_EQ(get(h, 8081, "/version"), "v1") << "blue keeps running: " << h;

    Load again(nginx_url(), "close", 2, 1, m_dir);
    auto t0 = std::chrono::steady_clock::now();
    auto rb = hoist({"-o", "json", "rollback"});
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    auto load2 = again.stop();
    ASSERT_EQ(rb.exit_code, 0) << rb.err;
    expect_no_failures(load2, "rollback switch", false);
    std::printf("[ blue/green ] hoist rollback (probe + switch back), whole command: %ld ms\n", static_cast<long>(ms));
    RecordProperty("rollback_ms", std::to_string(ms));
    EXPECT_EQ(rb.summary()["tag"], "v1");
    for (const auto& m : pool()) EXPECT_NE(m.find(":8081"), std::string::npos) << m;
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v1") << h;
}

TEST_F(DeployTest, RedeployOfTheRunningTagChangesNothing) {
    pipeline("");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    auto r = hoist({"-o", "json", "deploy", "--tag", "v1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto summary = r.summary();
    for (const auto& h : summary["hosts"]) EXPECT_EQ(h["result"], "unchanged");
}

TEST_F(DeployTest, HistoryRecordsEveryDeployOnEveryHost) {
    pipeline("");
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    ASSERT_EQ(hoist({"deploy", "--tag", "v2"}).exit_code, 0);
    for (const auto& h : m_fleet["hosts"]) {
        std::string text = read(h["home"].get<std::string>() + "/.hoist/app/history.jsonl");
        EXPECT_NE(text.find("\"tag\":\"v1\""), std::string::npos) << text;
        EXPECT_NE(text.find("\"previous_tag\":\"v1\",\"result\":\"updated\""), std::string::npos) << text;
    }
    auto r = hoist({"-o", "json", "history"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.summary()["entries"], 6);
    // rolling rollback: back to v1 from the image kept on each host
    auto rb = hoist({"rollback"});
    ASSERT_EQ(rb.exit_code, 0) << rb.err;
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v1") << h;
}

}  // namespace hoist::dtest

namespace hoist::dtest {

// nginx's drain ends when nginx has no connection left to the drained host (seen on the LB host),
// not at drain_time: with 4 s requests always in flight and a drain_time of 20 s, every drain
// waits for its host's slow requests (none is cut) and none runs into the 20 s limit.
TEST_F(DeployTest, NginxDrainEndsWhenTheRequestsInFlightFinished) {
    std::string path = pipeline("");
    std::string text = read(path);
    auto at = text.find("drain_time: 1500ms");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, 18, "drain_time: 20s");
    std::ofstream(path) << text;
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    // Nine 4 s requests always in flight, ~3 per host: with 3 (one per host) all three drains found
    // less than 1 s of their request left now and then (max 396 ms in one clean-clone run).
    Load load(nginx_url(), "close", 9, 4, m_dir);
    auto r = hoist({"-o", "json", "deploy", "--tag", "v2"});
    auto l = load.stop();
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_no_failures(l, "drains that end with the last request in flight");
    std::vector<long> waits;
    for (const auto& line : split(r.out, '\n')) {
        auto ev = nlohmann::json::parse(line, nullptr, false);
        if (ev.is_object() && ev.value("event", "") == "step" && ev.value("action", "") == "wait")
            waits.push_back(ev["duration_ms"].get<long>());
    }
    ASSERT_EQ(waits.size(), 3u) << r.out;
    for (long ms : waits) EXPECT_LT(ms, 10000) << "a drain ran into the 20 s limit";
    EXPECT_GE(*std::max_element(waits.begin(), waits.end()), 1000) << "no drain waited for its slow requests";
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v2") << h;
}

}  // namespace hoist::dtest
