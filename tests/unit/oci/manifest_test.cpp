#include <gtest/gtest.h>

#include "oci/manifest.hpp"
#include "oci/media_types.hpp"
#include "util/error.hpp"

using namespace hoist::oci;

namespace {
const std::string k_a = "sha256:" + std::string(64, 'a');
const std::string k_b = "sha256:" + std::string(64, 'b');
}  // namespace

TEST(Manifest, SerializeHasFieldOrderIndependentRoundTrip) {
    Manifest m;
    m.media_type = std::string(media::docker_manifest);
    m.config = Descriptor{std::string(media::docker_config), *Digest::parse(k_a), 123, {}, {}};
    m.layers.push_back(Descriptor{std::string(media::docker_layer_gzip), *Digest::parse(k_b), 456, {}, {}});
    std::string bytes = serialize(m);
    EXPECT_NE(bytes.find("\"schemaVersion\":2"), std::string::npos);
    Manifest back = parse_manifest(bytes, "test");
    EXPECT_EQ(back.media_type, media::docker_manifest);
    EXPECT_EQ(back.config.digest.str(), k_a);
    EXPECT_EQ(back.config.size, 123);
    ASSERT_EQ(back.layers.size(), 1u);
    EXPECT_EQ(back.layers[0].digest.str(), k_b);
    EXPECT_EQ(back.layers[0].media_type, media::docker_layer_gzip);
    EXPECT_EQ(serialize(back), bytes);
}

TEST(Manifest, ParseRejectsIndexAsManifestAndMissingSizes) {
    std::string idx = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]})";
    EXPECT_THROW(parse_manifest(idx, "m"), hoist::Error);
    std::string nosize = R"({"schemaVersion":2,"config":{"mediaType":"x","digest":")" + k_a + R"("},"layers":[]})";
    try {
        parse_manifest(nosize, "registry manifest");
        FAIL();
    } catch (const hoist::Error& e) {
        EXPECT_NE(std::string(e.what()).find("registry manifest: config: descriptor"), std::string::npos) << e.what();
    }
}

TEST(Manifest, IndexSelectsPlatform) {
    std::string bytes = R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json",
      "manifests":[
        {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":")" + k_a + R"(","size":1,
         "platform":{"os":"linux","architecture":"arm64","variant":"v8"}},
        {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":")" + k_b + R"(","size":2,
         "platform":{"os":"linux","architecture":"amd64"}}]})";
    Index i = parse_index(bytes, "list");
    ASSERT_NE(i.select(Platform::parse("linux/amd64")), nullptr);
    EXPECT_EQ(i.select(Platform::parse("linux/amd64"))->digest.str(), k_b);
    EXPECT_EQ(i.select(Platform::parse("linux/arm64"))->digest.str(), k_a);
    EXPECT_EQ(i.select(Platform::parse("linux/arm64/v8"))->digest.str(), k_a);
    EXPECT_EQ(i.select(Platform::parse("linux/s390x")), nullptr);
    EXPECT_THROW(Platform::parse("amd64"), hoist::Error);
}

TEST(Manifest, DeclaredMediaType) {
    EXPECT_EQ(declared_media_type(R"({"mediaType":"application/vnd.docker.distribution.manifest.v2+json"})", ""),
              media::docker_manifest);
    EXPECT_EQ(declared_media_type(R"({"schemaVersion":2,"manifests":[]})", ""), media::oci_index);
    EXPECT_EQ(declared_media_type(R"({"schemaVersion":2,"config":{}})", ""), media::oci_manifest);
}

// A registry's document is untrusted: a field of the wrong type is an error naming it, never a
// json type_error escaping the parser (found by the registry_json fuzzer; the input is in its corpus).
TEST(Manifest, IllTypedFieldsAreErrorsNamingThem) {
    auto message = [](auto parse) {
        try {
            parse();
        } catch (const hoist::Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(message([] { hoist::oci::parse_index(R"({"schemaVersion":2,"mediaType":[1]})", "index"); })
                  .find("index: mediaType is not a string"),
              std::string::npos);
    EXPECT_NE(message([] { hoist::oci::parse_manifest(R"({"schemaVersion":"2"})", "manifest"); })
                  .find("unsupported schemaVersion"),
              std::string::npos);
    const char* platform = R"({"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
                           R"("digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":1,)"
                           R"("platform":{"os":7}}]})";
    EXPECT_NE(message([&] { hoist::oci::parse_index(platform, "index"); }).find("platform: os is not a string"),
              std::string::npos);
}
