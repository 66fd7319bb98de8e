// Fuzz target: the JSON documents hoist reads from registries: manifests, indexes, image configs
// and error bodies. Malformed or ill-typed documents are hoist::Errors naming what was read.
#include <cstddef>
#include <cstdint>
#include <string>

#include "image/image_config.hpp"
#include "fuzz_common.hpp"
#include "oci/manifest.hpp"
#include "registry/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string body(reinterpret_cast<const char*>(data), size);
    using hoist::fuzz::expect_clean;
    expect_clean([&] {
        auto m = hoist::oci::parse_manifest(body, "manifest");
        (void)hoist::oci::serialize(m);
    });
    expect_clean([&] {
        auto i = hoist::oci::parse_index(body, "index");
        (void)hoist::oci::serialize(i);
    });
    expect_clean([&] {
        auto c = hoist::image::ImageConfig::parse(body, "config");
        (void)c.env();
        (void)c.diff_ids();
    });
    expect_clean([&] { (void)hoist::oci::declared_media_type(body, "application/octet-stream"); });
    expect_clean([&] { (void)hoist::registry::registry_error_codes(body); });
    return 0;
}
