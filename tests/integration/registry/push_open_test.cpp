// hoist push against a real docker-registry without auth: correctness (skopeo sees the same
// digest), zero-byte re-push, cross-repository mounts, OCI layouts, and a registry killed mid-push.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "fixture.hpp"
#include "oci/image_store.hpp"
#include "util/process.hpp"

using namespace hoist;
using namespace hoist::itest;
namespace fs = std::filesystem;

namespace {
std::int64_t total_bytes_sent(const HoistRun& r) {
    std::int64_t n = 0;
    for (auto& e : r.events())
        if (e.value("event", "") == "blob") n += e.value("bytes_sent", 0LL);
    return n;
}
std::vector<std::string> blob_actions(const HoistRun& r) {
    std::vector<std::string> v;
    for (auto& e : r.events())
        if (e.value("event", "") == "blob") v.push_back(e.value("action", ""));
    return v;
}
}  // namespace

TEST(PushOpen, DockerArchiveThenSkopeoSeesTheSameDigest) {
    LocalRegistry reg;
    TempDir cache;
    std::string ref = reg.host() + "/acme/web:v1";
    auto r = run_hoist({"-o", "json", "push", "--from", "docker-archive:" + test_archive(0.02), "--to", ref},
                       {{"XDG_CACHE_HOME", cache.path}});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto pushed = r.event("pushed");
    ASSERT_TRUE(pushed.is_object()) << r.out;
    std::string digest = pushed["digest"];
    EXPECT_EQ(skopeo_digest(ref), digest);
    EXPECT_EQ(blob_actions(r).size(), 4u);  // config + 3 layers
    EXPECT_GT(total_bytes_sent(r), 100000);
    auto last = r.events().back();
    EXPECT_EQ(last["event"], "summary");
    EXPECT_EQ(last["exit_code"], 0);
    EXPECT_EQ(last["digest"], digest);
    // skopeo can copy it back out completely: every blob the manifest names is really there
    TempDir out;
    auto c = run_process({"skopeo", "copy", "--src-tls-verify=false", "docker://" + ref, "oci:" + out.path + ":x"});
    EXPECT_EQ(c.exit_code, 0) << c.err;
}

TEST(PushOpen, SecondPushOfTheSameImageSendsZeroBlobBytes) {
    LocalRegistry reg;
    TempDir cache;
    std::string archive = test_archive(0.02);
    std::map<std::string, std::string> env{{"XDG_CACHE_HOME", cache.path}};
    auto first = run_hoist({"-o", "json", "push", "--from", "docker-archive:" + archive, "--to", reg.host() + "/acme/web:v1"}, env);
    ASSERT_EQ(first.exit_code, 0) << first.err;
    auto again = run_hoist({"-o", "json", "push", "--from", "docker-archive:" + archive, "--to", reg.host() + "/acme/web:v1"}, env);
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(again.event("pushed")["up_to_date"], true);
    EXPECT_EQ(again.event("pushed")["bytes_sent"], 0);
    EXPECT_EQ(again.event("pushed")["digest"], first.event("pushed")["digest"]);
    // Another tag of the same content: every blob is found by HEAD, none is sent.
    auto tag2 = run_hoist({"-o", "json", "push", "--from", "docker-archive:" + archive, "--to", reg.host() + "/acme/web:v2"}, env);
    ASSERT_EQ(tag2.exit_code, 0) << tag2.err;
    EXPECT_EQ(tag2.event("pushed")["bytes_sent"], 0);
    EXPECT_EQ(blob_actions(tag2), std::vector<std::string>(4, "exists"));
    EXPECT_EQ(skopeo_digest(reg.host() + "/acme/web:v2"), first.event("pushed")["digest"]);
}

TEST(PushOpen, PushIntoASecondRepositoryMountsInsteadOfUploading) {
    LocalRegistry reg;
    TempDir cache;
    std::string archive = test_archive(0.02);
    std::map<std::string, std::string> env{{"XDG_CACHE_HOME", cache.path}};
    ASSERT_EQ(run_hoist({"push", "--from", "docker-archive:" + archive, "--to", reg.host() + "/acme/web:v1"}, env).exit_code, 0);
    auto second = run_hoist({"-o", "json", "push", "--from", "docker-archive:" + archive, "--to", reg.host() + "/other/app:v1"}, env);
    ASSERT_EQ(second.exit_code, 0) << second.err;
    EXPECT_EQ(blob_actions(second), std::vector<std::string>(4, "mounted"));
    EXPECT_EQ(total_bytes_sent(second), 0);
    EXPECT_EQ(skopeo_digest(reg.host() + "/other/app:v1"), second.event("pushed")["digest"]);
}

