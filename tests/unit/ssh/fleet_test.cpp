// The fleet executor on fake connections: bounded parallelism, per-host outcomes as values, a host
// that fails never affects the others.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "ssh/fake_connection.hpp"
#include "ssh/fleet.hpp"

using namespace hoist::ssh;

namespace {

std::vector<Target> targets(int n) {
    std::vector<Target> out;
    for (int i = 0; i < n; ++i) out.push_back(Target{"10.0.0." + std::to_string(i), {}, {}});
    return out;
}

}  // namespace

TEST(Fleet, RunsEveryHostAtMostMaxParallelAtOnce) {
    std::atomic<int> running{0}, peak{0};
    Fleet fleet(targets(20), 4, [](const Target& t) { return std::make_unique<FakeConnection>(t.name); });
    auto out = fleet.each<int>([&](const std::string& host, Connection&) {
        int now = ++running;
        int p = peak.load();
        while (now > p && !peak.compare_exchange_weak(p, now)) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        --running;
        return std::stoi(host.substr(host.rfind('.') + 1));
    });
    ASSERT_EQ(out.size(), 20u);
    for (int i = 0; i < 20; ++i) {
        EXPECT_EQ(out[i].host, "10.0.0." + std::to_string(i));  // target order, whatever finished first
        ASSERT_TRUE(out[i].ok());
        EXPECT_EQ(*out[i].value, i);
    }
    EXPECT_EQ(peak.load(), 4);
}

TEST(Fleet, FailuresAreOutcomesNotExceptions) {
    std::vector<FakeConnection*> fakes(3);
    Fleet fleet(targets(3), 8, [&](const Target& t) -> std::unique_ptr<Connection> {
        if (t.name == "10.0.0.1") throw Error(ErrorKind::connect, t.name + ":22: cannot connect: Connection refused");
        auto c = std::make_unique<FakeConnection>(t.name);
        c->on_exec("false", ExecResult{1, "", "", "", false, {}});
        if (t.name == "10.0.0.2") c->fail_with(ErrorKind::disconnected, "the host dropped the connection");
        return c;
    });
    auto out = fleet.each<ExecResult>([](const std::string&, Connection& c) { return c.exec("false", {}); });
    EXPECT_TRUE(out[0].ok());
    EXPECT_EQ(out[0].value->exit_code, 1);
    EXPECT_FALSE(out[1].ok());
    EXPECT_EQ(out[1].kind, ErrorKind::connect);
    EXPECT_EQ(out[1].error, "10.0.0.1:22: cannot connect: Connection refused");
    EXPECT_FALSE(out[2].ok());
    EXPECT_EQ(out[2].kind, ErrorKind::disconnected);
}

TEST(Fleet, ConnectsOncePerHostAndReusesTheConnection) {
    std::atomic<int> connects = 0;  // the connector runs on the host threads
    Fleet fleet(targets(2), 2, [&](const Target& t) {
        ++connects;
        return std::make_unique<FakeConnection>(t.name);
    });
    for (int i = 0; i < 3; ++i) fleet.each<int>([](const std::string&, Connection& c) { return c.exec("true", {}).exit_code; });
    EXPECT_EQ(connects.load(), 2);
    auto& c = dynamic_cast<FakeConnection&>(fleet.connection("10.0.0.1"));
    EXPECT_EQ(c.commands_ran().size(), 3u);
}

TEST(Fleet, SubsetAndUnknownHost) {
    Fleet fleet(targets(3), 2, [](const Target& t) { return std::make_unique<FakeConnection>(t.name); });
    auto out = fleet.each<std::string>([](const std::string& h, Connection&) { return h; }, {"10.0.0.2", "10.0.0.0"});
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(*out[0].value, "10.0.0.2");
    EXPECT_THROW(fleet.connection("10.9.9.9"), std::out_of_range);
}

TEST(FakeConnection, RecordsAndScripts) {
    FakeConnection c;
    c.on_exec("docker ps", ExecResult{0, "", "abc\n", "", false, {}});
    std::string streamed;
    ExecOptions o;
    o.input = "secret";
    o.on_output = [&](Stream, std::string_view s) { streamed += s; };
    EXPECT_EQ(c.exec(hoist::remote::Command{{"docker", "ps", "-q"}}, o).out, "abc\n");
    EXPECT_EQ(streamed, "abc\n");
    EXPECT_EQ(c.commands_ran(), std::vector<std::string>{"docker ps -q"});
    EXPECT_EQ(c.inputs(), std::vector<std::string>{"secret"});
    c.upload("~/.hoist/web/env", "A=1\n", 0600);
    EXPECT_EQ(c.uploads()[0].mode, 0600);
    HttpResponse ok;
    ok.status = 200;
    c.on_http(8080, "/healthz", {HttpResponse{}, ok});
    EXPECT_EQ(c.http_get(8080, "/healthz", std::chrono::seconds(1)).status, 0);
    EXPECT_EQ(c.http_get(8080, "/healthz", std::chrono::seconds(1)).status, 200);
    EXPECT_EQ(c.http_get(8080, "/healthz", std::chrono::seconds(1)).status, 200);  // the last repeats
    EXPECT_EQ(c.http_get(9, "/", std::chrono::seconds(1)).status, 0);
}
