// hoist push against the test fleet's registry (tests/fleet: open, Basic and token flavours on
// one storage) and pulled back by a real `docker pull` on a fleet host's own dockerd. Needs
// HOIST_FLEET_JSON (the fleet.json that `tests/fleet/fleet up` writes); without it these tests
// FAIL, they never skip: the acceptance claim "docker pulls what hoist pushed" needs the fleet.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "fixture.hpp"
#include "../fleet_json.hpp"
#include "oci/image_store.hpp"
#include "oci/manifest.hpp"
#include "oci/media_types.hpp"
#include "registry/client.hpp"
#include "registry/reference.hpp"
#include "util/process.hpp"

using namespace hoist;
using namespace hoist::itest;
using nlohmann::json;

namespace {
/// fleet.json, or a test failure that says how to get one.
json fleet_or_fail() {
    const char* path = ::hoist::itest::fleet_json_path();
    if (!path || !*path) {
        ADD_FAILURE() << "HOIST_FLEET_JSON is not set: these tests need the test fleet. Bring one up with "
                         "`tests/fleet/fleet up` (as root) and export HOIST_FLEET_JSON=<fleet dir>/fleet.json "
                         "(tests/run-all.sh does both).";
        return nullptr;
    }
    std::ifstream in(path);
    json j = json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.contains("registry") || j["registry"].is_null() || j["hosts"].empty() ||
        !j["hosts"][0].contains("docker_host")) {
        ADD_FAILURE() << path << ": not a fleet.json of a fleet with a registry and docker hosts";
        return nullptr;
    }
    return j;
}

ProcessResult docker(const json& host, std::vector<std::string> args, const std::string& config_dir) {
    std::vector<std::string> argv{"docker", "-H", host["docker_host"].get<std::string>()};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions o;
    o.env["DOCKER_CONFIG"] = config_dir;
    return run_process(argv, o);
}

std::string unique(const std::string& base) { return base + "-" + std::to_string(getpid()); }

void push_and_docker_pull(const std::string& flavour) {
    json f = fleet_or_fail();
    if (f.is_null()) return;
    json reg = f["registry"][flavour];
    ASSERT_TRUE(reg.is_object()) << "the fleet has no " << flavour << " registry";
    std::string ref = reg["host"].get<std::string>() + "/hoist-test/" + unique("pushed-" + flavour) + ":v1";
    TempDir cache, docker_config;
    std::map<std::string, std::string> env{{"XDG_CACHE_HOME", cache.path}, {"DOCKER_CONFIG", docker_config.path}};
    std::string creds;
    if (reg.contains("username")) {
        creds = reg["username"].get<std::string>() + ":" + reg["password"].get<std::string>();
        std::ofstream(cache.path + "/hoist.yml") << "service: web\nimage: " << reg["host"].get<std::string>()
                                                 << "/hoist-test/app\nregistry:\n  username: " << reg["username"].get<std::string>()
                                                 << "\n  password: ${REG_PASSWORD}\n  insecure: true\nhosts: [10.0.0.1]\n";
        env["REG_PASSWORD"] = reg["password"];
    }
    // 0.03: layers of 1-3 MiB, so each is several gzip members (gzip_stream.hpp) that dockerd must accept
    auto r = run_hoist({"-o", "json", "push", "--insecure", "--from", "docker-archive:" + test_archive(0.03, 7), "--to", ref},
                       env, cache.path);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::string digest = r.event("pushed")["digest"];
    EXPECT_EQ(skopeo_digest(ref, creds), digest);

    const json& host = f["hosts"][0];
    if (!creds.empty()) {
        auto login = docker(host, {"login", "-u", reg["username"], "-p", reg["password"], reg["host"]}, docker_config.path);
        ASSERT_EQ(login.exit_code, 0) << login.err;
    }
    auto pull = docker(host, {"pull", ref}, docker_config.path);
    ASSERT_EQ(pull.exit_code, 0) << pull.out << pull.err;
    EXPECT_NE(pull.out.find(digest), std::string::npos) << pull.out;
    auto inspect = docker(host, {"image", "inspect", "--format", "{{json .RepoDigests}}", ref}, docker_config.path);
    EXPECT_NE(inspect.out.find(digest), std::string::npos) << inspect.out << inspect.err;
    docker(host, {"rmi", ref}, docker_config.path);
}
}  // namespace