TEST(PushOpen, OciLayoutIsPushedWithItsExactManifestBytes) {
    LocalRegistry reg;
    TempDir cache, layout;
    auto c = run_process({"skopeo", "copy", "docker-archive:" + test_archive(0.02, 2), "oci:" + layout.path + ":t1"});
    ASSERT_EQ(c.exit_code, 0) << c.err;
    std::string want = oci::ImageStore(layout.path, false).resolve("t1")->digest.str();
    std::string ref = reg.host() + "/acme/oci:t1";
    std::map<std::string, std::string> env{{"XDG_CACHE_HOME", cache.path}};
    auto r = run_hoist({"-o", "json", "push", "--from", "oci:" + layout.path + ":t1", "--to", ref}, env);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.event("pushed")["digest"], want);
    EXPECT_EQ(skopeo_digest(ref), want);
    auto again = run_hoist({"-o", "json", "push", "--from", "oci:" + layout.path + ":t1", "--to", ref}, env);
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(again.event("pushed")["up_to_date"], true);
}

TEST(PushOpen, LocalStoreImageIsPushedFromThePipeline) {
    LocalRegistry reg;
    TempDir cache, project;
    // What `hoist build` will leave: an image in the store tagged with the pipeline's image:tag.
    auto c = run_process({"skopeo", "copy", "docker-archive:" + test_archive(0.02, 3),
                          "oci:" + cache.path + "/hoist:" + reg.host() + "/acme/web:abc123"});
    ASSERT_EQ(c.exit_code, 0) << c.err;
    std::ofstream(project.path + "/hoist.yml") << "service: web\nimage: " << reg.host()
                                               << "/acme/web\ntag: abc123\nregistry:\n  insecure: true\nhosts: [10.0.0.1]\n";
    auto r = run_hoist({"-o", "json", "push"}, {{"XDG_CACHE_HOME", cache.path}}, project.path);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(skopeo_digest(reg.host() + "/acme/web:abc123"), r.event("pushed")["digest"]);
    // No such tag in the store: exit 5 and say what to do.
    std::ofstream(project.path + "/hoist.yml") << "service: web\nimage: " << reg.host()
                                               << "/acme/web\ntag: nope\nregistry:\n  insecure: true\nhosts: [10.0.0.1]\n";
    auto missing = run_hoist({"push"}, {{"XDG_CACHE_HOME", cache.path}}, project.path);
    EXPECT_EQ(missing.exit_code, 5);
    EXPECT_NE(missing.err.find("hoist build"), std::string::npos) << missing.err;
}

TEST(PushOpen, RegistryKilledMidPushIsRetriedToSuccess) {
    LocalRegistry reg;
    TempDir cache;
    std::string archive = test_archive(0.4);  // ~90 MB uncompressed: long enough to be caught mid-flight
    std::string ref = reg.host() + "/acme/big:v1";
    HoistRun result;
    std::thread pusher([&] {
        result = run_hoist({"-o", "json", "push", "--max-parallel", "1", "--from", "docker-archive:" + archive, "--to", ref},
                           {{"XDG_CACHE_HOME", cache.path}});
    });
    // Kill the registry as soon as a layer upload session exists (a PATCH is streaming), then
    // bring it back a second later on the same port and storage.
    std::string uploads = reg.storage() + "/docker/registry/v2/repositories/acme/big/_uploads";
    bool killed = false;
    for (int i = 0; i < 2000 && !killed; ++i) {
        if (fs::exists(uploads) && !fs::is_empty(uploads)) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            reg.stop();
            killed = true;
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
    if (killed) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1000));
        reg.start();
    }
    pusher.join();
    ASSERT_TRUE(killed) << "the push finished before an upload session was seen";
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_TRUE(result.event("blob_retry").is_object()) << "no retry was reported: the registry was not killed mid-push?\n"
                                                        << result.out;
    EXPECT_EQ(skopeo_digest(ref), result.event("pushed")["digest"]);
    TempDir out;
    auto c = run_process({"skopeo", "copy", "--src-tls-verify=false", "docker://" + ref, "oci:" + out.path + ":x"});
    EXPECT_EQ(c.exit_code, 0) << c.err;
}

TEST(PushOpen, PushBuildsThePipelineImageFirstWhenTheStoreLacksIt) {
    LocalRegistry reg;
    TempDir cache, project;
    std::ofstream(project.path + "/Dockerfile") << "FROM scratch\nCOPY hello.txt /srv/hello.txt\nCMD [\"/srv/hello.txt\"]\n";
    std::ofstream(project.path + "/hello.txt") << "hello from hoist push\n";
    std::ofstream(project.path + "/hoist.yml") << "service: web\nimage: " << reg.host()
                                               << "/acme/built\ntag: b1\nregistry:\n  insecure: true\nbuild:\n  context: .\n"
                                                  "hosts: [10.0.0.1]\n";
    auto r = run_hoist({"-o", "json", "push"}, {{"XDG_CACHE_HOME", cache.path}}, project.path);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(r.event("build_step").is_object()) << r.out;
    std::string digest = r.event("pushed")["digest"];
    EXPECT_EQ(skopeo_digest(reg.host() + "/acme/built:b1"), digest);
    auto summary = r.events().back();
    EXPECT_GE(summary["phases"]["build_ms"].get<long>(), 0);
    // Now built: the next push reads the store and finds the registry up to date.
    auto again = run_hoist({"-o", "json", "push"}, {{"XDG_CACHE_HOME", cache.path}}, project.path);
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_FALSE(again.event("build_step").is_object());
    EXPECT_EQ(again.event("pushed")["up_to_date"], true);
}
