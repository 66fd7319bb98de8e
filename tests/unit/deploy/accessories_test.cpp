// Accessories: validation of the section (located errors), the container's exact `docker run`,
// and the settings digest that makes `boot` idempotent.
#include "deploy/accessories.hpp"

#include <gtest/gtest.h>

#include "../test_support.hpp"
#include "util/error.hpp"

using namespace hoist;

namespace {

const char* kBase = "service: web\nimage: registry.example.com/acme/web\nhosts: [10.0.1.11]\ncontainer: {port: 8080}\n";

config::Pipeline load_ok(const std::string& extra) {
    auto r = test::load(std::string(kBase) + extra, {});
    EXPECT_TRUE(r.ok()) << test::messages(r);
    return r.pipeline;
}

std::string problems(const std::string& extra) {
    auto r = test::load(std::string(kBase) + extra, {});
    EXPECT_FALSE(r.ok()) << extra;
    return test::messages(r);
}

}  // namespace

TEST(Accessories, ParsedWithHostDefaultsAndTheExactRunCommand) {
    auto p = load_ok("ssh: {user: deploy, port: 2222}\naccessories:\n  redis:\n    image: redis:7.2\n    host: 10.0.1.31\n"
                     "    port: \"127.0.0.1:6379:6379\"\n    volumes: [\"/var/lib/redis:/data\"]\n    env: {A: b}\n"
                     "    secret_env: [REDIS_PASSWORD]\n    command: [redis-server, --appendonly, \"yes\"]\n"
                     "    options: [--memory, 256m]\n");
    ASSERT_EQ(p.accessories.count("redis"), 1u);
    const auto& a = p.accessories.at("redis");
    ASSERT_EQ(a.hosts.size(), 1u);
    EXPECT_EQ(a.hosts[0].address, "10.0.1.31");
    EXPECT_EQ(a.hosts[0].user, "deploy");
    EXPECT_EQ(a.hosts[0].port, 2222);
    EXPECT_EQ(deploy::container_name(p, a), "web-redis");
    EXPECT_EQ(deploy::run_accessory(p, a, ".hoist/web/web-redis.env").render(),
              "docker run --detach --name web-redis --restart unless-stopped --label hoist.accessory=redis "
              "--label hoist.accessory-of=web --label hoist.settings=" + deploy::settings_digest(a) +
              " --publish 127.0.0.1:6379:6379 --env A=b --env-file .hoist/web/web-redis.env --volume /var/lib/redis:/data "
              "--memory 256m redis:7.2 redis-server --appendonly yes");
}

TEST(Accessories, SettingsDigestChangesWithEverySettingButNotWithSecretValues) {
    auto p = load_ok("accessories:\n  r:\n    image: redis:7.2\n    hosts: [10.0.1.31, 10.0.1.32]\n    secret_env: [PW]\n");
    auto a = p.accessories.at("r");
    std::string d = deploy::settings_digest(a);
    EXPECT_EQ(d.size(), 16u);
    EXPECT_EQ(deploy::settings_digest(a), d) << "stable";
    for (int i = 0; i < 6; ++i) {
        auto b = a;
        if (i == 0) b.image = "redis:7.4";
        if (i == 1) b.port = "6379:6379";
        if (i == 2) b.volumes = {"/x:/y"};
        if (i == 3) b.env["K"] = "v";
        if (i == 4) b.command = {"x"};
        if (i == 5) b.options = {"--cpus", "1"};
        EXPECT_NE(deploy::settings_digest(b), d) << i;
    }
    // list boundaries count: ["a b"] is not ["a", "b"]
    auto c1 = a, c2 = a;
    c1.command = {"a b"};
    c2.command = {"a", "b"};
    EXPECT_NE(deploy::settings_digest(c1), deploy::settings_digest(c2));
}

TEST(Accessories, BadSettingsAreLocatedErrors) {
    EXPECT_NE(problems("accessories:\n  r:\n    host: 10.0.1.31\n").find("image"), std::string::npos);
    EXPECT_NE(problems("accessories:\n  r:\n    image: redis\n").find("host"), std::string::npos);
    EXPECT_NE(problems("accessories:\n  r:\n    image: redis\n    host: a\n    hosts: [b]\n").find("both"), std::string::npos);
    auto port = problems("accessories:\n  r:\n    image: redis\n    host: a\n    port: \"6379:99999\"\n");
    EXPECT_NE(port.find("docker -p"), std::string::npos) << port;
    EXPECT_NE(port.find("hoist.yml:9:"), std::string::npos) << "located: " << port;
    EXPECT_NE(problems("accessories:\n  Bad_Name:\n    image: redis\n    host: a\n").find("Bad_Name"), std::string::npos);
    EXPECT_NE(problems("accessories:\n  r:\n    image: redis\n    host: a\n    size: 3\n").find("size"), std::string::npos);
    EXPECT_NE(problems("accessories: [redis]\n").find("map"), std::string::npos);
    for (const char* ok : {"6379", "6379:6379", "127.0.0.1:6379:6379", "127.0.0.1::6379", "53:53/udp", "[::1]:80:80"})
        load_ok(std::string("accessories:\n  r:\n    image: redis\n    host: a\n    port: \"") + ok + "\"\n");
}

TEST(Accessories, SelectionNamesTheKnownOnes) {
    auto p = load_ok("accessories:\n  redis:\n    image: redis\n    host: a\n  db:\n    image: postgres\n    host: b\n");
    EXPECT_EQ(deploy::select_accessories(p, "all").size(), 2u);
    EXPECT_EQ(deploy::select_accessories(p, "db").size(), 1u);
    try {
        deploy::select_accessories(p, "nope");
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("db, redis"), std::string::npos) << e.what();
    }
    auto q = deploy::accessory_fleet_pipeline(p, deploy::select_accessories(p, "all"));
    EXPECT_EQ(q.hosts.size(), 2u);
}