TEST(FleetRegistry, OpenPushIsPulledByDockerOnAFleetHost) { push_and_docker_pull("open"); }
TEST(FleetRegistry, BasicAuthPushIsPulledByDockerOnAFleetHost) { push_and_docker_pull("basic"); }
TEST(FleetRegistry, TokenAuthPushIsPulledByDockerOnAFleetHost) { push_and_docker_pull("token"); }

TEST(FleetRegistry, PushFromADockerDaemon) {
    json f = fleet_or_fail();
    if (f.is_null()) return;
    const json& host = f["hosts"][0];
    TempDir cache, docker_config;
    auto load = docker(host, {"load", "-i", test_archive(0.01, 8)}, docker_config.path);
    ASSERT_EQ(load.exit_code, 0) << load.err;
    std::string ref = f["registry"]["open"]["host"].get<std::string>() + "/hoist-test/" + unique("from-daemon") + ":v1";
    auto r = run_hoist({"-o", "json", "push", "--insecure", "--from", "docker-daemon:hoist-bench:latest", "--to", ref},
                       {{"XDG_CACHE_HOME", cache.path}, {"DOCKER_HOST", host["docker_host"]}}, cache.path);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(skopeo_digest(ref), r.event("pushed")["digest"]);
    // The same image through skopeo from the same daemon has the same config (= the same image).
    auto raw = run_process({"skopeo", "inspect", "--tls-verify=false", "--config", "docker://" + ref});
    ASSERT_EQ(raw.exit_code, 0) << raw.err;
    EXPECT_NE(raw.out.find("\"seed\": \"8\""), std::string::npos) << raw.out;
    // A missing image: exit 5 with the Engine's message.
    auto missing = run_hoist({"push", "--insecure", "--from", "docker-daemon:no-such-image:v9", "--to", ref},
                             {{"XDG_CACHE_HOME", cache.path}, {"DOCKER_HOST", host["docker_host"]}}, cache.path);
    EXPECT_EQ(missing.exit_code, 5);
    EXPECT_NE(missing.err.find("no-such-image"), std::string::npos) << missing.err;
}

TEST(FleetRegistry, ClientPullsManifestAndConfigOfTheFleetsBaseImage) {
    json f = fleet_or_fail();
    if (f.is_null()) return;
    auto ref = registry::Reference::parse(f["images"]["base"].get<std::string>());
    registry::ClientOptions o;
    o.insecure = true;
    registry::Client client(ref.api_host(), ref.repository, registry::Credentials{}, o);
    client.auth().set_scopes({"repository:" + ref.repository + ":pull"});
    auto m = client.get_manifest_for(ref.tag, oci::Platform::parse("linux/amd64"));
    EXPECT_TRUE(oci::media::is_manifest(m.media_type)) << m.media_type;
    EXPECT_EQ(skopeo_digest(ref.str()), m.digest.str());
    auto manifest = oci::parse_manifest(m.bytes, "base");
    std::string config = client.get_blob(manifest.config.digest);
    auto cj = json::parse(config);
    EXPECT_EQ(cj["architecture"], "amd64");
    EXPECT_EQ(cj["rootfs"]["diff_ids"].size(), manifest.layers.size());
    EXPECT_FALSE(client.head_manifest("no-such-tag-" + std::to_string(getpid())).has_value());
}

TEST(FleetRegistry, ClientPullsThroughTokenAuthWithTheReadOnlyUser) {
    json f = fleet_or_fail();
    if (f.is_null()) return;
    json tok = f["registry"]["token"];
    auto base = registry::Reference::parse(f["images"]["base"].get<std::string>());
    registry::Credentials c;
    c.username = tok["readonly_username"];
    c.password = Secret(tok["readonly_password"].get<std::string>());
    c.source = "test";
    registry::ClientOptions o;
    o.insecure = true;
    registry::Client client(tok["host"], base.repository, c, o);
    client.auth().set_scopes({"repository:" + base.repository + ":pull"});
    client.probe();
    auto m = client.get_manifest_for(base.tag, oci::Platform::parse("linux/amd64"));
    EXPECT_EQ(client.auth().mode(), "bearer");
    EXPECT_EQ(skopeo_digest(tok["host"].get<std::string>() + "/" + base.repository + ":" + base.tag,
                            c.username + ":" + c.password.reveal()),
              m.digest.str());
}
