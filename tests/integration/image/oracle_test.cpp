// Oracle tests: each directory of tests/integration/image/oracle is built twice — by the real
// `docker build` (dockerd's classic builder) and by hoist's native builder, pushed to the fleet
// registry and pulled by the same dockerd — and the two images must agree: the runtime config
// fields (Env, Cmd, Entrypoint, WorkingDir, User, ExposedPorts, Labels, StopSignal, Healthcheck,
// Volumes) and the root filesystem of a container of each (`docker export`: every path with its
// type, mode, owner and content or link target). The directories of oracle_errors are contexts
// `docker build` refuses (a symlink whose in-scope target is absent, a link to an ignored file):
// hoist must refuse them too, naming the Dockerfile line, rather than read the build machine.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "../registry/fixture.hpp"
#include "build_fleet.hpp"
#include "util/strings.hpp"

using namespace hoist;
using namespace hoist::itest;
using nlohmann::json;

namespace {

const std::string oracle_dir = std::string(HOIST_SOURCE_DIR) + "/tests/integration/image/oracle";
const std::string errors_dir = std::string(HOIST_SOURCE_DIR) + "/tests/integration/image/oracle_errors";

std::vector<std::string> cases(const std::string& dir = oracle_dir) {
    std::vector<std::string> out;
    for (auto& e : std::filesystem::directory_iterator(dir))
        if (e.is_directory()) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

std::string gtest_name(const std::string& c) {
    std::string n;
    for (char ch : c) n += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
    return n;
}

class Oracle : public ::testing::TestWithParam<std::string> {};

TEST_P(Oracle, SameConfigAndRootFilesystemAsDockerBuild) {
    json f = build_fleet_or_fail();
    if (f.is_null()) return;
    std::string name = GetParam();
    std::string context = oracle_dir + "/" + name;
    std::string registry = f["images"]["registry"];
    std::string base = f["images"]["base"];
    std::string suffix = std::to_string(getpid());
    std::string docker_tag = "hoist-oracle/" + name + ":docker-" + suffix;
    std::string hoist_image = registry + "/hoist-oracle/" + name;
    std::string hoist_ref = hoist_image + ":t";
    std::map<std::string, std::string> args{{"BASE", base}, {"V", "2.0"}};

    std::vector<std::string> build{"build", "-q", "-t", docker_tag};
    for (auto& [k, v] : args) build.insert(build.end(), {"--build-arg", k + "=" + v});
    build.push_back(context);
    auto d = fleet_docker(f, build);
    ASSERT_EQ(d.exit_code, 0) << "docker build " << name << ": " << d.err;

    TempDir work;
    write_build_pipeline(work.path, hoist_image, context, args);
    std::map<std::string, std::string> env{{"XDG_CACHE_HOME", work.path + "/cache"}};
    auto b = run_hoist({"build"}, env, work.path);
    ASSERT_EQ(b.exit_code, 0) << "hoist build " << name << ": " << b.err;
    auto p = run_hoist({"push"}, env, work.path);
    ASSERT_EQ(p.exit_code, 0) << "hoist push " << name << ": " << p.err;
    auto pull = fleet_docker(f, {"pull", "-q", hoist_ref});
    ASSERT_EQ(pull.exit_code, 0) << "docker pull " << hoist_ref << ": " << pull.err;

    EXPECT_EQ(compared_config(f, hoist_ref).dump(1), compared_config(f, docker_tag).dump(1)) << name;
    std::string ours = rootfs_listing(f, hoist_ref), theirs = rootfs_listing(f, docker_tag);
    EXPECT_FALSE(theirs.empty());
    EXPECT_EQ(ours, theirs) << name << ": root filesystems differ (left: hoist, right: docker build)";

    fleet_docker(f, {"rmi", "-f", docker_tag, hoist_ref});
}

INSTANTIATE_TEST_SUITE_P(Dockerfiles, Oracle, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<std::string>& i) { return gtest_name(i.param); });

class OracleError : public ::testing::TestWithParam<std::string> {};

TEST_P(OracleError, RefusedLikeDockerBuild) {
    json f = build_fleet_or_fail();
    if (f.is_null()) return;
    std::string name = GetParam();
    std::string context = errors_dir + "/" + name;
    std::string registry = f["images"]["registry"];
    std::map<std::string, std::string> args{{"BASE", f["images"]["base"]}};
    std::string docker_tag = "hoist-oracle-error/" + name + ":docker-" + std::to_string(getpid());

    std::vector<std::string> build{"build", "-q", "-t", docker_tag};
    for (auto& [k, v] : args) build.insert(build.end(), {"--build-arg", k + "=" + v});
    build.push_back(context);
    auto d = fleet_docker(f, build);
    EXPECT_NE(d.exit_code, 0) << "docker build " << name << " succeeded";
    if (d.exit_code == 0) fleet_docker(f, {"rmi", "-f", docker_tag});

    TempDir work;
    write_build_pipeline(work.path, registry + "/hoist-oracle-error/" + name, context, args);
    auto b = run_hoist({"build"}, {{"XDG_CACHE_HOME", work.path + "/cache"}}, work.path);
    EXPECT_EQ(b.exit_code, 5) << "hoist build " << name << ": " << b.err;
    EXPECT_NE(b.err.find("Dockerfile:3:"), std::string::npos) << b.err;  // every case fails on line 3
}

INSTANTIATE_TEST_SUITE_P(Dockerfiles, OracleError, ::testing::ValuesIn(cases(errors_dir)),
                         [](const ::testing::TestParamInfo<std::string>& i) { return gtest_name(i.param); });

}  // namespace
