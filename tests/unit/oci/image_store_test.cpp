#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "oci/image_store.hpp"
#include "oci/media_types.hpp"
#include "util/error.hpp"

using namespace hoist::oci;
namespace fs = std::filesystem;

namespace {
struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/hoist-store-test-XXXXXX";
        path = mkdtemp(tmpl);
    }
    ~TempDir() { fs::remove_all(path); }
};
}  // namespace

TEST(ImageStore, CreatesLayoutAndStoresBlobsByDigest) {
    TempDir t;
    ImageStore s(t.path + "/store");
    EXPECT_TRUE(fs::exists(t.path + "/store/oci-layout"));
    Descriptor d = s.put_blob("hello", "text/plain");
    EXPECT_EQ(d.digest, sha256_of("hello"));
    EXPECT_EQ(d.size, 5);
    EXPECT_TRUE(s.has_blob(d.digest));
    EXPECT_EQ(s.read_blob(d.digest), "hello");

    auto w = s.begin_blob();
    w.write("hel", 3);
    w.write("lo!", 3);
    Descriptor d2 = w.commit("x");
    EXPECT_EQ(d2.digest, sha256_of("hello!"));
    EXPECT_EQ(s.read_blob(d2.digest), "hello!");
}

TEST(ImageStore, UncommittedWriterLeavesNothingBehind) {
    TempDir t;
    ImageStore s(t.path);
    {
        auto w = s.begin_blob();
        w.write("partial", 7);
    }
    std::size_t files = 0;
    for (auto& e : fs::directory_iterator(t.path + "/blobs/sha256")) (void)e, ++files;
    EXPECT_EQ(files, 0u);
}

TEST(ImageStore, CorruptBlobIsDetected) {
    TempDir t;
    ImageStore s(t.path);
    Descriptor d = s.put_blob("good", "x");
    write_file_atomic(s.blob_path(d.digest), "evil");
    EXPECT_THROW(s.read_blob(d.digest), hoist::Error);
}

TEST(ImageStore, TagsAreRefNameAnnotationsAndRetagReplaces) {
    TempDir t;
    ImageStore s(t.path);
    Descriptor m1 = s.put_blob("m1", std::string(media::oci_manifest));
    Descriptor m2 = s.put_blob("m2", std::string(media::oci_manifest));
    s.tag("reg.example/acme/web:v1", m1);
    s.tag("reg.example/acme/web:v2", m2);
    s.tag("reg.example/acme/web:v1", m2);
    EXPECT_EQ(s.entries().size(), 2u);
    ASSERT_TRUE(s.resolve("reg.example/acme/web:v1"));
    EXPECT_EQ(s.resolve("reg.example/acme/web:v1")->digest, m2.digest);
    EXPECT_FALSE(s.resolve("reg.example/acme/web:v3"));
    std::string index = read_file(t.path + "/index.json");
    EXPECT_NE(index.find("org.opencontainers.image.ref.name"), std::string::npos);
}

TEST(ImageStore, OpenWithoutCreateRejectsNonLayout) {
    TempDir t;
    EXPECT_THROW(ImageStore(t.path, false), hoist::Error);
}

TEST(ImageStore, DiffIdCacheRoundTrips) {
    TempDir t;
    ImageStore s(t.path);
    Digest diff = sha256_of("uncompressed");
    EXPECT_FALSE(s.compressed_for(diff));
    Descriptor gz{std::string(media::oci_layer_gzip), sha256_of("gz"), 2, {}, {}};
    s.remember_compressed(diff, gz);
    ASSERT_TRUE(s.compressed_for(diff));
    EXPECT_EQ(s.compressed_for(diff)->digest, gz.digest);
    EXPECT_EQ(s.compressed_for(diff)->size, 2);
}

TEST(ImageStore, DefaultDirFollowsXdgCacheHome) {
    const char* old = std::getenv("XDG_CACHE_HOME");
    std::string saved = old ? old : "";
    setenv("XDG_CACHE_HOME", "/x/cache", 1);
    EXPECT_EQ(ImageStore::default_dir(), "/x/cache/hoist");
    if (old) setenv("XDG_CACHE_HOME", saved.c_str(), 1);
    else unsetenv("XDG_CACHE_HOME");
}
