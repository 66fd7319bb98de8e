#include "image/layer_cache.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "build_fixture.hpp"
#include "oci/gzip_stream.hpp"

using namespace hoist;
using hoist::test::TempDir;

TEST(LayerCache, BlocksAreReusedOnlyWhenTheSameCodecWroteThem) {
    TempDir dir;
    oci::ImageStore store(dir.path());
    image::LayerCache cache(store);
    std::string member = oci::gzip_member("hello", 5, 1);
    oci::Descriptor blob = store.put_blob(member, "application/vnd.docker.image.rootfs.diff.tar.gzip");
    oci::Digest slot = oci::sha256_of(std::string("slot"));
    cache.remember_blocks(slot, blob, {image::GzipBlock{oci::sha256_of(std::string("hello")).hex, 0, std::int64_t(member.size())}});
    auto p = cache.previous(slot);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->blocks.size(), 1u);

    // The same record as written by a hoist that compressed with something else (or an older
    // record without a codec): its members are not what compressing gives now.
    std::string path = dir.path() + "/hoist-build/blocks/" + slot.hex;
    auto j = nlohmann::json::parse(oci::read_file(path));
    EXPECT_EQ(j["codec"], oci::gzip_codec());
    j["codec"] = "isal-2.30.0";  // igzip wrote the push and build members on 2026-12-03 and 04
    oci::write_file_atomic(path, j.dump());
    EXPECT_FALSE(cache.previous(slot));
    j.erase("codec");
    oci::write_file_atomic(path, j.dump());
    EXPECT_FALSE(cache.previous(slot));
}
