// hoist-built images on the test fleet: one pushed by hoist and run by a fleet host's dockerd
// serves the test app; rebuilding is incremental end to end (an unchanged rebuild pushes
// nothing, a one-file change uploads only its layer and the config).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "../registry/fixture.hpp"
#include "build_fleet.hpp"
#include "util/strings.hpp"

using namespace hoist;
using namespace hoist::itest;
using nlohmann::json;

namespace {

void write(const std::string& path, const std::string& data) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::trunc) << data;
}

const char* app_dockerfile =
    "ARG BASE\nFROM $BASE\nCOPY static /www/static\nCOPY index.html /www/\nEXPOSE 8080\n"
    "CMD [\"/bin/busybox\", \"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\n";

}  // namespace

TEST(FleetBuild, HoistBuiltImageServesTheAppOnAFleetHost) {
    json f = build_fleet_or_fail();
    if (f.is_null()) return;
    TempDir work;
    std::string ctx = work.path + "/ctx";
    write(ctx + "/Dockerfile", app_dockerfile);
    write(ctx + "/static/style.css", "body{}\n");
    std::string marker = "hoist-built page " + std::to_string(getpid());
    write(ctx + "/index.html", marker + "\n");
    std::string image = f["images"]["registry"].get<std::string>() + "/hoist-test/built-app";
    write_build_pipeline(work.path, image, ctx, {{"BASE", f["images"]["base"]}});
    std::map<std::string, std::string> env{{"XDG_CACHE_HOME", work.path + "/cache"}};
    ASSERT_EQ(run_hoist({"build"}, env, work.path).exit_code, 0);
    auto p = run_hoist({"push"}, env, work.path);
    ASSERT_EQ(p.exit_code, 0) << p.err;

    std::string name = "hoist-built-" + std::to_string(getpid());
    auto run = fleet_docker(f, {"run", "-d", "--name", name, "-p", "18080:8080", image + ":t"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    std::string url = "http://" + f["hosts"][0]["address"].get<std::string>() + ":18080/index.html";
    ProcessResult got;
    for (int i = 0; i < 50; ++i) {
        got = run_process({"curl", "-sf", "--max-time", "2", url});
        if (got.exit_code == 0) break;
        usleep(100000);
    }
    fleet_docker(f, {"rm", "-f", name});
    fleet_docker(f, {"rmi", "-f", image + ":t"});
    ASSERT_EQ(got.exit_code, 0) << "GET " << url << " failed: " << got.err;
    EXPECT_EQ(trim(got.out), marker);
}

TEST(FleetBuild, RebuildAndPushAreIncremental) {
    json f = build_fleet_or_fail();
    if (f.is_null()) return;
    TempDir work;
    std::string ctx = work.path + "/ctx";
    write(ctx + "/Dockerfile", app_dockerfile);
    write(ctx + "/static/big.bin", std::string(2 << 20, 'z'));
    write(ctx + "/index.html", "v1\n");
    std::string image = f["images"]["registry"].get<std::string>() + "/hoist-test/incremental-" + std::to_string(getpid());
    write_build_pipeline(work.path, image, ctx, {{"BASE", f["images"]["base"]}});
    std::map<std::string, std::string> env{{"XDG_CACHE_HOME", work.path + "/cache"}};
    auto build_push = [&](json& built, json& pushed) {
        auto b = run_hoist({"-o", "json", "build"}, env, work.path);
        ASSERT_EQ(b.exit_code, 0) << b.err;
        auto p = run_hoist({"-o", "json", "push"}, env, work.path);
        ASSERT_EQ(p.exit_code, 0) << p.err;
        built = b.event("built");
        pushed = p.event("pushed");
    };
    json b1, p1, b2, p2, b3, p3;
    build_push(b1, p1);
    EXPECT_EQ(b1["layers_built"], 2);

    build_push(b2, p2);  // unchanged
    EXPECT_EQ(b2["layers_built"], 0);
    EXPECT_EQ(b2["digest"], b1["digest"]);
    EXPECT_EQ(p2["up_to_date"], true);
    EXPECT_EQ(p2["bytes_sent"], 0);

    write(ctx + "/index.html", "v2\n");  // one file of the top layer
    build_push(b3, p3);
    EXPECT_EQ(b3["layers_built"], 1);
    EXPECT_EQ(b3["layers_cached"], 1);
    EXPECT_NE(b3["digest"], b1["digest"]);
    EXPECT_EQ(p3["uploaded"], 2) << p3.dump();  // the changed layer and the config, nothing else
    EXPECT_LT(p3["bytes_sent"].get<long long>(), 4096);
}
