// FROM an image index (multi-platform) in the fleet registry: the native builder picks the entry
// for build.platform, and says which platforms exist when none matches. The index is made here:
// two hoist builds (linux/amd64, linux/arm64) combined into an OCI index in the store and pushed
// with `hoist push --from oci:`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "../registry/fixture.hpp"
#include "build_fleet.hpp"
#include "oci/image_store.hpp"
#include "oci/manifest.hpp"
#include "oci/media_types.hpp"

using namespace hoist;
using namespace hoist::itest;
using nlohmann::json;

namespace {

void write(const std::string& path, const std::string& data) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::trunc) << data;
}

void pipeline(const std::string& dir, const std::string& image, const std::string& platform,
              const std::map<std::string, std::string>& args) {
    std::ofstream y(dir + "/hoist.yml");
    y << "service: plat\nimage: " << image << "\nregistry: { insecure: true }\nbuild:\n  context: ctx\n  platform: "
      << platform << "\n  args: {";
    bool first = true;
    for (auto& [k, v] : args) y << (first ? "" : ", ") << k << ": " << json(v).dump(), first = false;
    y << "}\nhosts: [127.0.0.1]\n";
}

}  // namespace

TEST(BuildPlatform, FromAnIndexPicksTheBuildPlatform) {
    json f = build_fleet_or_fail();
    if (f.is_null()) return;
    TempDir work;
    std::map<std::string, std::string> env{{"XDG_CACHE_HOME", work.path + "/cache"}};
    std::string registry = f["images"]["registry"];
    std::string local = registry + "/hoist-test/plat-parts";

    // Two single-platform images, each holding /arch.
    std::map<std::string, std::string> parts;
    for (std::string arch : {"amd64", "arm64"}) {
        write(work.path + "/ctx/arch", arch + "\n");
        write(work.path + "/ctx/Dockerfile", "FROM scratch\nCOPY arch /arch\n");
        pipeline(work.path, local, "linux/" + arch, {});
        auto r = run_hoist({"-o", "json", "build", "--tag", arch}, env, work.path);
        ASSERT_EQ(r.exit_code, 0) << r.err;
        parts[arch] = r.event("built")["digest"];
    }
    oci::ImageStore store(work.path + "/cache/hoist");
    oci::Index index;
    index.media_type = std::string(oci::media::oci_index);
    for (std::string arch : {"amd64", "arm64"}) {
        auto d = store.resolve(local + ":" + arch);
        ASSERT_TRUE(d);
        oci::Descriptor e = *d;
        e.annotations.clear();
        e.platform = oci::Platform{"linux", arch, ""};
        index.manifests.push_back(e);
    }
    store.tag("multi", store.put_blob(oci::serialize(index), index.media_type));
    std::string base = registry + "/hoist-test/multiarch-" + std::to_string(getpid()) + ":latest";
    auto pushed = run_hoist({"push", "--insecure", "--from", "oci:" + store.dir() + ":multi", "--to", base}, env, work.path);
    ASSERT_EQ(pushed.exit_code, 0) << pushed.err;

    // FROM the index for arm64: the arm64 config and layer are the base.
    write(work.path + "/ctx/Dockerfile", "ARG BASE\nFROM $BASE\nCOPY arch /copied\n");
    pipeline(work.path, registry + "/hoist-test/plat-app", "linux/arm64", {{"BASE", base}});
    auto built = run_hoist({"-o", "json", "build", "--tag", "t"}, env, work.path);
    ASSERT_EQ(built.exit_code, 0) << built.err;
    auto m = oci::parse_manifest(store.read_blob(*oci::Digest::parse(built.event("built")["digest"].get<std::string>())), "app");
    auto config = json::parse(store.read_blob(m.config.digest));
    EXPECT_EQ(config["architecture"], "arm64");
    auto arm = oci::parse_manifest(store.read_blob(*oci::Digest::parse(parts["arm64"])), "arm64");
    ASSERT_EQ(m.layers.size(), 2u);
    EXPECT_EQ(m.layers[0].digest, arm.layers[0].digest);

    // A platform the index does not have: exit 5, located, naming what exists.
    pipeline(work.path, registry + "/hoist-test/plat-app", "linux/s390x", {{"BASE", base}});
    auto missing = run_hoist({"build", "--tag", "t2"}, env, work.path);
    EXPECT_EQ(missing.exit_code, 5);
    EXPECT_NE(missing.err.find("Dockerfile:2: FROM "), std::string::npos) << missing.err;
    EXPECT_NE(missing.err.find("linux/s390x"), std::string::npos) << missing.err;
    EXPECT_NE(missing.err.find("linux/arm64"), std::string::npos) << missing.err;
}
