// `builder: docker` against a fleet host's real dockerd: the context (after .dockerignore) is sent
// to POST /build, RUN works, the image is read back into hoist's store and pushed by hoist; a
// failing RUN ends with exit 5 and the Engine's message.
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

/// A pipeline with builder: docker; returns the env to run hoist with.
std::map<std::string, std::string> docker_pipeline(const json& f, const std::string& dir, const std::string& image) {
    std::ofstream(dir + "/hoist.yml") << "service: dk\nimage: " << image << "\ntag: t\nregistry: { insecure: true }\n"
                                      << "build:\n  context: ctx\n  builder: docker\n  args: { BASE: \""
                                      << f["images"]["base"].get<std::string>() << "\" }\n  labels: { team: web }\n"
                                      << "hosts: [127.0.0.1]\n";
    return {{"XDG_CACHE_HOME", dir + "/cache"}, {"DOCKER_HOST", f["hosts"][0]["docker_host"].get<std::string>()}};
}

}  // namespace

TEST(DockerBuilder, RunWorksAndHoistPushesTheResult) {
    json f = build_fleet_or_fail();
    if (f.is_null()) return;
    TempDir work;
    write(work.path + "/ctx/Dockerfile",
          "ARG BASE\nFROM $BASE\nRUN echo from-run > /ran.txt\nCOPY . /ctx/\nCMD [\"/bin/busybox\", \"cat\", \"/ran.txt\"]\n");
    write(work.path + "/ctx/keep.txt", "keep\n");
    write(work.path + "/ctx/secret.env", "TOKEN=x\n");
    write(work.path + "/ctx/.dockerignore", "secret.env\n");
    std::string image = f["images"]["registry"].get<std::string>() + "/hoist-test/docker-built-" + std::to_string(getpid());
    auto env = docker_pipeline(f, work.path, image);
    auto b = run_hoist({"-o", "json", "build"}, env, work.path);
    ASSERT_EQ(b.exit_code, 0) << b.err;
    EXPECT_FALSE(b.event("build_output").is_null()) << "the Engine's output is streamed as build_output events";
    auto p = run_hoist({"push"}, env, work.path);
    ASSERT_EQ(p.exit_code, 0) << p.err;

    // Remove the Engine's copy so what runs is what hoist pushed.
    fleet_docker(f, {"rmi", "-f", image + ":t"});
    auto ran = fleet_docker(f, {"run", "--rm", image + ":t"});
    ASSERT_EQ(ran.exit_code, 0) << ran.err;
    EXPECT_EQ(trim(ran.out), "from-run");
    auto files = fleet_docker(f, {"run", "--rm", image + ":t", "/bin/busybox", "ls", "/ctx"});
    EXPECT_EQ(files.out.find("secret.env"), std::string::npos) << ".dockerignore must be honoured: " << files.out;
    EXPECT_NE(files.out.find("keep.txt"), std::string::npos) << files.out;
    auto label = fleet_docker(f, {"image", "inspect", "--format", "{{index .Config.Labels \"team\"}}", image + ":t"});
    EXPECT_EQ(trim(label.out), "web");
    fleet_docker(f, {"rmi", "-f", image + ":t"});
}

TEST(DockerBuilder, FailingRunExitsFiveWithTheEnginesMessage) {
    json f = build_fleet_or_fail();
    if (f.is_null()) return;
    TempDir work;
    write(work.path + "/ctx/Dockerfile", "ARG BASE\nFROM $BASE\nRUN exit 3\n");
    auto env = docker_pipeline(f, work.path, f["images"]["registry"].get<std::string>() + "/hoist-test/docker-fails");
    auto b = run_hoist({"build"}, env, work.path);
    EXPECT_EQ(b.exit_code, 5);
    EXPECT_NE(b.err.find("docker build failed: The command '/bin/sh -c exit 3' returned a non-zero code: 3"),
              std::string::npos) << b.err;
}
